/**
 * What the labs share: their network (a devnet named "lab" at a difficulty the world mines
 * in microseconds) and their random topology.
 */
import type { NetworkParams } from "../core/types.js";
import type { Rng } from "./rng.js";

/** The labs' network: a reward large enough for a transaction load to pay from (amounts of a few coins, no minimum fee). */
export const LAB: NetworkParams = {
  name: "lab",
  genesis_timestamp: 1_700_000_000,
  difficulty: 16,
  reward: 1000,
  retarget: null,
  max_block_txs: 1000,
  min_fee: 0,
};

/** Each node picks `degree` others at random; links go both ways. */
export function topology(n: number, degree: number, rng: Rng): Array<[number, number]> {
  const links = new Set<string>();
  const out: Array<[number, number]> = [];
  for (let i = 0; i < n; i++) {
    const want = Math.min(degree, n - 1);
    for (let tries = 0, got = 0; got < want && tries < 50 * want; tries++) {
      const j = rng.int(0, n - 1);
      const key = i < j ? `${i}-${j}` : `${j}-${i}`;
      if (j === i || links.has(key)) continue;
      links.add(key);
      out.push([i, j]);
      got++;
    }
  }
  return out;
}
