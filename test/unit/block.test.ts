import { describe, expect, it } from "vitest";
import { checkBlockHeader, checkBlockShape, type HeaderContext, MAX_FUTURE_SECONDS } from "../../src/core/block.js";
import { blockHash, txId } from "../../src/core/encoding.js";
import { txRootHex } from "../../src/core/merkle.js";
import { meetsDifficulty } from "../../src/core/pow.js";
import type { Block, BlockHeader, SignedTx } from "../../src/core/types.js";
import { codeOf, coinbase, GENESIS, makeBlock, mineBlock, NET, signTx } from "../helpers/factory.js";
import { key1, key2 } from "../helpers/keys.js";

const t1 = signTx(key1, { type: "transfer", recipient: key2.address, amount: 5, fee: 1 });
const t2 = signTx(key2, { type: "transfer", recipient: key1.address, amount: 3, fee: 2 });
const cb = (height = 2, amount = NET.reward + 3) => coinbase(key1.address, amount, height);

function shapeCode(block: Block, params = NET): string {
  return codeOf(() => checkBlockShape(block, params));
}

describe("checkBlockShape", () => {
  it("accepts a well-formed block and returns its hash and transaction ids", () => {
    const block = mineBlock(GENESIS, [t1, t2], key1.address, NET, { difficulty: 16 });
    const checked = checkBlockShape(block, NET);
    expect(checked.hash).toBe(blockHash(block));
    expect(checked.txIds).toEqual(block.transactions.map((t) => txId(t)));
    expect(checked.block).toBe(block);
    expect(meetsDifficulty(checked.hash, 16)).toBe(true);
  });

  it("accepts a coinbase-only block", () => {
    expect(() => checkBlockShape(mineBlock(GENESIS, [], key1.address), NET)).not.toThrow();
  });

  it("bad-pow when the hash does not meet the block's difficulty", () => {
    const header = { index: 2, timestamp: GENESIS.timestamp + 1, previous_hash: blockHash(GENESIS), difficulty: 2 ** 40 };
    const txs = [cb(2, NET.reward)];
    const block: Block = { ...header, tx_root: txRootHex(txs.map((t) => txId(t))), proof: 0, transactions: txs };
    expect(meetsDifficulty(blockHash(block), block.difficulty)).toBe(false);
    expect(shapeCode(block)).toBe("bad-pow");
  });

  it("bad-pow for every proof below the first valid one, which then passes", () => {
    const block = mineBlock(GENESIS, [], key1.address, NET, { difficulty: 16 });
    expect(block.proof).toBeGreaterThan(0); // deterministic: this block needs a few tries
    for (let proof = 0; proof < block.proof; proof++) expect(shapeCode({ ...block, proof })).toBe("bad-pow");
    expect(() => checkBlockShape(block, NET)).not.toThrow();
  });

  it("changing a transaction after mining breaks tx_root (or the proof)", () => {
    const block = mineBlock(GENESIS, [t1], key1.address);
    const tampered = { ...block, transactions: [block.transactions[0], { ...t1, amount: 6 }] } as Block;
    expect(shapeCode(tampered)).toBe("bad-tx-root");
  });

  it("bad-tx-root for a wrong root, a reordered block, a dropped or added transaction", () => {
    const txs = [cb(), t1, t2];
    expect(shapeCode(makeBlock(GENESIS, txs, { txRoot: "00".repeat(32) }))).toBe("bad-tx-root");
    const root = txRootHex(txs.map((t) => txId(t)));
    expect(shapeCode(makeBlock(GENESIS, [txs[0], t2, t1] as typeof txs, { txRoot: root }))).toBe("bad-tx-root");
    expect(shapeCode(makeBlock(GENESIS, [cb(), t1], { txRoot: root }))).toBe("bad-tx-root");
    const t3 = signTx(key1, { type: "transfer", recipient: key2.address, amount: 1, nonce: 1 });
    expect(shapeCode(makeBlock(GENESIS, [...txs, t3], { txRoot: root }))).toBe("bad-tx-root");
  });

  it("bad-coinbase for a block without transactions", () => {
    expect(shapeCode(makeBlock(GENESIS, []))).toBe("bad-coinbase");
  });

  it("bad-coinbase when the first transaction is not a coinbase", () => {
    expect(shapeCode(makeBlock(GENESIS, [t1, t2]))).toBe("bad-coinbase");
    expect(shapeCode(makeBlock(GENESIS, [t1, cb()]))).toBe("bad-coinbase");
  });

  it("bad-coinbase for a second coinbase, anywhere after the first", () => {
    const other = coinbase(key2.address, 1, 2);
    expect(shapeCode(makeBlock(GENESIS, [cb(), other]))).toBe("bad-coinbase");
    expect(shapeCode(makeBlock(GENESIS, [cb(), t1, t2, other]))).toBe("bad-coinbase");
  });

  it("bad-coinbase when its height is not the block index", () => {
    expect(shapeCode(makeBlock(GENESIS, [cb(1)]))).toBe("bad-coinbase");
    expect(shapeCode(makeBlock(GENESIS, [cb(3)]))).toBe("bad-coinbase");
    expect(() => checkBlockShape(makeBlock(GENESIS, [cb(2)]), NET)).not.toThrow();
  });

  it("duplicate-tx when a transaction appears twice (even with a matching tx_root)", () => {
    expect(shapeCode(makeBlock(GENESIS, [cb(), t1, t1]))).toBe("duplicate-tx");
    expect(shapeCode(makeBlock(GENESIS, [cb(), t1, t2, t1]))).toBe("duplicate-tx");
  });

  it("too-many-txs above max_block_txs (the coinbase counts); exactly the maximum passes", () => {
    const block = makeBlock(GENESIS, [cb(), t1, t2]);
    expect(shapeCode(block, { ...NET, max_block_txs: 2 })).toBe("too-many-txs");
    expect(() => checkBlockShape(block, { ...NET, max_block_txs: 3 })).not.toThrow();
  });
});

describe("checkBlockHeader", () => {
  const parent: Block = mineBlock(GENESIS, [], key1.address, NET, { timestamp: 1_700_000_100.25 });
  const now = 1_700_001_000;
  const ctx = (over: Partial<HeaderContext> = {}): HeaderContext => ({
    params: NET,
    parent,
    parentHash: blockHash(parent),
    difficulty: 1,
    nowS: now,
    ...over,
  });
  const child = (over: Partial<BlockHeader> = {}): BlockHeader => ({
    index: parent.index + 1,
    timestamp: parent.timestamp + 10,
    previous_hash: blockHash(parent),
    tx_root: "00".repeat(32),
    difficulty: 1,
    proof: 0,
    ...over,
  });
  const headerCode = (b: BlockHeader, c = ctx()) => codeOf(() => checkBlockHeader(b, c));

  it("accepts a correct child", () => {
    expect(() => checkBlockHeader(child(), ctx())).not.toThrow();
  });

  it("bad-prev when previous_hash is not the parent's hash", () => {
    expect(headerCode(child({ previous_hash: blockHash(GENESIS) }))).toBe("bad-prev");
    expect(headerCode(child({ previous_hash: blockHash(parent).toUpperCase() }))).toBe("bad-prev");
    expect(headerCode(child({ previous_hash: "1" }))).toBe("bad-prev");
  });

  it("bad-index when index is not the parent's + 1", () => {
    for (const index of [parent.index, parent.index + 2, 1]) expect(headerCode(child({ index }))).toBe("bad-index");
  });

  it("time-too-old before the parent's timestamp; equal to it passes", () => {
    expect(headerCode(child({ timestamp: parent.timestamp - 0.001 }))).toBe("time-too-old");
    expect(headerCode(child({ timestamp: 0 }))).toBe("time-too-old");
    expect(() => checkBlockHeader(child({ timestamp: parent.timestamp }), ctx())).not.toThrow();
  });

  it("time-too-new just over 120 s ahead of the clock; exactly 120 s passes", () => {
    expect(MAX_FUTURE_SECONDS).toBe(120);
    expect(() => checkBlockHeader(child({ timestamp: now + 120 }), ctx())).not.toThrow();
    expect(headerCode(child({ timestamp: now + 120.001 }))).toBe("time-too-new");
    expect(headerCode(child({ timestamp: now + 121 }))).toBe("time-too-new");
    // a fractional clock
    expect(() => checkBlockHeader(child({ timestamp: 1_700_000_220.5 }), ctx({ nowS: 1_700_000_100.5 }))).not.toThrow();
    expect(headerCode(child({ timestamp: 1_700_000_220.501 }), ctx({ nowS: 1_700_000_100.5 }))).toBe("time-too-new");
  });

  it("bad-difficulty when difficulty is not the required one", () => {
    expect(headerCode(child({ difficulty: 2 }))).toBe("bad-difficulty");
    expect(headerCode(child({ difficulty: 1 }), ctx({ difficulty: 65536 }))).toBe("bad-difficulty");
    expect(() => checkBlockHeader(child({ difficulty: 65536 }), ctx({ difficulty: 65536 }))).not.toThrow();
  });

  it("works on the mined child of a mined parent (factory round trip)", () => {
    const next = mineBlock(parent, [t1 as SignedTx], key2.address, NET, { timestamp: parent.timestamp + 30 });
    expect(() => checkBlockHeader(next, ctx())).not.toThrow();
    expect(() => checkBlockShape(next, NET)).not.toThrow();
  });
});
