import { mkdirSync } from "node:fs";
import { dirname } from "node:path";
import Database from "better-sqlite3";
import { DDL, MIGRATIONS, SCHEMA_VERSION } from "./schema.js";

export type Db = Database.Database;

/**
 * Opens (creating if needed) a node's SQLite database in WAL mode. `synchronous=NORMAL`
 * in WAL keeps every committed transaction across a process crash (kill -9); after a power
 * loss the last transactions may be missing, but the database is never torn.
 */
export function openDb(path: string): Db {
  if (path !== ":memory:") mkdirSync(dirname(path), { recursive: true });
  const db = new Database(path);
  db.pragma("journal_mode = WAL");
  db.pragma("synchronous = NORMAL");
  db.pragma("foreign_keys = OFF");
  db.pragma("busy_timeout = 5000");
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

export function getMeta(db: Db, key: string): string | undefined {
  const row = db.prepare("SELECT value FROM meta WHERE key = ?").get(key) as { value: string } | undefined;
  return row?.value;
}

export function setMeta(db: Db, key: string, value: string): void {
  db.prepare("INSERT INTO meta (key, value) VALUES (?, ?) ON CONFLICT (key) DO UPDATE SET value = excluded.value").run(key, value);
}
