/**
 * `npm run bench`: mining and validation at the speed of the machine. Runs every section in
 * turn (each bounded in time, its processes and temp dirs removed), prints the table and
 * writes bench/results.json. `node build/bench/run.js pow ingest` runs only those sections
 * (and prints their results as JSON instead of writing the file).
 */
import { loadavg } from "node:os";
import { join } from "node:path";
import { performance } from "node:perf_hooks";
import { benchDrivers } from "./drivers.js";
import { benchIngest } from "./ingest.js";
import { benchLatency } from "./latency.js";
import { cleanup, installExitHandlers, ROOT } from "./lifecycle.js";
import { benchPow } from "./pow.js";
import { benchQueue } from "./queue.js";
import { benchReopen } from "./reopen.js";
import { type Figure, machineInfo, methods, type Results, table, writeResults } from "./report.js";
import { benchSim, benchSimScale } from "./sim.js";
import { benchSync } from "./sync.js";
import { benchValidate } from "./validate.js";
import { benchVerify, refreshLimit, type VerifyLimit } from "./verify.js";

const ALL = ["pow", "verify", "ingest", "validate", "sync", "latency", "reopen", "drivers", "sim"] as const;
/** Sections run only when named: `scale` takes half an hour or more. */
const OPTIONAL = ["scale"] as const;
type Name = (typeof ALL)[number] | (typeof OPTIONAL)[number];

async function main(): Promise<number> {
  installExitHandlers();
  // The node's worker pools unref their threads (a node's server keeps it alive); here a timer does.
  const keepAlive = setInterval(() => {}, 1000);
  const asked = process.argv.slice(2);
  if (asked.includes("--help") || asked.includes("-h")) {
    clearInterval(keepAlive);
    process.stdout.write(
      `npm run bench -- [SECTION ...]   sections: ${ALL.join(", ")} (all by default), and ${OPTIONAL.join(", ")} when named; see BENCHMARKS.md\n`,
    );
    return 0;
  }
  const known: readonly string[] = [...ALL, ...OPTIONAL];
  for (const a of asked) if (!known.includes(a)) throw new Error(`unknown section "${a}"; sections: ${known.join(", ")}`);
  const wanted = new Set<Name>(asked.length === 0 ? ALL : (asked as Name[]));
  const t0 = performance.now();
  const machine = machineInfo();
  process.stdout.write(
    `tinychain bench on ${machine.cpu}, ${machine.cores} cores, node ${machine.node}, store on ${machine.sqlite}, load average ${machine.load_average_start}\n`,
  );
  if (machine.load_average_start > machine.cores / 2) {
    process.stdout.write("warning: the machine is busy (load average above half the cores): every figure will be low\n");
  }
  const figures: Figure[] = [];
  const errors: Results["errors"] = [];
  let implementation = "not measured";
  let limit: VerifyLimit | undefined;

  const section = async (name: Name, fn: () => Promise<Figure[]>) => {
    if (!wanted.has(name)) return;
    const ts = performance.now();
    process.stdout.write(`${name} …\n`);
    try {
      figures.push(...(await fn()));
    } catch (err) {
      const msg = (err as Error).stack ?? String(err);
      errors.push({ section: name, error: msg });
      process.stdout.write(`  ${name} failed: ${msg}\n`);
    } finally {
      await cleanup();
    }
    process.stdout.write(`  ${name}: ${((performance.now() - ts) / 1000).toFixed(1)} s\n`);
  };
  /** The verify limit for a section compared with it: measured again just before, the highest so far kept. */
  const needLimit = async (): Promise<VerifyLimit> => {
    limit = limit === undefined ? (await benchVerify()).limit : await refreshLimit(limit);
    return limit;
  };

  try {
    await section("pow", async () => {
      const r = await benchPow();
      implementation = r.implementation;
      return r.figures;
    });
    await section("verify", async () => {
      const r = await benchVerify();
      limit = r.limit;
      return r.figures;
    });
    await section("ingest", async () => [...(await benchIngest(await needLimit())), ...(await benchQueue())]);
    await section("validate", async () => benchValidate(await needLimit()));
    await section("sync", benchSync);
    await section("latency", benchLatency);
    await section("reopen", benchReopen);
    await section("drivers", async () => benchDrivers(figures, needLimit));
    await section("sim", benchSim);
    await section("scale", benchSimScale);
  } finally {
    await cleanup();
    clearInterval(keepAlive);
  }

  const runtime = (performance.now() - t0) / 1000;
  machine.load_average_end = Math.round((loadavg()[0] ?? 0) * 100) / 100;
  process.stdout.write(`\nMethods\n${methods(figures)}\n\n${table(figures)}\n\n`);
  const results: Results = { machine, pow_implementation: implementation, runtime_s: Math.round(runtime), figures, errors };
  const file = join(ROOT, "bench", "results.json");
  if (wanted.size === ALL.length) writeResults(file, results);
  else process.stdout.write(`${JSON.stringify(results, null, 2)}\n`);
  const missed = figures.filter((f) => f.target && !f.target.met).map((f) => f.label);
  process.stdout.write(
    `${figures.filter((f) => f.target?.met).length} targets met, ${missed.length} missed${missed.length ? `: ${missed.join("; ")}` : ""}\n`,
  );
  process.stdout.write(`${wanted.size === ALL.length ? `wrote ${file}` : "partial run, nothing written"} (${runtime.toFixed(0)} s)\n`);
  for (const e of errors) process.stdout.write(`section ${e.section} failed (see results)\n`);
  return errors.length > 0 ? 1 : 0;
}

main().then(
  (code) => process.exit(code),
  async (err) => {
    process.stderr.write(`bench: ${(err as Error).stack ?? String(err)}\n`);
    await cleanup();
    process.exit(1);
  },
);
