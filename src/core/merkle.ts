import { sha256, sha256Concat } from "../crypto/hash.js";

const LEAF = Buffer.from([0x00]);
const NODE = Buffer.from([0x01]);

/** RFC 6962 Merkle Tree Hash over raw 32-byte leaves (docs/protocol.md §4 `tx_root`). */
export function merkleRoot(leaves: readonly Uint8Array[]): Buffer {
  if (leaves.length === 0) return sha256(Buffer.alloc(0));
  return mth(leaves, 0, leaves.length);
}

function mth(leaves: readonly Uint8Array[], start: number, end: number): Buffer {
  const n = end - start;
  if (n === 1) return sha256Concat(LEAF, leaves[start] as Uint8Array);
  // k: the largest power of two smaller than n
  let k = 1;
  while (k * 2 < n) k *= 2;
  return sha256Concat(NODE, mth(leaves, start, start + k), mth(leaves, start + k, end));
}

/** `tx_root` in hex over transaction ids given in hex. */
export function txRootHex(txIdsHex: readonly string[]): string {
  return merkleRoot(txIdsHex.map((id) => Buffer.from(id, "hex"))).toString("hex");
}
