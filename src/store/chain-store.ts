/**
 * Blocks, the main chain, the ledger state and its indexes (layout in schema.ts).
 * Methods are small synchronous steps; the node composes them inside `transaction()`.
 */
import type { StateReader, StateValue } from "../core/state.js";
import type { Block, BlockHeader } from "../core/types.js";
import { workFromHex, workToHex } from "../core/work.js";
import { type Db, getMeta, setMeta } from "./db.js";
import type { BlockStatus } from "./schema.js";
import { TxIndex, type TxLocation } from "./tx-index.js";

export type { TxLocation } from "./tx-index.js";

export interface BlockInfo {
  hash: string;
  height: number;
  prevHash: string;
  work: bigint;
  status: BlockStatus;
}

type UndoEntry = [string, string | null];

/** State rows the read cache holds at most (about 100 bytes each). */
const ROW_CACHE = 100_000;
/** Blocks' index entries the read cache holds at most (about 300 bytes each): the recent blocks, which peers are passing on. */
const INFO_CACHE = 4_096;

interface BlockRow {
  hash: string;
  height: number;
  prev_hash: string;
  work: string;
  status: number;
}

function toInfo(r: BlockRow): BlockInfo {
  return { hash: r.hash, height: r.height, prevHash: r.prev_hash, work: workFromHex(r.work), status: r.status };
}

/** The block as APIs serve it: the protocol fields plus `hash`, and `id` on each transaction. */
export function blockJson(block: Block, hash: string, txIds: readonly string[]): string {
  return JSON.stringify({
    index: block.index,
    timestamp: block.timestamp,
    transactions: block.transactions.map((t, i) => ({ ...t, id: txIds[i] })),
    proof: block.proof,
    previous_hash: block.previous_hash,
    difficulty: block.difficulty,
    tx_root: block.tx_root,
    hash,
  });
}

/** The header as GET /headers serves it (docs/protocol.md §7): the six header fields and `hash`. */
export function headerJson(block: BlockHeader, hash: string): string {
  return JSON.stringify({
    index: block.index,
    timestamp: block.timestamp,
    proof: block.proof,
    previous_hash: block.previous_hash,
    difficulty: block.difficulty,
    tx_root: block.tx_root,
    hash,
  });
}

export class ChainStore implements StateReader {
  private readonly s;

  /** The lookup indexes (transactions by id, account history, token events). */
  readonly index: TxIndex;

  constructor(readonly db: Db) {
    this.index = new TxIndex(db);
    const p = (sql: string) => db.prepare(sql);
    this.s = {
      blockInfo: p("SELECT hash, height, prev_hash, work, status FROM blocks WHERE hash = ?"),
      blockJson: p("SELECT json FROM blocks WHERE hash = ?").pluck(),
      insertBlock: p("INSERT OR IGNORE INTO blocks (hash, height, prev_hash, work, status, json, header) VALUES (?, ?, ?, ?, ?, ?, ?)"),
      untip: p("DELETE FROM tips WHERE hash = ?"),
      // a block inserted again (INSERT OR IGNORE) may have children by then: a tip only if it has none
      tip: p("INSERT OR IGNORE INTO tips (hash, height) SELECT ?, ? WHERE NOT EXISTS (SELECT 1 FROM blocks WHERE prev_hash = ?)"),
      tips: p(
        "SELECT b.hash, b.height, b.prev_hash, b.work, b.status FROM tips t JOIN blocks b ON b.hash = t.hash ORDER BY t.height DESC, t.hash LIMIT ?",
      ),
      parentOf: p("SELECT prev_hash FROM blocks WHERE hash = ?").pluck(),
      setStatus: p("UPDATE blocks SET status = ? WHERE hash = ?"),
      children: p("SELECT hash FROM blocks WHERE prev_hash = ?").pluck(),
      bestCandidates: p(
        "SELECT hash, height, prev_hash, work, status FROM blocks WHERE status != 2 AND work > ? ORDER BY work DESC LIMIT ?",
      ),
      blockCount: p("SELECT count(*) FROM blocks").pluck(),
      mainHash: p("SELECT hash FROM main WHERE height = ?").pluck(),
      setMain: p("INSERT OR REPLACE INTO main (height, hash) VALUES (?, ?)"),
      deleteMain: p("DELETE FROM main WHERE height = ?"),
      mainJsonRange: p("SELECT b.json FROM main m JOIN blocks b ON b.hash = m.hash WHERE m.height >= ? ORDER BY m.height LIMIT ?").pluck(),
      mainHeaderRange: p(
        "SELECT b.header FROM main m JOIN blocks b ON b.hash = m.hash WHERE m.height >= ? ORDER BY m.height LIMIT ?",
      ).pluck(),
      // octet_length of a column is read from the record header: the texts themselves are not loaded
      mainJsonSizes: p(
        "SELECT octet_length(b.json) FROM main m JOIN blocks b ON b.hash = m.hash WHERE m.height >= ? ORDER BY m.height LIMIT ?",
      ).pluck(),
      stateGet: p("SELECT value FROM state WHERE key = ?").pluck(),
      statePut: p("INSERT INTO state (key, value) VALUES (?, ?) ON CONFLICT (key) DO UPDATE SET value = excluded.value"),
      stateDelete: p("DELETE FROM state WHERE key = ?"),
      stateRange: p("SELECT key, value FROM state WHERE key >= ? AND key < ? ORDER BY key LIMIT ? OFFSET ?"),
      putUndo: p("INSERT OR REPLACE INTO undo (hash, data) VALUES (?, ?)"),
      getUndo: p("SELECT data FROM undo WHERE hash = ?").pluck(),
      deleteUndo: p("DELETE FROM undo WHERE hash = ?"),
    };
  }

  /** Runs `fn` in a SQLite transaction (a savepoint when nested); a rollback also empties the state cache. */
  transaction<T>(fn: () => T): T {
    try {
      return this.db.transaction(fn);
    } catch (err) {
      this.rows.clear();
      this.infos.clear();
      throw err;
    }
  }

  // --- meta -------------------------------------------------------------
  meta(key: string): string | undefined {
    return getMeta(this.db, key);
  }
  setMeta(key: string, value: string): void {
    setMeta(this.db, key, value);
  }

  // --- blocks -----------------------------------------------------------
  /**
   * A stored block's index entry, read through a cache: a block's height, parent and work never
   * change, and its status changes only by `setStatus`, which drops its entry (as a rollback
   * drops all). Each new block is looked up by every peer's copy of it.
   */
  blockInfo(hash: string): BlockInfo | undefined {
    const cached = this.infos.get(hash);
    if (cached !== undefined) return cached;
    const r = this.s.blockInfo.get(hash) as BlockRow | undefined;
    if (r === undefined) return undefined;
    const info = Object.freeze(toInfo(r));
    if (this.infos.size >= INFO_CACHE) this.infos.clear();
    this.infos.set(hash, info);
    return info;
  }
  private readonly infos = new Map<string, Readonly<BlockInfo>>();
  /** The block as the API serves it (JSON text), or undefined. */
  blockJson(hash: string): string | undefined {
    return this.s.blockJson.get(hash) as string | undefined;
  }
  block(hash: string): (Block & { hash: string }) | undefined {
    const j = this.blockJson(hash);
    return j === undefined ? undefined : (JSON.parse(j) as Block & { hash: string });
  }
  /** `header`: headerJson of the block. The block and the tips table change together. */
  insertBlock(info: BlockInfo, json: string, header: string): void {
    const run = () => {
      this.s.insertBlock.run(info.hash, info.height, info.prevHash, workToHex(info.work), info.status, json, header);
      this.s.untip.run(info.prevHash);
      this.s.tip.run(info.hash, info.height, info.hash);
    };
    // inside the caller's transaction (a connect, a synced chunk) no savepoint: it commits or rolls back whole
    if (this.db.inTransaction) run();
    else this.transaction(run);
  }
  /** Stored blocks with no stored child (the active tip among them), highest first: at most `limit`. */
  tips(limit: number): BlockInfo[] {
    return (this.s.tips.all(limit) as BlockRow[]).map(toInfo);
  }
  /** A stored block's parent hash. */
  parentOf(hash: string): string | undefined {
    return this.s.parentOf.get(hash) as string | undefined;
  }
  setStatus(hash: string, status: BlockStatus): void {
    this.s.setStatus.run(status, hash);
    this.infos.delete(hash);
  }
  children(hash: string): string[] {
    return this.s.children.all(hash) as string[];
  }
  /** Stored, not-invalid blocks with more work than `work`, most work first. */
  candidatesAbove(work: bigint, limit: number): BlockInfo[] {
    return (this.s.bestCandidates.all(workToHex(work), limit) as BlockRow[]).map(toInfo);
  }
  blockCount(): number {
    return this.s.blockCount.get() as number;
  }

  // --- main chain ---------------------------------------------------------
  mainHash(height: number): string | undefined {
    return this.s.mainHash.get(height) as string | undefined;
  }
  setMain(height: number, hash: string): void {
    this.s.setMain.run(height, hash);
  }
  deleteMain(height: number): void {
    this.s.deleteMain.run(height);
  }
  /** Main-chain blocks from `from`, as API JSON texts. */
  mainJsonRange(from: number, limit: number): string[] {
    return this.s.mainJsonRange.all(from, limit) as string[];
  }
  /** Main-chain headers (headerJson texts) from height `from`. */
  mainHeaderRange(from: number, limit: number): string[] {
    return this.s.mainHeaderRange.all(from, limit) as string[];
  }
  /**
   * Main-chain blocks from `from`, as API JSON texts: at most `limit`, and only as many as fit
   * in `maxBytes` (but at least one), so a page of big blocks is as small in memory as a page of
   * small ones (for answers written as they are read: src/http/stream.ts).
   */
  mainJsonPage(from: number, limit: number, maxBytes: number): string[] {
    const sizes = this.s.mainJsonSizes.all(from, limit) as number[];
    let n = 0;
    let bytes = 0;
    for (const size of sizes) {
      if (n > 0 && bytes + size > maxBytes) break;
      bytes += size;
      n++;
    }
    return n === 0 ? [] : this.mainJsonRange(from, n);
  }

  // --- state ----------------------------------------------------------------
  /**
   * State rows as stored (JSON text, null for absent), read through: every account is read
   * several times per transaction (pool checks, block checks, undo). Kept right by the writes
   * below; emptied when a transaction rolls back (`transaction`) and when it grows too big.
   */
  private readonly rows = new Map<string, string | null>();

  private row(key: string): string | null {
    let v = this.rows.get(key);
    if (v === undefined) {
      v = (this.s.stateGet.get(key) as string | undefined) ?? null;
      if (this.rows.size >= ROW_CACHE) this.rows.clear();
      this.rows.set(key, v);
    }
    return v;
  }
  get(key: string): StateValue | undefined {
    const v = this.row(key);
    return v === null ? undefined : (JSON.parse(v) as StateValue);
  }
  /** Writes `changes` and returns what they replaced (for `restoreState`). */
  writeState(changes: ReadonlyMap<string, StateValue>): UndoEntry[] {
    const undo: UndoEntry[] = [];
    for (const [key, value] of changes) {
      undo.push([key, this.row(key)]);
      const json = JSON.stringify(value);
      this.s.statePut.run(key, json);
      this.rows.set(key, json);
    }
    return undo;
  }
  restoreState(undo: readonly UndoEntry[]): void {
    for (let i = undo.length - 1; i >= 0; i--) {
      const [key, old] = undo[i] as UndoEntry;
      if (old === null) this.s.stateDelete.run(key);
      else this.s.statePut.run(key, old);
      this.rows.set(key, old);
    }
  }
  /** State entries whose keys start with `prefix`, in key order. */
  stateByPrefix(prefix: string, limit: number, offset = 0): Array<[string, StateValue]> {
    const end = prefix.slice(0, -1) + String.fromCharCode(prefix.charCodeAt(prefix.length - 1) + 1);
    const rows = this.s.stateRange.all(prefix, end, limit, offset) as Array<{ key: string; value: string }>;
    return rows.map((r) => [r.key, JSON.parse(r.value) as StateValue]);
  }

  putUndo(hash: string, undo: UndoEntry[]): void {
    this.s.putUndo.run(hash, JSON.stringify(undo));
  }
  undo(hash: string): UndoEntry[] | undefined {
    const d = this.s.getUndo.get(hash) as string | undefined;
    return d === undefined ? undefined : (JSON.parse(d) as UndoEntry[]);
  }
  deleteUndo(hash: string): void {
    this.s.deleteUndo.run(hash);
  }

  // --- indexes (built behind the tip: tx-index.ts) ---------------------------
  hasTx(id: string): boolean {
    return this.index.hasTx(id);
  }
  txLocation(id: string): TxLocation | undefined {
    return this.index.txLocation(id);
  }
  accountTxs(address: string, limit: number, before?: { height: number; pos: number }): Array<{ id: string; height: number; pos: number }> {
    return this.index.accountTxs(address, limit, before);
  }
  tokenEvents(token: string, limit: number, after?: { height: number; pos: number; seq: number }) {
    return this.index.tokenEvents(token, limit, after);
  }
}
