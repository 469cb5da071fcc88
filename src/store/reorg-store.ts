import type { Db } from "./db.js";

/** Reorganisations the store keeps at most (the oldest go first). */
export const MAX_REORGS = 1000;

/** A stored reorganisation: its row number (the paging cursor), time (ms) and JSON. */
export interface ReorgRow {
  seq: number;
  at: number;
  data: string;
}

/**
 * The history of reorganisations (table `reorgs`, see schema.ts): appended inside the
 * reorganisation's own transaction, the oldest dropped beyond MAX_REORGS, read newest first.
 */
export class ReorgStore {
  private readonly s;
  constructor(
    readonly db: Db,
    private readonly keep = MAX_REORGS,
  ) {
    this.s = {
      add: db.prepare("INSERT INTO reorgs (at, data) VALUES (?, ?)"),
      prune: db.prepare("DELETE FROM reorgs WHERE seq <= (SELECT max(seq) FROM reorgs) - ?"),
      newest: db.prepare("SELECT seq, at, data FROM reorgs ORDER BY seq DESC LIMIT ?"),
      before: db.prepare("SELECT seq, at, data FROM reorgs WHERE seq < ? ORDER BY seq DESC LIMIT ?"),
    };
  }
  /** Appends one (in the caller's transaction) and drops those beyond the newest `keep`. */
  add(at: number, data: string): void {
    this.s.add.run(at, data);
    this.s.prune.run(this.keep);
  }
  /** The newest `limit`, newest first, before row `before` when given. */
  page(limit: number, before?: number): ReorgRow[] {
    return (before === undefined ? this.s.newest.all(limit) : this.s.before.all(before, limit)) as ReorgRow[];
  }
}
