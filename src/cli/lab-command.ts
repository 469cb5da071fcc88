/**
 * `tinychain lab EXPERIMENT` (docs/protocol.md §8): experiments on many real nodes in one
 * process, on simulated time and links (src/sim): `propagation` and `partition`; and `realnet`,
 * the propagation run with real node processes on this machine, to check the simulator against them.
 */
import { type Command, InvalidArgumentError } from "commander";
import { type PartitionReport, runPartition } from "../sim/partition.js";
import { type PropagationOptions, type PropagationReport, runPropagation } from "../sim/propagation.js";
import { compareRealnet, type RealnetComparison } from "../sim/realnet.js";
import { inLabHeap } from "./lab-heap.js";
import { intOption } from "./options.js";

/** A commander parser for a positive number (seconds, milliseconds, Mbit/s). */
function positive(value: string): number {
  const n = Number(value);
  if (!/^[0-9]+(\.[0-9]+)?$/.test(value) || !(n > 0)) throw new InvalidArgumentError(`expected a number above 0, got "${value}"`);
  return n;
}

/** A commander parser for a number of 0 or more (milliseconds). */
function nonNegative(value: string): number {
  const n = Number(value);
  if (!/^[0-9]+(\.[0-9]+)?$/.test(value) || !(n >= 0)) throw new InvalidArgumentError(`expected a number of 0 or more, got "${value}"`);
  return n;
}

/** A commander parser for a fraction strictly between 0 and 1. */
function fraction(value: string): number {
  const n = Number(value);
  if (!/^0?\.[0-9]+$/.test(value) || !(n > 0 && n < 1))
    throw new InvalidArgumentError(`expected a fraction between 0 and 1, e.g. 0.5, got "${value}"`);
  return n;
}

function describePartition(r: PartitionReport): string {
  const t = r.transactions;
  return [
    `${r.nodes} nodes split ${r.sides[0]} | ${r.sides[1]}; ${r.blocks.during_split[0]} and ${r.blocks.during_split[1]} blocks mined on each side while apart`,
    `converged: ${r.converged ? "yes, every node on one tip" : "no"}; ${r.converged_after_heal_s === null ? "not on one tip within the bound after the heal" : `one tip ${r.converged_after_heal_s} s after the heal`}`,
    `reorganisations: ${r.reorgs}, the deepest ${r.reorg_depth_max} blocks`,
    `${r.blocks.mined} blocks mined: ${r.blocks.main} on the main chain, ${r.blocks.stale} stale`,
    `transactions: ${t.submitted} submitted, ${t.confirmed_once} confirmed once, ${t.duplicated} duplicated, ${t.pending} pending, ${t.lost} lost, ${t.refused} refused; ${t.unfunded} arrivals found no payer`,
    `faults: ${r.faults.crashes} crashes, clocks off by up to ${r.faults.skew_ms_max} ms`,
    `${r.virtual_seconds} s simulated in ${r.wall_seconds} s (${r.events} events, ${r.events_per_second} per second)`,
  ].join("\n");
}

function describe(r: PropagationReport): string {
  const pct = (x: number) => `${(100 * x).toFixed(2)} %`;
  return [
    `${r.nodes} nodes, ${r.blocks.mined} blocks mined: ${r.blocks.main} on the main chain, ${r.blocks.stale} stale`,
    `propagation (main-chain block to each node): p50 ${r.propagation_ms.p50} ms, p90 ${r.propagation_ms.p90} ms, p99 ${r.propagation_ms.p99} ms`,
    `mean time to reach the hash power t = ${r.t_ms} ms`,
    `stale rate ${pct(r.stale_rate)} (95 % interval ${pct(r.stale_rate_95[0])} to ${pct(r.stale_rate_95[1])}); predicted 1 − e^(−t/T) = ${pct(r.predicted_stale_rate)}, ${r.predicted_stale_rate >= r.stale_rate_95[0] && r.predicted_stale_rate <= r.stale_rate_95[1] ? "within" : "outside"} the interval`,
    `converged: ${r.converged ? "yes, every node on one tip" : "no"}`,
    `transactions: ${r.transactions.submitted} submitted, ${r.transactions.confirmed} confirmed, ${r.transactions.pending} pending, ${r.transactions.lost} lost, ${r.transactions.refused} refused, ${r.transactions.duplicated} confirmed twice`,
    `${r.requests.sent} requests between the nodes (${(r.requests.bytes / 1e6).toFixed(1)} MB)`,
    `${r.virtual_seconds} s simulated in ${r.wall_seconds} s (${r.events} events, ${r.events_per_second} per second)`,
  ].join("\n");
}

function describeRealnet(c: RealnetComparison): string {
  const pct = (x: number) => `${(100 * x).toFixed(2)} %`;
  const { sim, real, agreement: a } = c;
  const row = (name: string, s: string | number, r: string | number) =>
    `  ${name.padEnd(24)}${String(s).padStart(12)}${String(r).padStart(12)}`;
  return [
    `${real.nodes} nodes, the same topology and mining schedule, simulated and as real processes`,
    row("", "simulated", "real"),
    row("blocks mined", sim.blocks.mined, real.blocks.mined),
    row("on the main chain", sim.blocks.main, real.blocks.main),
    row("propagation p50, ms", sim.propagation_ms.p50, real.propagation_ms.p50),
    row("propagation p90, ms", sim.propagation_ms.p90, real.propagation_ms.p90),
    row("propagation p99, ms", sim.propagation_ms.p99, real.propagation_ms.p99),
    row("t, ms", sim.t_ms, real.t_ms),
    row("stale rate", pct(sim.stale_rate), pct(real.stale_rate)),
    row("predicted stale rate", pct(sim.predicted_stale_rate), pct(real.predicted_stale_rate)),
    row("converged", sim.converged ? "yes" : "no", real.converged ? "yes" : "no"),
    row("wall time, s", sim.wall_seconds, real.wall_seconds),
    `real ÷ simulated: p50 ${a.p50_ratio}, p90 ${a.p90_ratio}; medians within ±25 %: ${a.within_25_percent ? "yes" : "no"}`,
    `the simulated nodes took ${a.processing_ms} ms per request received; the real ones per hop: ${real.hop_ms.send_p50} ms to send, ${real.hop_ms.receive_p50} ms to take in (medians)`,
    `relayed ${real.relayed.requests} requests (${real.relayed.bytes} bytes, ${real.relayed.failed} failed), late by p50 ${real.relay_late_ms.p50} ms, p99 ${real.relay_late_ms.p99} ms; POST /mine took p50 ${real.mine_ms.p50} ms, at most ${real.mine_ms.max} ms`,
  ].join("\n");
}

/** The options `propagation` and `realnet` share: the run's size, links and seed. */
interface RunFlags {
  nodes: number;
  blocks: number;
  interval: number;
  latency: number;
  bandwidth?: number;
  processing?: number;
  degree: number;
  seed: number;
  json?: boolean;
}

function runFlags(cmd: Command, o: { maxNodes: number; maxBlocks: number; nodes: string; processing: string }): Command {
  return cmd
    .requiredOption("--nodes <n>", o.nodes, intOption(2, o.maxNodes))
    .requiredOption("--blocks <n>", "how many blocks to mine", intOption(1, o.maxBlocks))
    .requiredOption("--interval <seconds>", "mean time between blocks", positive)
    .requiredOption("--latency <ms>", "one-way latency of every link", positive)
    .option("--bandwidth <mbit>", "bandwidth of every link, Mbit/s (default: unlimited)", positive)
    .option("--processing <ms>", o.processing, nonNegative)
    .option("--degree <n>", "peers each node picks (links go both ways)", intOption(1, 1_000), 8)
    .option("--seed <n>", "the seed: the same seed, the same topology, mining and arrivals", intOption(0, 2 ** 32 - 1), 1)
    .option("--json", "print one JSON object");
}

function runOptions(o: RunFlags): PropagationOptions {
  return {
    nodes: o.nodes,
    blocks: o.blocks,
    intervalS: o.interval,
    latencyMs: o.latency,
    degree: o.degree,
    seed: o.seed,
    ...(o.bandwidth !== undefined ? { bandwidthMbit: o.bandwidth } : {}),
    ...(o.processing !== undefined ? { processingMs: o.processing } : {}),
  };
}

export function registerLabCommand(program: Command): void {
  const lab = program.command("lab").description("experiments on many real nodes in one process, on simulated time and links");
  // the run happens in a Node.js with a young generation sized for hundreds of nodes (lab-heap.ts)
  lab.hook("preAction", () => inLabHeap());
  runFlags(
    lab
      .command("propagation")
      .description("nodes mine at random; measures how fast blocks spread and how many end stale, against 1 − e^(−t/T)"),
    {
      maxNodes: 10_000,
      maxBlocks: 1_000_000,
      nodes: "how many nodes",
      processing: "each node's own time per request received (default 0)",
    },
  )
    .option("--tx-rate <per-second>", "transfers per second, from the third block to three before the last (default 0: none)", nonNegative)
    .option("--sync-interval <seconds>", "seconds between each node's background syncs (default: the node's, 5)", intOption(1, 3600))
    .option("--out <dir>", "also write chain.jsonl (node 0's main chain), report.json and propagation.svg there")
    .action(async (o: RunFlags & { txRate?: number; syncInterval?: number; out?: string }) => {
      const report = await runPropagation({
        ...runOptions(o),
        ...(o.txRate !== undefined ? { txRatePerS: o.txRate } : {}),
        ...(o.syncInterval !== undefined ? { syncIntervalS: o.syncInterval } : {}),
        ...(o.out !== undefined ? { outDir: o.out } : {}),
      });
      process.stdout.write(`${o.json ? JSON.stringify(report) : describe(report)}\n`);
    });
  runFlags(
    lab
      .command("realnet")
      .description("the propagation run with real node processes on 127.0.0.1, links delayed by a relay, next to the simulated run"),
    {
      maxNodes: 10,
      maxBlocks: 10_000,
      nodes: "how many node processes (10 at most: they share this machine's cores)",
      processing: "the simulated nodes' own time per request received (default: the real nodes' time per hop, measured)",
    },
  ).action(async (o: RunFlags) => {
    const c = await compareRealnet(runOptions(o));
    process.stdout.write(`${o.json ? JSON.stringify(c) : describeRealnet(c)}\n`);
  });
  lab
    .command("partition")
    .description("the network splits, both sides mine, it heals; measures convergence, reorganisations and what became of each transaction")
    .requiredOption("--nodes <n>", "how many nodes", intOption(2, 10_000))
    .requiredOption("--split <fraction>", "the share of the nodes on one side", fraction)
    .requiredOption("--heal-after <seconds>", "how long the sides stay apart", positive)
    .requiredOption("--interval <seconds>", "mean time between blocks", positive)
    .option("--tx-rate <per-second>", "transfers per second (0: none)", nonNegative, 0.5)
    .option("--skew <ms>", "each node's clock is off by up to this many milliseconds either way", intOption(0, 3_600_000), 0)
    .option("--crashes <n>", "nodes crash and restart this many times (at random, down 1 to 4 intervals)", intOption(0, 10_000), 0)
    .option("--latency <ms>", "one-way latency of every link", positive, 100)
    .option("--degree <n>", "peers each node picks (links go both ways)", intOption(1, 1_000), 4)
    .option("--seed <n>", "the seed: the same seed, the same run", intOption(0, 2 ** 32 - 1), 1)
    .option("--json", "print one JSON object")
    .action(
      async (o: {
        nodes: number;
        split: number;
        healAfter: number;
        interval: number;
        txRate: number;
        skew: number;
        crashes: number;
        latency: number;
        degree: number;
        seed: number;
        json?: boolean;
      }) => {
        const report = await runPartition({
          nodes: o.nodes,
          split: o.split,
          healAfterS: o.healAfter,
          intervalS: o.interval,
          txRate: o.txRate,
          skewMs: o.skew,
          crashes: o.crashes,
          latencyMs: o.latency,
          degree: o.degree,
          seed: o.seed,
        });
        process.stdout.write(`${o.json ? JSON.stringify(report) : describePartition(report)}\n`);
      },
    );
}
