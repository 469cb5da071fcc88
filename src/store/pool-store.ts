import type { Db } from "./db.js";

/**
 * Persistence of the transaction pool (table `pool_log`, see schema.ts). Rows are keyed by
 * arrival order, so a burst of arrivals appends to the last pages instead of dirtying one
 * random page of an id index per transaction; the id → row map lives here, in memory.
 */
export class PoolStore {
  private readonly s;
  private readonly rowOf = new Map<string, number>();
  private nextSeq: number;
  constructor(readonly db: Db) {
    this.s = {
      add: db.prepare("INSERT INTO pool_log (seq, id, tx, received) VALUES (?, ?, ?, ?)"),
      remove: db.prepare("DELETE FROM pool_log WHERE seq = ?"),
      all: db.prepare("SELECT seq, id, tx, received FROM pool_log ORDER BY seq"),
      maxSeq: db.prepare("SELECT coalesce(max(seq), 0) FROM pool_log").pluck(),
    };
    this.nextSeq = (this.s.maxSeq.get() as number) + 1;
  }
  /** Stores a pending transaction (nothing if one with this id is stored). */
  add(id: string, txJson: string, received: number): void {
    if (this.rowOf.has(id)) return;
    const seq = this.nextSeq++;
    this.s.add.run(seq, id, txJson, received);
    this.rowOf.set(id, seq);
  }
  /** Adds several in one SQLite transaction. */
  addMany(rows: ReadonlyArray<{ id: string; json: string; received: number }>): void {
    const fresh = rows.filter((r) => !this.rowOf.has(r.id)).map((r) => r.id);
    try {
      this.db.transaction(() => {
        for (const r of rows) this.add(r.id, r.json, r.received);
      });
    } catch (err) {
      for (const id of fresh) this.rowOf.delete(id); // rolled back: not stored after all
      throw err;
    }
  }

  remove(ids: Iterable<string>): void {
    this.db.transaction(() => {
      for (const id of ids) {
        const seq = this.rowOf.get(id);
        if (seq === undefined) continue;
        this.s.remove.run(seq);
        this.rowOf.delete(id);
      }
    });
  }
  /** Every stored transaction in arrival order (a second row of an id, if any, is dropped). */
  all(): Array<{ id: string; tx: string; received: number }> {
    const rows = this.s.all.all() as Array<{ seq: number; id: string; tx: string; received: number }>;
    const out: Array<{ id: string; tx: string; received: number }> = [];
    for (const r of rows) {
      if (this.rowOf.has(r.id) && this.rowOf.get(r.id) !== r.seq) {
        this.s.remove.run(r.seq);
        continue;
      }
      this.rowOf.set(r.id, r.seq);
      out.push({ id: r.id, tx: r.tx, received: r.received });
    }
    return out;
  }
}
