/** The propagation lab at a small size: its figures, and the same output for the same seed. */
import { describe, expect, it } from "vitest";
import { cdfPoints } from "../../src/sim/lab-files.js";
import { runPropagation, wilson95 } from "../../src/sim/propagation.js";

describe("the propagation lab", () => {
  it("measures propagation and stale blocks of real nodes, the same for the same seed", async () => {
    const opts = { nodes: 8, blocks: 40, intervalS: 10, latencyMs: 200, degree: 3, txRatePerS: 0.5, seed: 7 };
    const a = await runPropagation(opts);
    expect(a.nodes).toBe(8);
    expect(a.blocks.mined).toBe(40);
    expect(a.converged).toBe(true);
    expect(a.blocks.main + a.blocks.stale).toBe(40);
    // a block needs at least one link's latency to reach another node
    expect(a.propagation_ms.p50).toBeGreaterThanOrEqual(200);
    expect(a.propagation_ms.p99).toBeGreaterThanOrEqual(a.propagation_ms.p50);
    // arrivals from the 3rd block to the 37th, about 0.5 a second over ~340 s, every one confirmed once
    const tx = a.transactions;
    expect(tx.submitted).toBeGreaterThan(100);
    expect(tx).toMatchObject({ confirmed: tx.submitted, refused: 0, duplicated: 0, pending: 0, lost: 0 });
    expect(a.stale_rate_95[0]).toBeLessThanOrEqual(a.stale_rate);
    expect(a.stale_rate_95[1]).toBeGreaterThanOrEqual(a.stale_rate);
    expect(a.requests.sent).toBeGreaterThan(0);
    const b = await runPropagation(opts);
    const { wall_seconds: _w1, events_per_second: _e1, ...restA } = a;
    const { wall_seconds: _w2, events_per_second: _e2, ...restB } = b;
    expect(restB).toEqual(restA);
  }, 120_000);
});

describe("the stale rate's 95 % interval (Wilson score)", () => {
  it("matches published values and stays within [0, 1]", () => {
    // 8 of 300: 1.36 % to 5.17 %; 0 of 10: 0 to 27.75 %; 10 of 10: 72.25 % to 1
    expect(wilson95(8, 300).map((x) => Number(x.toFixed(4)))).toEqual([0.0136, 0.0517]);
    expect(wilson95(0, 10).map((x) => Number(x.toFixed(4)))).toEqual([0, 0.2775]);
    expect(wilson95(10, 10).map((x) => Number(x.toFixed(4)))).toEqual([0.7225, 1]);
    expect(wilson95(0, 0)).toEqual([0, 1]);
  });
});

describe("the propagation plot's points", () => {
  it("a step per kept delay, from 0 to the whole share, at most the points asked for", () => {
    expect(cdfPoints([])).toEqual([]);
    expect(cdfPoints([100, 200, 200, 400])).toEqual([
      { ms: 0, share: 0 },
      { ms: 100, share: 0.25 },
      { ms: 200, share: 0.5 },
      { ms: 200, share: 0.75 },
      { ms: 400, share: 1 },
    ]);
    const many = Array.from({ length: 10_001 }, (_, i) => i);
    const pts = cdfPoints(many, 100);
    expect(pts.length).toBeLessThanOrEqual(102);
    expect(pts.at(-1)).toEqual({ ms: 10_000, share: 1 });
    for (let i = 1; i < pts.length; i++)
      expect((pts[i] as { share: number }).share).toBeGreaterThan((pts[i - 1] as { share: number }).share);
  });
});
