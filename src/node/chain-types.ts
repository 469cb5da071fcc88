/** The chain's public shapes: its tip, what a tip change moved, what a submitted block came to. */
import type { CheckedBlock } from "../core/block.js";
import type { BlockHeader } from "../core/types.js";
import type { Clock } from "./clock.js";

export interface Tip {
  hash: string;
  height: number;
  work: bigint;
  header: BlockHeader;
}

/** What moved when the tip changed: blocks left (tip first) and joined (in order). */
export interface TipChange {
  tip: Tip;
  disconnected: CheckedBlock[];
  connected: CheckedBlock[];
}

export type SubmitOutcome = "connected" | "reorganized" | "side" | "known";

export interface SubmitResult {
  outcome: SubmitOutcome;
  hash: string;
  height: number;
}

/**
 * The chain's events. `tip`: after the tip changed. `side`: after a block was stored off
 * the main chain (a fork; it may join the main chain later, with a `tip` event). `switching`: inside the database
 * transaction of a reorganisation, with the blocks that leave the main chain (tip first) and
 * those that join it, so what depends on them (the pool's saved transactions) is written
 * atomically with the switch and survives a crash right after it; a listener that throws
 * undoes the switch.
 */
export interface ChainEvents {
  tip: [TipChange];
  side: [SideBlock];
  switching: [disconnected: CheckedBlock[], connected: CheckedBlock[]];
}

/** A block stored off the main chain. */
export interface SideBlock {
  hash: string;
  height: number;
}

export interface ChainOptions {
  /** The node's clock (default: the machine's). */
  clock?: Clock;
}

/** `submitMany` stopped at block `index` of the run because of `cause`. */
export class PageError extends Error {
  constructor(
    readonly index: number,
    override readonly cause: unknown,
    /** What the blocks before it came to. */
    readonly results: SubmitResult[],
  ) {
    super(`block ${index} of the run: ${(cause as Error).message}`);
  }
}
