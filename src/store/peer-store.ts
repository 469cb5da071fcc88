import type { Db } from "./db.js";

/** A row of `peers` (a type, not an interface: it binds as named parameters). */
export type PeerRow = {
  url: string;
  added: number;
  last_seen: number | null;
  failures: number;
  next_try: number;
};

/** Persistence of known peers (table `peers`, see schema.ts). */
export class PeerStore {
  private readonly s;
  constructor(db: Db) {
    this.s = {
      all: db.prepare("SELECT url, added, last_seen, failures, next_try FROM peers ORDER BY added, url"),
      put: db.prepare(
        "INSERT INTO peers (url, added, last_seen, failures, next_try) VALUES (@url, @added, @last_seen, @failures, @next_try) " +
          "ON CONFLICT (url) DO UPDATE SET last_seen = excluded.last_seen, failures = excluded.failures, next_try = excluded.next_try",
      ),
      remove: db.prepare("DELETE FROM peers WHERE url = ?"),
    };
  }
  all(): PeerRow[] {
    return this.s.all.all() as PeerRow[];
  }
  put(row: PeerRow): void {
    this.s.put.run(row);
  }
  remove(url: string): void {
    this.s.remove.run(url);
  }
}
