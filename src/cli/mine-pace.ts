/**
 * The warning `--mine` gives on a fixed, low difficulty with no `--mine-interval`: such a node
 * finds blocks as fast as it hashes (thousands a second at difficulty 1000), each with its log
 * line, and a learner sees a blur instead of blocks.
 */

/** Tries a second of one thread with the native search (BENCHMARKS.md §1: 10–11.5 M with sha-ni): an order of magnitude. */
const TRIES_PER_THREAD_S = 10_000_000;

export interface PaceSettings {
  difficulty: number;
  threads: number;
  /** The network retargets its difficulty (it then rises to the network's block time by itself). */
  retargets: boolean;
  mineIntervalS?: number;
}

/** The warning, or undefined when blocks will come no faster than about one a second. */
export function minePaceWarning(s: PaceSettings): string | undefined {
  if (s.mineIntervalS !== undefined || s.retargets) return undefined;
  const perS = (s.threads * TRIES_PER_THREAD_S) / s.difficulty;
  if (perS < 1) return undefined;
  const rate =
    perS >= 100
      ? `up to ${Math.round(perS).toLocaleString("en-US")} blocks`
      : `about ${Math.round(perS)} block${Math.round(perS) === 1 ? "" : "s"}`;
  const threads = s.threads === 1 ? "1 thread" : `${s.threads} threads`;
  return (
    `--mine at difficulty ${s.difficulty.toLocaleString("en-US")} with no --mine-interval: with ${threads} of about ` +
    `${TRIES_PER_THREAD_S / 1e6} million tries a second, this node may find ${rate} a second, each with a log line; ` +
    "add --mine-interval SECONDS to rest after each block, or raise --difficulty"
  );
}
