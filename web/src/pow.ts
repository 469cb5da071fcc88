/** Proof-of-work arithmetic for display (docs/protocol.md §4), done in the browser with BigInt. */
import type { Block } from "./api.js";

const MAX = (1n << 256n) - 1n;

/** The largest hash that meets `difficulty`: ⌊(2^256 − 1) / difficulty⌋, as 64 hex characters. */
export function targetHex(difficulty: number): string {
  return (MAX / BigInt(difficulty)).toString(16).padStart(64, "0");
}

/** H × difficulty < 2^256, i.e. H ≤ target. */
export function meetsTarget(hash: string, difficulty: number): boolean {
  return BigInt(`0x${hash}`) <= MAX / BigInt(difficulty);
}

export const leadingZeros = (hex: string): number => /^0*/.exec(hex)?.[0].length ?? 0;

/** Index of the first hex digit where a and b differ (64 if equal). */
export function firstDifference(a: string, b: string): number {
  let i = 0;
  while (i < a.length && a[i] === b[i]) i++;
  return i;
}

/** The header's canonical JSON (keys sorted, no white space): what the block hash is the SHA-256 of. */
export function canonicalHeader(b: Block): string {
  const header: Record<string, unknown> = {
    difficulty: b.difficulty,
    index: b.index,
    previous_hash: b.previous_hash,
    proof: b.proof,
    timestamp: b.timestamp,
    tx_root: b.tx_root,
  };
  return `{${Object.keys(header)
    .sort()
    .map((k) => `${JSON.stringify(k)}:${JSON.stringify(header[k])}`)
    .join(",")}}`;
}

/** SHA-256 hex in the browser, or undefined where Web Crypto is not offered (plain http off localhost). */
export async function sha256Hex(text: string): Promise<string | undefined> {
  const subtle = globalThis.crypto?.subtle;
  if (subtle === undefined) return undefined;
  const digest = await subtle.digest("SHA-256", new TextEncoder().encode(text));
  return [...new Uint8Array(digest)].map((b) => b.toString(16).padStart(2, "0")).join("");
}
