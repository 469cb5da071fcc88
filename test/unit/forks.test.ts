/**
 * The forks a node knows (src/node/forks.ts): GET /chain/tips lists the active tip and every
 * stored side tip with its branch length and work; GET /reorgs keeps each reorganisation in
 * the store, written with the switch, with the transactions that went back to the pool.
 */
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { FastifyInstance } from "fastify";
import pino from "pino";
import { afterEach, describe, expect, it } from "vitest";
import type { ChainTips, ReorgPage } from "../../src/api/contract.js";
import { blockHash, txId } from "../../src/core/encoding.js";
import { buildServer } from "../../src/http/server.js";
import { Chain } from "../../src/node/chain.js";
import { type Clock, systemClock } from "../../src/node/clock.js";
import { createNode } from "../../src/node/create-node.js";
import type { TinyNode } from "../../src/node/node.js";
import { ChainStore } from "../../src/store/chain-store.js";
import { openDb } from "../../src/store/db.js";
import { ReorgStore } from "../../src/store/reorg-store.js";
import { GENESIS, mineBlock, NET, signTx } from "../helpers/factory.js";
import { testKey } from "../helpers/keys.js";

const A = testKey("forks a");
const B = testKey("forks b");
const cleanups: Array<() => Promise<void> | void> = [];
afterEach(async () => {
  for (const c of cleanups.splice(0).reverse()) await c();
});

async function serve(): Promise<{ node: TinyNode; app: FastifyInstance }> {
  let now = 1_800_000_000_000;
  const clock: Clock = { now: () => now++, after: systemClock.after };
  const node = createNode({ params: NET, logger: pino({ level: "silent" }), threads: 1, verifyThreads: 0, clock });
  const app = await buildServer(node);
  cleanups.push(() => node.close());
  cleanups.push(() => app.close());
  return { node, app };
}

// A's branch: a2 (pays A), a3 (A pays B); B's branch from a2: b3, b4 (without A's payment)
const a2 = mineBlock(GENESIS, [], A.address);
const pay = signTx(A, { type: "transfer", recipient: B.address, amount: 5, fee: 1 });
const a3 = mineBlock(a2, [pay], A.address);
const b3 = mineBlock(a2, [], B.address);
const b4 = mineBlock(b3, [], B.address);
const b5 = mineBlock(b4, [], B.address);

describe("GET /chain/tips", () => {
  it("lists the active tip, then each side tip with its branch length, work and status", async () => {
    const { node, app } = await serve();
    for (const b of [a2, a3, b3]) node.chain.submit(b);
    let tips = (await app.inject({ url: "/chain/tips" })).json<ChainTips>().tips;
    expect(tips).toEqual([
      { hash: blockHash(a3), height: 3, branch_length: 0, work: 3, status: "active" },
      { hash: blockHash(b3), height: 3, branch_length: 1, work: 3, status: "valid-fork" },
    ]);
    node.chain.submit(b4);
    node.chain.submit(b5);
    // a second side branch from genesis, two blocks long
    const c2 = mineBlock(GENESIS, [], A.address, NET, { timestamp: GENESIS.timestamp + 3 });
    const c3 = mineBlock(c2, [], A.address);
    node.chain.submit(c2);
    node.chain.submit(c3);
    tips = (await app.inject({ url: "/chain/tips" })).json<ChainTips>().tips;
    expect(tips.map((t) => [t.hash, t.height, t.branch_length, t.status])).toEqual([
      [blockHash(b5), 5, 0, "active"],
      ...[
        [blockHash(a3), 3, 1, "valid-fork"],
        [blockHash(c3), 3, 2, "valid-fork"],
      ].sort((x, y) => ((x[0] as string) < (y[0] as string) ? -1 : 1)),
    ]);
    expect((await app.inject({ url: "/chain/tips?limit=1" })).json<ChainTips>().tips).toHaveLength(2);
    expect((await app.inject({ url: "/chain/tips?limit=0" })).statusCode).toBe(400);
  });

  it("a block found invalid is an invalid tip; its valid parent stays the active tip", async () => {
    const { node, app } = await serve();
    node.chain.submit(a2);
    const broke = signTx(A, { type: "transfer", recipient: B.address, amount: 1_000, fee: 1 }); // A has 50
    const bad = mineBlock(a2, [broke], A.address);
    expect(() => node.chain.submit(bad)).toThrow();
    const tips = (await app.inject({ url: "/chain/tips" })).json<ChainTips>().tips;
    expect(tips).toEqual([
      { hash: blockHash(a2), height: 2, branch_length: 0, work: 2, status: "active" },
      { hash: blockHash(bad), height: 3, branch_length: 1, work: 3, status: "invalid" },
    ]);
  });

  it("an older store gets its tips table filled once when opened", () => {
    const dir = mkdtempSync(join(tmpdir(), "tinychain-tips-"));
    cleanups.push(() => rmSync(dir, { recursive: true, force: true }));
    const path = join(dir, "chain.db");
    let db = openDb(path);
    const chain = new Chain(new ChainStore(db), NET);
    for (const b of [a2, a3, b3]) chain.submit(b);
    const before = new ChainStore(db).tips(10).map((t) => t.hash);
    // as a store of schema version 5, from before the tips table
    db.exec("DROP TABLE tips; UPDATE meta SET value = '5' WHERE key = 'schema_version'");
    db.close();
    db = openDb(path);
    cleanups.push(() => db.close());
    expect(new ChainStore(db).tips(10).map((t) => t.hash)).toEqual(before);
    expect(before.sort()).toEqual([blockHash(a3), blockHash(b3)].sort());
  });
});

describe("GET /reorgs", () => {
  it("keeps each reorganisation: heights, blocks, work and the transactions returned to the pool", async () => {
    const { node, app } = await serve();
    for (const b of [a2, a3, b3, b4]) node.chain.submit(b);
    const page = (await app.inject({ url: "/reorgs" })).json<ReorgPage>();
    expect(page.next).toBeNull();
    expect(page.reorgs).toHaveLength(1);
    const r = page.reorgs[0];
    expect(r).toMatchObject({
      height_before: 3,
      height_after: 4,
      fork_height: 2,
      depth: 1,
      tip: blockHash(b4),
      left: [{ index: 3, hash: blockHash(a3), txs: 2 }],
      joined: [
        { index: 3, hash: blockHash(b3), txs: 1 },
        { index: 4, hash: blockHash(b4), txs: 1 },
      ],
      returned_to_pool: [txId(pay)],
      returned_count: 1,
      left_work: 1,
      joined_work: 2,
    });
    expect(r?.at).toBeGreaterThanOrEqual(1_800_000_000_000); // the node's clock
    expect(node.pool.has(txId(pay))).toBe(true);
    // GET /reorg reads the newest of them
    const last = (await app.inject({ url: "/reorg" })).json();
    expect(last.last).toMatchObject({ height: 4, tip: blockHash(b4), replaced: [{ hash: blockHash(a3) }] });
  });

  it("pages newest first", async () => {
    const { node, app } = await serve();
    // three reorganisations: a3 → b3 b4, then a branch from b3 that overtakes, then another
    for (const b of [a2, a3, b3, b4]) node.chain.submit(b);
    const d4 = mineBlock(b3, [], A.address, NET, { timestamp: b3.timestamp + 3 });
    const d5 = mineBlock(d4, [], A.address);
    node.chain.submit(d4);
    node.chain.submit(d5);
    const e5 = mineBlock(d4, [], B.address, NET, { timestamp: d4.timestamp + 3 });
    const e6 = mineBlock(e5, [], B.address);
    node.chain.submit(e5);
    node.chain.submit(e6);
    const first = (await app.inject({ url: "/reorgs?limit=2" })).json<ReorgPage>();
    expect(first.reorgs.map((r) => r.tip)).toEqual([blockHash(e6), blockHash(d5)]);
    expect(first.next).toBe(first.reorgs[1]?.id);
    const second = (await app.inject({ url: `/reorgs?limit=2&before=${first.next}` })).json<ReorgPage>();
    expect(second.reorgs.map((r) => r.tip)).toEqual([blockHash(b4)]);
    expect(second.next).toBeNull();
    expect((await app.inject({ url: "/reorgs?before=x" })).statusCode).toBe(400);
  });

  it("survives a restart (GET /reorg too)", async () => {
    const dir = mkdtempSync(join(tmpdir(), "tinychain-reorgs-"));
    cleanups.push(() => rmSync(dir, { recursive: true, force: true }));
    const opts = { params: NET, logger: pino({ level: "silent" }), threads: 1, verifyThreads: 0, dataDir: dir };
    const first = createNode(opts);
    for (const b of [a2, a3, b3, b4]) first.chain.submit(b);
    await first.close();
    const node = createNode(opts);
    const app = await buildServer(node);
    cleanups.push(() => node.close());
    cleanups.push(() => app.close());
    expect((await app.inject({ url: "/reorgs" })).json<ReorgPage>().reorgs.map((r) => r.tip)).toEqual([blockHash(b4)]);
    expect((await app.inject({ url: "/reorg" })).json().last).toMatchObject({ height: 4, tip: blockHash(b4) });
  });

  it("the history is bounded: the oldest entries go", () => {
    const db = openDb(":memory:");
    cleanups.push(() => db.close());
    const store = new ReorgStore(db, 3);
    for (let i = 1; i <= 5; i++) store.add(i, `{"n":${i}}`);
    expect(store.page(10).map((r) => r.at)).toEqual([5, 4, 3]);
    expect(store.page(10, 5).map((r) => r.at)).toEqual([4, 3]);
  });
});
