/**
 * `npm run soak`: the long versions of the robustness runs (test/robust/ has the short ones).
 *
 *   npm run soak -- --requests 100000 --cycles 50 --txs 2000 --cases 1000
 *
 * Options: --requests N (API fuzzing), --cases N (consensus fuzzing), --cycles N (kill -9
 * cycles), --txs N (soak transactions), --senders N, --kill I (the soak node killed midway: 0 or 1
 * mine, 2 does not), --seed N, --only fuzz,consensus,crash,soak,attacks (attacks.ts: issue 16's
 * hostile-peer and spam attacks, with their cost to the attacker and to the node),
 * --out FILE (the report as JSON). Exits 1 if any target is missed: 0 5xx, every lie refused,
 * every cycle survived with nothing lost, every accepted transaction confirmed exactly once,
 * every attack's target met.
 */
import { writeFileSync } from "node:fs";
import { parseArgs } from "node:util";
import { apiFuzz } from "./api-fuzz.js";
import { attackTable, runAttacks } from "./attacks.js";
import { consensusFuzz } from "./consensus.js";
import { crashCycles } from "./crash.js";
import { killAllStarted, removeAllTempDirs } from "./proc.js";
import { soak } from "./soak.js";

const { values } = parseArgs({
  options: {
    requests: { type: "string", default: "100000" },
    cases: { type: "string", default: "1000" },
    cycles: { type: "string", default: "50" },
    txs: { type: "string", default: "2000" },
    senders: { type: "string", default: "100" },
    kill: { type: "string", default: "0" },
    seed: { type: "string", default: "1" },
    only: { type: "string", default: "fuzz,consensus,crash,soak,attacks" },
    out: { type: "string" },
    help: { type: "boolean", default: false },
  },
});

if (values.help) {
  process.stdout.write(
    "npm run soak -- [--requests 100000] [--cases 1000] [--cycles 50] [--txs 2000] [--senders 100] [--kill 0] [--seed 1] [--only fuzz,consensus,crash,soak,attacks] [--out FILE]\n",
  );
  process.exit(0);
}

const num = (name: string, v: string | undefined): number => {
  const n = Number(v);
  if (!Number.isSafeInteger(n) || n < 0) {
    process.stderr.write(`--${name} must be a whole number, got ${v}\n`);
    process.exit(2);
  }
  return n;
};

const requests = num("requests", values.requests);
const cases = num("cases", values.cases);
const cycles = num("cycles", values.cycles);
const txs = num("txs", values.txs);
const senders = num("senders", values.senders);
const kill = num("kill", values.kill);
if (kill > 2) {
  process.stderr.write("--kill must be 0, 1 (mining nodes) or 2 (the node that does not mine)\n");
  process.exit(2);
}
const seed = num("seed", values.seed);
const only = new Set((values.only ?? "").split(",").map((s) => s.trim()));
const log = (msg: string) => process.stdout.write(`[${new Date().toISOString().slice(11, 19)}] ${msg}\n`);

for (const sig of ["SIGINT", "SIGTERM"] as const) {
  process.on(sig, () => {
    killAllStarted();
    setTimeout(() => {
      removeAllTempDirs();
      process.exit(130);
    }, 500);
  });
}

const results: Record<string, unknown> = { started: new Date().toISOString(), seed, node: process.version };
const misses: string[] = [];

async function main(): Promise<void> {
  if (only.has("fuzz") && requests > 0) {
    log(`API fuzzing: ${requests} requests`);
    const r = await apiFuzz({ requests, seed, concurrency: 8, log });
    results.fuzz = {
      sent: r.report.sent,
      fiveXX: r.report.fiveXX,
      unanswered: r.report.noAnswer,
      badErrorBodies: r.report.badErrorBodies,
      statuses: r.report.statuses,
      seconds: Math.round(r.report.ms / 1000),
      alive: r.alive,
      chainProblems: r.chainProblems,
      logErrors: r.logErrors.length,
      failures: r.report.failures,
    };
    log(
      `API fuzzing: ${r.report.sent} sent, ${r.report.fiveXX} 5xx, ${r.report.noAnswer} unanswered, ${r.report.badErrorBodies} bad error bodies`,
    );
    if (
      r.report.sent < requests ||
      r.report.fiveXX > 0 ||
      r.report.noAnswer > 0 ||
      r.report.badErrorBodies > 0 ||
      !r.alive ||
      r.chainProblems.length > 0 ||
      r.logErrors.length > 0
    )
      misses.push("fuzz");
  }
  if (only.has("consensus") && cases > 0) {
    log(`consensus fuzzing: ${cases} cases`);
    const r = await consensusFuzz({ cases, seed, log });
    results.consensus = r;
    log(
      `consensus fuzzing: ${r.cases} cases, ${r.lies} lies, ${r.liesRefused} refused, ${r.reorgs} reorganisations, ${r.problems.length} problems`,
    );
    if (r.cases < cases || r.liesRefused !== r.lies || r.problems.length > 0 || r.fiveXX > 0) misses.push("consensus");
  }
  if (only.has("crash") && cycles > 0) {
    log(`kill -9: ${cycles} cycles`);
    const r = await crashCycles({ cycles, seed, log });
    results.crash = r;
    log(
      `kill -9: ${r.survived}/${r.cycles} survived; blocks lost ${r.blocksLost}/${r.blocksObserved}; transactions lost ${r.txsLost}/${r.txsAccepted}`,
    );
    if (r.survived !== cycles || r.blocksLost > 0 || r.txsLost > 0) misses.push("crash");
  }
  if (only.has("soak") && txs > 0) {
    log(`soak: ${txs} transactions from ${senders} senders`);
    const r = await soak({ txs, senders, seed, concurrency: 16, kill, log });
    results.soak = r;
    log(
      `soak: ${r.txsAccepted} accepted, ${r.confirmedExactlyOnce} confirmed exactly once on every node; chains identical: ${r.chainsIdentical}`,
    );
    if (r.confirmedExactlyOnce !== r.txsAccepted || !r.chainsIdentical || r.problems.length > 0 || r.txsAccepted < txs) misses.push("soak");
  }
  if (only.has("attacks")) {
    log("attacks: pool jam, long split, low-work side branch, orphans, big answers, connections");
    const t0 = Date.now();
    const r = await runAttacks({ log });
    results.attacks = { seconds: Math.round((Date.now() - t0) / 1000), results: r };
    process.stdout.write(`\n${attackTable(r)}\n\n`);
    const missed = r.filter((x) => !x.met).map((x) => x.id);
    log(`attacks: ${r.length - missed.length}/${r.length} targets met in ${Math.round((Date.now() - t0) / 1000)} s`);
    if (missed.length > 0) misses.push(`attacks (${missed.join(", ")})`);
  }
  results.finished = new Date().toISOString();
  results.misses = misses;
  const json = JSON.stringify(results, null, 2);
  if (values.out) writeFileSync(values.out, `${json}\n`);
  process.stdout.write(`${json}\n`);
  log(misses.length === 0 ? "all targets met" : `targets missed: ${misses.join(", ")}`);
}

main()
  .catch((err) => {
    process.stderr.write(`${(err as Error).stack ?? String(err)}\n`);
    misses.push("error");
  })
  .finally(() => {
    killAllStarted();
    removeAllTempDirs();
    process.exit(misses.length === 0 ? 0 : 1);
  });
