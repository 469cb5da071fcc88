/**
 * A block's Merkle tree over its transaction ids (docs/protocol.md §4, RFC 6962), built in the
 * browser with Web Crypto, and laid out for drawing: no DOM here, so the tests run it under Node.
 *
 * leaf = SHA-256(0x00 ‖ id), node = SHA-256(0x01 ‖ left ‖ right); n > 1 leaves split into the
 * largest power of two below n and the rest, so the tree need not be full; no leaves: SHA-256("").
 */
import { fromHex, type Subtle, toHex } from "./signed.js";

export interface MerkleNode {
  /** The node's hash, hex. */
  hash: string;
  /** The leaves under it: [start, end). */
  start: number;
  end: number;
  left?: MerkleNode;
  right?: MerkleNode;
}

/** The largest power of two below n (n > 1). */
export function split(n: number): number {
  let k = 1;
  while (k * 2 < n) k *= 2;
  return k;
}

async function digest(subtle: Subtle, prefix: number, parts: Uint8Array[]): Promise<Uint8Array<ArrayBuffer>> {
  const len = parts.reduce((sum, p) => sum + p.length, 1);
  const data = new Uint8Array(len);
  data[0] = prefix;
  let at = 1;
  for (const p of parts) {
    data.set(p, at);
    at += p.length;
  }
  return new Uint8Array(await subtle.digest("SHA-256", data));
}

/** The tree over `ids` (64 hex characters each), or undefined with no ids; throws on an id that is not hex. */
export async function merkleTree(subtle: Subtle, ids: readonly string[]): Promise<MerkleNode | undefined> {
  if (ids.length === 0) return undefined;
  const build = async (start: number, end: number): Promise<{ node: MerkleNode; bytes: Uint8Array<ArrayBuffer> }> => {
    if (end - start === 1) {
      const id = fromHex(ids[start] ?? "", 32);
      if (id === undefined) throw new TypeError(`transaction id ${start} is not 64 hex characters`);
      const bytes = await digest(subtle, 0, [id]);
      return { node: { hash: toHex(bytes), start, end }, bytes };
    }
    const mid = start + split(end - start);
    const [l, r] = await Promise.all([build(start, mid), build(mid, end)]);
    const bytes = await digest(subtle, 1, [l.bytes, r.bytes]);
    return { node: { hash: toHex(bytes), start, end, left: l.node, right: r.node }, bytes };
  };
  return (await build(0, ids.length)).node;
}

/** The root (tx_root) of `ids`: SHA-256("") for none. */
export async function merkleRoot(subtle: Subtle, ids: readonly string[]): Promise<string> {
  const tree = await merkleTree(subtle, ids);
  return tree?.hash ?? toHex(new Uint8Array(await subtle.digest("SHA-256", new Uint8Array(0))));
}

/** A node placed for drawing: column `x` (leaf slots, fractional above them), row `y` (0 = root). */
export interface Placed {
  node: MerkleNode;
  x: number;
  y: number;
  /** "leaf": one transaction; "folded": a subtree of several drawn as one box; "inner": drawn with its children. */
  kind: "leaf" | "folded" | "inner";
  parent?: Placed;
}

/**
 * Places the tree's nodes, the full tree while it has at most `maxBoxes` leaves; beyond, whole
 * subtrees of up to `fold` leaves (the smallest power of two that brings the bottom row to about
 * `maxBoxes` boxes) are drawn as one box each. `slots` is the number of bottom boxes, `rows` of rows.
 */
export function layout(root: MerkleNode, maxBoxes = 64): { placed: Placed[]; slots: number; rows: number; fold: number } {
  const n = root.end - root.start;
  let fold = 1;
  while (Math.ceil(n / fold) > maxBoxes) fold *= 2;
  const placed: Placed[] = [];
  let slots = 0;
  const heights = new Map<Placed, number>();
  // heights first (0 at the bottom boxes), then rows counted from the root
  const place = (node: MerkleNode): { p: Placed; height: number } => {
    const size = node.end - node.start;
    if (size === 1 || (fold > 1 && size <= fold) || node.left === undefined || node.right === undefined) {
      const p: Placed = { node, x: slots++, y: 0, kind: size === 1 ? "leaf" : "folded" };
      placed.push(p);
      return { p, height: 0 };
    }
    const l = place(node.left);
    const r = place(node.right);
    const p: Placed = { node, x: (l.p.x + r.p.x) / 2, y: 0, kind: "inner" };
    l.p.parent = p;
    r.p.parent = p;
    placed.push(p);
    heights.set(p, 1 + Math.max(l.height, r.height));
    return { p, height: 1 + Math.max(l.height, r.height) };
  };
  const top = place(root);
  for (const p of placed) p.y = top.height - (heights.get(p) ?? 0);
  return { placed, slots, rows: top.height + 1, fold };
}
