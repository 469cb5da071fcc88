/**
 * The propagation lab: real nodes on virtual time mine blocks at random (each node an equal
 * share of the hash power, so the time to the network's next block is exponential with mean
 * `intervalS`), and the lab measures how long each block takes to reach the nodes and how
 * many blocks end off the main chain, next to the prediction 1 − e^(−t/T) of Decker and
 * Wattenhofer (2013), with t the mean time a block takes to reach the hash power and T the
 * block interval.
 */
import { writeFileSync } from "node:fs";
import { join } from "node:path";
import type { NetworkParams } from "../core/types.js";
import { propagationPlot, writeChainJsonl } from "./lab-files.js";
import { LAB, topology } from "./lab-network.js";
import { TxLoad, type TxLoadReport } from "./load.js";
import { Rng } from "./rng.js";
import { World } from "./world.js";

export interface PropagationOptions {
  nodes: number;
  blocks: number;
  intervalS: number;
  latencyMs: number;
  /** Link bandwidth in Mbit/s (default: unlimited). */
  bandwidthMbit?: number;
  /** Each node's own time per request received, ms (default 0; see LinkSpec.processingMs). */
  processingMs?: number;
  /** Peers each node picks (links are both ways, so nodes have this many or more; default 8). */
  degree?: number;
  seed: number;
  /** Seconds between each node's background syncs with its peers (default: the node's, 5). */
  syncIntervalS?: number;
  /** Transfers a second, arriving at random from the third block until three blocks before the last (default 0: none). */
  txRatePerS?: number;
  /** A folder for chain.jsonl (node 0's main chain), report.json and propagation.svg. */
  outDir?: string;
  /** The lab's network (default: a devnet named "lab" at difficulty 16). */
  params?: NetworkParams;
  /** How the nodes' most frequent requests to each other are answered (WorldOptions.peerRequests; default "direct"). */
  peerRequests?: "direct" | "inject";
}

export interface PropagationReport {
  nodes: number;
  /** Blocks mined in the run, those on the final main chain, and the rest. */
  blocks: { mined: number; main: number; stale: number };
  /** Time from a main-chain block being mined until a node has it, over block × node pairs (the miner left out). */
  propagation_ms: { p50: number; p90: number; p99: number };
  /** Mean over main-chain blocks of the hash-power-weighted mean delay until nodes have the block. */
  t_ms: number;
  stale_rate: number;
  /** The 95 % interval of the stale rate (Wilson score): a prediction inside it agrees within sampling error. */
  stale_rate_95: [number, number];
  predicted_stale_rate: number;
  /** Every node ended on one tip. */
  converged: boolean;
  virtual_seconds: number;
  /** The load's transfers: sent, accepted and on node 0's main chain once, neither there nor in any pool, still pending, and the rest (see TxLoadReport). */
  transactions: TxLoadReport;
  /** Requests the nodes sent each other (announcements, syncs, polls), and their bytes with the answers'. */
  requests: { sent: number; bytes: number };
  /** Events the virtual clock fired, and per second of wall time. */
  events: number;
  events_per_second: number;
  wall_seconds: number;
}

/** The transaction load starts when this many blocks are mined, and stops this many blocks before the last. */
const LOAD_FROM_BLOCK = 3;
const LOAD_STOPS_BEFORE_END = 3;

/** The value below which a fraction `q` of the sorted `xs` lie (nearest rank). */
export function quantile(sorted: readonly number[], q: number): number {
  if (sorted.length === 0) return 0;
  return sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil(q * sorted.length) - 1))] as number;
}

export const round = (x: number, digits = 4) => Number(x.toFixed(digits));

/** A run's links and its blocks, in order: each mined `afterMs` after the one before (the first after the start), by `miner`. */
export interface LabPlan {
  links: Array<[number, number]>;
  blocks: Array<{ afterMs: number; miner: number }>;
}

/**
 * The topology and the mining schedule a seed gives: each node an equal share of the hash
 * power, so the gaps between blocks are exponential with mean `intervalS`. The simulated and
 * the real runs both follow it.
 */
export function labPlan(opts: Pick<PropagationOptions, "nodes" | "blocks" | "intervalS" | "degree" | "seed">): LabPlan {
  const rng = new Rng(opts.seed);
  const links = topology(opts.nodes, opts.degree ?? 8, rng);
  const blocks: LabPlan["blocks"] = [];
  const intervalMs = opts.intervalS * 1000;
  for (let k = 0; k < opts.blocks; k++) {
    const afterMs = -Math.log(1 - rng.next()) * intervalMs;
    blocks.push({ afterMs, miner: rng.int(0, opts.nodes - 1) });
  }
  return { links, blocks };
}

/** The figures every lab reports of its blocks, whether its times are virtual or real. */
export type BlockFigures = Pick<
  PropagationReport,
  "blocks" | "propagation_ms" | "t_ms" | "stale_rate" | "stale_rate_95" | "predicted_stale_rate"
>;

/**
 * The 95 % Wilson score interval of a share `k` of `n` (a binomial proportion): the stale
 * rates that could have given this count, so a prediction inside it agrees within sampling error.
 */
export function wilson95(k: number, n: number): [number, number] {
  if (n === 0) return [0, 1];
  const z = 1.959964;
  const p = k / n;
  const d = 1 + (z * z) / n;
  const centre = (p + (z * z) / (2 * n)) / d;
  const half = (z * Math.sqrt((p * (1 - p)) / n + (z * z) / (4 * n * n))) / d;
  return [Math.max(0, centre - half), Math.min(1, centre + half)];
}

/**
 * The block figures from when each block was mined and by whom (`minedAt`, by hash), when each
 * node had it (`hasAt[i]`, by hash; the miner's own time is `minedAt`'s), and which blocks
 * ended on the main chain. Times in ms on any one clock.
 */
export function blockFigures(
  minedAt: ReadonlyMap<string, { at: number; miner: number }>,
  hasAt: ReadonlyArray<ReadonlyMap<string, number>>,
  isMain: (hash: string) => boolean,
  intervalMs: number,
): BlockFigures {
  const mined = minedAt.size;
  const { delays, tMs, main } = mainBlockDelays(minedAt, hasAt, isMain);
  const predicted = 1 - Math.exp(-tMs / intervalMs);
  return {
    blocks: { mined, main, stale: mined - main },
    propagation_ms: { p50: quantile(delays, 0.5), p90: quantile(delays, 0.9), p99: quantile(delays, 0.99) },
    t_ms: round(tMs, 1),
    stale_rate: round(mined > 0 ? (mined - main) / mined : 0),
    stale_rate_95: wilson95(mined - main, mined).map((x) => round(x)) as [number, number],
    predicted_stale_rate: round(predicted),
  };
}

/**
 * For the blocks that ended on the main chain: every (block, node) delay but the miner's,
 * sorted; the mean over blocks of the mean delay over all nodes (t); and how many there are.
 */
export function mainBlockDelays(
  minedAt: ReadonlyMap<string, { at: number; miner: number }>,
  hasAt: ReadonlyArray<ReadonlyMap<string, number>>,
  isMain: (hash: string) => boolean,
): { delays: number[]; tMs: number; main: number } {
  const nodes = hasAt.length;
  const mainBlocks = [...minedAt].filter(([hash]) => isMain(hash));
  const delays: number[] = [];
  let tSum = 0;
  for (const [hash, { at, miner }] of mainBlocks) {
    let weighted = 0;
    hasAt.forEach((seen, i) => {
      const t = i === miner ? at : seen.get(hash);
      const d = t === undefined ? Number.NaN : t - at;
      if (i !== miner && !Number.isNaN(d)) delays.push(d);
      weighted += (Number.isNaN(d) ? 0 : d) / nodes;
    });
    tSum += weighted;
  }
  delays.sort((a, b) => a - b);
  return { delays, tMs: mainBlocks.length > 0 ? tSum / mainBlocks.length : 0, main: mainBlocks.length };
}

export async function runPropagation(opts: PropagationOptions): Promise<PropagationReport> {
  const started = performance.now();
  const plan = labPlan(opts);
  const bytesPerMs = opts.bandwidthMbit ? (opts.bandwidthMbit * 1e6) / 8 / 1000 : undefined;
  const world = new World({
    params: opts.params ?? LAB,
    seed: opts.seed,
    ...(opts.syncIntervalS !== undefined ? { syncIntervalS: opts.syncIntervalS } : {}),
    ...(opts.peerRequests !== undefined ? { peerRequests: opts.peerRequests } : {}),
    link: () => ({
      latencyMs: opts.latencyMs,
      ...(bytesPerMs ? { bytesPerMs } : {}),
      ...(opts.processingMs ? { processingMs: opts.processingMs } : {}),
    }),
  });
  try {
    for (let i = 0; i < opts.nodes; i++) await world.addNode();
    await world.connect(plan.links);

    // who has which block, and when (virtual ms)
    const minedAt = new Map<string, { at: number; miner: number }>();
    const hasAt = world.nodes.map(() => new Map<string, number>());
    world.nodes.forEach(({ node }, i) => {
      // a node has a block once it stored it: on its main chain, or on a side branch that may win later
      const seen = hasAt[i] as Map<string, number>;
      const has = (hash: string) => {
        if (!seen.has(hash)) seen.set(hash, world.clock.now());
      };
      node.chain.on("tip", (change) => {
        for (const c of change.connected) has(c.hash);
      });
      node.chain.on("side", (b) => has(b.hash));
    });

    const intervalMs = opts.intervalS * 1000;
    const load = new TxLoad(world, Rng.stream(opts.seed, "transactions"), opts.txRatePerS ?? 0);
    // arrivals once the first blocks paid some coins, until a few blocks before the end (those confirm them)
    const loadFrom = Math.min(LOAD_FROM_BLOCK, opts.blocks);
    const loadUntil = Math.max(loadFrom, opts.blocks - LOAD_STOPS_BEFORE_END);
    let mined = 0;
    const next = () => {
      if (mined >= opts.blocks) return;
      const { afterMs, miner } = plan.blocks[mined] as LabPlan["blocks"][number];
      world.clock.after(afterMs, () => {
        const { hash } = world.mine(miner);
        mined++;
        minedAt.set(hash, { at: world.clock.now(), miner });
        if (mined === loadFrom) load.start();
        if (mined === loadUntil) load.stop();
        next();
      });
    };
    next();
    // run until every block is mined, then long enough for the background sync to settle forks
    while (mined < opts.blocks) await world.run(intervalMs);
    await world.run(Math.max(30_000, 20 * opts.latencyMs));
    const firedTotal = world.clock.fired;

    const tips = new Set(world.nodes.map(({ node }) => node.chain.tip.hash));
    const reference = world.nodes[0]?.node.chain;
    load.stop();
    const transactions = load.report(0);
    const figures = blockFigures(minedAt, hasAt, (hash) => reference?.isMain(hash) ?? false, intervalMs);
    if (opts.outDir !== undefined && reference !== undefined) writeChainJsonl(opts.outDir, reference);
    const wall = (performance.now() - started) / 1000;
    const report: PropagationReport = {
      nodes: opts.nodes,
      ...figures,
      converged: tips.size === 1,
      transactions,
      virtual_seconds: round((world.clock.now() - world.startMs) / 1000, 3),
      requests: { sent: world.links.stats.requests, bytes: world.links.stats.bytes },
      events: firedTotal,
      events_per_second: Math.round(firedTotal / wall),
      wall_seconds: round(wall, 2),
    };
    if (opts.outDir !== undefined) {
      const { delays } = mainBlockDelays(minedAt, hasAt, (hash) => reference?.isMain(hash) ?? false);
      await writeFiles(opts.outDir, opts, report, delays);
    }
    return report;
  } finally {
    await world.close();
  }
}

async function writeFiles(dir: string, opts: PropagationOptions, report: PropagationReport, sortedDelays: number[]): Promise<void> {
  writeFileSync(join(dir, "report.json"), `${JSON.stringify(report, null, 2)}\n`);
  const settings = `${opts.nodes} nodes, ${report.blocks.mined} blocks every ${opts.intervalS} s on average, links of ${opts.latencyMs} ms, seed ${opts.seed}`;
  writeFileSync(join(dir, "propagation.svg"), await propagationPlot(sortedDelays, report.propagation_ms, settings));
}
