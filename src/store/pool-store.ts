import type { Db } from "./db.js";

/** Persistence of the transaction pool (table `pool`, see schema.ts). */
export class PoolStore {
  private readonly s;
  constructor(readonly db: Db) {
    this.s = {
      add: db.prepare("INSERT OR IGNORE INTO pool (id, tx, received) VALUES (?, ?, ?)"),
      remove: db.prepare("DELETE FROM pool WHERE id = ?"),
      all: db.prepare("SELECT id, tx, received FROM pool ORDER BY received, id"),
    };
  }
  add(id: string, txJson: string, received: number): void {
    this.s.add.run(id, txJson, received);
  }
  /** Adds several in one SQLite transaction. */
  addMany(rows: ReadonlyArray<{ id: string; json: string; received: number }>): void {
    this.db.transaction(() => {
      for (const r of rows) this.s.add.run(r.id, r.json, r.received);
    })();
  }

  remove(ids: Iterable<string>): void {
    this.db.transaction(() => {
      for (const id of ids) this.s.remove.run(id);
    })();
  }
  all(): Array<{ id: string; tx: string; received: number }> {
    return this.s.all.all() as Array<{ id: string; tx: string; received: number }>;
  }
}
