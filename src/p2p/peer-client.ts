/**
 * Calls to a peer over the routes of docs/protocol.md §7. Answers are shape-checked here only as far as
 * needed to use them; blocks are checked in full by the chain.
 */
import type { Status } from "../api/contract.js";
import { DEFAULT_LIMITS, httpTransport, PeerRequestError, type PeerTransport, type RequestLimits } from "./http-client.js";

/** A peer's GET /status, as far as a node reads it: checked, `total_work` parsed. */
export type PeerStatus = Pick<Status, "network" | "genesis_hash" | "height" | "tip"> &
  Partial<Pick<Status, "address" | "node_id" | "pending">> & {
    /** As the peer claims it: a hint for whether to look, never trusted. */
    total_work: bigint;
  };

const HEX64 = /^[0-9a-f]{64}$/;

function parseWork(v: unknown): bigint | undefined {
  if (typeof v === "number" && Number.isSafeInteger(v) && v >= 0) return BigInt(v);
  if (typeof v === "string" && /^[0-9]{1,80}$/.test(v)) return BigInt(v);
  return undefined;
}

export class PeerClient {
  constructor(
    readonly origin: string,
    private readonly transport: PeerTransport = httpTransport,
    private readonly limits: { status: RequestLimits; blocks: RequestLimits; announce: RequestLimits } = {
      status: { timeoutMs: 3_000, maxBytes: 64 * 1024 },
      blocks: { timeoutMs: 10_000, maxBytes: 16 * 1024 * 1024 },
      announce: { timeoutMs: 3_000, maxBytes: 64 * 1024 },
    },
  ) {}

  async status(): Promise<PeerStatus> {
    const { body } = await this.transport.requestJson(`${this.origin}/status`, {}, this.limits.status);
    const o = body as Record<string, unknown> | undefined;
    const work = parseWork(o?.total_work);
    if (
      typeof o !== "object" ||
      o === null ||
      typeof o.network !== "string" ||
      typeof o.genesis_hash !== "string" ||
      !HEX64.test(o.genesis_hash) ||
      typeof o.height !== "number" ||
      !Number.isSafeInteger(o.height) ||
      o.height < 1 ||
      typeof o.tip !== "string" ||
      !HEX64.test(o.tip) ||
      work === undefined
    ) {
      throw new PeerRequestError(`${this.origin}/status: not a tinychain status`, "bad-json");
    }
    return {
      network: o.network.slice(0, 100),
      genesis_hash: o.genesis_hash,
      height: o.height,
      tip: o.tip,
      total_work: work,
      ...(typeof o.address === "string" ? { address: o.address } : {}),
      ...(typeof o.node_id === "string" && o.node_id.length <= 128 ? { node_id: o.node_id } : {}),
      ...(typeof o.pending === "number" && Number.isSafeInteger(o.pending) && o.pending >= 0 ? { pending: o.pending } : {}),
    };
  }

  /** Main-chain blocks from `from` (raw, unchecked). */
  async blocksFrom(from: number, limit: number): Promise<unknown[]> {
    const { body } = await this.transport.requestJson(`${this.origin}/blocks?from=${from}&limit=${limit}`, {}, this.limits.blocks);
    const blocks = (body as { blocks?: unknown } | undefined)?.blocks;
    if (!Array.isArray(blocks)) throw new PeerRequestError(`${this.origin}/blocks: not a block list`, "bad-json");
    return blocks;
  }

  /**
   * Main-chain headers from `from` (raw, unchecked); undefined when the peer does not serve
   * GET /headers (a node of protocol 1.0), so the caller falls back to blocks.
   */
  async headersFrom(from: number, limit: number): Promise<unknown[] | undefined> {
    let body: unknown;
    try {
      ({ body } = await this.transport.requestJson(`${this.origin}/headers?from=${from}&limit=${limit}`, {}, this.limits.blocks));
    } catch (err) {
      if (err instanceof PeerRequestError && err.kind === "status" && err.status === 404) return undefined;
      throw err;
    }
    const headers = (body as { headers?: unknown } | undefined)?.headers;
    if (!Array.isArray(headers)) throw new PeerRequestError(`${this.origin}/headers: not a header list`, "bad-json");
    return headers;
  }

  /** One block by index or hash (raw, unchecked); undefined when the peer has none. */
  async block(id: number | string): Promise<unknown | undefined> {
    try {
      const { body } = await this.transport.requestJson(`${this.origin}/blocks/${id}`, {}, this.limits.blocks);
      return body;
    } catch (err) {
      if (err instanceof PeerRequestError && err.kind === "status" && err.status === 404) return undefined;
      throw err;
    }
  }

  /** Hash of the peer's main-chain block at `height`, or undefined. */
  async hashAt(height: number): Promise<string | undefined> {
    const b = (await this.block(height)) as { hash?: unknown } | undefined;
    if (b === undefined) return undefined;
    if (typeof b.hash !== "string" || !HEX64.test(b.hash))
      throw new PeerRequestError(`${this.origin}/blocks/${height}: no hash`, "bad-json");
    return b.hash;
  }

  /** The peer's pending transactions (raw, unchecked). */
  async pending(): Promise<unknown[]> {
    const { body } = await this.transport.requestJson(`${this.origin}/transactions/pending`, {}, this.limits.blocks);
    const txs = (body as { transactions?: unknown } | undefined)?.transactions;
    if (!Array.isArray(txs)) throw new PeerRequestError(`${this.origin}/transactions/pending: not a list`, "bad-json");
    return txs;
  }

  async announceBlock(blockJson: string): Promise<void> {
    await this.transport.requestJson(`${this.origin}/blocks`, { method: "POST", body: blockJson }, this.limits.announce);
  }

  async announceTransaction(txJson: string): Promise<void> {
    await this.transport.requestJson(`${this.origin}/transactions`, { method: "POST", body: txJson }, this.limits.announce);
  }
}

export { DEFAULT_LIMITS };
