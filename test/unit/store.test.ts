/** The SQLite store: opening, migrating an older layout, and the pool's persistence. */
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import type { Block } from "../../src/core/types.js";
import { ChainStore } from "../../src/store/chain-store.js";
import { openDb } from "../../src/store/db.js";
import { sqliteDriver } from "../../src/store/driver.js";
import { PoolStore } from "../../src/store/pool-store.js";
import { SCHEMA_VERSION } from "../../src/store/schema.js";

const dirs: string[] = [];
function dbPath(): string {
  const dir = mkdtempSync(join(tmpdir(), "tinychain-store-"));
  dirs.push(dir);
  return join(dir, "chain.db");
}
afterEach(() => {
  for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
});

describe("store", () => {
  it("a new store has the current schema version", () => {
    const db = openDb(dbPath());
    expect(db.prepare("SELECT value FROM meta WHERE key = 'schema_version'").pluck().get()).toBe(String(SCHEMA_VERSION));
    db.close();
  });

  it("migrates a version 1 store: its pending transactions move to pool_log in arrival order", () => {
    const path = dbPath();
    const old = sqliteDriver().open(path);
    old.exec(`CREATE TABLE meta (key TEXT PRIMARY KEY, value TEXT NOT NULL) WITHOUT ROWID;
      INSERT INTO meta VALUES ('schema_version', '1');
      CREATE TABLE pool (id TEXT PRIMARY KEY, tx TEXT NOT NULL, received INTEGER NOT NULL) WITHOUT ROWID;
      INSERT INTO pool VALUES ('bb', '{"b":1}', 20), ('aa', '{"a":1}', 10), ('cc', '{"c":1}', 20);`);
    old.close();
    const db = openDb(path);
    expect(db.prepare("SELECT value FROM meta WHERE key = 'schema_version'").pluck().get()).toBe(String(SCHEMA_VERSION));
    expect(db.prepare("SELECT count(*) FROM sqlite_master WHERE name = 'pool'").pluck().get()).toBe(0);
    expect(new PoolStore(db).all()).toEqual([
      { id: "aa", tx: '{"a":1}', received: 10 },
      { id: "bb", tx: '{"b":1}', received: 20 },
      { id: "cc", tx: '{"c":1}', received: 20 },
    ]);
    db.close();
  });

  it("migrates a version 1 store's transaction index: every id is found again, a wrong one is not", () => {
    const path = dbPath();
    const old = sqliteDriver().open(path);
    const id = (n: number) => n.toString(16).padStart(64, "a");
    old.exec(`CREATE TABLE meta (key TEXT PRIMARY KEY, value TEXT NOT NULL) WITHOUT ROWID;
      INSERT INTO meta VALUES ('schema_version', '1');
      CREATE TABLE pool (id TEXT PRIMARY KEY, tx TEXT NOT NULL, received INTEGER NOT NULL) WITHOUT ROWID;
      CREATE TABLE main (height INTEGER PRIMARY KEY, hash TEXT NOT NULL);
      INSERT INTO main VALUES (1, 'h1'), (2, 'h2');
      CREATE TABLE txs (id TEXT PRIMARY KEY, height INTEGER NOT NULL, pos INTEGER NOT NULL, block_hash TEXT NOT NULL, events TEXT) WITHOUT ROWID;
      CREATE INDEX txs_height ON txs (height);
      INSERT INTO txs VALUES ('${id(1)}', 1, 0, 'h1', NULL), ('${id(2)}', 2, 0, 'h2', NULL), ('${id(3)}', 2, 1, 'h2', '[{"event":"Transfer"}]');
      CREATE TABLE account_txs (address TEXT NOT NULL, height INTEGER NOT NULL, pos INTEGER NOT NULL, id TEXT NOT NULL,
        PRIMARY KEY (address, height, pos)) WITHOUT ROWID;
      CREATE INDEX account_txs_height ON account_txs (height);
      INSERT INTO account_txs VALUES ('r1', 1, 0, '${id(1)}'), ('r1', 2, 0, '${id(2)}'), ('s1', 2, 1, '${id(3)}'), ('r1', 2, 1, '${id(3)}');`);
    old.close();
    const db = openDb(path);
    const store = new ChainStore(db);
    expect(store.txLocation(id(3))).toEqual({ id: id(3), height: 2, pos: 1, blockHash: "h2", events: [{ event: "Transfer" }] });
    expect(store.txLocation(id(1))?.blockHash).toBe("h1");
    expect(store.hasTx(id(2))).toBe(true);
    // same 52-bit key as id(2), another id: not found
    expect(store.hasTx(`${id(2).slice(0, 13)}${"b".repeat(51)}`)).toBe(false);
    expect(store.accountTxs("r1", 10)).toEqual([
      { id: id(3), height: 2, pos: 1 },
      { id: id(2), height: 2, pos: 0 },
      { id: id(1), height: 1, pos: 0 },
    ]);
    expect(store.accountTxs("s1", 10, { height: 2, pos: 1 })).toEqual([]);
    const block2 = {
      index: 2,
      transactions: [
        { type: "coinbase", sender: "0", recipient: "r1" },
        { type: "transfer", sender: "s1", recipient: "r1" },
      ],
    } as unknown as Block;
    store.index.disconnected(block2, "h2");
    expect(store.hasTx(id(2))).toBe(false);
    expect(db.prepare("SELECT count(*) FROM tx_keys").pluck().get()).toBe(1);
    expect(store.accountTxs("r1", 10)).toEqual([{ id: id(1), height: 1, pos: 0 }]);
    expect(store.accountTxs("s1", 10)).toEqual([]);
    db.close();
  });

  it("migrates a version 3 store: what it holds counts as indexed (version 3 indexed every block as it connected)", () => {
    const path = dbPath();
    let db = openDb(path);
    db.exec(`INSERT INTO main VALUES (1, 'h1'), (2, 'h2'), (3, 'h3');
      DROP TABLE block_events; DELETE FROM meta WHERE key = 'indexed'; UPDATE meta SET value = '3' WHERE key = 'schema_version';`);
    db.close();
    db = openDb(path);
    expect(db.prepare("SELECT value FROM meta WHERE key = 'schema_version'").pluck().get()).toBe(String(SCHEMA_VERSION));
    const store = new ChainStore(db);
    expect(store.index.indexedHeight()).toBe(3);
    expect(store.index.lag()).toBe(0);
    db.close();
  });

  it("a store is held by one connection: a second is refused with what to do, and gets it once the first closes", () => {
    const path = dbPath();
    const first = openDb(path);
    first.prepare("INSERT INTO meta (key, value) VALUES ('probe', '1')").run();
    expect(() => openDb(path)).toThrow(/in use by another process .*--data-dir/);
    expect(first.prepare("SELECT value FROM meta WHERE key = 'probe'").pluck().get()).toBe("1"); // the first is untouched
    first.close();
    const second = openDb(path);
    expect(second.prepare("SELECT value FROM meta WHERE key = 'probe'").pluck().get()).toBe("1");
    second.close();
  });

  it("refuses a store from a newer tinychain", () => {
    const path = dbPath();
    const db = openDb(path);
    db.prepare("UPDATE meta SET value = '99' WHERE key = 'schema_version'").run();
    db.close();
    expect(() => openDb(path)).toThrow(/schema version 99/);
  });

  it("the pool store keeps adds and removals across a reopen, one row per id", () => {
    const path = dbPath();
    let db = openDb(path);
    let store = new PoolStore(db);
    store.all();
    store.addMany([
      { id: "t1", json: "{}", received: 1 },
      { id: "t2", json: "{}", received: 2 },
      { id: "t1", json: "{}", received: 3 },
    ]);
    store.add("t3", "{}", 4);
    store.remove(["t2", "unknown"]);
    db.close();
    db = openDb(path);
    store = new PoolStore(db);
    expect(store.all().map((r) => r.id)).toEqual(["t1", "t3"]);
    store.add("t4", "{}", 5);
    store.remove(["t1"]);
    db.close();
    db = openDb(path);
    expect(new PoolStore(db).all().map((r) => [r.id, r.received])).toEqual([
      ["t3", 4],
      ["t4", 5],
    ]);
    db.close();
  });
});
