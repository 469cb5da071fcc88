/**
 * Blocks, the main chain, the ledger state and its indexes (layout in schema.ts).
 * Methods are small synchronous steps; the node composes them inside `transaction()`.
 */
import type { StateReader, StateValue } from "../core/state.js";
import type { Block, TokenEvent, Transaction } from "../core/types.js";
import { workFromHex, workToHex } from "../core/work.js";
import { type Db, getMeta, setMeta } from "./db.js";
import { type BlockStatus, txKey } from "./schema.js";

export interface BlockInfo {
  hash: string;
  height: number;
  prevHash: string;
  work: bigint;
  status: BlockStatus;
}

export interface TxLocation {
  id: string;
  height: number;
  pos: number;
  blockHash: string;
  events: TokenEvent[];
}

type UndoEntry = [string, string | null];

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

/** Addresses a transaction concerns, for account history. */
export function addressesOf(tx: Transaction): string[] {
  const out = new Set<string>();
  if (tx.sender !== "0") out.add(tx.sender);
  if ("recipient" in tx) out.add(tx.recipient);
  if ("owner" in tx) out.add(tx.owner);
  if ("spender" in tx) out.add(tx.spender);
  return [...out];
}

export class ChainStore implements StateReader {
  private readonly s;

  constructor(readonly db: Db) {
    const p = (sql: string) => db.prepare(sql);
    this.s = {
      blockInfo: p("SELECT hash, height, prev_hash, work, status FROM blocks WHERE hash = ?"),
      blockJson: p("SELECT json FROM blocks WHERE hash = ?").pluck(),
      insertBlock: p("INSERT OR IGNORE INTO blocks (hash, height, prev_hash, work, status, json) VALUES (?, ?, ?, ?, ?, ?)"),
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
      stateGet: p("SELECT value FROM state WHERE key = ?").pluck(),
      statePut: p("INSERT INTO state (key, value) VALUES (?, ?) ON CONFLICT (key) DO UPDATE SET value = excluded.value"),
      stateDelete: p("DELETE FROM state WHERE key = ?"),
      stateRange: p("SELECT key, value FROM state WHERE key >= ? AND key < ? ORDER BY key LIMIT ? OFFSET ?"),
      putUndo: p("INSERT OR REPLACE INTO undo (hash, data) VALUES (?, ?)"),
      getUndo: p("SELECT data FROM undo WHERE hash = ?").pluck(),
      deleteUndo: p("DELETE FROM undo WHERE hash = ?"),
      putTx: p("INSERT OR REPLACE INTO txs (height, pos, id, events) VALUES (?, ?, ?, ?)"),
      putTxKey: p("INSERT OR REPLACE INTO tx_keys (k, height, pos) VALUES (?, ?, ?)"),
      getTx: p(
        "SELECT t.id, t.height, t.pos, m.hash AS block_hash, t.events FROM tx_keys x " +
          "JOIN txs t ON t.height = x.height AND t.pos = x.pos JOIN main m ON m.height = t.height WHERE x.k = ? AND t.id = ?",
      ),
      hasTx: p("SELECT 1 FROM tx_keys x JOIN txs t ON t.height = x.height AND t.pos = x.pos WHERE x.k = ? AND t.id = ?").pluck(),
      idsAt: p("SELECT id FROM txs WHERE height = ?").pluck(),
      deleteTxKey: p("DELETE FROM tx_keys WHERE k = ? AND height = ?"),
      deleteTxs: p("DELETE FROM txs WHERE height = ?"),
      putAccountTx: p("INSERT OR REPLACE INTO account_txs (address, height, pos) VALUES (?, ?, ?)"),
      deleteAccountTxs: p("DELETE FROM account_txs WHERE address = ? AND height = ?"),
      accountTxs: p(
        "SELECT t.id, a.height, a.pos FROM account_txs a JOIN txs t ON t.height = a.height AND t.pos = a.pos " +
          "WHERE a.address = ? AND (a.height < ? OR (a.height = ? AND a.pos < ?)) ORDER BY a.height DESC, a.pos DESC LIMIT ?",
      ),
      putEvent: p("INSERT OR REPLACE INTO token_events (token, height, pos, seq, tx_id, event) VALUES (?, ?, ?, ?, ?, ?)"),
      deleteEvents: p("DELETE FROM token_events WHERE height = ?"),
      tokenEvents: p(
        "SELECT event, tx_id, height, pos, seq FROM token_events WHERE token = ? AND (height > ? OR (height = ? AND (pos > ? OR (pos = ? AND seq > ?)))) ORDER BY height, pos, seq LIMIT ?",
      ),
    };
  }

  transaction<T>(fn: () => T): T {
    return this.db.transaction(fn)();
  }

  // --- meta -------------------------------------------------------------
  meta(key: string): string | undefined {
    return getMeta(this.db, key);
  }
  setMeta(key: string, value: string): void {
    setMeta(this.db, key, value);
  }

  // --- blocks -----------------------------------------------------------
  blockInfo(hash: string): BlockInfo | undefined {
    const r = this.s.blockInfo.get(hash) as BlockRow | undefined;
    return r && toInfo(r);
  }
  /** The block as the API serves it (JSON text), or undefined. */
  blockJson(hash: string): string | undefined {
    return this.s.blockJson.get(hash) as string | undefined;
  }
  block(hash: string): (Block & { hash: string }) | undefined {
    const j = this.blockJson(hash);
    return j === undefined ? undefined : (JSON.parse(j) as Block & { hash: string });
  }
  insertBlock(info: BlockInfo, json: string): void {
    this.s.insertBlock.run(info.hash, info.height, info.prevHash, workToHex(info.work), info.status, json);
  }
  setStatus(hash: string, status: BlockStatus): void {
    this.s.setStatus.run(status, hash);
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

  // --- state ----------------------------------------------------------------
  get(key: string): StateValue | undefined {
    const v = this.s.stateGet.get(key) as string | undefined;
    return v === undefined ? undefined : (JSON.parse(v) as StateValue);
  }
  /** Writes `changes` and returns what they replaced (for `restoreState`). */
  writeState(changes: ReadonlyMap<string, StateValue>): UndoEntry[] {
    const undo: UndoEntry[] = [];
    for (const [key, value] of changes) {
      undo.push([key, (this.s.stateGet.get(key) as string | undefined) ?? null]);
      this.s.statePut.run(key, JSON.stringify(value));
    }
    return undo;
  }
  restoreState(undo: readonly UndoEntry[]): void {
    for (let i = undo.length - 1; i >= 0; i--) {
      const [key, old] = undo[i] as UndoEntry;
      if (old === null) this.s.stateDelete.run(key);
      else this.s.statePut.run(key, old);
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

  // --- indexes ------------------------------------------------------------
  indexBlock(block: Block, txIds: readonly string[], events: readonly TokenEvent[][]): void {
    block.transactions.forEach((tx, pos) => {
      const id = txIds[pos] as string;
      const ev = events[pos] ?? [];
      this.s.putTx.run(block.index, pos, id, ev.length > 0 ? JSON.stringify(ev) : null);
      this.s.putTxKey.run(txKey(id), block.index, pos);
      for (const a of addressesOf(tx)) this.s.putAccountTx.run(a, block.index, pos);
      ev.forEach((e, seq) => {
        this.s.putEvent.run(e.token, block.index, pos, seq, id, JSON.stringify(e));
      });
    });
  }
  /** Removes the indexes of the main-chain block `block` (being disconnected). */
  unindexBlock(block: Block): void {
    const height = block.index;
    for (const id of this.s.idsAt.all(height) as string[]) this.s.deleteTxKey.run(txKey(id), height);
    this.s.deleteTxs.run(height);
    const addresses = new Set<string>();
    for (const tx of block.transactions) for (const a of addressesOf(tx)) addresses.add(a);
    for (const a of addresses) this.s.deleteAccountTxs.run(a, height);
    this.s.deleteEvents.run(height);
  }
  /** Whether a transaction is on the main chain (no row read). */
  hasTx(id: string): boolean {
    return this.s.hasTx.get(txKey(id), id) !== undefined;
  }
  txLocation(id: string): TxLocation | undefined {
    const r = this.s.getTx.get(txKey(id), id) as
      | { id: string; height: number; pos: number; block_hash: string; events: string | null }
      | undefined;
    if (r === undefined) return undefined;
    return { id: r.id, height: r.height, pos: r.pos, blockHash: r.block_hash, events: r.events ? JSON.parse(r.events) : [] };
  }
  /** An account's confirmed transactions, newest first, before the cursor (height, pos). */
  accountTxs(address: string, limit: number, before?: { height: number; pos: number }): Array<{ id: string; height: number; pos: number }> {
    const h = before?.height ?? Number.MAX_SAFE_INTEGER;
    const p = before?.pos ?? Number.MAX_SAFE_INTEGER;
    return this.s.accountTxs.all(address, h, h, p, limit) as Array<{ id: string; height: number; pos: number }>;
  }
  /** A token's events in chain order after the cursor. */
  tokenEvents(
    token: string,
    limit: number,
    after = { height: 0, pos: 0, seq: -1 },
  ): Array<{ event: TokenEvent; tx_id: string; height: number; pos: number; seq: number }> {
    const rows = this.s.tokenEvents.all(token, after.height, after.height, after.pos, after.pos, after.seq, limit) as Array<{
      event: string;
      tx_id: string;
      height: number;
      pos: number;
      seq: number;
    }>;
    return rows.map((r) => ({ ...r, event: JSON.parse(r.event) as TokenEvent }));
  }
}
