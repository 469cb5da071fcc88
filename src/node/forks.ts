/**
 * The forks this node knows (docs/protocol.md §7 GET /chain/tips, GET /reorgs): the tips of
 * the branches its store holds, and the history of its reorganisations, each written by the
 * chain's `switching` event inside the reorganisation's own transaction (so a crash never
 * keeps a switch without its entry, nor an entry without its switch), timed by the node's clock.
 */
import type { ChainTip, ReorgEntry } from "../api/forks.js";
import { abandonedTransactions, type CheckedBlock } from "../core/block.js";
import { workToJson } from "../core/work.js";
import type { ChainStore } from "../store/chain-store.js";
import type { ReorgStore } from "../store/reorg-store.js";
import { BlockStatus } from "../store/schema.js";
import type { Chain } from "./chain.js";
import type { Clock } from "./clock.js";

/** Blocks listed per side of an entry (`depth` and the heights tell how many moved). */
export const MAX_LISTED_BLOCKS = 100;
/** Transaction ids listed per entry (`returned_count` tells how many). */
export const MAX_LISTED_RETURNED = 1000;

const ref = (c: CheckedBlock) => ({ index: c.block.index, hash: c.hash, txs: c.block.transactions.length });
const workOf = (blocks: readonly CheckedBlock[]) => blocks.reduce((w, c) => w + BigInt(c.block.difficulty), 0n);

/** A reorganisation as stored (its `id` is the row's). */
type StoredReorg = Omit<ReorgEntry, "id">;

export class Forks {
  constructor(
    private readonly chain: Chain,
    private readonly store: ChainStore,
    private readonly history: ReorgStore,
    private readonly clock: Clock,
  ) {
    chain.on("switching", (disconnected, connected) => this.record(disconnected, connected));
  }

  /** Inside the switch's transaction: `disconnected` tip first, `connected` in order. */
  private record(disconnected: CheckedBlock[], connected: CheckedBlock[]): void {
    const left = [...disconnected].reverse();
    const returned = abandonedTransactions(left, connected).map((t) => t.id);
    const first = left[0] as CheckedBlock;
    const last = connected.at(-1) as CheckedBlock;
    const entry: StoredReorg = {
      at: this.clock.now(),
      height_before: (disconnected[0] as CheckedBlock).block.index,
      height_after: last.block.index,
      fork_height: first.block.index - 1,
      depth: left.length,
      tip: last.hash,
      left: left.slice(0, MAX_LISTED_BLOCKS).map(ref),
      joined: connected.slice(0, MAX_LISTED_BLOCKS).map(ref),
      returned_to_pool: returned.slice(0, MAX_LISTED_RETURNED),
      returned_count: returned.length,
      left_work: workToJson(workOf(left)),
      joined_work: workToJson(workOf(connected)),
    };
    this.history.add(entry.at, JSON.stringify(entry));
  }

  /** Reorganisations, newest first: at most `limit`, older than entry `before` when given. */
  reorgs(limit: number, before?: number): ReorgEntry[] {
    return this.history.page(limit, before).map((r) => ({ id: r.seq, ...(JSON.parse(r.data) as StoredReorg) }));
  }

  /** The active tip, then at most `limit` side tips, highest first. */
  tips(limit: number): ChainTip[] {
    const active = this.chain.tip;
    const out: ChainTip[] = [
      { hash: active.hash, height: active.height, branch_length: 0, work: workToJson(active.work), status: "active" },
    ];
    const toMain = new Map<string, number>(); // blocks from a side block back to the main chain, shared by branches
    for (const info of this.store.tips(limit + 1)) {
      if (info.hash === active.hash) continue;
      if (out.length > limit) break;
      out.push({
        hash: info.hash,
        height: info.height,
        branch_length: this.branchLength(info.hash, info.height, toMain),
        work: workToJson(info.work),
        status: info.status === BlockStatus.Invalid ? "invalid" : "valid-fork",
      });
    }
    return out;
  }

  /** Blocks from a stored block back to the main chain (bounded by its height: genesis is on it). */
  private branchLength(hash: string, height: number, toMain: Map<string, number>): number {
    const path: string[] = [];
    let cur: string | undefined = hash;
    let base = 0;
    for (let h = height; cur !== undefined && h > 1; h--) {
      const known = toMain.get(cur);
      if (known !== undefined) {
        base = known;
        break;
      }
      if (this.store.mainHash(h) === cur) break;
      path.push(cur);
      cur = this.store.parentOf(cur);
    }
    for (let i = path.length - 1, n = base + 1; i >= 0; i--, n++) toMain.set(path[i] as string, n);
    return base + path.length;
  }
}
