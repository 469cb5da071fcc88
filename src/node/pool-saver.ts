/**
 * Saves the pool's accepted transactions, those of one tick in one SQLite transaction;
 * each `save` resolves once committed, so a transaction is answered 201 only when it would
 * survive a crash.
 */
import type { PoolStore } from "../store/pool-store.js";

interface Waiting {
  id: string;
  json: string;
  received: number;
  resolve: () => void;
  reject: (e: unknown) => void;
}

export class BatchedSaver {
  private readonly queue: Waiting[] = [];

  constructor(private readonly store: PoolStore) {}

  save(id: string, json: string, received: number): Promise<void> {
    return new Promise((resolve, reject) => {
      this.queue.push({ id, json, received, resolve, reject });
      if (this.queue.length === 1) {
        setImmediate(() => {
          const batch = this.queue.splice(0);
          try {
            this.store.addMany(batch);
          } catch (err) {
            for (const b of batch) b.reject(err);
            return;
          }
          for (const b of batch) b.resolve();
        });
      }
    });
  }
}
