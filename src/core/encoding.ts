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

function without<T extends object>(obj: T, keys: readonly string[]): Record<string, unknown> {
  // fromEntries defines own properties: an own "__proto__" key stays a key (assignment would set the prototype)
  return Object.fromEntries(Object.entries(obj).filter(([k]) => !keys.includes(k)));
}

const SURROGATE = /[\uD800-\uDFFF]/;

/**
 * Canonical JSON of a flat object (every value a string, finite number, boolean or null),
 * leaving out the keys `skipA` and `skipB`: the same text `canonical` gives, without building
 * a copy or recursing. Transactions are flat, so this is the hot path of ids and signing bytes.
 * Returns undefined for anything else (nested values, surrogates, non-finite numbers), for
 * which `canonical` decides.
 */
function flatCanonical(obj: object, skipA: string, skipB?: string): string | undefined {
  const rec = obj as Record<string, unknown>;
  const keys = Object.keys(rec).sort();
  let out = "{";
  for (const k of keys) {
    if (k === skipA || k === skipB) continue;
    const v = rec[k];
    let text: string;
    switch (typeof v) {
      case "string":
        if (SURROGATE.test(v)) return undefined;
        text = JSON.stringify(v);
        break;
      case "number":
        if (!Number.isFinite(v)) return undefined;
        text = JSON.stringify(v);
        break;
      case "boolean":
        text = v ? "true" : "false";
        break;
      case "undefined":
        continue;
      case "object":
        if (v !== null) return undefined;
        text = "null";
        break;
      default:
        return undefined;
    }
    if (SURROGATE.test(k)) return undefined;
    out += `${out.length > 1 ? "," : ""}${JSON.stringify(k)}:${text}`;
  }
  return `${out}}`;
}

/** Canonical JSON of a transaction without the keys given (fast path for flat objects). */
function canonicalWithout(tx: object, skipA: string, skipB?: string): string {
  return flatCanonical(tx, skipA, skipB) ?? canonical(without(tx, skipB === undefined ? [skipA] : [skipA, skipB]));
}

/** Signing bytes: canonical JSON of the transaction without `signature` and `id` (SPEC §3). */
export function signingBytes(tx: object): Buffer {
  return Buffer.from(signingText(tx), "utf8");
}

/** The signing bytes as text (UTF-8 encode it to sign or verify). */
export function signingText(tx: object): string {
  return canonicalWithout(tx, "signature", "id");
}

/** Transaction id: SHA-256 of the canonical JSON without `id` (so the signature is covered). */
export function txId(tx: object): string {
  return sha256Hex(canonicalWithout(tx, "id"));
}

/** Raw 32-byte transaction id. */
export function txIdBytes(tx: object): Buffer {
  return sha256(canonicalWithout(tx, "id"));
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
