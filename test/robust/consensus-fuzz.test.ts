/**
 * Consensus fuzzing (test/harness/consensus.ts, fixed seed): honest branches and randomly mutated
 * blocks and chains, POSTed to /blocks (in order or shuffled) or served by a scripted peer on
 * 127.0.0.1 and pulled with /nodes/resolve, while the node mines and takes transactions of its
 * own. After every case the chain passes the independent checks, coins are conserved and no
 * transaction is confirmed twice; no mutated block is ever on the main chain. The long
 * version is `npm run soak`.
 */
import { describe, expect, it } from "vitest";
import { consensusFuzz } from "../harness/consensus.js";

const CASES = Number(process.env.ROBUST_CONSENSUS_CASES ?? 150);

describe("consensus fuzzing", () => {
  it(`${CASES} cases of honest and mutated blocks: the chain always validates`, { timeout: 300_000 }, async () => {
    const r = await consensusFuzz({ cases: CASES, seed: 4242, timeLimitMs: 200_000 });
    console.log(`consensus fuzz: ${JSON.stringify({ ...r, byMutation: undefined })}`);
    expect(r.problems).toEqual([]);
    expect(r.stoppedEarly).toBeUndefined();
    expect(r.cases).toBe(CASES);
    expect(r.fiveXX).toBe(0);
    expect(r.lies).toBeGreaterThan(CASES / 3);
    expect(r.liesRefused).toBe(r.lies);
    expect(r.honestFollowed).toBeGreaterThan(0);
    expect(r.reorgs).toBeGreaterThan(0);
  });
});
