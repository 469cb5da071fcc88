/**
 * The wallet's view of a node: its HTTP API (docs/protocol.md §7) over fetch, each request bounded in
 * time, failures turned into WalletErrors that say what to do.
 */
import type {
  Account,
  HistoryPage,
  PendingList,
  Status,
  TokenAllowance,
  TokenBalance,
  TokenInfo,
  TxAccepted,
  TxDropped,
  TxLookup,
  TxWithId,
} from "../api/contract.js";
import { errorMessage } from "../api/errors.js";
import type { SignedTx } from "../core/types.js";
import { ApiError, DEFAULT_NODE_URL, nodeUnreachable, notANode, refused, WalletError } from "./errors.js";

export const REQUEST_TIMEOUT_MS = 15_000;

/** Checks and normalises --node: an http(s) URL without a trailing slash. */
export function nodeUrl(text: string | undefined): string {
  const raw = text ?? DEFAULT_NODE_URL;
  let u: URL;
  try {
    u = new URL(raw);
  } catch {
    throw new WalletError(`--node "${raw}" is not a URL: give one like ${DEFAULT_NODE_URL}`, "bad-node-url");
  }
  if (u.protocol !== "http:" && u.protocol !== "https:") {
    throw new WalletError(`--node "${raw}" must be an http:// or https:// URL, like ${DEFAULT_NODE_URL}`, "bad-node-url");
  }
  return u.toString().replace(/\/+$/, "");
}

function reasonOf(err: unknown): string {
  const e = err as { name?: string; message?: string; cause?: { code?: string; message?: string } };
  if (e.name === "TimeoutError") return `no answer within ${REQUEST_TIMEOUT_MS / 1000} s`;
  const code = e.cause?.code;
  if (code === "ECONNREFUSED") return "connection refused";
  if (code === "ENOTFOUND" || code === "EAI_AGAIN") return "host not found";
  if (code === "ECONNRESET") return "connection reset";
  return e.cause?.message ?? e.message ?? String(err);
}

export interface NodeClientOptions {
  timeoutMs?: number;
  /** Checks the node's /status (throws to refuse the node): run on the first request, before any other. */
  checkStatus?: (status: Status) => void;
}

export class NodeClient {
  private readonly timeoutMs: number;
  private readonly checkStatus: ((status: Status) => void) | undefined;
  private checked: Promise<Status> | undefined;

  constructor(
    readonly url: string,
    opts: NodeClientOptions = {},
  ) {
    this.timeoutMs = opts.timeoutMs ?? REQUEST_TIMEOUT_MS;
    this.checkStatus = opts.checkStatus;
  }

  /** GET or POST JSON (or `method`, e.g. DELETE); resolves with the body, or throws ApiError / WalletError. */
  async request<T>(
    path: string,
    body?: unknown,
    method?: string,
    headers: Record<string, string> = {},
  ): Promise<{ status: number; body: T }> {
    if (this.checkStatus !== undefined && path !== "/status") {
      this.checked ??= this.status();
      await this.checked;
    }
    const verb = method ?? (body === undefined ? "GET" : "POST");
    let res: Response;
    try {
      res = await fetch(this.url + path, {
        method: verb,
        headers: {
          ...headers,
          ...(body === undefined ? { accept: "application/json" } : { "content-type": "application/json", accept: "application/json" }),
        },
        ...(body === undefined ? {} : { body: JSON.stringify(body) }),
        signal: AbortSignal.timeout(this.timeoutMs),
      });
    } catch (err) {
      throw nodeUnreachable(this.url, reasonOf(err));
    }
    let text: string;
    try {
      text = await res.text();
    } catch (err) {
      throw nodeUnreachable(this.url, reasonOf(err));
    }
    let parsed: unknown;
    try {
      parsed = JSON.parse(text);
    } catch {
      throw notANode(this.url, `${verb} ${path} gave ${res.status} and no JSON`);
    }
    if (!res.ok) {
      const e = errorMessage(parsed);
      const message = e?.error ?? `HTTP ${res.status}`;
      const code = e?.code;
      throw new ApiError(res.status, message, code, `the node at ${this.url} answered ${res.status}: ${message}`);
    }
    return { status: res.status, body: parsed as T };
  }

  async get<T>(path: string): Promise<T> {
    return (await this.request<T>(path)).body;
  }

  /** GET that answers undefined on 404. */
  async find<T>(path: string): Promise<T | undefined> {
    try {
      return await this.get<T>(path);
    } catch (err) {
      if (err instanceof ApiError && err.status === 404) return undefined;
      throw err;
    }
  }

  /** The node's /status (checked with `checkStatus`, when given). */
  async status(): Promise<Status> {
    const s = await this.get<Status>("/status");
    if (typeof s?.network !== "string" || typeof s.genesis_hash !== "string") throw notANode(this.url, "GET /status has no network name");
    this.checkStatus?.(s);
    return s;
  }

  account(address: string): Promise<Account> {
    return this.get<Account>(`/accounts/${address}`);
  }

  history(address: string, limit: number): Promise<HistoryPage> {
    return this.get<HistoryPage>(`/accounts/${address}/transactions?limit=${limit}`);
  }

  async pending(): Promise<TxWithId[]> {
    return (await this.pool()).transactions;
  }

  /** The node's pool: its transactions, and the queued ones with the nonce each waits for (none from an older node). */
  async pool(): Promise<PendingList> {
    const p = await this.get<PendingList>("/transactions/pending");
    return { transactions: p.transactions, queued: p.queued ?? {} };
  }

  /** Drops a pending transaction from the node's pool (an operator route: loopback, or `token`). */
  async drop(id: string, token?: string): Promise<TxDropped> {
    return (await this.request<TxDropped>(`/transactions/${id}`, undefined, "DELETE", token ? { authorization: `Bearer ${token}` } : {}))
      .body;
  }

  transaction(id: string): Promise<TxLookup | undefined> {
    return this.find<TxLookup>(`/transactions/${id}`);
  }

  token(id: string): Promise<TokenInfo | undefined> {
    return this.find<TokenInfo>(`/tokens/${id}`);
  }

  async tokenBalance(token: string, address: string): Promise<number> {
    return (await this.get<TokenBalance>(`/tokens/${token}/balances/${address}`)).balance;
  }

  async allowance(token: string, owner: string, spender: string): Promise<number> {
    return (await this.get<TokenAllowance>(`/tokens/${token}/allowances/${owner}/${spender}`)).allowance;
  }

  /** Submits a signed transaction; a refusal becomes an error with the node's message and a hint. */
  async submit(tx: SignedTx): Promise<TxAccepted> {
    try {
      return (await this.request<TxAccepted>("/transactions", tx)).body;
    } catch (err) {
      if (err instanceof ApiError) throw refused(err.status, err.nodeMessage, err.code.startsWith("http-") ? undefined : err.code);
      throw err;
    }
  }
}
