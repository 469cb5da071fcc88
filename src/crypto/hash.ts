import { createHash } from "node:crypto";

/** SHA-256 of `data`, as raw bytes. */
export function sha256(data: Uint8Array | string): Buffer {
  return createHash("sha256").update(data).digest();
}

/** SHA-256 of `data`, as 64 lowercase hex characters. */
export function sha256Hex(data: Uint8Array | string): string {
  return createHash("sha256").update(data).digest("hex");
}

/** SHA-256 of several byte strings concatenated, without copying them together. */
export function sha256Concat(...parts: Uint8Array[]): Buffer {
  const h = createHash("sha256");
  for (const p of parts) h.update(p);
  return h.digest();
}
