/** The explorer's Merkle tree (web/src/merkle.ts) under Node's Web Crypto: the §9 vectors, the node's own tx_root, the drawing's bounds. */
import { createHash } from "node:crypto";
import { describe, expect, it } from "vitest";
import { txRootHex } from "../../src/core/merkle.js";
import { layout, type MerkleNode, merkleRoot, merkleTree, split } from "../../web/src/merkle.js";

const subtle = globalThis.crypto.subtle;
const sha = (bytes: Uint8Array) => createHash("sha256").update(bytes).digest("hex");
const ids = (n: number) => Array.from({ length: n }, (_, i) => sha(new Uint8Array([i & 0xff, i >> 8])));

describe("the Merkle tree of a block's transaction ids, in the browser", () => {
  it("matches the §9 vectors: empty, three leaves, their audit paths, the vector blocks", async () => {
    expect(await merkleRoot(subtle, [])).toBe("e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855");
    const three = [0, 1, 2].map((b) => sha(new Uint8Array([b])));
    const tree = (await merkleTree(subtle, three)) as MerkleNode;
    expect(tree.hash).toBe("d1f13800048f5909d4043fc0c152f6643280cba608b672715e56ce159a20629f");
    // leaf 0's audit path: leaf 1's hash, then the right subtree (leaf 2) — both are nodes of the drawn tree
    expect(tree.left?.right?.hash).toBe("9d1843c1a24a654a39ff3448714bc9fe69da0170fa390b1ac67047377ba72f0e");
    expect(tree.right?.hash).toBe("27d02c8f713c90ea0c37901129db86ac03186ee22a1f6f13da67e6b5bcee2044");
    expect(tree.left?.hash).toBe("604d540f09268b91672ab011394d5266ccd7d4484d0d109411a55848126a1b2c");
    // genesis with alloc, and the block with the coinbase and the transfer
    expect(
      await merkleRoot(subtle, [
        "19553b5717311b4683119caa9a4bf11792f2c34a0a103542008d0a5b6a3376ac",
        "f1ed1c154ba1933cc36a733dcc085cc3b53378dd90d08120bbe2089789f5278e",
      ]),
    ).toBe("2c29940dabc3b9ce3b695d4e7816e47b9e243f43fc46d5769df036c91beb01d4");
    expect(
      await merkleRoot(subtle, [
        "6f56c367610bbda6814b067f011f99c450c3db86a97ff9e840de5775aae43172",
        "a943745caf48a302a96937b8027c01dc5f2b86ef38bb112c1e5d999f2b6d1420",
      ]),
    ).toBe("fb9e72ff90c6ec5b84d4d1580e69260b01225be68b4bff6a64c61018e8da173c");
  });

  it("equals the node's tx_root for 0 to 70 transactions", async () => {
    for (let n = 0; n <= 70; n++) expect(await merkleRoot(subtle, ids(n)), `${n} ids`).toBe(txRootHex(ids(n)));
  });

  it("splits at the largest power of two below n", () => {
    expect([2, 3, 4, 5, 8, 9, 1000].map(split)).toEqual([1, 2, 2, 4, 4, 8, 512]);
  });

  it("refuses an id that is not 64 hex characters", async () => {
    await expect(merkleTree(subtle, ["abc"])).rejects.toThrow(/not 64 hex/);
  });

  it("lays out the full tree up to 64 leaves: every node once, parents above and between their children", async () => {
    const five = (await merkleTree(subtle, ids(5))) as MerkleNode;
    const l5 = layout(five);
    expect(l5).toMatchObject({ slots: 5, rows: 4, fold: 1 });
    expect(l5.placed.filter((p) => p.kind === "leaf").map((p) => [p.x, p.y])).toEqual([0, 1, 2, 3, 4].map((x) => [x, 3]));
    expect(l5.placed).toHaveLength(9); // 2n − 1 nodes
    const root = l5.placed.find((p) => p.parent === undefined);
    expect(root).toMatchObject({ y: 0, kind: "inner", node: { hash: five.hash } });
    for (const p of l5.placed) if (p.parent) expect(p.parent.y).toBeLessThan(p.y);

    const l64 = layout((await merkleTree(subtle, ids(64))) as MerkleNode);
    expect(l64).toMatchObject({ slots: 64, rows: 7, fold: 1 });
  });

  it("beyond 64 leaves folds whole subtrees, keeping the bottom row near 64 boxes", async () => {
    for (const n of [65, 200, 1000]) {
      const tree = (await merkleTree(subtle, ids(n))) as MerkleNode;
      const l = layout(tree);
      expect(l.fold).toBeGreaterThan(1);
      expect(l.slots).toBeLessThanOrEqual(64 + Math.ceil(Math.log2(n)));
      const bottom = l.placed.filter((p) => p.kind !== "inner");
      expect(bottom.reduce((sum, p) => sum + p.node.end - p.node.start, 0)).toBe(n); // every leaf under one box
      expect(bottom.every((p) => p.node.end - p.node.start <= l.fold)).toBe(true);
    }
  });
});
