/**
 * 9. The simulated network (`tinychain lab propagation`): real nodes on virtual time, in this
 * one process. The wall time of the issue's run (50 nodes × 300 blocks, 10 s blocks, 200 ms
 * links, a transaction load), and against it a reference measured in the same run: the
 * requests the run's nodes sent each other, each at the cost of one request answered through
 * Fastify's inject by an idle lab node, what the HTTP layer alone would cost had every request
 * gone through it (the frequent ones go to the routes' handlers directly: src/sim/direct-routes.ts).
 * `npm run bench -- scale` runs the 200 × 3,000 run instead (about 9 minutes on 2 cores; not
 * part of the default set). Run with --max-semi-space-size=64, as the lab command runs itself.
 */
import { performance } from "node:perf_hooks";
import { resourceUsage } from "node:process";
import { LAB } from "../src/sim/lab-network.js";
import { type PropagationOptions, runPropagation } from "../src/sim/propagation.js";
import { World } from "../src/sim/world.js";
import { atMost, type Figure } from "./report.js";

const SECTION = "9. The simulated network";

/** Microseconds one GET /status takes through the lab's HTTP layer (inject) on an idle node: the median of 5 runs. */
async function injectFloorUs(): Promise<number> {
  const world = new World({ params: LAB });
  try {
    const { app } = await world.addNode();
    const runs: number[] = [];
    for (let r = 0; r < 5; r++) {
      const n = 2_000;
      const t0 = performance.now();
      for (let i = 0; i < n; i++) await app.inject({ method: "GET", url: "/status" });
      runs.push(((performance.now() - t0) * 1000) / n);
    }
    return runs.sort((a, b) => a - b)[2] as number;
  } finally {
    await world.close();
  }
}

async function one(id: string, opts: PropagationOptions, goalS: number): Promise<Figure> {
  const floorUs = await injectFloorUs();
  const report = await runPropagation(opts);
  const floorS = (report.requests.sent * floorUs) / 1e6;
  const size = `${opts.nodes} nodes × ${opts.blocks} blocks`;
  return {
    id,
    section: SECTION,
    label: `lab propagation, ${size}`,
    value: report.wall_seconds,
    unit: "s",
    method: `tinychain lab propagation --nodes ${opts.nodes} --blocks ${opts.blocks} --interval ${opts.intervalS} --latency ${opts.latencyMs} --degree ${opts.degree ?? 8}${opts.txRatePerS ? ` --tx-rate ${opts.txRatePerS}` : ""}${opts.syncIntervalS ? ` --sync-interval ${opts.syncIntervalS}` : ""} --seed ${opts.seed}, in this process: wall seconds from the first node's start to the report`,
    reference: {
      label: "the same requests, each through Fastify's inject",
      value: Math.round(floorS),
      unit: "s",
      method: `the ${report.requests.sent} requests the run's nodes sent each other × ${floorUs.toFixed(1)} µs, the median time of one GET /status through Fastify's inject on an idle lab node, measured just before: the HTTP layer's cost alone, had every request gone through it`,
    },
    ratio: floorS / report.wall_seconds,
    target: atMost(report.wall_seconds, goalS, `≤ ${goalS} s on this machine`, " s"),
    details: {
      report,
      inject_floor_us: Number(floorUs.toFixed(1)),
      max_rss_mib: Math.round(resourceUsage().maxRSS / 1024),
    },
  };
}

export async function benchSim(): Promise<Figure[]> {
  return [await one("sim.propagation", { nodes: 50, blocks: 300, intervalS: 10, latencyMs: 200, txRatePerS: 0.5, seed: 7 }, 120)];
}

export async function benchSimScale(): Promise<Figure[]> {
  return [
    await one(
      "sim.scale",
      { nodes: 200, blocks: 3_000, intervalS: 10, latencyMs: 200, degree: 4, txRatePerS: 0.1, syncIntervalS: 30, seed: 7 },
      600,
    ),
  ];
}
