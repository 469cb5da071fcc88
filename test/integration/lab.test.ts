/**
 * `tinychain lab propagation` and `tinychain lab partition` from the command line, at a small
 * size: the figures they promise (docs/protocol.md §8.4, README "Labs"), and the same output
 * for the same seed.
 */
import { execFile } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { promisify } from "node:util";
import { describe, expect, it } from "vitest";
import { LAB } from "../../src/sim/lab-network.js";
import { type ApiBlock, chainProblems } from "../harness/check.js";
import { BIN } from "../helpers/node-process.js";

const run = promisify(execFile);

async function lab(args: string[], experiment = "propagation"): Promise<Record<string, unknown>> {
  const { stdout } = await run(process.execPath, [BIN, "lab", experiment, ...args, "--json"], { timeout: 60_000 });
  return JSON.parse(stdout);
}

describe("tinychain lab propagation", () => {
  it("prints the propagation figures as one JSON object, the same for the same seed", async () => {
    const args = [
      "--nodes",
      "6",
      "--blocks",
      "25",
      "--interval",
      "5",
      "--latency",
      "300",
      "--degree",
      "2",
      "--tx-rate",
      "1",
      "--seed",
      "11",
    ];
    const a = await lab(args);
    expect(a).toMatchObject({ nodes: 6, converged: true });
    expect(a.blocks).toMatchObject({ mined: 25 });
    const p = a.propagation_ms as { p50: number; p90: number; p99: number };
    expect(p.p50).toBeGreaterThanOrEqual(300);
    expect(p.p90).toBeGreaterThanOrEqual(p.p50);
    expect(a.predicted_stale_rate).toBeCloseTo(1 - Math.exp(-(a.t_ms as number) / 5_000), 3);
    for (const key of ["t_ms", "stale_rate", "wall_seconds", "events"]) expect(typeof a[key]).toBe("number");
    const tx = a.transactions as { submitted: number; confirmed: number; lost: number };
    expect(tx.submitted).toBeGreaterThan(0);
    expect(tx).toMatchObject({ confirmed: tx.submitted, lost: 0 });
    const b = await lab(args);
    const strip = ({ wall_seconds, events_per_second, ...rest }: Record<string, unknown>) => rest;
    expect(strip(b)).toEqual(strip(a));
    const other = await lab(args.map((x) => (x === "11" ? "12" : x)));
    expect(strip(other)).not.toEqual(strip(a));
  });

  it("--out writes the main chain (it checks block by block), the report and the plot", async () => {
    const out = mkdtempSync(join(tmpdir(), "tinychain-lab-out-"));
    try {
      const args = ["--nodes", "5", "--blocks", "12", "--interval", "5", "--latency", "100", "--seed", "3", "--out", out];
      const report = await lab(args);
      const lines = readFileSync(join(out, "chain.jsonl"), "utf8").trimEnd().split("\n");
      const chain = lines.map((l) => JSON.parse(l) as ApiBlock);
      expect(chain.length).toBe(1 + (report.blocks as { main: number }).main); // the genesis block and the main chain
      expect(chainProblems(chain, { difficulty: LAB.difficulty, reward: LAB.reward, genesisTimestamp: LAB.genesis_timestamp })).toEqual([]);
      expect(JSON.parse(readFileSync(join(out, "report.json"), "utf8"))).toEqual(report);
      const svg = readFileSync(join(out, "propagation.svg"), "utf8");
      expect(svg).toMatch(/^<svg[^>]*>/);
      expect(svg).toContain("How fast blocks reach the nodes");
    } finally {
      rmSync(out, { recursive: true, force: true });
    }
  });

  it("refuses a bad option with what it expects", async () => {
    const err = await run(process.execPath, [
      BIN,
      "lab",
      "propagation",
      "--nodes",
      "1",
      "--blocks",
      "2",
      "--interval",
      "1",
      "--latency",
      "1",
    ]).catch((e: { code: number; stderr: string }) => e);
    expect(err).toMatchObject({ code: 1 });
    expect((err as { stderr: string }).stderr).toContain("expected a number from 2 to");
  });
});

describe("tinychain lab partition", () => {
  it("a split network heals onto one tip with every transfer confirmed once, the same for the same seed", async () => {
    const args = ["--nodes", "6", "--split", "0.5", "--heal-after", "30", "--interval", "5", "--tx-rate", "0.5"];
    const faults = ["--skew", "5000", "--crashes", "1", "--seed", "9"];
    const a = await lab([...args, ...faults], "partition");
    expect(a).toMatchObject({ nodes: 6, split: 0.5, sides: [3, 3], converged: true, faults: { crashes: 1 } });
    expect(a.reorg_depth_max).toBeGreaterThanOrEqual(0);
    expect(typeof a.converged_after_heal_s).toBe("number");
    const t = a.transactions as Record<string, number>;
    expect(t).toMatchObject({ lost: 0, duplicated: 0, pending: 0, refused: 0 });
    expect(t.submitted).toBeGreaterThan(10);
    expect(t.confirmed_once).toBe(t.submitted);
    for (const key of ["virtual_seconds", "events", "wall_seconds"]) expect(typeof a[key]).toBe("number");
    const b = await lab([...args, ...faults], "partition");
    const strip = ({ wall_seconds, events_per_second, ...rest }: Record<string, unknown>) => rest;
    expect(strip(b)).toEqual(strip(a));
  });

  it("refuses a split that is not a fraction", async () => {
    const err = await run(process.execPath, [
      BIN,
      "lab",
      "partition",
      "--nodes",
      "4",
      "--split",
      "2",
      "--heal-after",
      "10",
      "--interval",
      "5",
    ]).catch((e: { code: number; stderr: string }) => e);
    expect(err).toMatchObject({ code: 1 });
    expect((err as { stderr: string }).stderr).toContain("expected a fraction between 0 and 1");
  });
});
