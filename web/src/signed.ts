/**
 * What a transaction's signature and id are made of (docs/protocol.md §1–§3), and their check,
 * redone in the browser with Web Crypto: no DOM here, so the tests run it under Node too.
 *
 * - signing bytes: the canonical JSON (RFC 8785) of the transaction without `signature` and `id`;
 * - the id's preimage: the canonical JSON without `id` (so the id covers the signature too);
 * - the sender is the raw 32-byte Ed25519 public key in hex, the signature 64 bytes in hex.
 */
import canonicalize from "canonicalize";

/** Canonical JSON of `obj` without the `drop` keys (an own "__proto__" key stays a key). */
function canonicalWithout(obj: object, drop: readonly string[]): string {
  const out = canonicalize(Object.fromEntries(Object.entries(obj).filter(([k]) => !drop.includes(k))));
  if (out === undefined) throw new TypeError("the transaction has no canonical JSON form");
  return out;
}

/** The text whose UTF-8 bytes the sender signed. */
export const signingText = (tx: object): string => canonicalWithout(tx, ["signature", "id"]);

/** The text whose SHA-256 is the transaction id. */
export const idPreimage = (tx: object): string => canonicalWithout(tx, ["id"]);

export const utf8 = (text: string): Uint8Array<ArrayBuffer> => new TextEncoder().encode(text);

export function toHex(bytes: Uint8Array): string {
  let out = "";
  for (const b of bytes) out += b.toString(16).padStart(2, "0");
  return out;
}

/** Bytes of a lowercase or uppercase hex string of `length` bytes, or undefined if it is not one. */
export function fromHex(hex: string, length: number): Uint8Array<ArrayBuffer> | undefined {
  if (hex.length !== length * 2 || !/^[0-9a-fA-F]*$/.test(hex)) return undefined;
  const out = new Uint8Array(length);
  for (let i = 0; i < length; i++) out[i] = Number.parseInt(hex.slice(2 * i, 2 * i + 2), 16);
  return out;
}

/** The hex of `bytes` in groups of `group` bytes, `perLine` groups a line (how a hex dump reads). */
export function hexDump(bytes: Uint8Array, group = 4, perLine = 8): string {
  const hex = toHex(bytes);
  const groups: string[] = [];
  for (let i = 0; i < hex.length; i += group * 2) groups.push(hex.slice(i, i + group * 2));
  const lines: string[] = [];
  for (let i = 0; i < groups.length; i += perLine) lines.push(groups.slice(i, i + perLine).join(" "));
  return lines.join("\n");
}

/** What the browser found: each check's outcome and, where one failed, why. */
export interface TxCheck {
  signing: string;
  preimage: string;
  /** The id recomputed here. */
  id: string;
  idMatches: boolean;
  /** "unsigned": a coinbase; "unsupported": this browser has no Ed25519 in Web Crypto. */
  signature: "valid" | "invalid" | "unsigned" | "unsupported" | "malformed";
  /** Why the signature is malformed or unsupported, in words. */
  why?: string;
}

/** The part of Web Crypto's SubtleCrypto used here (the browser's and Node's both fit). */
export interface Subtle {
  digest(algorithm: "SHA-256", data: Uint8Array<ArrayBuffer>): Promise<ArrayBuffer>;
  importKey(
    format: "raw",
    keyData: Uint8Array<ArrayBuffer>,
    algorithm: { name: "Ed25519" },
    extractable: false,
    usages: "verify"[],
  ): Promise<unknown>;
  verify(algorithm: { name: "Ed25519" }, key: unknown, signature: Uint8Array<ArrayBuffer>, data: Uint8Array<ArrayBuffer>): Promise<boolean>;
}

/** SHA-256 of `bytes`. */
export async function sha256(subtle: Subtle, bytes: Uint8Array<ArrayBuffer>): Promise<Uint8Array<ArrayBuffer>> {
  return new Uint8Array(await subtle.digest("SHA-256", bytes));
}

/** Recomputes a transaction's id and checks its signature (answered by the node, with `id`). */
export async function checkTx(subtle: Subtle, tx: Record<string, unknown>): Promise<TxCheck> {
  const signing = signingText(tx);
  const preimage = idPreimage(tx);
  const id = toHex(await sha256(subtle, utf8(preimage)));
  const base = { signing, preimage, id, idMatches: id === tx.id };
  if (tx.type === "coinbase") return { ...base, signature: "unsigned" };
  const key = typeof tx.sender === "string" ? fromHex(tx.sender, 32) : undefined;
  if (key === undefined) return { ...base, signature: "malformed", why: "the sender is not 64 hex characters (a 32-byte key)" };
  const sig = typeof tx.signature === "string" ? fromHex(tx.signature, 64) : undefined;
  if (sig === undefined) return { ...base, signature: "malformed", why: "the signature is not 128 hex characters (64 bytes)" };
  let publicKey: unknown;
  try {
    publicKey = await subtle.importKey("raw", key, { name: "Ed25519" }, false, ["verify"]);
  } catch (err) {
    const name = err instanceof Error ? err.name : "";
    return name === "NotSupportedError"
      ? { ...base, signature: "unsupported", why: "this browser's Web Crypto has no Ed25519" }
      : { ...base, signature: "malformed", why: "the sender is not an Ed25519 public key" };
  }
  try {
    const ok = await subtle.verify({ name: "Ed25519" }, publicKey, sig, utf8(signing));
    return { ...base, signature: ok ? "valid" : "invalid" };
  } catch {
    return { ...base, signature: "unsupported", why: "this browser's Web Crypto could not run Ed25519 verify" };
  }
}
