import { mkdirSync } from "node:fs";
import { dirname } from "node:path";
import { type SqlConnection, type SqliteDriver, type SqlStatement, type SqlValue, sqliteDriver } from "./driver.js";
import { DDL, MIGRATIONS, SCHEMA_VERSION } from "./schema.js";

/** How long opening waits for another process to let go of the database (a node still shutting down). */
const OPEN_WAIT_MS = 2000;

/**
 * An open store database on either SQLite driver (driver.ts). Transactions are written here
 * once, the same for both: BEGIN … COMMIT, a savepoint when nested, rolled back when `fn` throws.
 */
export class Db {
  private depth = 0;
  private closed = false;
  private readonly begin: SqlStatement;
  private readonly commit: SqlStatement;
  private readonly rollback: SqlStatement;
  private readonly savepoints: Array<{ save: SqlStatement; release: SqlStatement; undo: SqlStatement }> = [];

  constructor(
    private readonly conn: SqlConnection,
    readonly driver: SqliteDriver,
  ) {
    this.begin = conn.prepare("BEGIN");
    this.commit = conn.prepare("COMMIT");
    this.rollback = conn.prepare("ROLLBACK");
  }

  prepare(sql: string): SqlStatement {
    return this.conn.prepare(sql);
  }
  exec(sql: string): void {
    this.conn.exec(sql);
  }
  /** A deterministic scalar SQL function. */
  function(name: string, fn: (...args: SqlValue[]) => SqlValue): void {
    this.conn.function(name, fn);
  }
  /** Whether a transaction is open (statements run now commit with it). */
  get inTransaction(): boolean {
    return this.depth > 0;
  }
  /** False once closed. */
  get open(): boolean {
    return !this.closed;
  }
  /** Closes the database (again: nothing). */
  close(): void {
    if (this.closed) return;
    this.closed = true;
    this.conn.close();
  }

  /** Runs `fn` in a transaction (a savepoint inside another one); any throw rolls it back and is rethrown. */
  transaction<T>(fn: () => T): T {
    if (this.depth > 0) return this.nested(fn);
    this.begin.run();
    this.depth = 1;
    try {
      const result = fn();
      this.commit.run();
      return result;
    } catch (err) {
      quietly(() => this.rollback.run()); // SQLite may already have rolled back (a failed COMMIT, a full disk)
      throw err;
    } finally {
      this.depth = 0;
    }
  }

  private nested<T>(fn: () => T): T {
    const name = `tinychain_${this.depth}`;
    let sp = this.savepoints[this.depth];
    if (sp === undefined) {
      sp = {
        save: this.conn.prepare(`SAVEPOINT ${name}`),
        release: this.conn.prepare(`RELEASE ${name}`),
        undo: this.conn.prepare(`ROLLBACK TO ${name}`),
      };
      this.savepoints[this.depth] = sp;
    }
    const { save, release, undo } = sp;
    save.run();
    this.depth++;
    try {
      const result = fn();
      release.run();
      return result;
    } catch (err) {
      quietly(() => {
        undo.run();
        release.run();
      });
      throw err;
    } finally {
      this.depth--;
    }
  }
}

function quietly(fn: () => void): void {
  try {
    fn();
  } catch {
    // the error that caused the rollback is the one to report
  }
}

/** The store is held by another connection (another node on the same data directory). */
export class StoreInUseError extends Error {
  readonly code = "store-in-use";
  constructor(readonly path: string) {
    super(
      `the store ${path} is in use by another process (another tinychain node on the same data directory?): stop it or give this node its own --data-dir`,
    );
  }
}

/**
 * Opens (creating if needed) a node's SQLite database in WAL mode. `synchronous=NORMAL`
 * in WAL keeps every committed transaction across a process crash (kill -9); after a power
 * loss the last transactions may be missing, but the database is never torn.
 *
 * The database is locked for this connection alone (`locking_mode=EXCLUSIVE`, taken by the
 * first read and held until `close`; the OS drops it if the process dies). A node keeps
 * state in memory beside the store (the tip, a cache of state rows), so a second process
 * writing the same file would corrupt both: it is refused here instead.
 */
export function openDb(path: string, driver: SqliteDriver = sqliteDriver()): Db {
  if (path !== ":memory:") mkdirSync(dirname(path), { recursive: true });
  const db = new Db(driver.open(path), driver);
  db.exec(`PRAGMA busy_timeout = ${OPEN_WAIT_MS}`);
  db.exec("PRAGMA locking_mode = EXCLUSIVE");
  try {
    db.exec("PRAGMA journal_mode = WAL");
  } catch (err) {
    db.close();
    throw driver.isBusy(err) ? new StoreInUseError(path) : err;
  }
  db.exec(`PRAGMA synchronous = NORMAL;
    PRAGMA foreign_keys = OFF;
    PRAGMA cache_size = -65536; -- 64 MiB page cache
    PRAGMA wal_autocheckpoint = 8192; -- checkpoint every 32 MiB of WAL, not 4 MiB: pages rewritten in between are copied once`);
  const hasMeta = db.prepare("SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = 'meta'").get() !== undefined;
  const row = hasMeta
    ? (db.prepare("SELECT value FROM meta WHERE key = 'schema_version'").get() as { value: string } | undefined)
    : undefined;
  if (row !== undefined) {
    let version = Number(row.value);
    if (!Number.isSafeInteger(version) || version > SCHEMA_VERSION || version < 1) {
      db.close();
      throw new Error(`the store at ${path} has schema version ${row.value}; this tinychain reads versions 1 to ${SCHEMA_VERSION}`);
    }
    for (; version < SCHEMA_VERSION; version++) {
      const step = MIGRATIONS[version] as (db: Db) => void;
      const next = version + 1;
      db.transaction(() => {
        step(db);
        setMeta(db, "schema_version", String(next));
      });
    }
  }
  db.exec(DDL);
  if (row === undefined) setMeta(db, "schema_version", String(SCHEMA_VERSION));
  return db;
}

/** The meta statements, prepared once per database (the tip is written with every block). */
const metaStatements = new WeakMap<Db, { get: SqlStatement; set: SqlStatement }>();

function metaOf(db: Db): { get: SqlStatement; set: SqlStatement } {
  let s = metaStatements.get(db);
  if (s === undefined) {
    s = {
      get: db.prepare("SELECT value FROM meta WHERE key = ?"),
      set: db.prepare("INSERT INTO meta (key, value) VALUES (?, ?) ON CONFLICT (key) DO UPDATE SET value = excluded.value"),
    };
    metaStatements.set(db, s);
  }
  return s;
}

export function getMeta(db: Db, key: string): string | undefined {
  const row = metaOf(db).get.get(key) as { value: string } | undefined;
  return row?.value;
}

export function setMeta(db: Db, key: string, value: string): void {
  metaOf(db).set.run(key, value);
}
