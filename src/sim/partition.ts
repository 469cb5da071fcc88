/**
 * The partition lab: real nodes on virtual time mine at random (as in the propagation lab)
 * under a transaction load; at a moment the network splits in two, both sides mine apart,
 * then it heals. The lab measures how long after the heal every node is on one tip, the
 * deepest reorganisation a node went through, and what became of each transaction: confirmed
 * once, duplicated, still pending, or lost. Optionally the nodes' clocks are skewed and nodes
 * crash and restart. One seed fixes the topology, the mining, the arrivals and the faults.
 */
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { NetworkParams } from "../core/types.js";
import { LAB, topology } from "./lab-network.js";
import { TxLoad } from "./load.js";
import { Rng } from "./rng.js";
import { World } from "./world.js";

export interface PartitionOptions {
  nodes: number;
  /** The share of the nodes on the first side, in (0, 1). */
  split: number;
  healAfterS: number;
  intervalS: number;
  /** Transfers per second (default 0: none). */
  txRate?: number;
  seed: number;
  /** Each node's clock is off by up to this many milliseconds either way (default 0). */
  skewMs?: number;
  /** Crash-and-restart events (default 0). */
  crashes?: number;
  /** One-way latency of every link (default 100 ms). */
  latencyMs?: number;
  /** Peers each node picks (default 4). */
  degree?: number;
  /** The lab's network (default: the labs' "lab" network). */
  params?: NetworkParams;
}

export interface PartitionReport {
  nodes: number;
  split: number;
  /** How many nodes each side held. */
  sides: [number, number];
  /** Every node ended on one tip. */
  converged: boolean;
  /** Seconds from the heal until every running node was first on one tip (null: not within the bound). */
  converged_after_heal_s: number | null;
  /** The most blocks one reorganisation of one node took off its main chain. */
  reorg_depth_max: number;
  /** Reorganisations, over all nodes. */
  reorgs: number;
  blocks: { mined: number; main: number; stale: number; during_split: [number, number] };
  transactions: {
    submitted: number;
    confirmed_once: number;
    lost: number;
    duplicated: number;
    pending: number;
    refused: number;
    unfunded: number;
  };
  faults: { crashes: number; skew_ms_max: number };
  virtual_seconds: number;
  events: number;
  events_per_second: number;
  wall_seconds: number;
}

const round = (x: number, digits = 3) => Number(x.toFixed(digits));

/** Blocks mined before the arrivals start, so that rewards have settled for the load to pay from. */
const FUNDING_BLOCKS = 3;
/** Blocks mined before the split (and at least this many intervals). */
const WARMUP_BLOCKS = 6;
const WARMUP_INTERVALS = 3;
/** After the heal, how long the lab waits for one tip at most. */
const CONVERGE_INTERVALS = 20;
/** After the arrivals stop, how long the lab mines at most for the pools to empty. */
const DRAIN_INTERVALS = 20;

interface Fault {
  at: number;
  node: number;
  kind: "crash" | "restart";
}

/** `count` crashes at random times in [fromMs, toMs), each of a random node up then, down 1 to 4 intervals. */
function planCrashes(rng: Rng, n: number, count: number, fromMs: number, toMs: number, intervalMs: number): Fault[] {
  const times = Array.from({ length: count }, () => fromMs + rng.next() * (toMs - fromMs)).sort((a, b) => a - b);
  const downUntil = new Array<number>(n).fill(0);
  const plan: Fault[] = [];
  for (const at of times) {
    const up = downUntil.map((t, i) => (t <= at ? i : -1)).filter((i) => i >= 0);
    if (up.length <= 2) continue; // keep a network to come back to
    const node = rng.pick(up);
    const back = at + intervalMs * (1 + 3 * rng.next());
    downUntil[node] = back;
    plan.push({ at: Math.round(at), node, kind: "crash" }, { at: Math.round(back), node, kind: "restart" });
  }
  return plan.sort((a, b) => a.at - b.at || (a.kind === b.kind ? 0 : a.kind === "restart" ? -1 : 1));
}

export async function runPartition(opts: PartitionOptions): Promise<PartitionReport> {
  const started = performance.now();
  const n = opts.nodes;
  const intervalMs = opts.intervalS * 1000;
  const dir = mkdtempSync(join(tmpdir(), "tinychain-lab-"));
  const latencyMs = opts.latencyMs ?? 100;
  const world = new World({ params: opts.params ?? LAB, dir, seed: opts.seed, link: () => ({ latencyMs }) });
  try {
    const skewRng = Rng.stream(opts.seed, "skew");
    const skewMax = opts.skewMs ?? 0;
    for (let i = 0; i < n; i++) await world.addNode({ skewMs: skewMax > 0 ? skewRng.int(-skewMax, skewMax) : 0 });
    let reorgDepth = 0;
    let reorgs = 0;
    let healedAt: number | undefined;
    let convergedAt: number | undefined;
    const oneTip = () => new Set(world.nodes.filter((s) => s.up).map((s) => s.node.chain.tip.hash)).size === 1;
    const follow = (sim: (typeof world.nodes)[number]) => {
      sim.node.chain.on("tip", (change) => {
        if (change.disconnected.length > 0) {
          reorgs++;
          reorgDepth = Math.max(reorgDepth, change.disconnected.length);
        }
        if (healedAt !== undefined && convergedAt === undefined && oneTip()) convergedAt = world.clock.now();
      });
    };
    world.nodes.forEach(follow);
    world.onStart(follow);
    await world.connect(topology(n, opts.degree ?? 4, Rng.stream(opts.seed, "topology")));
    const t0 = world.clock.now();

    const k = Math.min(n - 1, Math.max(1, Math.round(opts.split * n)));
    const sideOf = (i: number) => (i < k ? 0 : 1);

    // mining: the network's next block after an exponential gap, by a node picked among those running
    const mining = Rng.stream(opts.seed, "mining");
    const minedHashes: string[] = [];
    const duringSplit: [number, number] = [0, 0];
    let mining_on = true;
    let splitAt = Number.POSITIVE_INFINITY;
    let healAt = Number.POSITIVE_INFINITY;
    const nextBlock = () => {
      world.clock.after(-Math.log(1 - mining.next()) * intervalMs, () => {
        if (!mining_on) return;
        const up = world.nodes.map((s, i) => (s.up ? i : -1)).filter((i) => i >= 0);
        const miner = mining.pick(up);
        minedHashes.push(world.mine(miner).hash);
        const now = world.clock.now();
        if (now >= splitAt && now < healAt) duringSplit[sideOf(miner)]++;
        nextBlock();
      });
    };
    nextBlock();

    const load = new TxLoad(world, Rng.stream(opts.seed, "transactions"), opts.txRate ?? 0);
    // the warm-up: a few blocks, so rewards settle before the arrivals start and the network splits
    const bound = t0 + 1000 * intervalMs;
    while (minedHashes.length < FUNDING_BLOCKS && world.clock.now() < bound) await world.run(1000);
    load.start();
    while ((minedHashes.length < WARMUP_BLOCKS || world.clock.now() < t0 + WARMUP_INTERVALS * intervalMs) && world.clock.now() < bound)
      await world.run(1000);
    splitAt = world.clock.now();
    healAt = splitAt + opts.healAfterS * 1000;
    const faults = planCrashes(Rng.stream(opts.seed, "crashes"), n, opts.crashes ?? 0, splitAt, healAt + 5 * intervalMs, intervalMs);
    const crashes = faults.filter((f) => f.kind === "crash").length;

    // runs the world to `atMs`, crashing and restarting nodes on the way
    const runTo = async (atMs: number) => {
      while (faults.length > 0 && (faults[0] as Fault).at <= atMs) {
        const f = faults.shift() as Fault;
        await world.runUntil(f.at);
        if (f.kind === "crash") await world.crash(f.node);
        else await world.restart(f.node);
      }
      await world.runUntil(atMs);
    };

    world.links.partition([world.nodes.slice(0, k).map((s) => s.origin), world.nodes.slice(k).map((s) => s.origin)]);
    await runTo(healAt);
    world.links.heal();
    healedAt = world.clock.now();
    if (oneTip()) convergedAt = healedAt;
    const convergeBound = healAt + CONVERGE_INTERVALS * intervalMs;
    while (convergedAt === undefined && world.clock.now() < convergeBound) await runTo(world.clock.now() + 1000);

    // the arrivals stop; the nodes come back and mine on until the pools are empty
    load.stop();
    await runTo(Math.max(world.clock.now(), ...faults.map((f) => f.at)));
    const drainBound = world.clock.now() + DRAIN_INTERVALS * intervalMs;
    while (world.clock.now() < drainBound && (load.report().pending > 0 || !oneTip())) await runTo(world.clock.now() + intervalMs);
    mining_on = false;
    await runTo(world.clock.now() + Math.max(30_000, 20 * latencyMs));
    const events = world.clock.fired;

    const tx = load.report(0);
    const reference = (world.nodes[0] as (typeof world.nodes)[number]).node.chain;
    const main = minedHashes.filter((h) => reference.isMain(h)).length;
    const wall = (performance.now() - started) / 1000;
    return {
      nodes: n,
      split: opts.split,
      sides: [k, n - k],
      converged: world.nodes.every((s) => s.up) && oneTip(),
      converged_after_heal_s: convergedAt === undefined ? null : round((convergedAt - healAt) / 1000),
      reorg_depth_max: reorgDepth,
      reorgs,
      blocks: { mined: minedHashes.length, main, stale: minedHashes.length - main, during_split: duringSplit },
      transactions: {
        submitted: tx.submitted,
        confirmed_once: tx.confirmed,
        lost: tx.lost,
        duplicated: tx.duplicated,
        pending: tx.pending,
        refused: tx.refused,
        unfunded: tx.unfunded,
      },
      faults: { crashes, skew_ms_max: Math.max(0, ...world.nodes.map((s) => Math.abs(s.clock.skewMs))) },
      virtual_seconds: round((world.clock.now() - world.startMs) / 1000),
      events,
      events_per_second: Math.round(events / wall),
      wall_seconds: round(wall, 2),
    };
  } finally {
    await world.close();
    rmSync(dir, { recursive: true, force: true });
  }
}
