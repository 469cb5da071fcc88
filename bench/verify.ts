/** 2. The Ed25519 verification limit of this machine: the bound for ingest and validation. */
import { availableParallelism } from "node:os";
import { measureHandoff } from "./handoff.js";
import { type Figure, fmt } from "./report.js";
import { runRef } from "./threads.js";

const SECTION = "2. Ed25519 verify limit";
/** Best of TRIALS trials of MS each. */
const MS = 500;
const TRIALS = 3;

export interface VerifyLimit {
  /** The highest 1-thread rate measured in this run so far. */
  perCore: number;
  allCores: number;
  cores: number;
  method: string;
  /** Every 1-thread measurement so far, in order (section 2 first). */
  samples: number[];
}

/**
 * Measures the 1-thread rate again (just before a section that is compared with it) and keeps
 * the highest so far: on a machine whose speed moves, a reference measured in a slow moment
 * would flatter the figures compared with it; the highest one cannot.
 */
export async function refreshLimit(limit: VerifyLimit): Promise<VerifyLimit> {
  const again = await runRef({ kind: "verify", ms: MS, reparse: false }, 1, TRIALS);
  if (again.failures > 0) throw new Error("a valid signature failed to verify");
  return { ...limit, perCore: Math.max(limit.perCore, again.rate), samples: [...limit.samples, again.rate] };
}

export async function benchVerify(): Promise<{ figures: Figure[]; limit: VerifyLimit }> {
  const cores = availableParallelism();
  const base =
    "crypto.verify(null, message, key, signature) in a loop for 0.5 s, best of 3, over 64 signers' transfers (canonical signing bytes, ~230 B)";
  const reusedMethod = (n: number) =>
    `${base}, the public KeyObject parsed once and reused, on ${n} worker thread${n > 1 ? "s at once (sum of their rates)" : ""}`;
  const one = await runRef({ kind: "verify", ms: MS, reparse: false }, 1, TRIALS);
  const all = await runRef({ kind: "verify", ms: MS, reparse: false }, cores, TRIALS);
  const reparse = await runRef({ kind: "verify", ms: MS, reparse: true }, 1, TRIALS);
  if (one.failures + all.failures + reparse.failures > 0) throw new Error("a valid signature failed to verify");
  const handoff = await measureHandoff();
  const limit: VerifyLimit = { perCore: one.rate, allCores: all.rate, cores, method: reusedMethod(cores), samples: [one.rate] };
  const figures: Figure[] = [
    {
      id: "verify.per_core",
      section: SECTION,
      label: "Ed25519 verify/s, 1 thread, key reused",
      value: one.rate,
      unit: "verify/s",
      method: reusedMethod(1),
      details: { per_cpu_second: Math.round(one.perCpuSecond) },
    },
    {
      id: "verify.all_cores",
      section: SECTION,
      label: `Ed25519 verify/s, ${cores} threads, key reused`,
      value: all.rate,
      unit: "verify/s",
      method: reusedMethod(cores),
      reference: {
        label: `1-thread rate × ${cores}`,
        value: one.rate * cores,
        unit: "verify/s",
        method: "the 1-thread rate times the number of cores (perfect scaling)",
      },
      ratio: all.rate / (one.rate * cores),
      details: { per_thread: all.perThread.map((r) => Math.round(r)), per_cpu_second: Math.round(all.perCpuSecond) },
    },
    {
      id: "verify.reparse",
      section: SECTION,
      label: "Ed25519 verify/s, 1 thread, key re-parsed each time",
      value: reparse.rate,
      unit: "verify/s",
      method: `${base}, crypto.createPublicKey(SPKI DER) before every verification, 1 thread`,
      reference: { label: "key reused, 1 thread", value: one.rate, unit: "verify/s", method: reusedMethod(1) },
      ratio: reparse.rate / one.rate,
    },
    {
      id: "verify.handoff",
      section: SECTION,
      label: "Hand-off to a sleeping worker thread and back, CPU µs",
      value: handoff.cpuUs,
      unit: "µs",
      method:
        `${fmt(handoff.roundTrips)} messages shaped like the verify pool's (one transaction's signing bytes, transferred) sent one at a time to a worker thread ` +
        `that answers each at once, so it sleeps between them (ping-pong): CPU of both threads (user + system) per round trip. ` +
        `What handing a lone transaction's check to the verify pool adds when its workers are idle; ${fmt(handoff.wallUs)} µs wall per round trip`,
      reference: { label: "one Ed25519 verification (1 thread, key reused)", value: 1e6 / one.rate, unit: "µs", method: reusedMethod(1) },
      ratio: handoff.cpuUs / (1e6 / one.rate),
      details: {
        wall_us: Math.round(handoff.wallUs * 10) / 10,
        system_us: Math.round(handoff.systemUs * 10) / 10,
      },
    },
  ];
  return { figures, limit };
}
