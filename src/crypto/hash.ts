import { hash } from "node:crypto";

// crypto.hash (one-shot, Node ≥ 20.12) costs a quarter of createHash().update().digest() on
// the small inputs hashed here: transaction ids, Merkle nodes, block headers.

/** SHA-256 of `data`, as raw bytes. */
export function sha256(data: Uint8Array | string): Buffer {
  return hash("sha256", data, "buffer");
}

/** SHA-256 of `data`, as 64 lowercase hex characters. */
export function sha256Hex(data: Uint8Array | string): string {
  return hash("sha256", data, "hex");
}

/** SHA-256 of several byte strings concatenated. */
export function sha256Concat(...parts: Uint8Array[]): Buffer {
  return hash("sha256", Buffer.concat(parts), "buffer");
}

/**
 * FNV-1a, 32 bits: a cheap, well-spread hash of a short string, not a cryptographic one (for
 * choices that need no secrecy: which peers, which random stream). `basis` starts it elsewhere.
 */
export function fnv1a(text: string, basis = 0x811c9dc5): number {
  let h = basis >>> 0;
  for (let i = 0; i < text.length; i++) h = Math.imul(h ^ text.charCodeAt(i), 0x01000193) >>> 0;
  return h;
}
