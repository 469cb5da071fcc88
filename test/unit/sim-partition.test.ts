/** The partition lab at a small size: a split network heals onto one chain, with no transaction lost or confirmed twice. */
import { describe, expect, it } from "vitest";
import { type PartitionReport, runPartition } from "../../src/sim/partition.js";

const strip = ({ wall_seconds: _w, events_per_second: _e, ...rest }: PartitionReport) => rest;

describe("the partition lab", () => {
  it("both sides mine apart; healed, every node follows one chain and every transfer is confirmed once; the same for the same seed", async () => {
    const opts = { nodes: 6, split: 0.5, healAfterS: 40, intervalS: 5, txRate: 0.5, seed: 7 };
    const a = await runPartition(opts);
    expect(a).toMatchObject({ nodes: 6, sides: [3, 3], converged: true });
    expect(a.reorg_depth_max).toBeGreaterThan(0);
    expect(a.converged_after_heal_s).not.toBeNull();
    expect(a.blocks.during_split[0]).toBeGreaterThan(0);
    expect(a.blocks.during_split[1]).toBeGreaterThan(0);
    expect(a.transactions.submitted).toBeGreaterThan(20);
    expect(a.transactions).toMatchObject({ lost: 0, duplicated: 0, pending: 0, refused: 0 });
    expect(a.transactions.confirmed_once).toBe(a.transactions.submitted);
    const b = await runPartition(opts);
    expect(strip(b)).toEqual(strip(a));
  }, 60_000);

  it("with skewed clocks and nodes crashing and restarting, the network still heals and loses nothing", async () => {
    const opts = { nodes: 6, split: 0.5, healAfterS: 30, intervalS: 5, txRate: 0.5, seed: 3, skewMs: 20_000, crashes: 3 };
    const a = await runPartition(opts);
    expect(a.faults.crashes).toBe(3);
    expect(a.faults.skew_ms_max).toBeGreaterThan(0);
    expect(a.faults.skew_ms_max).toBeLessThanOrEqual(20_000);
    expect(a.converged).toBe(true);
    expect(a.transactions).toMatchObject({ lost: 0, duplicated: 0, pending: 0 });
    expect(a.transactions.confirmed_once).toBe(a.transactions.submitted - a.transactions.refused);
    const b = await runPartition(opts);
    expect(strip(b)).toEqual(strip(a));
  }, 60_000);
});
