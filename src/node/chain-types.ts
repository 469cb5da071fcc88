/** The chain's public shapes: its tip, what a tip change moved, what a submitted block came to. */
import type { CheckedBlock } from "../core/block.js";
import type { BlockHeader } from "../core/types.js";

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

export interface ChainOptions {
  /** The node's clock, in seconds since the epoch. */
  now?: () => number;
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
