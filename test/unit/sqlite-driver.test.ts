/**
 * The SQLite drivers: which one a Node.js gets (and which it never gets), and that every
 * driver this runtime has behaves the same under the store: transactions, savepoints,
 * first-column reads, named parameters, the lock, and one data directory opened by both.
 */
import { mkdtempSync, rmSync } from "node:fs";
import { createRequire } from "node:module";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { keys } from "../../src/core/state.js";
import { Chain } from "../../src/node/chain.js";
import { ChainStore } from "../../src/store/chain-store.js";
import { type Db, openDb, StoreInUseError } from "../../src/store/db.js";
import { availableDrivers, chooseDriver, type DriverName, NoDriverError, type Runtime, sqliteDriver } from "../../src/store/driver.js";
import { PeerStore } from "../../src/store/peer-store.js";
import { GENESIS, idsOf, mineBlock, NET, signTx } from "../helpers/factory.js";
import { testKey } from "../helpers/keys.js";

const dirs: string[] = [];
const dbs: Db[] = [];
function dbPath(): string {
  const dir = mkdtempSync(join(tmpdir(), "tinychain-driver-"));
  dirs.push(dir);
  return join(dir, "chain.db");
}
function open(driver: DriverName, path = dbPath()): Db {
  const db = openDb(path, sqliteDriver(driver));
  dbs.push(db);
  return db;
}
afterEach(() => {
  for (const db of dbs.splice(0)) db.close();
  for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
});

const runtime = (nodeVersion: string, nodeSqlite: boolean, built: true | string = true): Runtime => ({
  nodeVersion,
  nodeSqlite,
  betterSqlite3: () => built,
});

describe("which driver a Node.js gets", () => {
  it("node:sqlite where the runtime has it, better-sqlite3 on Node.js 20", () => {
    expect(chooseDriver(runtime("24.11.0", true))).toBe("node:sqlite");
    expect(chooseDriver(runtime("22.23.3", true))).toBe("node:sqlite");
    expect(chooseDriver(runtime("20.20.2", false))).toBe("better-sqlite3");
    expect(chooseDriver(runtime("22.12.0", false))).toBe("better-sqlite3"); // 22 before node:sqlite was unflagged
  });

  it("takes the one TINYCHAIN_SQLITE names where it is safe", () => {
    expect(chooseDriver(runtime("22.23.3", true), "better-sqlite3")).toBe("better-sqlite3");
    expect(chooseDriver(runtime("22.23.3", true), "node:sqlite")).toBe("node:sqlite");
    expect(chooseDriver(runtime("20.20.2", false), "")).toBe("better-sqlite3");
  });

  it("never better-sqlite3 on Node.js 24 and later, even when asked, and never silently something else", () => {
    for (const v of ["24.0.0", "24.21.0", "26.1.0"]) {
      expect(() => chooseDriver(runtime(v, true), "better-sqlite3")).toThrow(NoDriverError);
      expect(() => chooseDriver(runtime(v, true), "better-sqlite3")).toThrow(
        /can abort the process on Node.js 24 and later.*unset TINYCHAIN_SQLITE/,
      );
      expect(() => chooseDriver(runtime(v, false))).toThrow(/not safe on it/);
    }
  });

  it("says what to do when no driver can run", () => {
    expect(() => chooseDriver(runtime("20.20.2", false, "it is not installed"))).toThrow(
      /no SQLite driver: Node.js 20.20.2 has no node:sqlite, and better-sqlite3 is not built for Node.js 20.20.2 \(it is not installed\): run `npm rebuild better-sqlite3`.*Node.js 22.16 or later/,
    );
    expect(() => chooseDriver(runtime("20.20.2", false), "node:sqlite")).toThrow(
      /has no usable node:sqlite \(tinychain needs that of Node.js 22.16 and later\)/,
    );
    expect(() => chooseDriver(runtime("22.23.3", true), "sqlite3")).toThrow(/unknown SQLite driver; use node:sqlite or better-sqlite3/);
  });

  it("this runtime offers what the rule says", () => {
    const [major, minor] = process.versions.node.split(".").map(Number) as [number, number];
    const drivers = availableDrivers();
    if (major >= 24) expect(drivers).toEqual(["node:sqlite"]);
    else if (major === 22 && minor >= 16) expect(drivers).toEqual(["node:sqlite", "better-sqlite3"]);
    else expect(drivers).toEqual(["better-sqlite3"]); // 20, and 22 before 22.16
    expect(sqliteDriver().name).toBe(drivers[0]);
    expect(sqliteDriver().sqliteVersion).toMatch(/^3\.\d+\.\d+$/);
    // on Node.js 24 better-sqlite3 is not even loaded (loading it is where the danger starts)
    const loaded = Object.keys(createRequire(import.meta.url).cache).some((path) => path.includes("better-sqlite3"));
    expect(loaded).toBe(drivers.includes("better-sqlite3"));
  });
});

describe.each(availableDrivers())("the store on %s", (name) => {
  const count = (db: Db) => db.prepare("SELECT count(*) FROM meta WHERE key LIKE 't%'").pluck().get();

  it("commits a transaction, rolls back one that throws, and returns what it returned", () => {
    const db = open(name);
    const put = db.prepare("INSERT INTO meta (key, value) VALUES (?, ?)");
    expect(
      db.transaction(() => {
        put.run("t1", "a");
        return 7;
      }),
    ).toBe(7);
    expect(() =>
      db.transaction(() => {
        put.run("t2", "b");
        throw new Error("boom");
      }),
    ).toThrow("boom");
    expect(count(db)).toBe(1);
    // a failing statement inside rolls back the whole transaction too
    expect(() =>
      db.transaction(() => {
        put.run("t3", "c");
        put.run("t1", "duplicate");
      }),
    ).toThrow(/UNIQUE/);
    expect(count(db)).toBe(1);
    expect(db.transaction(() => put.run("t4", "d"))).toBeDefined();
    expect(count(db)).toBe(2);
  });

  it("a nested transaction is a savepoint: its rollback keeps the outer one's work", () => {
    const db = open(name);
    const put = db.prepare("INSERT INTO meta (key, value) VALUES (?, ?)");
    db.transaction(() => {
      put.run("t1", "a");
      expect(() =>
        db.transaction(() => {
          put.run("t2", "b");
          db.transaction(() => put.run("t3", "c"));
          throw new Error("inner");
        }),
      ).toThrow("inner");
      db.transaction(() => put.run("t4", "d"));
    });
    expect(db.prepare("SELECT key FROM meta WHERE key LIKE 't%' ORDER BY key").pluck().all()).toEqual(["t1", "t4"]);
  });

  it("reads rows, first columns, integers up to 2^53 − 1 and named parameters alike", () => {
    const db = open(name);
    db.exec("CREATE TABLE n (k INTEGER PRIMARY KEY, v TEXT)");
    const put = db.prepare("INSERT INTO n (k, v) VALUES (?, ?)");
    put.run(Number.MAX_SAFE_INTEGER, "max");
    put.run(1, null);
    expect(
      db
        .prepare("SELECT k, v FROM n ORDER BY k")
        .all()
        .map((r) => ({ ...(r as object) })),
    ).toEqual([
      { k: 1, v: null },
      { k: Number.MAX_SAFE_INTEGER, v: "max" },
    ]);
    expect(db.prepare("SELECT v FROM n WHERE k = ?").pluck().get(Number.MAX_SAFE_INTEGER)).toBe("max");
    expect(db.prepare("SELECT v FROM n WHERE k = ?").pluck().get(2)).toBeUndefined();
    expect(db.prepare("SELECT v FROM n WHERE k = ?").get(2)).toBeUndefined();
    expect(db.prepare("SELECT k FROM n ORDER BY k DESC").pluck().all()).toEqual([Number.MAX_SAFE_INTEGER, 1]);
    const peers = new PeerStore(db);
    peers.put({ url: "http://127.0.0.1:5001", added: 5, last_seen: null, failures: 0, next_try: 0 });
    peers.put({ url: "http://127.0.0.1:5001", added: 5, last_seen: 9, failures: 2, next_try: 11 });
    expect(peers.all().map((r) => ({ ...r }))).toEqual([
      { url: "http://127.0.0.1:5001", added: 5, last_seen: 9, failures: 2, next_try: 11 },
    ]);
  });

  it("holds the lock: a second opener is refused with what to do, and gets it once the first closes", () => {
    const path = dbPath();
    const first = open(name, path);
    expect(() => open(name, path)).toThrow(StoreInUseError);
    first.close();
    const second = open(name, path);
    expect(second.prepare("SELECT value FROM meta WHERE key = 'schema_version'").pluck().get()).toMatch(/^\d+$/);
  });

  it("a scalar function (as a migration uses) is deterministic and callable", () => {
    const db = open(name);
    db.function("twice", (x) => Number(x) * 2);
    expect(db.prepare("SELECT twice(21)").pluck().get()).toBe(42);
  });
});

describe.runIf(availableDrivers().length > 1)("one data directory, both drivers", () => {
  it("a chain written by one driver opens and grows with the other, and back", () => {
    const path = dbPath();
    const [a, b] = availableDrivers() as [DriverName, DriverName];
    const A = testKey("driver a");
    const B = testKey("driver b");
    const b2 = mineBlock(GENESIS, [], A.address);
    const b3 = mineBlock(b2, [signTx(A, { type: "transfer", recipient: B.address, amount: 1, nonce: 0 })], A.address);
    const b4 = mineBlock(b3, [], B.address);
    let db = open(a, path);
    let chain = new Chain(new ChainStore(db), NET);
    chain.submit(b2);
    chain.submit(b3);
    db.close();
    db = open(b, path);
    chain = new Chain(new ChainStore(db), NET);
    expect(chain.tip.height).toBe(3);
    expect(chain.store.get(keys.account(B.address))).toEqual({ balance: 1, nonce: 0 });
    expect(chain.store.txLocation(idsOf(b3)[1] as string)?.height).toBe(3);
    chain.submit(b4);
    db.close();
    db = open(a, path);
    chain = new Chain(new ChainStore(db), NET);
    expect(chain.tip.height).toBe(4);
    expect(chain.store.get(keys.account(B.address))).toEqual({ balance: 1 + NET.reward, nonce: 0 }); // block 4 paid B its reward
  });
});
