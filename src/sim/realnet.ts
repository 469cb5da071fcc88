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
import { LAB } from "./lab-network.js";
import { type LinkStats, linkDelay } from "./links.js";
import { callNode, type NodeProcess, NodeProcesses } from "./node-processes.js";
import {
  type BlockFigures,
  blockFigures,
  labPlan,
  type PropagationOptions,
  type PropagationReport,
  quantile,
  round,
  runPropagation,
} from "./propagation.js";
import { Relay, type Relayed } from "./relay.js";
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
  /**
   * The nodes' own time per hop, medians over the block announcements (POST /blocks) the relays
   * carried: `send`, from a node having a block to the relay having its announcement of it;
   * `receive`, from the relay handing the announcement on to the receiver having the block.
   */
  hop_ms: { send_p50: number; receive_p50: number };
  /**
   * How late the relay handed requests on, beyond the link's delay (its timers firing late
   * when this process is busy): the median and the 99th percentile, ms.
   */
  relay_late_ms: { p50: number; p99: number };
  wall_seconds: number;
}

export interface RealnetComparison {
  sim: PropagationReport;
  real: RealnetReport;
  /**
   * real ÷ sim of the median and the 90th percentile, whether the medians are within ±25 %, and
   * the nodes' time per request the simulated run was given (`--processing`, or else the real
   * run's `hop_ms.send_p50 + hop_ms.receive_p50`).
   */
  agreement: { p50_ratio: number; p90_ratio: number; within_25_percent: boolean; processing_ms: number };
}

const sleep = (ms: number) => new Promise<void>((r) => setTimeout(r, Math.max(0, ms)));

const REGISTER_TIMEOUT_MS = 60_000;
const MINE_TIMEOUT_MS = 30_000;
/** Requests kept for the hop times and the relay's lateness (a few per block and link). */
const MAX_ANNOUNCEMENTS = 100_000;
/** How much later than the answer to an announcement the receiver's tip event may arrive here and still count as its result. */
const EVENT_SLACK_MS = 5;

/**
 * The nodes' own times per hop (ms), from the announcements the relays carried (`link` "i>j")
 * and when each node had each block: the sender's, when it had the block before the relay
 * had the announcement; the receiver's, when it had the block while the announcement was with it.
 */
function hopTimes(announced: readonly Relayed[], watches: readonly TipWatch[]): { send: number[]; receive: number[] } {
  const send: number[] = [];
  const receive: number[] = [];
  for (const a of announced) {
    const [i, j] = a.link.split(">").map(Number) as [number, number];
    let hash: unknown;
    try {
      hash = (JSON.parse(a.body.toString("utf8")) as { hash?: unknown }).hash;
    } catch {
      continue;
    }
    if (typeof hash !== "string") continue;
    const had = watches[i]?.hasAt.get(hash);
    if (had !== undefined && had <= a.receivedAt) send.push(a.receivedAt - had);
    const got = watches[j]?.hasAt.get(hash);
    if (got !== undefined && got >= a.forwardedAt && got <= a.answeredAt + EVENT_SLACK_MS) receive.push(got - a.forwardedAt);
  }
  send.sort((x, y) => x - y);
  receive.sort((x, y) => x - y);
  return { send, receive };
}

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
  const announced: Relayed[] = [];
  const spec = { latencyMs: opts.latencyMs, ...(bytesPerMs ? { bytesPerMs } : {}) };
  const late: number[] = [];
  const relay = new Relay(spec, (r) => {
    if (late.length < MAX_ANNOUNCEMENTS) late.push(r.forwardedAt - r.receivedAt - linkDelay(spec, r.body.length));
    if (r.method === "POST" && r.path === "/blocks" && announced.length < MAX_ANNOUNCEMENTS) announced.push(r);
  });
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
      wanted[i]?.push(await relay.open((nodes[j] as NodeProcess).url, `${i}>${j}`));
      wanted[j]?.push(await relay.open((nodes[i] as NodeProcess).url, `${j}>${i}`));
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
    const at = (xs: number[], q: number) => round(quantile(xs, q), 1);
    const hops = hopTimes(announced, watches);
    return {
      nodes: opts.nodes,
      ...figures,
      propagation_ms: { p50: round(p.p50, 1), p90: round(p.p90, 1), p99: round(p.p99, 1) },
      converged: tips() === 1,
      relayed: { ...relay.stats },
      mine_ms: { p50: at(took, 0.5), max: round(took.at(-1) ?? 0, 1) },
      hop_ms: { send_p50: at(hops.send, 0.5), receive_p50: at(hops.receive, 0.5) },
      relay_late_ms: {
        p50: at(
          late.sort((a, b) => a - b),
          0.5,
        ),
        p99: at(late, 0.99),
      },
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

/**
 * The real run, then the simulated one with the same options (not at once: they would share
 * the cores), its nodes given the real nodes' measured time per hop unless `processingMs` is.
 */
export async function compareRealnet(opts: RealnetOptions): Promise<RealnetComparison> {
  const real = await runRealnet(opts);
  const processingMs = opts.processingMs ?? round(real.hop_ms.send_p50 + real.hop_ms.receive_p50, 1);
  const sim = await runPropagation({ ...opts, processingMs });
  const ratio = (a: number, b: number) => (b > 0 ? round(a / b, 3) : 0);
  const p50 = ratio(real.propagation_ms.p50, sim.propagation_ms.p50);
  return {
    sim,
    real,
    agreement: {
      p50_ratio: p50,
      p90_ratio: ratio(real.propagation_ms.p90, sim.propagation_ms.p90),
      within_25_percent: p50 >= 0.75 && p50 <= 1.25,
      processing_ms: processingMs,
    },
  };
}
