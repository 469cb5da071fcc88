/**
 * What the API reads of the stored chain beyond the tip — main-chain blocks page by page,
 * lookups by height, hash and transaction id, an account's history — as read-only views
 * over the store, so the HTTP layer asks the node and never touches the store itself.
 */
import type { SignedTx, Transaction } from "../core/types.js";
import type { ChainStore, TxLocation } from "../store/chain-store.js";
import { BlockStatus } from "../store/schema.js";

/** A confirmed transaction and where it is. */
export interface Confirmed extends TxLocation {
  tx: Transaction | undefined;
}

/** An entry of an account's history: the transaction, its block and position. */
export interface HistoryEntry {
  transaction: Transaction | SignedTx | undefined;
  block_index: number;
  position: number;
}

export class ChainReads {
  constructor(private readonly store: ChainStore) {}

  /** Main-chain block texts from `from`: at most `limit`, no more than fit in `maxBytes` (at least one). */
  mainJsonPage(from: number, limit: number, maxBytes: number): string[] {
    return this.store.mainJsonPage(from, limit, maxBytes);
  }

  /** Main-chain header texts (six fields and `hash`) from index `from` (GET /headers). */
  headersFrom(from: number, limit: number): string[] {
    return this.store.mainHeaderRange(Math.max(1, from), limit);
  }

  /** The hash of the main-chain block at `height`. */
  mainHash(height: number): string | undefined {
    return this.store.mainHash(height);
  }

  /** A stored block's height and whether it is on the main chain (invalid ones are not shown). */
  block(hash: string): { height: number; main: boolean } | undefined {
    const info = this.store.blockInfo(hash);
    if (info === undefined || info.status === BlockStatus.Invalid) return undefined;
    return { height: info.height, main: this.store.mainHash(info.height) === hash };
  }

  /** Whether a transaction is confirmed on the main chain. */
  hasTx(id: string): boolean {
    return this.store.hasTx(id);
  }

  /** A confirmed transaction with its block, position and events. */
  confirmed(id: string): Confirmed | undefined {
    const loc = this.store.txLocation(id);
    if (loc === undefined) return undefined;
    return { ...loc, tx: this.store.block(loc.blockHash)?.transactions[loc.pos] };
  }

  /** The main-chain height of a confirmed transaction. */
  heightOf(id: string): number | undefined {
    return this.store.txLocation(id)?.height;
  }

  /** An account's confirmed transactions, newest first, `limit` at most, before (height, pos) when given. */
  history(address: string, limit: number, before?: { height: number; pos: number }): HistoryEntry[] {
    const rows = this.store.accountTxs(address, limit, before);
    const blocks = new Map<number, ReturnType<ChainStore["block"]>>();
    return rows.map((r) => {
      if (!blocks.has(r.height)) blocks.set(r.height, this.store.block(this.store.mainHash(r.height) as string));
      return { transaction: blocks.get(r.height)?.transactions[r.pos], block_index: r.height, position: r.pos };
    });
  }
}
