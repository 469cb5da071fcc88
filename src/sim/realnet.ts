/**
 * The real-network lab: the propagation lab's run (same seed, same topology, same mining
 * schedule, same network) with real node processes on 127.0.0.1, on the machine's clock,
 * their links delayed by a relay in this process as the simulator's virtual links delay, so
 * the simulator's figures can be checked against real processes.
 *
 * Each link i→j of the topology is a relay listener forwarding to node j; node i registers
 * node j under that listener's URL. Nodes learn peers only by registration (no address
 * gossip), and a node's own URL never reaches another, so every request between nodes goes
 * through a relay. At each moment of the schedule the lab asks the miner for one block
 * (POST /mine with its token). When each node has each block is read from its event stream
 * (see TipWatch), on this process's clock.
 */
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { LinkStats } from "./links.js";
import { callNode, type NodeProcess, NodeProcesses } from "./node-processes.js";
import {
  type BlockFigures,
  blockFigures,
  LAB,
  labPlan,
  type PropagationOptions,
  type PropagationReport,
  round,
  runPropagation,
} from "./propagation.js";
import { Relay } from "./relay.js";
import { TipWatch } from "./tip-watch.js";

export type RealnetOptions = Omit<PropagationOptions, "params">;

export interface RealnetReport extends BlockFigures {
  nodes: number;
  /** Every node ended on one tip. */
  converged: boolean;
  /** What the relay carried between the nodes. */
  relayed: LinkStats;
  /** How long the miners took to answer POST /mine: the median and the longest, ms. */
  mine_ms: { p50: number; max: number };
  wall_seconds: number;
}

export interface RealnetComparison {
  sim: PropagationReport;
  real: RealnetReport;
  /** real ÷ sim of the median and the 90th percentile, and whether the medians are within ±25 %. */
  agreement: { p50_ratio: number; p90_ratio: number; within_25_percent: boolean };
}

const sleep = (ms: number) => new Promise<void>((r) => setTimeout(r, Math.max(0, ms)));

const REGISTER_TIMEOUT_MS = 60_000;
const MINE_TIMEOUT_MS = 30_000;

/** Starts the nodes (in parallel) and opens their event streams. */
async function startNodes(procs: NodeProcesses, dir: string, n: number): Promise<{ nodes: NodeProcess[]; watches: TipWatch[] }> {
  const networkFile = join(dir, "network.json");
  writeFileSync(networkFile, JSON.stringify(LAB));
  // as the simulated nodes: one proof-of-work thread, the default background sync (every 5 s), quiet logs
  const nodes = await Promise.all(
    Array.from({ length: n }, (_, i) =>
      procs.start({ dataDir: join(dir, `node-${i}`), networkFile, args: ["--threads", "1", "--log-level", "warn"] }),
    ),
  );
  const watches = await Promise.all(nodes.map((node) => TipWatch.open(node.url)));
  return { nodes, watches };
}

/** Runs the plan on real processes and measures it. */
export async function runRealnet(opts: RealnetOptions): Promise<RealnetReport> {
  const started = performance.now();
  const plan = labPlan(opts);
  const intervalMs = opts.intervalS * 1000;
  const dir = mkdtempSync(join(tmpdir(), "tinychain-realnet-"));
  const procs = new NodeProcesses();
  const bytesPerMs = opts.bandwidthMbit ? (opts.bandwidthMbit * 1e6) / 8 / 1000 : undefined;
  const relay = new Relay({ latencyMs: opts.latencyMs, ...(bytesPerMs ? { bytesPerMs } : {}) });
  let watches: TipWatch[] = [];
  // Ctrl-C or a kill: no node outlives the lab
  const onSignal = (signal: NodeJS.Signals) => {
    procs.killAll();
    rmSync(dir, { recursive: true, force: true });
    process.exit(signal === "SIGINT" ? 130 : 143);
  };
  const onExit = () => procs.killAll();
  process.once("SIGINT", onSignal);
  process.once("SIGTERM", onSignal);
  process.on("exit", onExit);
  try {
    const up = await startNodes(procs, dir, opts.nodes);
    const nodes = up.nodes;
    watches = up.watches;
    const wanted = nodes.map(() => [] as string[]);
    for (const [i, j] of plan.links) {
      wanted[i]?.push(await relay.open((nodes[j] as NodeProcess).url));
      wanted[j]?.push(await relay.open((nodes[i] as NodeProcess).url));
    }
    await Promise.all(
      nodes.map((node, i) =>
        (wanted[i]?.length ?? 0) > 0 ? callNode(node, "POST", "/nodes/register", { nodes: wanted[i] }, REGISTER_TIMEOUT_MS) : undefined,
      ),
    );

    // the schedule, on the machine's clock from now
    const mined: Array<{ hash: string; miner: number; answeredAt: number; tookMs: number }> = [];
    const asked: Array<Promise<void>> = [];
    const t0 = performance.now();
    let due = 0;
    for (const { afterMs, miner } of plan.blocks) {
      due += afterMs;
      await sleep(t0 + due - performance.now());
      const at = performance.now();
      asked.push(
        callNode(nodes[miner] as NodeProcess, "POST", "/mine", undefined, MINE_TIMEOUT_MS).then(
          (b) => {
            const answeredAt = performance.now();
            mined.push({ hash: (b as { hash: string }).hash, miner, answeredAt, tookMs: answeredAt - at });
          },
          () => {},
        ),
      );
    }
    await Promise.all(asked);

    // until every node is on one tip (nothing is mined any more, so that tip is final), bounded as the simulated run
    const settleBy = performance.now() + Math.max(30_000, 20 * opts.latencyMs);
    const tips = () => new Set(watches.map((w) => w.tip)).size;
    while (tips() > 1 && performance.now() < settleBy) await sleep(20);

    // a block is mined when its miner has it: its own tip event, or the answer to /mine if that came first
    const minedAt = new Map(
      mined.map((m) => [m.hash, { at: Math.min(watches[m.miner]?.hasAt.get(m.hash) ?? m.answeredAt, m.answeredAt), miner: m.miner }]),
    );
    const reference = watches[0] as TipWatch;
    const figures = blockFigures(
      minedAt,
      watches.map((w) => w.hasAt),
      (hash) => reference.main.has(hash),
      intervalMs,
    );
    const p = figures.propagation_ms;
    const took = mined.map((m) => m.tookMs).sort((a, b) => a - b);
    return {
      nodes: opts.nodes,
      ...figures,
      propagation_ms: { p50: round(p.p50, 1), p90: round(p.p90, 1), p99: round(p.p99, 1) },
      converged: tips() === 1,
      relayed: { ...relay.stats },
      mine_ms: { p50: round(took[Math.floor((took.length - 1) / 2)] ?? 0, 1), max: round(took.at(-1) ?? 0, 1) },
      wall_seconds: round((performance.now() - started) / 1000, 2),
    };
  } finally {
    for (const w of watches) w.close();
    await procs.stopAll();
    await relay.close();
    rmSync(dir, { recursive: true, force: true });
    process.off("SIGINT", onSignal);
    process.off("SIGTERM", onSignal);
    process.off("exit", onExit);
  }
}

/** The real run, then the simulated one with the same options (not at once: they would share the cores). */
export async function compareRealnet(opts: RealnetOptions): Promise<RealnetComparison> {
  const real = await runRealnet(opts);
  const sim = await runPropagation(opts);
  const ratio = (a: number, b: number) => (b > 0 ? round(a / b, 3) : 0);
  const p50 = ratio(real.propagation_ms.p50, sim.propagation_ms.p50);
  return {
    sim,
    real,
    agreement: {
      p50_ratio: p50,
      p90_ratio: ratio(real.propagation_ms.p90, sim.propagation_ms.p90),
      within_25_percent: p50 >= 0.75 && p50 <= 1.25,
    },
  };
}
