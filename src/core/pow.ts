/** Proof of work arithmetic (docs/protocol.md §4): H × difficulty < 2^256. */

export const TWO_256 = 1n << 256n;

/** True when the 64-hex `hash`, read as an unsigned integer H, satisfies H × difficulty < 2^256. */
export function meetsDifficulty(hash: string, difficulty: number): boolean {
  return BigInt(`0x${hash}`) * BigInt(difficulty) < TWO_256;
}

/**
 * The largest hash value that meets `difficulty`: H × d < 2^256 ⇔ H ≤ ⌊(2^256 − 1) / d⌋.
 * Miners compare against it instead of multiplying per try.
 */
export function targetFor(difficulty: number): bigint {
  return (TWO_256 - 1n) / BigInt(difficulty);
}

/** The target as 64 hex characters, for display next to a block hash. */
export function targetHex(difficulty: number): string {
  return targetFor(difficulty).toString(16).padStart(64, "0");
}
