/**
 * The SQLite driver the store runs on, and which one this Node.js gets.
 *
 * Two drivers speak to the same SQLite file format: `node:sqlite`, built into Node.js 22.16
 * and later (no native build, no download), and the `better-sqlite3` package (a native addon
 * built at install), the only one Node.js 20 can use. The store (db.ts) sees only the small
 * `SqlConnection` below; its SQL, transactions and settings are one code path for both.
 *
 * better-sqlite3 12 subclasses `node::ObjectWrap`, which Node.js 24 changed: a statement
 * collected by the garbage collector can abort the process (`Assertion failed: (env) !=
 * nullptr` in `node::RemoveEnvironmentCleanupHook`; better-sqlite3 issue #1515). So from
 * Node.js 24 on it is never used, even when asked for: the node refuses to start instead.
 */
import { type BetterSqlite3Class, betterSqlite3Driver, loadBetterSqlite3 } from "./driver-better-sqlite3.js";
import { loadNodeSqlite, type NodeSqliteModule, nodeSqliteDriver } from "./driver-node-sqlite.js";

/** A value SQLite stores or returns as the store uses it. */
export type SqlValue = string | number | bigint | null | Uint8Array;
/** Positional parameters, or one object of named ones (`@name` in the SQL, `name` as key). */
export type SqlParam = SqlValue | Record<string, SqlValue>;

/** A prepared statement. `pluck()` gives one whose rows are their first column's value. */
export interface SqlStatement {
  run(...params: SqlParam[]): unknown;
  get(...params: SqlParam[]): unknown;
  all(...params: SqlParam[]): unknown[];
  pluck(): SqlStatement;
}

/** An open database, as a driver gives it. */
export interface SqlConnection {
  prepare(sql: string): SqlStatement;
  exec(sql: string): void;
  /** A deterministic scalar SQL function (used by schema migrations). */
  function(name: string, fn: (...args: SqlValue[]) => SqlValue): void;
  close(): void;
}

export type DriverName = "node:sqlite" | "better-sqlite3";
export const DRIVER_NAMES: readonly DriverName[] = ["node:sqlite", "better-sqlite3"];

export interface SqliteDriver {
  readonly name: DriverName;
  /** The SQLite library's version (`sqlite_version()`). */
  readonly sqliteVersion: string;
  open(path: string): SqlConnection;
  /** Whether `err` is SQLite's SQLITE_BUSY (another connection holds the lock). */
  isBusy(err: unknown): boolean;
}

/** The first Node.js major on which better-sqlite3 12 can abort the process. */
export const BETTER_SQLITE3_CRASHES_FROM = 24;

/** The environment variable that picks a driver (`node:sqlite` or `better-sqlite3`). */
export const DRIVER_ENV = "TINYCHAIN_SQLITE";

/** What a runtime offers: its version, and whether each driver could be loaded. */
export interface Runtime {
  nodeVersion: string;
  nodeSqlite: boolean;
  /** Whether better-sqlite3 is installed and built for this Node.js (why not, if not); asked only when needed. */
  betterSqlite3(): true | string;
}

/** No driver this runtime can use safely; the message says why and what to do. */
export class NoDriverError extends Error {
  readonly code = "no-sqlite-driver";
}

function major(version: string): number {
  return Number(/^v?(\d+)/.exec(version)?.[1] ?? 0);
}

/** Whether better-sqlite3 may run on this Node.js at all. */
export function betterSqlite3Safe(nodeVersion: string): boolean {
  return major(nodeVersion) < BETTER_SQLITE3_CRASHES_FROM;
}

/**
 * The driver for a runtime: the one asked for (TINYCHAIN_SQLITE), else node:sqlite where the
 * runtime has it, else better-sqlite3 where it is built and safe. Throws NoDriverError when
 * the choice is impossible or unsafe; never falls back silently from an explicit choice.
 */
export function chooseDriver(rt: Runtime, requested?: string): DriverName {
  const v = `Node.js ${rt.nodeVersion}`;
  const notBuilt = (why: string) =>
    `better-sqlite3 is not built for ${v} (${why}): run \`npm rebuild better-sqlite3\` (it needs a C++ toolchain), or use Node.js 22.16 or later, which has node:sqlite built in`;
  if (requested !== undefined && requested !== "") {
    if (requested === "node:sqlite") {
      if (rt.nodeSqlite) return "node:sqlite";
      throw new NoDriverError(
        `${DRIVER_ENV}=node:sqlite: ${v} has no usable node:sqlite (tinychain needs that of Node.js 22.16 and later)`,
      );
    }
    if (requested === "better-sqlite3") {
      if (!betterSqlite3Safe(rt.nodeVersion)) {
        throw new NoDriverError(
          `${DRIVER_ENV}=better-sqlite3: better-sqlite3 12 can abort the process on Node.js ${BETTER_SQLITE3_CRASHES_FROM} and later ` +
            `(a collected statement trips an assertion in node::ObjectWrap), so tinychain does not use it on ${v}: unset ${DRIVER_ENV} to use node:sqlite`,
        );
      }
      const built = rt.betterSqlite3();
      if (built === true) return "better-sqlite3";
      throw new NoDriverError(`${DRIVER_ENV}=better-sqlite3: ${notBuilt(built)}`);
    }
    throw new NoDriverError(`${DRIVER_ENV}=${requested}: unknown SQLite driver; use ${DRIVER_NAMES.join(" or ")}`);
  }
  if (rt.nodeSqlite) return "node:sqlite";
  if (!betterSqlite3Safe(rt.nodeVersion)) {
    throw new NoDriverError(`${v} has no node:sqlite and better-sqlite3 is not safe on it: use Node.js 20, 22 or 24`);
  }
  const built = rt.betterSqlite3();
  if (built === true) return "better-sqlite3";
  throw new NoDriverError(`no SQLite driver: ${v} has no node:sqlite, and ${notBuilt(built)}`);
}

/** `fn`'s result, computed at the first call. */
function once<T>(fn: () => T): () => T {
  let result: { value: T } | undefined;
  return () => {
    result ??= { value: fn() };
    return result.value;
  };
}

/** Each driver's module is probed at most once per process. */
const nodeSqliteModule = once(loadNodeSqlite);
const betterSqlite3Module = once(loadBetterSqlite3);
const loaded = new Map<DriverName, SqliteDriver>();

function thisRuntime(): Runtime {
  return {
    nodeVersion: process.versions.node,
    nodeSqlite: nodeSqliteModule() !== undefined,
    betterSqlite3: () => {
      const d = betterSqlite3Module();
      return typeof d === "string" ? d : true;
    },
  };
}

/**
 * The driver named (or, without a name, the one TINYCHAIN_SQLITE asks for, else the default
 * for this Node.js), loaded once per process. Throws NoDriverError with what to do.
 */
export function sqliteDriver(name: string | undefined = process.env[DRIVER_ENV]): SqliteDriver {
  const chosen = chooseDriver(thisRuntime(), name);
  let driver = loaded.get(chosen);
  if (driver === undefined) {
    // only the chosen one is loaded: better-sqlite3 must never be on Node.js 24
    const mod = chosen === "node:sqlite" ? nodeSqliteModule() : betterSqlite3Module();
    if (mod === undefined || typeof mod === "string") throw new Error(`${chosen} was chosen but does not load`); // chooseDriver checked it
    driver = chosen === "node:sqlite" ? nodeSqliteDriver(mod as NodeSqliteModule) : betterSqlite3Driver(mod as BetterSqlite3Class);
    loaded.set(chosen, driver);
  }
  return driver;
}

/** The drivers this Node.js can run (for benchmarks and tests that compare them). */
export function availableDrivers(): DriverName[] {
  const rt = thisRuntime();
  return DRIVER_NAMES.filter((n) => {
    try {
      return chooseDriver(rt, n) === n;
    } catch {
      return false;
    }
  });
}
