import canonicalizeImport from "canonicalize";
import { sha256, sha256Hex } from "../crypto/hash.js";
import type { BlockHeader, Transaction } from "./types.js";

// canonicalize ships CommonJS with a default export; normalise the two shapes.
const canonicalizeFn = ((canonicalizeImport as unknown as { default?: unknown }).default ?? canonicalizeImport) as (
  value: unknown,
) => string | undefined;

/** RFC 8785 (JCS) canonical JSON of `value`. */
export function canonical(value: unknown): string {
  const out = canonicalizeFn(value);
  if (out === undefined) throw new TypeError("value has no canonical JSON form");
  return out;
}

export function canonicalBytes(value: unknown): Buffer {
  return Buffer.from(canonical(value), "utf8");
}

function without<T extends object>(obj: T, keys: readonly string[]): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(obj)) if (!keys.includes(k)) out[k] = v;
  return out;
}

/** Signing bytes: canonical JSON of the transaction without `signature` and `id` (SPEC §3). */
export function signingBytes(tx: object): Buffer {
  return canonicalBytes(without(tx, ["signature", "id"]));
}

/** Transaction id: SHA-256 of the canonical JSON without `id` (so the signature is covered). */
export function txId(tx: object): string {
  return sha256Hex(canonical(without(tx, ["id"])));
}

/** Raw 32-byte transaction id. */
export function txIdBytes(tx: object): Buffer {
  return sha256(canonical(without(tx, ["id"])));
}

export const HEADER_FIELDS = ["index", "timestamp", "previous_hash", "tx_root", "difficulty", "proof"] as const;

export function headerOf(block: BlockHeader): BlockHeader {
  return {
    index: block.index,
    timestamp: block.timestamp,
    previous_hash: block.previous_hash,
    tx_root: block.tx_root,
    difficulty: block.difficulty,
    proof: block.proof,
  };
}

/** Block hash: SHA-256 of the canonical JSON of the header (SPEC §4). */
export function blockHash(header: BlockHeader): string {
  return sha256Hex(canonical(headerOf(header)));
}

/** The same transaction with its `id` field added (as APIs return it). */
export function withId<T extends Transaction>(tx: T, id = txId(tx)): T & { id: string } {
  return { ...tx, id };
}
