/**
 * The lookup indexes built behind the tip (src/store/tx-index.ts): connecting writes none,
 * a lookup first indexes what is missing, steps are whole, a reorganisation removes what
 * leaves, and the node's background indexer catches up on its own.
 */
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import pino from "pino";
import { afterEach, describe, expect, it } from "vitest";
import { blockHash, txId } from "../../src/core/encoding.js";
import type { Block } from "../../src/core/types.js";
import { Chain } from "../../src/node/chain.js";
import { BackgroundIndexer } from "../../src/node/indexer.js";
import { ChainStore } from "../../src/store/chain-store.js";
import { type Db, openDb } from "../../src/store/db.js";
import { GENESIS, mineBlock, NET, signTx } from "../helpers/factory.js";
import { testKey } from "../helpers/keys.js";

const A = testKey("index a");
const B = testKey("index b");
const C = testKey("index c");

const open: Db[] = [];
const dirs: string[] = [];
function fresh(path?: string): { db: Db; store: ChainStore; chain: Chain; path: string } {
  let p = path;
  if (p === undefined) {
    const dir = mkdtempSync(join(tmpdir(), "tinychain-index-"));
    dirs.push(dir);
    p = join(dir, "chain.db");
  }
  const db = openDb(p);
  open.push(db);
  const store = new ChainStore(db);
  return { db, store, chain: new Chain(store, NET), path: p };
}
afterEach(() => {
  for (const db of open.splice(0)) if (db.open) db.close();
  for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
});

const pay = (nonce: number, amount = 1, to = B) => signTx(A, { type: "transfer", recipient: to.address, amount, nonce });

/** Genesis, then a block paying A, then blocks of one A → B transfer each (nonces 0 …). */
function build(n: number): Block[] {
  const blocks: Block[] = [mineBlock(GENESIS, [], A.address)];
  for (let i = 0; i < n; i++) blocks.push(mineBlock(blocks[blocks.length - 1] as Block, [pay(i)], C.address));
  return blocks;
}

const rows = (db: Db, table: string) => db.prepare(`SELECT count(*) FROM ${table}`).pluck().get() as number;

describe("indexes built behind the tip", () => {
  it("connecting writes no index rows; the first lookup indexes up to the tip", () => {
    const { db, store, chain } = fresh();
    const blocks = build(3);
    for (const b of blocks) expect(chain.submit(b).outcome).toBe("connected");
    expect(rows(db, "txs")).toBe(0);
    expect(store.index.lag()).toBe(5); // genesis + 4 blocks, none indexed
    const id = txId(pay(2));
    expect(store.txLocation(id)).toMatchObject({ id, height: 5, pos: 1 });
    expect(store.index.lag()).toBe(0);
    expect(rows(db, "txs")).toBe(7); // 4 coinbases + 3 transfers
    expect(store.accountTxs(B.address, 10).map((r) => r.height)).toEqual([5, 4, 3]);
  });

  it("steps are whole: each moves meta.indexed with its rows, and a reopened store goes on from there", () => {
    const { db, store, chain, path } = fresh();
    for (const b of build(4)) chain.submit(b);
    expect(store.index.catchUp(1)).toBe(2); // genesis (no transactions) and block 2 (its coinbase): the limit is reached
    expect(store.index.indexedHeight()).toBe(2);
    expect(store.index.catchUp(1)).toBe(1);
    expect(store.index.indexedHeight()).toBe(3);
    expect(rows(db, "txs")).toBe(3);
    db.close(); // as if the process stopped here
    const again = fresh(path);
    expect(again.store.index.indexedHeight()).toBe(3);
    expect(again.store.hasTx(txId(pay(3)))).toBe(true);
    expect(again.store.index.lag()).toBe(0);
    expect(rows(again.db, "txs")).toBe(9);
  });

  it("a reorganisation removes the rows of indexed blocks that leave; the new branch is found", () => {
    const { db, store, chain } = fresh();
    const blocks = build(2); // heights 2 (funding), 3 (A→B nonce 0), 4 (A→B nonce 1)
    for (const b of blocks) chain.submit(b);
    const leaving = txId(pay(1));
    expect(store.hasTx(leaving)).toBe(true); // indexed up to 4
    // a heavier branch from height 3: A pays C instead
    const other = pay(1, 5, C);
    const b4 = mineBlock(blocks[1] as Block, [other], B.address);
    const b5 = mineBlock(b4, [], B.address);
    expect(chain.submit(b4).outcome).toBe("side");
    expect(chain.submit(b5).outcome).toBe("reorganized");
    expect(store.index.indexedHeight()).toBe(3); // block 4 left: its rows went in the switch
    expect(store.hasTx(leaving)).toBe(false);
    expect(store.txLocation(txId(other))).toMatchObject({ height: 4, pos: 1, blockHash: blockHash(b4) });
    expect(store.accountTxs(C.address, 10).map((r) => r.height)).toEqual([4, 3]); // paid at 4, mined 3
    expect(store.accountTxs(B.address, 10).map((r) => r.height)).toEqual([5, 4, 3]); // mined 4 and 5, paid at 3
    expect(rows(db, "txs")).toBe(6); // coinbases of heights 2 … 5 and the transfers at 3 and 4
  });

  it("a reorganisation over blocks not indexed yet leaves the indexes alone", () => {
    const { store, chain } = fresh();
    const blocks = build(2);
    for (const b of blocks) chain.submit(b);
    const b4 = mineBlock(blocks[1] as Block, [pay(1, 7, C)], B.address);
    chain.submit(b4);
    chain.submit(mineBlock(b4, [], B.address));
    expect(store.index.indexedHeight()).toBe(0);
    expect(store.hasTx(txId(pay(1)))).toBe(false);
    expect(store.hasTx(txId(pay(1, 7, C)))).toBe(true);
  });

  it("the node's background indexer catches up without any lookup", async () => {
    const { store, chain } = fresh();
    const indexer = new BackgroundIndexer(store.index, chain, pino({ level: "silent" }));
    for (const b of build(5)) chain.submit(b);
    for (let i = 0; i < 50 && store.index.lag() > 0; i++) await new Promise((r) => setImmediate(r));
    indexer.close();
    expect(store.index.lag()).toBe(0);
  });
});
