import canonicalize from "canonicalize";
import { sha256, sha256Hex } from "../crypto/hash.js";
import type { BlockHeader, Transaction } from "./types.js";

/** RFC 8785 (JCS) canonical JSON of `value`. */
export function canonical(value: unknown): string {
  const out = canonicalize(value);
  if (out === undefined) throw new TypeError("value has no canonical JSON form");
  return out;
}

function without<T extends object>(obj: T, keys: readonly string[]): Record<string, unknown> {
  // fromEntries defines own properties: an own "__proto__" key stays a key (assignment would set the prototype)
  return Object.fromEntries(Object.entries(obj).filter(([k]) => !keys.includes(k)));
}

const SURROGATE = /[\uD800-\uDFFF]/;

/**
 * The members (`"key":value`) of the canonical JSON of a flat object (every value a string,
 * finite number, boolean or null), keys sorted, `id` left out, and where the `signature`
 * member is (-1 if none): the same text `canonical` gives, without building a copy or
 * recursing. Transactions are flat, so this is the hot path of ids and signing bytes, and
 * one pass serves both. Returns undefined for anything else (nested values, surrogates,
 * non-finite numbers), for which `canonical` decides.
 */
function flatMembers(obj: object): { members: string[]; signatureAt: number } | undefined {
  const rec = obj as Record<string, unknown>;
  const keys = Object.keys(rec).sort();
  const members: string[] = [];
  let signatureAt = -1;
  for (const k of keys) {
    if (k === "id") continue;
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
    if (k === "signature") signatureAt = members.length;
    members.push(`${JSON.stringify(k)}:${text}`);
  }
  return { members, signatureAt };
}

/** The members without the one at `skip`, as an object's text. */
function objectText(members: readonly string[], skip = -1): string {
  if (skip < 0) return `{${members.join(",")}}`;
  return `{${members.filter((_, i) => i !== skip).join(",")}}`;
}

/** Signing bytes: canonical JSON of the transaction without `signature` and `id` (docs/protocol.md §3). */
export function signingBytes(tx: object): Buffer {
  return Buffer.from(signingText(tx), "utf8");
}

/** The signing bytes as text (UTF-8 encode it to sign or verify). */
export function signingText(tx: object): string {
  const flat = flatMembers(tx);
  return flat !== undefined ? objectText(flat.members, flat.signatureAt) : canonical(without(tx, ["signature", "id"]));
}

/** The text whose SHA-256 is the transaction id: canonical JSON without `id`. */
function idText(tx: object): string {
  const flat = flatMembers(tx);
  return flat !== undefined ? objectText(flat.members) : canonical(without(tx, ["id"]));
}

/** Transaction id: SHA-256 of the canonical JSON without `id` (so the signature is covered). */
export function txId(tx: object): string {
  return sha256Hex(idText(tx));
}

/**
 * The id and the signing text of a transaction from one serialisation (what `txId` and
 * `signingText` give), for paths that need both (the pool, a synced chunk).
 */
export function txIdAndSigningText(tx: object): { id: string; signing: string } {
  const flat = flatMembers(tx);
  if (flat === undefined) return { id: txId(tx), signing: signingText(tx) };
  return { id: sha256Hex(objectText(flat.members)), signing: objectText(flat.members, flat.signatureAt) };
}

/** Raw 32-byte transaction id. */
export function txIdBytes(tx: object): Buffer {
  return sha256(idText(tx));
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

/** Block hash: SHA-256 of the canonical JSON of the header (docs/protocol.md §4). */
export function blockHash(header: BlockHeader): string {
  return sha256Hex(canonical(headerOf(header)));
}

/** The same transaction with its `id` field added (as APIs return it). */
export function withId<T extends Transaction>(tx: T, id = txId(tx)): T & { id: string } {
  return { ...tx, id };
}
