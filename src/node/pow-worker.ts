/**
 * Proof-of-work search in a worker thread. The header's canonical JSON is split around the
 * proof: the fixed prefix is hashed once and its state copied for each try, then only the
 * proof's digits and the fixed suffix are hashed. An abort flag in shared memory (the job's
 * generation) stops a stale search within a few thousand tries.
 */
import { createHash } from "node:crypto";
import { setPriority } from "node:os";
import { parentPort } from "node:worker_threads";
import { loadNativePow } from "./pow-native.js";

export interface PowJob {
  type: "job";
  generation: number;
  prefix: string;
  suffix: string;
  /** Largest acceptable hash, 64 hex digits. */
  target: string;
  start: number;
  end: number;
}

export type PowMessage =
  | { type: "found"; generation: number; proof: number }
  | { type: "exhausted"; generation: number }
  | { type: "progress"; tries: number }
  | { type: "ready"; implementation: string };

const CHECK_EVERY = 2048;
const REPORT_MS = 250;

// Below the main thread (on Linux the nice value is per thread), so the API answers promptly while all threads mine.
try {
  setPriority(10);
} catch {
  // not permitted here: run at normal priority
}

let control: Int32Array | undefined;
const native = loadNativePow();
/** Tries per search call between abort checks: ~30 ms natively, ~10 ms in JavaScript. */
const CHUNK = native !== undefined ? 1 << 18 : CHECK_EVERY;

/** Searches proofs in [start, start + count); the first that meets the target, or -1. */
type Searcher = (start: number, count: number) => number;

function nativeSearcher(job: PowJob, pow: NonNullable<typeof native>): Searcher {
  const prefix = Buffer.from(job.prefix);
  const suffix = Buffer.from(job.suffix);
  const target = Buffer.from(job.target, "hex");
  return (start, count) => pow.search(prefix, suffix, target, start, count);
}

function jsSearcher(job: PowJob): Searcher {
  const target = Buffer.from(job.target, "hex");
  const base = createHash("sha256").update(job.prefix);
  return (start, count) => {
    for (let proof = start; proof < start + count; proof++) {
      const digest = base.copy().update(`${proof}${job.suffix}`).digest();
      if (Buffer.compare(digest, target) <= 0) return proof;
    }
    return -1;
  };
}

function run(job: PowJob): void {
  const port = parentPort;
  if (port === null || control === undefined) return;
  const search = native !== undefined ? nativeSearcher(job, native) : jsSearcher(job);
  let tries = 0;
  // the machine's clock, not the node's: it only paces the progress reports of this thread's search
  let lastReport = Date.now();
  for (let start = job.start; start < job.end; start += CHUNK) {
    const count = Math.min(CHUNK, job.end - start);
    const proof = search(start, count);
    if (proof >= 0) {
      port.postMessage({ type: "progress", tries: tries + (proof - start) + 1 } satisfies PowMessage);
      port.postMessage({ type: "found", generation: job.generation, proof } satisfies PowMessage);
      return;
    }
    tries += count;
    if (Atomics.load(control, 0) !== job.generation) break;
    const nowMs = Date.now();
    if (nowMs - lastReport >= REPORT_MS) {
      port.postMessage({ type: "progress", tries } satisfies PowMessage);
      tries = 0;
      lastReport = nowMs;
    }
  }
  port.postMessage({ type: "progress", tries } satisfies PowMessage);
  if (Atomics.load(control, 0) === job.generation) {
    port.postMessage({ type: "exhausted", generation: job.generation } satisfies PowMessage);
  }
}

parentPort?.on("message", (msg: PowJob | { type: "control"; buffer: SharedArrayBuffer }) => {
  if (msg.type === "control") {
    control = new Int32Array(msg.buffer);
    parentPort?.postMessage({ type: "ready", implementation: native?.implementation ?? "javascript" } satisfies PowMessage);
  } else run(msg);
});
