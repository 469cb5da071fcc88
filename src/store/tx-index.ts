/**
 * The lookup indexes of the main chain: txs, tx_keys, account_txs and token_events (layout
 * in schema.ts), built behind the tip, as Bitcoin Core builds its txindex.
 *
 * Validation does not read them (nonces stop replays), so connecting a block writes only what
 * the next block's checks need (block, state, undo) plus the block's token events, which
 * cannot be recomputed later (block_events). `catchUp` then indexes the main-chain blocks
 * above meta.indexed, a step per SQLite transaction that also moves meta.indexed, so a crash
 * leaves the indexes whole up to some height and the next catch-up goes on from there.
 *
 * Every lookup catches up first, so an answer always covers the whole main chain; a node also
 * catches up in idle time (src/node/indexer.ts), so lookups rarely wait. Disconnecting a block
 * that is indexed removes its rows in the disconnect's own transaction.
 */
import type { Block, TokenEvent, Transaction } from "../core/types.js";
import { type Db, getMeta, setMeta } from "./db.js";
import { txKey } from "./schema.js";

/** Addresses a transaction concerns, for account history. */
export function addressesOf(tx: Transaction): string[] {
  const out = new Set<string>();
  if (tx.sender !== "0") out.add(tx.sender);
  if ("recipient" in tx) out.add(tx.recipient);
  if ("owner" in tx) out.add(tx.owner);
  if ("spender" in tx) out.add(tx.spender);
  return [...out];
}

export interface TxLocation {
  id: string;
  height: number;
  pos: number;
  blockHash: string;
  events: TokenEvent[];
}

/** Main-chain blocks read per catch-up step (one SQLite transaction). */
const STEP_BLOCKS = 64;

type StoredBlock = Omit<Block, "transactions"> & { hash: string; transactions: Array<Transaction & { id: string }> };

export class TxIndex {
  private readonly s;

  constructor(private readonly db: Db) {
    const p = (sql: string) => db.prepare(sql);
    this.s = {
      topHeight: p("SELECT max(height) FROM main").pluck(),
      mainRange: p("SELECT m.height, b.json FROM main m JOIN blocks b ON b.hash = m.hash WHERE m.height > ? ORDER BY m.height LIMIT ?"),
      putEvents: p("INSERT OR REPLACE INTO block_events (hash, data) VALUES (?, ?)"),
      getEvents: p("SELECT data FROM block_events WHERE hash = ?").pluck(),
      deleteEvents: p("DELETE FROM block_events WHERE hash = ?"),
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
      putTokenEvent: p("INSERT OR REPLACE INTO token_events (token, height, pos, seq, tx_id, event) VALUES (?, ?, ?, ?, ?, ?)"),
      deleteTokenEvents: p("DELETE FROM token_events WHERE height = ?"),
      tokenEvents: p(
        "SELECT event, tx_id, height, pos, seq FROM token_events WHERE token = ? AND (height > ? OR (height = ? AND (pos > ? OR (pos = ? AND seq > ?)))) ORDER BY height, pos, seq LIMIT ?",
      ),
    };
  }

  /** The main-chain height up to which the indexes are written. */
  indexedHeight(): number {
    return Number(getMeta(this.db, "indexed") ?? 0);
  }

  /** Main-chain blocks not indexed yet. */
  lag(): number {
    return ((this.s.topHeight.get() as number | null) ?? 0) - this.indexedHeight();
  }

  // --- kept in step with the main chain (inside the block's transaction) ---

  /** A block joins the main chain: keeps its token events (`events[pos]`) for the indexer. */
  connected(hash: string, events: readonly TokenEvent[][]): void {
    if (events.some((e) => e.length > 0)) this.s.putEvents.run(hash, JSON.stringify(events));
  }

  /** The main chain's tip block `block` (hash `hash`) leaves it. */
  disconnected(block: Block, hash: string): void {
    this.s.deleteEvents.run(hash);
    const height = block.index;
    if (height > this.indexedHeight()) return; // not indexed yet: nothing to remove
    for (const id of this.s.idsAt.all(height) as string[]) this.s.deleteTxKey.run(txKey(id), height);
    this.s.deleteTxs.run(height);
    const addresses = new Set<string>();
    for (const tx of block.transactions) for (const a of addressesOf(tx)) addresses.add(a);
    for (const a of addresses) this.s.deleteAccountTxs.run(a, height);
    this.s.deleteTokenEvents.run(height);
    setMeta(this.db, "indexed", String(height - 1));
  }

  // --- building ---------------------------------------------------------------

  /**
   * Indexes main-chain blocks above meta.indexed, a step of up to 64 blocks per SQLite
   * transaction, until the tip or until about `maxTxs` transactions were indexed (a caller
   * sharing the thread keeps its steps short). Returns the number of blocks indexed.
   */
  catchUp(maxTxs = Number.POSITIVE_INFINITY): number {
    let blocks = 0;
    let txs = 0;
    // nothing to index (the usual case for a lookup): no write transaction is opened
    while (txs < maxTxs && this.lag() > 0) {
      const read = this.db.transaction(() => {
        const from = this.indexedHeight();
        const rows = this.s.mainRange.all(from, STEP_BLOCKS) as Array<{ height: number; json: string }>;
        let at = from;
        for (const r of rows) {
          if (r.height !== at + 1) throw new Error(`the main chain has no block at height ${at + 1}`);
          txs += this.indexBlock(JSON.parse(r.json) as StoredBlock);
          at = r.height;
          blocks++;
          if (txs >= maxTxs) break;
        }
        if (at !== from) setMeta(this.db, "indexed", String(at));
        return rows.length;
      });
      if (read < STEP_BLOCKS) break;
    }
    return blocks;
  }

  private indexBlock(block: StoredBlock): number {
    const height = block.index;
    const saved = this.s.getEvents.get(block.hash) as string | undefined;
    const events = saved === undefined ? [] : (JSON.parse(saved) as TokenEvent[][]);
    block.transactions.forEach((tx, pos) => {
      const ev = events[pos] ?? [];
      this.s.putTx.run(height, pos, tx.id, ev.length > 0 ? JSON.stringify(ev) : null);
      this.s.putTxKey.run(txKey(tx.id), height, pos);
      for (const a of addressesOf(tx)) this.s.putAccountTx.run(a, height, pos);
      ev.forEach((e, seq) => {
        this.s.putTokenEvent.run(e.token, height, pos, seq, tx.id, JSON.stringify(e));
      });
    });
    if (saved !== undefined) this.s.deleteEvents.run(block.hash);
    return block.transactions.length;
  }

  // --- lookups (each catches up first) ------------------------------------------

  /** Whether a transaction is on the main chain (no row read). */
  hasTx(id: string): boolean {
    this.catchUp();
    return this.s.hasTx.get(txKey(id), id) !== undefined;
  }

  txLocation(id: string): TxLocation | undefined {
    this.catchUp();
    const r = this.s.getTx.get(txKey(id), id) as
      | { id: string; height: number; pos: number; block_hash: string; events: string | null }
      | undefined;
    if (r === undefined) return undefined;
    return { id: r.id, height: r.height, pos: r.pos, blockHash: r.block_hash, events: r.events ? JSON.parse(r.events) : [] };
  }

  /** An account's confirmed transactions, newest first, before the cursor (height, pos). */
  accountTxs(address: string, limit: number, before?: { height: number; pos: number }): Array<{ id: string; height: number; pos: number }> {
    this.catchUp();
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
    this.catchUp();
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
