import type { BlockHeader, NetworkParams } from "./types.js";

/** Milliseconds of a protocol timestamp, as docs/protocol.md §4 rounds it. */
export function timestampMs(timestamp: number): number {
  return Math.round(timestamp * 1000);
}

/**
 * True when block `index` is a retarget block: its `index − 1` is a multiple of the interval
 * and > 1 (docs/protocol.md §4). docs/protocol.md §4 measures from "the block `interval` before the parent"; at the first
 * multiple that would be index 0, which does not exist (the chain starts at 1), so a retarget
 * also needs that ancestor to exist; until then blocks keep their parent's difficulty.
 */
export function isRetargetHeight(params: NetworkParams, index: number): boolean {
  const r = params.retarget;
  if (r === null) return false;
  const p = index - 1;
  return p > 1 && p % r.interval === 0 && p - r.interval >= 1;
}

/**
 * The difficulty a block at `parent.index + 1` must carry (docs/protocol.md §4).
 * `ancestor` is the block `interval` before the parent; it is needed only at retarget heights
 * (see `isRetargetHeight`), and may be undefined otherwise.
 */
export function requiredDifficulty(params: NetworkParams, parent: BlockHeader, ancestor: BlockHeader | undefined): number {
  const r = params.retarget;
  const index = parent.index + 1;
  if (r === null) return params.difficulty;
  if (!isRetargetHeight(params, index)) return parent.difficulty;
  if (ancestor === undefined || ancestor.index !== parent.index - r.interval) {
    throw new Error(`retarget at ${index} needs the block at ${parent.index - r.interval}`);
  }
  const expected = r.interval * r.block_time * 1000;
  let actual = timestampMs(parent.timestamp) - timestampMs(ancestor.timestamp);
  actual = Math.min(Math.max(actual, expected / 4), expected * 4);
  // BigInt keeps parent.difficulty × expected exact beyond 2^53.
  const scaled = (BigInt(parent.difficulty) * BigInt(expected) * 4n) / BigInt(Math.round(actual * 4));
  const next = scaled > BigInt(Number.MAX_SAFE_INTEGER) ? Number.MAX_SAFE_INTEGER : Number(scaled);
  return Math.max(1, next);
}

/** Index of the ancestor that `requiredDifficulty` needs for a child of `parentIndex`, if any. */
export function retargetAncestorIndex(params: NetworkParams, parentIndex: number): number | undefined {
  const r = params.retarget;
  if (r === null || !isRetargetHeight(params, parentIndex + 1)) return undefined;
  return parentIndex - r.interval;
}
