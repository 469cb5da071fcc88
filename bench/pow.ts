/**
 * 1. Proof of work: the miner's search (its worker, native addon or JavaScript) against the
 * SHA-256 compression rate OpenSSL reaches on the same machine in the same run.
 */
import { availableParallelism } from "node:os";
import { sha256Hex } from "../src/crypto/hash.js";
import { splitHeader } from "../src/node/miner.js";
import { atLeast, type Figure, fmt } from "./report.js";
import { runPowSearch, runRef } from "./threads.js";

const SECTION = "1. Proof of work";
/** Best of TRIALS trials of TRIAL_S seconds each (search) or REF_MS each (reference). */
const TRIALS = 3;
const TRIAL_S = 1.2;
const REF_MS = 600;
/** Nonces searched: 13 digits throughout, so every try hashes the same number of blocks. */
const NONCE_BASE = 1e12;
const NONCE_SPAN = 1e10;
const DIGITS = 13;
/** The nice value the miner's worker gives its thread (pow-worker.ts); the reference threads take the same. */
const MINER_NICE = 10;

/** A realistic devnet header: height in the hundred thousands, a millisecond timestamp, difficulty 65536. */
export function devnetHeader() {
  const block = {
    index: 123_457,
    timestamp: Math.round(Date.now()) / 1000,
    previous_hash: sha256Hex("bench previous block"),
    tx_root: sha256Hex("bench transactions"),
    difficulty: 65536,
    proof: 0,
    transactions: [],
  };
  const { prefix, suffix } = splitHeader(block);
  const L = Buffer.byteLength(prefix);
  const S = Buffer.byteLength(suffix);
  // SHA-256 pads the message with 0x80 and an 8-byte length; the prefix's whole blocks are hashed once (midstate).
  const compressions = Math.ceil((L + DIGITS + S + 9) / 64) - Math.floor(L / 64);
  return { prefix, suffix, L, S, compressions };
}

export async function benchPow(): Promise<{ figures: Figure[]; implementation: string }> {
  const cores = availableParallelism();
  const h = devnetHeader();
  const shaMethod = (n: number) =>
    `OpenSSL SHA-256 in-process (crypto.createHash('sha256').update() of a 4 MiB buffer, repeated for ${REF_MS / 1000} s; best of ${TRIALS}) ` +
    `on ${n} worker thread${n > 1 ? "s at once" : ""} (nice ${MINER_NICE}, as the miner's threads): bytes/s ÷ 64 = compressions/s, ÷ ${h.compressions} compressions per try ` +
    `(header prefix ${h.L} B, ${DIGITS} proof digits, suffix ${h.S} B: ceil((${h.L}+${DIGITS}+${h.S}+9)/64) − floor(${h.L}/64))`;
  const limit = async (n: number) => {
    const r = await runRef({ kind: "sha256", ms: REF_MS, nice: MINER_NICE }, n, TRIALS);
    return {
      perThread: r.perThread.map((b) => b / 64),
      tries: r.rate / 64 / h.compressions,
      triesPerCpuS: r.perCpuSecond / 64 / h.compressions,
    };
  };
  const ref1 = await limit(1);
  const refN = await limit(cores);
  const ref2 = cores === 2 ? refN : cores > 2 ? await limit(2) : undefined;

  const search = (threads: number, trials = TRIALS, env?: NodeJS.ProcessEnv) =>
    runPowSearch({
      threads,
      prefix: h.prefix,
      suffix: h.suffix,
      trials,
      trialSeconds: TRIAL_S,
      nonces: { base: NONCE_BASE, span: NONCE_SPAN },
      ...(env ? { env } : {}),
    });
  const one = await search(1);
  const all = await search(cores);
  const two = cores === 2 ? all : cores > 2 ? await search(2) : undefined;
  const impl = one.implementation;
  const searchMethod = (n: number) =>
    `the miner's worker (dist/node/pow-worker.js, implementation "${impl}") on ${n} thread${n > 1 ? "s" : ""}, ` +
    `a realistic devnet header (difficulty 65536, height 123457) split around "proof", target 0 (impossible), ` +
    `best of ${TRIALS} trials of ${TRIAL_S} s; a trial's rate from the worker's progress reports (tries after the first report ÷ time from the first to the last report)`;

  const figures: Figure[] = [];
  const perThreadRatio = one.rate / ref1.tries;
  figures.push({
    id: "pow.per_thread",
    section: SECTION,
    label: `PoW tries/s, 1 thread (${impl})`,
    value: one.rate,
    unit: "tries/s",
    method: searchMethod(1),
    reference: { label: "OpenSSL SHA-256 limit, 1 thread", value: ref1.tries, unit: "tries/s", method: shaMethod(1) },
    ratio: perThreadRatio,
    target: atLeast(perThreadRatio * 100, 70, "≥ 70 % of the limit per thread", " points"),
    details: {
      compressions_per_try: h.compressions,
      prefix_bytes: h.L,
      suffix_bytes: h.S,
      proof_digits: DIGITS,
      openssl_compressions_per_s_1_thread: ref1.perThread[0],
      tries_per_cpu_second: Math.round(one.perCpuSecond),
      limit_tries_per_cpu_second: Math.round(ref1.triesPerCpuS),
      ratio_per_cpu_second: one.perCpuSecond / ref1.triesPerCpuS,
    },
  });
  figures.push({
    id: "pow.total",
    section: SECTION,
    label: `PoW tries/s, ${cores} threads (${impl})`,
    value: all.rate,
    unit: "tries/s",
    method: searchMethod(cores),
    reference: { label: `OpenSSL SHA-256 limit, ${cores} threads`, value: refN.tries, unit: "tries/s", method: shaMethod(cores) },
    ratio: all.rate / refN.tries,
    details: {
      per_thread: all.perThread.map((r) => Math.round(r)),
      tries_per_cpu_second: Math.round(all.perCpuSecond),
      limit_tries_per_cpu_second: Math.round(refN.triesPerCpuS),
    },
  });
  if (two !== undefined && ref2 !== undefined) {
    const scaling = two.rate / one.rate;
    figures.push({
      id: "pow.scaling_2",
      section: SECTION,
      label: "PoW scaling, 2 threads vs 1",
      value: scaling,
      unit: "×",
      method: `tries/s on 2 threads ÷ tries/s on 1 thread (${fmt(two.rate)} ÷ ${fmt(one.rate)}), same search as above`,
      reference: {
        label: "OpenSSL scaling, 2 threads vs 1",
        value: ref2.tries / ref1.tries,
        unit: "×",
        method: "the OpenSSL SHA-256 rate on 2 threads ÷ on 1 thread: what the cores allow",
      },
      target: atLeast(scaling, 1.8, "≥ 1.8× with 2 threads", "×"),
    });
  }
  if (impl !== "javascript") {
    const js = await search(1, 2, { ...process.env, TINYCHAIN_NATIVE_POW: "0" });
    figures.push({
      id: "pow.javascript_fallback",
      section: SECTION,
      label: "PoW tries/s, 1 thread, JavaScript fallback",
      value: js.rate,
      unit: "tries/s",
      method: `${searchMethod(1).replace(`"${impl}"`, `"${js.implementation}" (TINYCHAIN_NATIVE_POW=0)`).replace(`best of ${TRIALS}`, "best of 2")}; for information: what a node without the addon mines at`,
      reference: { label: "OpenSSL SHA-256 limit, 1 thread", value: ref1.tries, unit: "tries/s", method: shaMethod(1) },
      ratio: js.rate / ref1.tries,
    });
  }
  return { figures, implementation: impl };
}
