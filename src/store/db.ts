import { mkdirSync } from "node:fs";
import { dirname } from "node:path";
import Database from "better-sqlite3";
import { DDL, MIGRATIONS, SCHEMA_VERSION } from "./schema.js";

export type Db = Database.Database;

/** How long opening waits for another process to let go of the database (a node still shutting down). */
const OPEN_WAIT_MS = 2000;

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
export function openDb(path: string): Db {
  if (path !== ":memory:") mkdirSync(dirname(path), { recursive: true });
  const db = new Database(path);
  db.pragma(`busy_timeout = ${OPEN_WAIT_MS}`);
  db.pragma("locking_mode = EXCLUSIVE");
  try {
    db.pragma("journal_mode = WAL");
  } catch (err) {
    db.close();
    throw (err as { code?: string }).code === "SQLITE_BUSY" ? new StoreInUseError(path) : err;
  }
  db.pragma("synchronous = NORMAL");
  db.pragma("foreign_keys = OFF");
  db.pragma("cache_size = -65536"); // 64 MiB page cache
  db.pragma("wal_autocheckpoint = 8192"); // checkpoint every 32 MiB of WAL, not 4 MiB: pages rewritten in between are copied once
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
      })();
    }
  }
  db.exec(DDL);
  if (row === undefined) setMeta(db, "schema_version", String(SCHEMA_VERSION));
  return db;
}

/** The meta statements, prepared once per database (the tip is written with every block). */
const metaStatements = new WeakMap<Db, { get: Database.Statement; set: Database.Statement }>();

function metaOf(db: Db): { get: Database.Statement; set: Database.Statement } {
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
