/**
 * Real node processes (`bin/tinychain node`, the built dist/) on 127.0.0.1 with an ephemeral
 * port. Every start is bounded in time, and every process is tracked so it is always stopped.
 */
import { type ChildProcess, spawn } from "node:child_process";
import { performance } from "node:perf_hooks";
import { BIN, ROOT, stopChild, trackChild } from "./lifecycle.js";

export interface NodeProc {
  url: string;
  proc: ChildProcess;
  /** performance.now() when spawned. */
  spawnedAt: number;
  /** The last ~64 KiB the node wrote, for error messages. */
  output: () => string;
  stop: () => Promise<void>;
}

const LISTENING = /tinychain node (http:\/\/127\.0\.0\.1:\d+)/;
const KEEP = 64 * 1024;

/** Spawns `tinychain node --port 0 --host 127.0.0.1 ...args` and waits until it prints its address. */
export async function startNode(args: string[], timeoutMs = 30_000): Promise<NodeProc> {
  const spawnedAt = performance.now();
  // BENCH_CPU_PROF=DIR: each node writes a V8 CPU profile there when it stops (to see what bounds a figure).
  const prof = process.env.BENCH_CPU_PROF ? ["--cpu-prof", `--cpu-prof-dir=${process.env.BENCH_CPU_PROF}`] : [];
  const proc = spawn(process.execPath, [...prof, BIN, "node", "--port", "0", "--host", "127.0.0.1", ...args], {
    cwd: ROOT,
    stdio: ["ignore", "pipe", "pipe"],
    env: { ...process.env, TINYCHAIN_LOG_FORMAT: "json" },
  });
  trackChild(proc);
  let out = "";
  let url: string | undefined;
  let wake: (() => void) | undefined;
  const onData = (d: Buffer) => {
    out += d.toString("utf8");
    if (url === undefined) {
      const m = LISTENING.exec(out);
      if (m) {
        url = m[1];
        wake?.();
      }
    }
    if (out.length > 2 * KEEP) out = out.slice(-KEEP);
  };
  proc.stdout?.on("data", onData);
  proc.stderr?.on("data", onData);
  const node: NodeProc = {
    url: "",
    proc,
    spawnedAt,
    output: () => out,
    stop: () => stopChild(proc),
  };
  await new Promise<void>((resolve, reject) => {
    const timer = setTimeout(() => fail(`did not start within ${timeoutMs} ms`), timeoutMs);
    const onExit = (code: number | null) => fail(`exited (code ${code}) before listening`);
    function done(err?: Error) {
      clearTimeout(timer);
      proc.off("exit", onExit);
      wake = undefined;
      if (err) reject(err);
      else resolve();
    }
    function fail(why: string) {
      proc.kill("SIGKILL");
      done(new Error(`tinychain node ${args.join(" ")} ${why}:\n${out.slice(-2000)}`));
    }
    wake = () => done();
    proc.once("exit", onExit);
    if (url !== undefined) done();
  });
  node.url = url as string;
  return node;
}
