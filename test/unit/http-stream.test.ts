/**
 * Streamed chain answers (src/http/stream.ts) over a real store: pages bounded in bytes, and a
 * reorganisation under a stream caught whichever way it shows (a broken link, a shorter chain,
 * another last block).
 */
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import type { Block } from "../../src/core/types.js";
import { ChainMoved, chainBlocks, PAGE_BYTES } from "../../src/http/stream.js";
import { blockJson, ChainStore, headerJson } from "../../src/store/chain-store.js";
import { openDb } from "../../src/store/db.js";
import { BlockStatus } from "../../src/store/schema.js";

const dirs: string[] = [];
afterEach(() => {
  for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
});

const hashOf = (branch: string, height: number) => `${branch}${height.toString(16).padStart(63, "0")}`;

/** A store whose main chain is `sizes.length` blocks of branch `a`, block i padded to about sizes[i] bytes. */
function storeWith(sizes: number[]): {
  store: ChainStore;
  put: (branch: string, height: number, bytes?: number, prevBranch?: string) => void;
} {
  const dir = mkdtempSync(join(tmpdir(), "tc-stream-"));
  dirs.push(dir);
  const store = new ChainStore(openDb(join(dir, "chain.db")));
  const put = (branch: string, height: number, bytes = 300, prevBranch = branch) => {
    const hash = hashOf(branch, height);
    const prev = height === 1 ? "1" : hashOf(prevBranch, height - 1);
    const block = {
      index: height,
      timestamp: 1_700_000_000 + height,
      transactions: [
        { type: "coinbase" as const, sender: "0" as const, recipient: "f".repeat(64), amount: 1, height, memo: "x".repeat(bytes) },
      ],
      proof: 0,
      previous_hash: prev,
      difficulty: 1,
      tx_root: "e".repeat(64),
    } as unknown as Block; // a memo pads the block to the size wanted
    store.insertBlock(
      { hash, height, prevHash: prev, work: BigInt(height), status: BlockStatus.Valid },
      blockJson(block, hash, ["d".repeat(64)]),
      headerJson(block, hash),
    );
    store.setMain(height, hash);
  };
  for (const [i, bytes] of sizes.entries()) put("a", i + 1, bytes);
  return { store, put };
}

const hashes = (pages: string[][]) => pages.flat().map((j) => (JSON.parse(j) as { hash: string }).hash);

describe("ChainStore.mainJsonPage", () => {
  it("gives as many blocks as fit in the bytes asked, at least one, at most the limit", () => {
    const { store } = storeWith([100, 100, 100, 5000, 100, 100]);
    const size = (h: number) => (store.mainJsonRange(h, 1)[0] as string).length;
    expect(store.mainJsonPage(1, 10, size(1) + size(2) + size(3))).toHaveLength(3);
    expect(store.mainJsonPage(1, 10, size(1) + size(2) + size(3) + 10)).toHaveLength(3);
    expect(store.mainJsonPage(4, 10, 10)).toHaveLength(1); // one block bigger than the page
    expect(store.mainJsonPage(1, 2, 1_000_000)).toHaveLength(2);
    expect(store.mainJsonPage(5, 10, 1_000_000)).toHaveLength(2);
    expect(store.mainJsonPage(7, 10, 1_000_000)).toEqual([]);
  });
});

describe("chainBlocks", () => {
  it("reads the chain in pages of at most PAGE_BYTES (one block when a block is bigger)", () => {
    const sizes = [100, ...Array.from({ length: 30 }, () => PAGE_BYTES / 8), PAGE_BYTES * 2, ...Array.from({ length: 600 }, () => 50)];
    const { store } = storeWith(sizes);
    const pages = [...chainBlocks(store, 1, sizes.length, hashOf("a", sizes.length))];
    expect(hashes(pages)).toEqual(sizes.map((_, i) => hashOf("a", i + 1)));
    for (const p of pages) {
      const bytes = p.reduce((n, j) => n + j.length, 0);
      expect(p.length === 1 || bytes <= PAGE_BYTES).toBe(true);
      expect(p.length).toBeLessThanOrEqual(500);
    }
    expect([...chainBlocks(store, 5, 9, hashOf("a", 9))].flat()).toHaveLength(5);
  });

  it("throws ChainMoved when the chain reorganises under it, instead of mixing branches", () => {
    const sizes = Array.from({ length: 40 }, () => PAGE_BYTES / 4);
    // blocks still to be read are replaced by another branch from height 20 on
    const a = storeWith(sizes);
    const pages = chainBlocks(a.store, 1, 40, hashOf("a", 40));
    pages.next();
    for (let h = 20; h <= 40; h++) a.put("b", h, PAGE_BYTES / 4);
    expect(() => [...pages]).toThrow(ChainMoved);

    // the chain becomes shorter
    const b = storeWith(sizes);
    const shorter = chainBlocks(b.store, 1, 40, hashOf("a", 40));
    shorter.next();
    for (let h = 30; h <= 40; h++) b.store.deleteMain(h);
    expect(() => [...shorter]).toThrow(/ended at 29/);

    // only the last block changes, after the reads reached it: the last check catches it
    const c = storeWith(sizes);
    c.put("b", 40, PAGE_BYTES / 4, "a");
    expect(() => [...chainBlocks(c.store, 1, 40, hashOf("a", 40))]).toThrow(/no longer/);
  });
});
