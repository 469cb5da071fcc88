/**
 * Block templates: the next block to mine on the tip, filled from the pool by fee
 * (each sender's transactions in nonce order), every transaction checked against the
 * state as the block would leave it.
 */
import { txId } from "../core/encoding.js";
import { RuleError } from "../core/errors.js";
import { txRootHex } from "../core/merkle.js";
import { StateOverlay } from "../core/state.js";
import { applyTransaction } from "../core/transition.js";
import type { Block, CoinbaseTx, SignedTx } from "../core/types.js";
import type { Chain } from "./chain.js";
import type { Pool, PoolEntry } from "./pool.js";

export interface Template {
  /** The block with `proof` 0, to be searched. */
  block: Block;
  parentHash: string;
  txIds: string[];
}

/** Higher fee first; on a tie, the earlier arrival. */
function better(a: PoolEntry, b: PoolEntry): boolean {
  return a.tx.fee > b.tx.fee || (a.tx.fee === b.tx.fee && a.seq < b.seq);
}

/** A small binary heap of queue heads. */
class Heap {
  private readonly items: Array<{ list: PoolEntry[]; at: number }> = [];
  push(item: { list: PoolEntry[]; at: number }): void {
    const a = this.items;
    a.push(item);
    let i = a.length - 1;
    while (i > 0) {
      const p = (i - 1) >> 1;
      if (!better(head(a[i]), head(a[p]))) break;
      [a[i], a[p]] = [a[p] as (typeof a)[number], a[i] as (typeof a)[number]];
      i = p;
    }
  }
  pop(): { list: PoolEntry[]; at: number } | undefined {
    const a = this.items;
    const top = a[0];
    const last = a.pop();
    if (a.length > 0 && last !== undefined) {
      a[0] = last;
      let i = 0;
      for (;;) {
        const l = 2 * i + 1;
        const r = l + 1;
        let m = i;
        if (l < a.length && better(head(a[l]), head(a[m]))) m = l;
        if (r < a.length && better(head(a[r]), head(a[m]))) m = r;
        if (m === i) break;
        [a[i], a[m]] = [a[m] as (typeof a)[number], a[i] as (typeof a)[number]];
        i = m;
      }
    }
    return top;
  }
}

function head(item: { list: PoolEntry[]; at: number } | undefined): PoolEntry {
  const it = item as { list: PoolEntry[]; at: number };
  return it.list[it.at] as PoolEntry;
}

/** Builds the next block on the tip paying the reward and fees to `minerAddress`. */
export function buildTemplate(chain: Chain, pool: Pool, minerAddress: string, nowS: number): Template {
  const tip = chain.tip;
  const params = chain.params;
  const state = new StateOverlay(chain.store);
  const heap = new Heap();
  for (const list of pool.readyBySender()) heap.push({ list, at: 0 });
  const chosen: PoolEntry[] = [];
  let fees = 0;
  while (chosen.length < params.max_block_txs - 1) {
    const item = heap.pop();
    if (item === undefined) break;
    const e = item.list[item.at] as PoolEntry;
    const mark = state.mark();
    try {
      applyTransaction(state, e.tx, e.id, params);
    } catch (err) {
      if (!(err instanceof RuleError)) throw err;
      state.revert(mark);
      continue; // the rest of this sender's queue depends on it
    }
    if (fees + e.tx.fee + params.reward > Number.MAX_SAFE_INTEGER) {
      state.revert(mark);
      continue;
    }
    fees += e.tx.fee;
    chosen.push(e);
    if (item.at + 1 < item.list.length) heap.push({ list: item.list, at: item.at + 1 });
  }
  const index = tip.height + 1;
  const coinbase: CoinbaseTx = { type: "coinbase", sender: "0", recipient: minerAddress, amount: params.reward + fees, height: index };
  const txs: Array<CoinbaseTx | SignedTx> = [coinbase, ...chosen.map((e) => e.tx)];
  const txIds = [txId(coinbase), ...chosen.map((e) => e.id)];
  // milliseconds precision, never before the parent (docs/protocol.md §4)
  const timestamp = Math.max(Math.floor(nowS * 1000) / 1000, tip.header.timestamp);
  return {
    block: {
      index,
      timestamp,
      transactions: txs,
      proof: 0,
      previous_hash: tip.hash,
      difficulty: chain.difficultyAfter(tip.hash),
      tx_root: txRootHex(txIds),
    },
    parentHash: tip.hash,
    txIds,
  };
}
