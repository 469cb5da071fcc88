/** The pool's public shapes: an entry, what adding came to, its options and events. */
import type { SignedTx } from "../core/types.js";
import type { BatchVerify } from "./batch-verify.js";
import type { Clock } from "./clock.js";

export interface PoolEntry {
  tx: SignedTx;
  id: string;
  /** When it arrived (ms since the epoch). */
  received: number;
  /** Arrival order, for ties. */
  seq: number;
}

export interface AddResult {
  id: string;
  /** `ready` can go into the next block; `queued` waits for an earlier nonce. */
  status: "ready" | "queued";
  /** For a queued one: the sender's next nonce the pool is missing, the one it waits for. */
  waitingFor?: number;
}

export interface PoolOptions {
  maxSize?: number;
  /** How far past the sender's next nonce a transaction may be held (default 64). */
  maxNonceGap?: number;
  /** How many transactions waiting for an earlier nonce may be held (default a quarter of `maxSize`). */
  maxQueued?: number;
  /** The node's clock (default: the machine's); `received` times are its milliseconds. */
  clock?: Clock;
  /** Signature checks (e.g. on worker threads); inline when absent. */
  verify?: BatchVerify;
}

/**
 * `added`: a transaction taken; `replaced`: a pending one (first) gave its place to one of the
 * same sender and nonce paying more (second, also `added`); `returned`: one back from an
 * abandoned block; `changed`: the content moved.
 */
export interface PoolEvents {
  added: [PoolEntry];
  replaced: [PoolEntry, PoolEntry];
  returned: [PoolEntry];
  changed: [];
}
