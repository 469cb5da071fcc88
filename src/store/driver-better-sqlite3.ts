/**
 * The `better-sqlite3` driver: a native addon built at install, for Node.js 20 (which has no
 * node:sqlite). Loaded only when chosen (driver.ts): on Node.js 24 and later it is never
 * loaded at all.
 */
import { createRequire } from "node:module";
import type BetterSqlite3 from "better-sqlite3";
import type { SqlConnection, SqliteDriver, SqlParam, SqlStatement, SqlValue } from "./driver.js";

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

/** better-sqlite3's statement as the store sees it; `pluck()` switches it to first columns in place. */
class Statement implements SqlStatement {
  constructor(private readonly st: BetterSqlite3.Statement<SqlParam[]>) {}
  run(...params: SqlParam[]): unknown {
    return this.st.run(...params);
  }
  get(...params: SqlParam[]): unknown {
    return this.st.get(...params);
  }
  all(...params: SqlParam[]): unknown[] {
    return this.st.all(...params);
  }
  pluck(): SqlStatement {
    this.st.pluck();
    return this;
  }
}

class Connection implements SqlConnection {
  constructor(private readonly db: BetterSqlite3.Database) {}
  prepare(sql: string): SqlStatement {
    return new Statement(this.db.prepare<SqlParam[]>(sql));
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
