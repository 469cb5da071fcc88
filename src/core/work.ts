/** Cumulative work and fork choice (docs/protocol.md §4, §5). */

/** Total work of a chain whose tip has `difficulty`, on a parent with `parentWork`. */
export function addWork(parentWork: bigint, difficulty: number): bigint {
  return parentWork + BigInt(difficulty);
}

/** Fork choice: a candidate replaces the current tip only with strictly more work (a tie keeps ours). */
export function isBetterChain(candidateWork: bigint, tipWork: bigint): boolean {
  return candidateWork > tipWork;
}

/** Work as 64 hex digits, so stored values sort as numbers. */
export function workToHex(work: bigint): string {
  return work.toString(16).padStart(64, "0");
}

export function workFromHex(hex: string): bigint {
  return BigInt(`0x${hex}`);
}

/** Work for JSON: a number while exact, otherwise a decimal string. */
export function workToJson(work: bigint): number | string {
  return work <= BigInt(Number.MAX_SAFE_INTEGER) ? Number(work) : work.toString();
}
