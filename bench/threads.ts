/**
 * Running work on N threads at once: the reference loops (ref-worker) and the node's own
 * proof-of-work worker (dist/node/pow-worker.js, the code path the miner uses). Each rate is
 * the best of a few short trials, so a burst of other work on the machine does not decide it.
 */
import { performance } from "node:perf_hooks";
import { Worker } from "node:worker_threads";
import type { PowJob, PowMessage } from "../src/node/pow-worker.js";
import { selfCpuSeconds } from "./cpu.js";
import type { RefResult, RefTask } from "./ref-worker.js";

const REF_WORKER = new URL("./ref-worker.js", import.meta.url);
const POW_WORKER = new URL("../src/node/pow-worker.js", import.meta.url);

function ask<T>(w: Worker, msg: unknown, timeoutMs: number): Promise<T> {
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`worker gave no answer within ${timeoutMs} ms`)), timeoutMs);
    w.once("message", (m: T) => {
      clearTimeout(timer);
      resolve(m);
    });
    w.once("error", (err) => {
      clearTimeout(timer);
      reject(err);
    });
    w.postMessage(msg);
  });
}

export interface ParallelRate {
  /** Sum over threads of count ÷ seconds, in the best trial. */
  rate: number;
  /** Per thread, in the best trial. */
  perThread: number[];
  failures: number;
  /** Items per CPU-second of this process over all trials (the main thread idles meanwhile): what other load disturbs little. */
  perCpuSecond: number;
}

/** Runs `task` on `threads` reference workers at once, `trials` times (task.ms each, after a short warm-up). */
export async function runRef(task: RefTask, threads: number, trials: number): Promise<ParallelRate> {
  const workers = Array.from({ length: threads }, () => new Worker(REF_WORKER));
  try {
    await Promise.all(workers.map((w) => ask<RefResult>(w, { ...task, ms: 30 }, 30_000)));
    let best: ParallelRate = { rate: 0, perThread: [], failures: 0, perCpuSecond: 0 };
    let failures = 0;
    let count = 0;
    let cpu = 0;
    for (let t = 0; t < trials; t++) {
      const cpu0 = selfCpuSeconds();
      const results = await Promise.all(workers.map((w) => ask<RefResult>(w, task, task.ms + 30_000)));
      cpu += selfCpuSeconds() - cpu0;
      const perThread = results.map((r) => r.count / r.seconds);
      const rate = perThread.reduce((a, b) => a + b, 0);
      failures += results.reduce((s, r) => s + r.failures, 0);
      count += results.reduce((s, r) => s + r.count, 0);
      if (rate > best.rate) best = { rate, perThread, failures: 0, perCpuSecond: 0 };
    }
    return { ...best, failures, perCpuSecond: count / cpu };
  } finally {
    await Promise.all(workers.map((w) => w.terminate()));
  }
}

export interface PowRate {
  implementation: string;
  /** Tries per second summed over threads, in the best trial. */
  rate: number;
  perThread: number[];
  /** Tries per CPU-second of this process over all trials. */
  perCpuSecond: number;
}

export interface PowSearch {
  threads: number;
  prefix: string;
  suffix: string;
  trials: number;
  trialSeconds: number;
  /** Thread i of trial t searches from base + i·span + t·span/trials. */
  nonces: { base: number; span: number };
  env?: NodeJS.ProcessEnv;
}

/**
 * Runs the miner's worker on `threads` threads against an impossible target (hash ≤ 0), in
 * `trials` trials of `trialSeconds`. A thread's rate in a trial is the tries of its progress
 * reports (every 250 ms) after the first, over the time from the first report to the last.
 */
export async function runPowSearch(s: PowSearch): Promise<PowRate> {
  const control = new Int32Array(new SharedArrayBuffer(4));
  let generation = 1;
  Atomics.store(control, 0, generation);
  let reports: Array<Array<[number, number]>> = [];
  let waitingFinal: Array<(() => void) | undefined> = [];
  let implementation = "unknown";
  let allTries = 0;
  const workers: Worker[] = [];
  try {
    const ready: Array<Promise<void>> = [];
    for (let i = 0; i < s.threads; i++) {
      const w = new Worker(POW_WORKER, s.env ? { env: s.env } : {});
      ready.push(
        new Promise((resolve, reject) => {
          const timer = setTimeout(() => reject(new Error("the proof-of-work worker did not start within 15 s")), 15_000);
          w.on("message", (m: PowMessage) => {
            if (m.type === "ready") {
              implementation = m.implementation;
              clearTimeout(timer);
              resolve();
            } else if (m.type === "progress") {
              allTries += m.tries;
              const final = waitingFinal[i];
              if (final !== undefined)
                final(); // the report a worker sends when it stops
              else reports[i]?.push([performance.now(), m.tries]);
            } else if (m.type === "found") reject(new Error("a proof met an impossible target"));
          });
          w.once("error", reject);
        }),
      );
      w.postMessage({ type: "control", buffer: control.buffer });
      workers.push(w);
    }
    await Promise.all(ready);
    let best: PowRate = { implementation, rate: 0, perThread: [], perCpuSecond: 0 };
    let cpu = 0;
    for (let t = 0; t < s.trials; t++) {
      reports = workers.map(() => []);
      waitingFinal = workers.map(() => undefined);
      const cpu0 = selfCpuSeconds();
      workers.forEach((w, i) => {
        const start = s.nonces.base + i * s.nonces.span + Math.floor((t * s.nonces.span) / s.trials);
        const end = start + Math.floor(s.nonces.span / s.trials);
        const job: PowJob = { type: "job", generation, prefix: s.prefix, suffix: s.suffix, target: "0".repeat(64), start, end };
        w.postMessage(job);
      });
      await new Promise((r) => setTimeout(r, s.trialSeconds * 1000));
      const stopped = workers.map(
        (_, i) =>
          new Promise<void>((resolve) => {
            const timer = setTimeout(resolve, 2_000);
            waitingFinal[i] = () => {
              clearTimeout(timer);
              waitingFinal[i] = undefined;
              resolve();
            };
          }),
      );
      Atomics.store(control, 0, ++generation);
      await Promise.all(stopped);
      cpu += selfCpuSeconds() - cpu0;
      const perThread = reports.map((list, i) => {
        if (list.length < 3) throw new Error(`thread ${i} sent ${list.length} progress reports in ${s.trialSeconds} s`);
        const first = list[0] as [number, number];
        const last = list.at(-1) as [number, number];
        return (list.slice(1).reduce((sum, [, n]) => sum + n, 0) * 1000) / (last[0] - first[0]);
      });
      const rate = perThread.reduce((a, b) => a + b, 0);
      if (rate > best.rate) best = { implementation, rate, perThread, perCpuSecond: 0 };
    }
    return { ...best, implementation, perCpuSecond: allTries / cpu };
  } finally {
    Atomics.store(control, 0, generation + 1);
    await Promise.all(workers.map((w) => w.terminate()));
  }
}
