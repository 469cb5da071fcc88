/**
 * `tinychain lab EXPERIMENT` (docs/protocol.md §8): experiments on many real nodes in one
 * process, on simulated time and links (src/sim). So far: `propagation`.
 */
import { type Command, InvalidArgumentError } from "commander";
import { type PropagationReport, runPropagation } from "../sim/propagation.js";
import { intOption } from "./options.js";

/** A commander parser for a positive number (seconds, milliseconds, Mbit/s). */
function positive(value: string): number {
  const n = Number(value);
  if (!/^[0-9]+(\.[0-9]+)?$/.test(value) || !(n > 0)) throw new InvalidArgumentError(`expected a number above 0, got "${value}"`);
  return n;
}

function describe(r: PropagationReport): string {
  const pct = (x: number) => `${(100 * x).toFixed(2)} %`;
  return [
    `${r.nodes} nodes, ${r.blocks.mined} blocks mined: ${r.blocks.main} on the main chain, ${r.blocks.stale} stale`,
    `propagation (main-chain block to each node): p50 ${r.propagation_ms.p50} ms, p90 ${r.propagation_ms.p90} ms, p99 ${r.propagation_ms.p99} ms`,
    `mean time to reach the hash power t = ${r.t_ms} ms`,
    `stale rate ${pct(r.stale_rate)}; predicted 1 − e^(−t/T) = ${pct(r.predicted_stale_rate)}`,
    `converged: ${r.converged ? "yes, every node on one tip" : "no"}`,
    `${r.virtual_seconds} s simulated in ${r.wall_seconds} s (${r.events} events, ${r.events_per_second} per second)`,
  ].join("\n");
}

export function registerLabCommand(program: Command): void {
  const lab = program.command("lab").description("experiments on many real nodes in one process, on simulated time and links");
  lab
    .command("propagation")
    .description("nodes mine at random; measures how fast blocks spread and how many end stale, against 1 − e^(−t/T)")
    .requiredOption("--nodes <n>", "how many nodes", intOption(2, 10_000))
    .requiredOption("--blocks <n>", "how many blocks to mine", intOption(1, 1_000_000))
    .requiredOption("--interval <seconds>", "mean time between blocks", positive)
    .requiredOption("--latency <ms>", "one-way latency of every link", positive)
    .option("--bandwidth <mbit>", "bandwidth of every link, Mbit/s (default: unlimited)", positive)
    .option("--degree <n>", "peers each node picks (links go both ways)", intOption(1, 1_000), 8)
    .option("--seed <n>", "the seed: the same seed, the same run", intOption(0, 2 ** 32 - 1), 1)
    .option("--sync-interval <seconds>", "seconds between each node's background syncs (default: the node's, 5)", intOption(1, 3600))
    .option("--out <dir>", "also write chain.jsonl (node 0's main chain), report.json and propagation.svg there")
    .option("--json", "print one JSON object")
    .action(
      async (o: {
        nodes: number;
        blocks: number;
        interval: number;
        latency: number;
        bandwidth?: number;
        degree: number;
        seed: number;
        syncInterval?: number;
        out?: string;
        json?: boolean;
      }) => {
        const report = await runPropagation({
          nodes: o.nodes,
          blocks: o.blocks,
          intervalS: o.interval,
          latencyMs: o.latency,
          degree: o.degree,
          seed: o.seed,
          ...(o.bandwidth !== undefined ? { bandwidthMbit: o.bandwidth } : {}),
          ...(o.syncInterval !== undefined ? { syncIntervalS: o.syncInterval } : {}),
          ...(o.out !== undefined ? { outDir: o.out } : {}),
        });
        process.stdout.write(`${o.json ? JSON.stringify(report) : describe(report)}\n`);
      },
    );
}
