/**
 * The store's read cache of state rows (src/store/chain-store.ts): it follows every write and
 * undo, and a transaction that rolls back leaves no cached value the database does not hold.
 */
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { keys } from "../../src/core/state.js";
import type { Block } from "../../src/core/types.js";
import { Chain, PageError } from "../../src/node/chain.js";
import { ChainStore } from "../../src/store/chain-store.js";
import { type Db, openDb } from "../../src/store/db.js";
import { GENESIS, mineBlock, NET, signTx } from "../helpers/factory.js";
import { testKey } from "../helpers/keys.js";

const A = testKey("cache a");
const B = testKey("cache b");
const dirs: string[] = [];
const dbs: Db[] = [];
function fresh() {
  const dir = mkdtempSync(join(tmpdir(), "tinychain-cache-"));
  dirs.push(dir);
  const db = openDb(join(dir, "chain.db"));
  dbs.push(db);
  const store = new ChainStore(db);
  return { db, store, chain: new Chain(store, NET) };
}
afterEach(() => {
  for (const db of dbs.splice(0)) if (db.open) db.close();
  for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
});

const stored = (db: Db, key: string) => db.prepare("SELECT value FROM state WHERE key = ?").pluck().get(key) as string | undefined;

describe("state read cache", () => {
  it("follows connects and a reorganisation's undo", () => {
    const { db, store, chain } = fresh();
    const b2 = mineBlock(GENESIS, [], A.address);
    const b3 = mineBlock(b2, [signTx(A, { type: "transfer", recipient: B.address, amount: 20, nonce: 0 })], A.address);
    chain.submit(b2);
    chain.submit(b3);
    expect(store.get(keys.account(B.address))).toEqual({ balance: 20, nonce: 0 });
    // a heavier branch without the transfer: B's row is undone
    const c3 = mineBlock(b2, [], B.address);
    chain.submit(c3);
    chain.submit(mineBlock(c3, [], B.address));
    expect(store.get(keys.account(B.address))).toEqual({ balance: 100, nonce: 0 });
    expect(JSON.parse(stored(db, keys.account(B.address)) as string)).toEqual({ balance: 100, nonce: 0 });
    expect(store.get(keys.account(A.address))).toEqual(JSON.parse(stored(db, keys.account(A.address)) as string));
  });

  it("a chunk that rolls back after writing state leaves the cache as the database is", async () => {
    const { db, store, chain } = fresh();
    const b2 = mineBlock(GENESIS, [], A.address);
    chain.submit(b2);
    const before = store.get(keys.account(A.address));
    const b3 = mineBlock(b2, [signTx(A, { type: "transfer", recipient: B.address, amount: 7, nonce: 0 })], A.address);
    // the store fails after block 3's state is written (a full disk, say): the chunk rolls back
    const putUndo = store.putUndo.bind(store);
    store.putUndo = () => {
      throw new Error("disk full");
    };
    const all = async (txs: unknown[]) => txs.map(() => true);
    await expect(chain.submitMany([b3 as Block], all)).rejects.toBeInstanceOf(PageError);
    store.putUndo = putUndo;
    expect(stored(db, keys.account(B.address))).toBeUndefined();
    expect(store.get(keys.account(B.address))).toBeUndefined();
    expect(store.get(keys.account(A.address))).toEqual(before);
    expect(chain.tip.height).toBe(2);
    // and the block goes in once the store works again
    expect((await chain.submitMany([b3], all))[0]?.outcome).toBe("connected");
    expect(store.get(keys.account(B.address))).toEqual({ balance: 7, nonce: 0 });
  });
});
