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
