/** The `node:sqlite` driver: SQLite built into Node.js 22.16 and later. */
import type { DatabaseSync, SQLInputValue, StatementSync } from "node:sqlite";
import type { SqlConnection, SqliteDriver, SqlParam, SqlStatement, SqlValue } from "./driver.js";

export type NodeSqliteModule = typeof import("node:sqlite");

/**
 * The `node:sqlite` module, or undefined where this Node.js has none with all the store uses
 * (Node.js 20; 22 before 22.16, which lacks `setReturnArrays`). Node.js 22 prints "SQLite is
 * an experimental feature" when the module is first loaded; that one warning is held back
 * here (the API tinychain uses is the one Node.js 24 marks a release candidate), every other
 * warning goes through.
 */
export function loadNodeSqlite(): NodeSqliteModule | undefined {
  const emit = process.emitWarning;
  process.emitWarning = function (this: NodeJS.Process, warning: string | Error, ...rest: unknown[]) {
    if (String(warning).startsWith("SQLite is an experimental feature")) return;
    return (emit as (...a: unknown[]) => void).call(this, warning, ...rest);
  } as typeof process.emitWarning;
  try {
    const mod = process.getBuiltinModule?.("node:sqlite") as NodeSqliteModule | undefined;
    return typeof mod?.StatementSync.prototype.setReturnArrays === "function" ? mod : undefined;
  } catch {
    return undefined;
  } finally {
    process.emitWarning = emit;
  }
}

type Args = SQLInputValue[];

class Statement implements SqlStatement {
  constructor(private readonly st: StatementSync) {}
  run(...params: SqlParam[]): unknown {
    return this.st.run(...(params as Args));
  }
  get(...params: SqlParam[]): unknown {
    return this.st.get(...(params as Args));
  }
  all(...params: SqlParam[]): unknown[] {
    return this.st.all(...(params as Args));
  }
  /** Switches this statement to first columns (as better-sqlite3's pluck does): nothing is prepared again. */
  pluck(): SqlStatement {
    this.st.setReturnArrays(true);
    return new Plucked(this.st);
  }
}

/** Rows as their first column: the statement returns arrays, so no object is built per row. */
class Plucked implements SqlStatement {
  constructor(private readonly st: StatementSync) {}
  run(...params: SqlParam[]): unknown {
    return this.st.run(...(params as Args));
  }
  get(...params: SqlParam[]): unknown {
    // setReturnArrays(true) makes rows arrays, which node:sqlite's types do not follow
    const row: unknown = this.st.get(...(params as Args));
    return Array.isArray(row) ? row[0] : undefined;
  }
  all(...params: SqlParam[]): unknown[] {
    const rows: unknown[] = this.st.all(...(params as Args));
    return rows.map((r) => (Array.isArray(r) ? r[0] : undefined));
  }
  pluck(): SqlStatement {
    return this;
  }
}

class Connection implements SqlConnection {
  constructor(private readonly db: DatabaseSync) {}
  prepare(sql: string): SqlStatement {
    return new Statement(this.db.prepare(sql));
  }
  exec(sql: string): void {
    this.db.exec(sql);
  }
  function(name: string, fn: (...args: SqlValue[]) => SqlValue): void {
    this.db.function(name, { deterministic: true }, fn as (...args: SQLInputValue[]) => SQLInputValue);
  }
  close(): void {
    this.db.close();
  }
}

/** SQLite's primary result code SQLITE_BUSY (extended codes keep it in the low byte). */
const SQLITE_BUSY = 5;

export function nodeSqliteDriver(mod: NodeSqliteModule): SqliteDriver {
  const probe = new mod.DatabaseSync(":memory:");
  const version = (probe.prepare("SELECT sqlite_version() AS v").get() as { v: string }).v;
  probe.close();
  return {
    name: "node:sqlite",
    sqliteVersion: version,
    open: (path) => new Connection(new mod.DatabaseSync(path)),
    isBusy: (err) => {
      const code = (err as { errcode?: unknown } | null)?.errcode;
      return typeof code === "number" && (code & 0xff) === SQLITE_BUSY;
    },
  };
}
