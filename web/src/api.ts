/** The node's HTTP API, as the explorer uses it (same origin; JSON in and out). */

export interface Status {
  network: string;
  genesis_hash: string;
  height: number;
  tip: string;
  total_work: number | string;
  difficulty: number;
  peers: number;
  pending: number;
  address: string;
  mining?: boolean;
  hashrate?: number;
  threads?: number;
}

export interface Tx {
  type: string;
  id: string;
  sender: string;
  recipient?: string;
  amount?: number;
  fee?: number;
  nonce?: number;
  network?: string;
  signature?: string;
  height?: number;
  token?: string;
  spender?: string;
  owner?: string;
  name?: string;
  symbol?: string;
  decimals?: number;
  supply?: number;
}

export interface Block {
  index: number;
  timestamp: number;
  transactions: Tx[];
  proof: number;
  previous_hash: string;
  difficulty: number;
  tx_root: string;
  hash: string;
}

export interface TokenEvent {
  event: "Transfer" | "Approval";
  token: string;
  from?: string;
  to?: string;
  owner?: string;
  spender?: string;
  value: number;
  tx_id?: string;
  block_index?: number;
}

export interface TxInfo {
  transaction: Tx;
  status: "pending" | "confirmed";
  block_index: number | null;
  block_hash?: string | null;
  confirmations: number;
  events?: TokenEvent[];
  signature_valid?: boolean | null;
}

export interface Holding {
  token: string;
  name: string;
  symbol: string;
  decimals: number;
  balance: number;
}

export interface Account {
  address: string;
  balance: number;
  nonce: number;
  pending?: { balance: number; nonce: number; transactions: number };
  tokens?: Holding[];
}

export interface HistoryPage {
  transactions: Array<{ transaction: Tx; block_index: number; position: number }>;
  next: string | null;
}

export interface Token {
  id: string;
  name: string;
  symbol: string;
  decimals: number;
  total_supply: number;
  creator: string;
  block_index?: number | null;
}

export interface Peer {
  node: string;
  url: string;
  last_seen: number | null;
  failures: number;
  last_error?: string;
  height?: number;
  tip?: string;
  total_work?: number | string;
}

export interface BlockRef {
  index: number;
  hash: string;
  txs: number;
}

export interface Reorg {
  at: number;
  height: number;
  tip: string;
  replaced: BlockRef[];
  connected: BlockRef[];
}

export interface SearchMatch {
  kind: "block" | "transaction" | "token" | "address";
  id: string;
  index?: number;
  main?: boolean;
  status?: string;
}

export interface Mined {
  message: string;
  index: number;
  hash: string;
  transactions: Tx[];
}

export interface Accepted {
  message: string;
  id: string;
  block_index: number;
  status?: string;
}

/** An answer other than 2xx: the node's {"error"} message, or what went wrong on the way. */
export class ApiError extends Error {
  constructor(
    readonly status: number,
    message: string,
  ) {
    super(message);
  }
}

async function call<T>(path: string, init?: RequestInit): Promise<T> {
  let res: Response;
  try {
    res = await fetch(path, { ...init, headers: { accept: "application/json", ...init?.headers } });
  } catch {
    throw new ApiError(0, "the node did not answer: is it still running?");
  }
  const text = await res.text();
  let body: unknown;
  try {
    body = JSON.parse(text);
  } catch {
    body = undefined;
  }
  if (!res.ok) {
    const msg = (body as { error?: unknown } | undefined)?.error;
    throw new ApiError(res.status, typeof msg === "string" ? msg : `the node answered ${res.status} ${res.statusText}`);
  }
  return body as T;
}

export const get = <T>(path: string): Promise<T> => call<T>(path);

export const post = <T>(path: string, body?: unknown): Promise<T> =>
  call<T>(path, {
    method: "POST",
    ...(body === undefined ? {} : { body: JSON.stringify(body), headers: { "content-type": "application/json" } }),
  });

/** GET that answers undefined on 404 (a route or object this node does not have). */
export async function getOptional<T>(path: string): Promise<T | undefined> {
  try {
    return await get<T>(path);
  } catch (err) {
    if (err instanceof ApiError && err.status === 404) return undefined;
    throw err;
  }
}

export const enc = encodeURIComponent;
