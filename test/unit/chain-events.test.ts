/**
 * The chain's events (src/node/chain-types.ts ChainEvents): `tip` when the main chain moves,
 * `side` when a valid block is stored off it, in the order the blocks came; `submitMany`
 * tells them only after its chunk is committed.
 */
import { afterEach, describe, expect, it } from "vitest";
import { blockHash } from "../../src/core/encoding.js";
import { Chain } from "../../src/node/chain.js";
import { ChainStore } from "../../src/store/chain-store.js";
import { type Db, openDb } from "../../src/store/db.js";
import { GENESIS, mineBlock, NET } from "../helpers/factory.js";
import { testKey } from "../helpers/keys.js";

const A = testKey("events a");
const B = testKey("events b");
const open: Db[] = [];
afterEach(() => {
  for (const db of open.splice(0)) db.close();
});

function watched() {
  const db = openDb(":memory:");
  open.push(db);
  const chain = new Chain(new ChainStore(db), NET);
  const seen: string[] = [];
  chain.on("tip", (c) => seen.push(`tip ${c.tip.height} -${c.disconnected.length} +${c.connected.length}`));
  chain.on("side", (b) => seen.push(`side ${b.height} ${b.hash}`));
  return { chain, seen };
}

// heights 2 and 3 on A's branch; a competing 3 and a heavier 4 on B's
const a2 = mineBlock(GENESIS, [], A.address);
const a3 = mineBlock(a2, [], A.address);
const b3 = mineBlock(a2, [], B.address);
const b4 = mineBlock(b3, [], B.address);

describe("chain events", () => {
  it("a block off the main chain is told as `side`; the switch to its branch as `tip`", () => {
    const { chain, seen } = watched();
    for (const b of [a2, a3, b3, b4]) chain.submit(b);
    expect(seen).toEqual(["tip 2 -0 +1", "tip 3 -0 +1", `side 3 ${blockHash(b3)}`, "tip 4 -1 +2"]);
  });

  it("a known block is told nothing; an invalid one neither", () => {
    const { chain, seen } = watched();
    for (const b of [a2, a3, b3]) chain.submit(b);
    seen.length = 0;
    expect(chain.submit(b3).outcome).toBe("known");
    expect(() => chain.submit({ ...b4, difficulty: b4.difficulty + 7 })).toThrow();
    expect(seen).toEqual([]);
  });

  it("submitMany tells side blocks and tip changes in the blocks' order", async () => {
    const { chain, seen } = watched();
    chain.submit(a2);
    chain.submit(a3);
    seen.length = 0;
    await chain.submitMany([b3, b4], async (txs) => txs.map(() => true));
    expect(seen).toEqual([`side 3 ${blockHash(b3)}`, "tip 4 -1 +2"]);
  });
});
