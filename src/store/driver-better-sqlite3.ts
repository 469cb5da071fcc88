/**
 * The `better-sqlite3` driver: a native addon built at install, for Node.js 20 (which has no
 * node:sqlite). Loaded only when chosen (driver.ts): on Node.js 24 and later it is never
 * loaded at all.
 */
import { createRequire } from "node:module";
import type BetterSqlite3 from "better-sqlite3";
import type { SqlConnection, SqliteDriver, SqlStatement, SqlValue } from "./driver.js";

export type BetterSqlite3Class = typeof BetterSqlite3;

/** The package's Database class, or the reason it cannot be used (not installed, not built for this Node.js). */
export function loadBetterSqlite3(): BetterSqlite3Class | string {
  try {
    const Database = createRequire(import.meta.url)("better-sqlite3") as BetterSqlite3Class;
    new Database(":memory:").close(); // loads the addon: fails here if it is not built for this Node.js
    return Database;
  } catch (err) {
    const e = err as { code?: string; message?: string };
    if (e.code === "MODULE_NOT_FOUND") return "it is not installed";
    return (e.message ?? String(err)).split("\n")[0] ?? "it does not load";
  }
}

class Connection implements SqlConnection {
  constructor(private readonly db: BetterSqlite3.Database) {}
  prepare(sql: string): SqlStatement {
    // better-sqlite3's statements have run/get/all, and pluck() switches one to first columns
    return this.db.prepare(sql) as unknown as SqlStatement;
  }
  exec(sql: string): void {
    this.db.exec(sql);
  }
  function(name: string, fn: (...args: SqlValue[]) => SqlValue): void {
    this.db.function(name, { deterministic: true }, fn as (...args: unknown[]) => unknown);
  }
  close(): void {
    this.db.close();
  }
}

export function betterSqlite3Driver(Database: BetterSqlite3Class): SqliteDriver {
  const probe = new Database(":memory:");
  const version = probe.prepare("SELECT sqlite_version()").pluck().get() as string;
  probe.close();
  return {
    name: "better-sqlite3",
    sqliteVersion: version,
    open: (path) => new Connection(new Database(path)),
    isBusy: (err) => {
      const code = (err as { code?: unknown } | null)?.code;
      return typeof code === "string" && code.startsWith("SQLITE_BUSY");
    },
  };
}
