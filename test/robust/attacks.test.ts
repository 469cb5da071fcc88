/**
 * The attack harness (test/harness/attacks.ts, `npm run soak -- --only attacks`) on three of its
 * quick attacks, so that it keeps working: pool jamming (1), a low-work side branch (3) and
 * batches of bad signatures (6c), each against a real node, with its costs measured. The other
 * attacks are covered by the tests the harness names (RELIABILITY.md, "Attacks and what they cost").
 */
import { describe, expect, it } from "vitest";
import { runAttacks } from "../harness/attacks.js";

describe("attack harness", () => {
  it("pool jam, low-work side branch and bad signatures: every target met, every cost measured", { timeout: 120_000 }, async () => {
    const results = await runAttacks({ log: () => {}, ids: ["1", "3", "6c"] });
    expect(results.map((r) => r.id)).toEqual(["1", "3", "6c"]);
    for (const r of results) {
      expect(r.met, `${r.id} ${r.name}: ${r.outcome}`).toBe(true);
      expect(r.node.statusPolls).toBeGreaterThan(0);
      expect(r.node.cpuMs).toBeGreaterThan(0);
      expect(r.node.rssBeforeMb).toBeGreaterThan(0);
      expect(r.attacker.requests).toBeGreaterThan(0);
      expect(r.attacker.bytesSent).toBeGreaterThan(0);
    }
    const [jam, lowWork, badSigs] = results;
    expect(jam?.figures).toMatchObject({ jamPending: 0, honestStatus: 201, honestMined: true });
    expect(lowWork?.node.storeGrowthBytes).toBeLessThan(200_000);
    expect(badSigs?.figures.checked).toBeLessThanOrEqual(2000);
  });
});
