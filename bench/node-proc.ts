/**
 * Real node processes (`bin/tinychain node`, the built dist/) on 127.0.0.1 with an ephemeral
 * port, started by the tests' process harness (test/harness/proc.ts) with the node's own
 * defaults (no --threads), and tracked here so the bench always stops them.
 */
import { type RunningNode, startNode as startProcess } from "../test/harness/proc.js";
import { trackChild } from "./lifecycle.js";

export type NodeProc = RunningNode;

/** Spawns `tinychain node --port 0 --host 127.0.0.1 --data-dir DIR ...args` and waits until it prints its address. */
export async function startNode(dataDir: string, args: string[], timeoutMs = 30_000): Promise<NodeProc> {
  // BENCH_CPU_PROF=DIR: each node writes a V8 CPU profile there when it stops (to see what bounds a figure).
  const prof = process.env.BENCH_CPU_PROF ? ["--cpu-prof", `--cpu-prof-dir=${process.env.BENCH_CPU_PROF}`] : [];
  const node = await startProcess({ dataDir, args, threads: null, nodeFlags: prof, startTimeoutMs: timeoutMs });
  trackChild(node.proc);
  return node;
}
