/**
 * The node's log of its chain, told as a story: one line per block saying where it came from
 * (mined here, announced by a peer, fetched by sync), reorganisations with what left and what
 * joined, and side blocks. Blocks fetched by sync are told at debug level (sync itself logs
 * its progress); a burst (continuous mining at a low difficulty) is told in full for its first
 * lines each second and then summed up once a second.
 */
import type { Logger } from "pino";
import { BoundedSet } from "./bounded-set.js";
import type { Chain, SideBlock, TipChange } from "./chain.js";
import type { Clock, Timer } from "./clock.js";
import type { MinedBlock } from "./miner.js";

/** Where a block came from, as the log says it: "mined here", "announced by 127.0.0.1", "sync with http://…". */
export type BlockOrigin = string;

/** Where blocks came from, told by those that submit them (sync, the announcement gate). */
export interface BlockOrigins {
  /** A peer announced `hash`: `from` is the address the request came from. */
  announced(hash: string, from: string | undefined): void;
  /** Sync fetched these blocks from `peer`. */
  synced(hashes: readonly string[], peer: string): void;
}

/** Block lines told in full per second; beyond them, one summary line per second. */
export const LINES_PER_SECOND = 10;
/** Origins remembered (for blocks being checked; they are told within moments). */
const ORIGINS_MAX = 4096;

const SYNC = "sync with ";

function plural(n: number, one: string, many = `${one}s`): string {
  return `${n.toLocaleString("en-US")} ${n === 1 ? one : many}`;
}

export class ChainLog implements BlockOrigins {
  private readonly origins = new Map<string, BlockOrigin>();
  private readonly mined = new BoundedSet(ORIGINS_MAX);
  /** Block lines told in the current second, and those held back from it. */
  private second = { start: Number.NEGATIVE_INFINITY, told: 0, held: 0, height: 0 };
  private summary: Timer | undefined;

  constructor(
    chain: Chain,
    miner: { on(event: "mined", fn: (m: MinedBlock) => void): unknown },
    private readonly log: Logger,
    private readonly clock: Clock,
  ) {
    // the miner says "mined" right after the chain's tip event: the block's line waits a microtask for it
    miner.on("mined", (m) => this.mined.add(m.result.hash));
    // nothing is built for a silent log (the labs' hundreds of nodes)
    chain.on("tip", (change) => {
      if (log.isLevelEnabled("info")) queueMicrotask(() => this.tip(change));
    });
    chain.on("side", (side) => {
      if (log.isLevelEnabled("info")) this.side(side);
    });
  }

  /** Where the block `hash` came from, noted before it is submitted. */
  note(hash: string, origin: BlockOrigin): void {
    if (!this.log.isLevelEnabled("info")) return;
    if (this.origins.size >= ORIGINS_MAX) this.origins.clear(); // only a flood of unconnectable blocks fills it
    this.origins.set(hash, origin);
  }

  announced(hash: string, from: string | undefined): void {
    this.note(hash, from ? `announced by ${from}` : "announced by a peer");
  }

  synced(hashes: readonly string[], peer: string): void {
    for (const h of hashes) this.note(h, `${SYNC}${peer}`);
  }

  private originOf(hash: string): BlockOrigin | undefined {
    const o = this.origins.get(hash);
    this.origins.delete(hash);
    return this.mined.has(hash) ? "mined here" : o;
  }

  private tip(change: TipChange): void {
    const left = change.disconnected.length;
    if (left > 0) {
      const fork = (change.connected[0]?.block.index ?? change.tip.height) - 1;
      this.log.warn(
        { height: change.tip.height, tip: change.tip.hash, left, joined: change.connected.length },
        `chain reorganised after block ${fork}: ${plural(left, "block")} left the main chain, ` +
          `${plural(change.connected.length, "block")} joined; their transactions not in the new branch went back to the pool`,
      );
    }
    for (const c of change.connected) this.block(c.block.index, c.hash, c.block.transactions.length - 1, this.originOf(c.hash));
  }

  private block(height: number, hash: string, txs: number, origin: BlockOrigin | undefined): void {
    const synced = origin?.startsWith(SYNC) === true;
    // a catch-up's thousands of blocks: not even the line is built unless debug is on
    if (synced && !this.log.isLevelEnabled("debug")) return;
    const what = `block ${height}${origin ? ` ${synced ? "from " : ""}${origin}` : ""} (${plural(txs, "transaction")})`;
    if (synced) {
      this.log.debug({ height, hash }, what);
      return;
    }
    const now = this.clock.now();
    if (now - this.second.start >= 1000) {
      this.flush();
      this.second = { start: now, told: 0, held: 0, height };
    }
    if (this.second.told < LINES_PER_SECOND) {
      this.second.told++;
      this.log.info({ height, hash }, what);
      return;
    }
    this.second.held++;
    this.second.height = height;
    this.summary ??= this.clock.after(1000 - (now - this.second.start), () => this.flush(), { keepAlive: false });
  }

  /** The line for the blocks held back in the second that ended. */
  private flush(): void {
    this.summary?.cancel();
    this.summary = undefined;
    if (this.second.held === 0) return;
    this.log.info(
      { height: this.second.height, blocks: this.second.held },
      `… and ${plural(this.second.held, "more block")} in that second, up to block ${this.second.height} ` +
        "(continuous mining at this difficulty is fast: --mine-interval paces it)",
    );
    this.second.held = 0;
  }

  private side(side: SideBlock): void {
    const origin = this.originOf(side.hash);
    this.log.info(
      { height: side.height, hash: side.hash },
      `side block ${side.height}${origin ? ` (${origin})` : ""}: its branch has less work than the main chain; kept in case it grows`,
    );
  }

  close(): void {
    this.flush();
  }
}
