/**
 * Real node processes on 127.0.0.1 for the labs: `tinychain node` from this same build, each
 * on a port of its own choosing (0) with its own data directory, asked for the operator
 * routes with its API token. Every process started is tracked so it can always be stopped:
 * `stopAll` (SIGTERM, then SIGKILL after a bounded wait) and `killAll` (SIGKILL at once, for
 * an exit in a hurry). Every wait is bounded.
 */
import { type ChildProcess, spawn } from "node:child_process";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { fileURLToPath } from "node:url";

/** The command line's entry in this build (dist/cli/main.js next to dist/sim/). */
const MAIN = fileURLToPath(new URL("../cli/main.js", import.meta.url));
const LISTENING = /tinychain node (http:\/\/127\.0\.0\.1:\d+)/;
const START_TIMEOUT_MS = 60_000;
const STOP_TIMEOUT_MS = 10_000;
/** Output kept from each process, for the error message when it fails. */
const OUTPUT_KEEP = 16 * 1024;

export interface NodeProcess {
  url: string;
  dataDir: string;
  /** The API token (`<data-dir>/api.token`), for the operator routes. */
  token: string;
  proc: ChildProcess;
  output: () => string;
}

export interface StartOptions {
  dataDir: string;
  networkFile: string;
  /** More flags for `tinychain node`. */
  args?: string[];
}

const alive = (p: ChildProcess) => p.exitCode === null && p.signalCode === null;

export class NodeProcesses {
  private readonly procs = new Set<ChildProcess>();

  /** Starts a node and resolves when it listens (bounded). */
  async start(opts: StartOptions): Promise<NodeProcess> {
    const args = [MAIN, "node", "--port", "0", "--host", "127.0.0.1", "--data-dir", opts.dataDir, "--network", opts.networkFile];
    const proc = spawn(process.execPath, [...args, ...(opts.args ?? [])], {
      env: { ...process.env, TINYCHAIN_LOG_FORMAT: "json" },
      stdio: ["ignore", "pipe", "pipe"],
    });
    this.procs.add(proc);
    proc.once("exit", () => this.procs.delete(proc));
    let out = "";
    const onData = (d: Buffer) => {
      out = (out + d.toString("utf8")).slice(-OUTPUT_KEEP);
    };
    proc.stdout?.on("data", onData);
    proc.stderr?.on("data", onData);
    const url = await new Promise<string | undefined>((resolve) => {
      const timer = setTimeout(() => done(undefined), START_TIMEOUT_MS);
      const look = () => {
        const m = LISTENING.exec(out);
        if (m) done(m[1]);
      };
      const onExit = () => done(undefined);
      const done = (u: string | undefined) => {
        clearTimeout(timer);
        proc.stdout?.off("data", look);
        proc.off("exit", onExit);
        resolve(u);
      };
      proc.stdout?.on("data", look);
      proc.once("exit", onExit);
    });
    if (url === undefined) {
      if (alive(proc)) proc.kill("SIGKILL");
      throw new Error(`a node did not start (${args.slice(1).join(" ")}):\n${out.slice(-2000)}`);
    }
    const token = readFileSync(join(opts.dataDir, "api.token"), "utf8").trim();
    return { url, dataDir: opts.dataDir, token, proc, output: () => out };
  }

  /** How many of the processes started here are still running. */
  get running(): number {
    return [...this.procs].filter(alive).length;
  }

  /** Stops every process: SIGTERM, and SIGKILL for any still running after a bounded wait. */
  async stopAll(): Promise<void> {
    const procs = [...this.procs].filter(alive);
    const exited = procs.map((p) => new Promise<void>((r) => (alive(p) ? p.once("exit", () => r()) : r())));
    for (const p of procs) p.kill("SIGTERM");
    let timer: NodeJS.Timeout | undefined;
    const late = new Promise<void>((r) => {
      timer = setTimeout(r, STOP_TIMEOUT_MS);
    });
    await Promise.race([Promise.all(exited), late]);
    clearTimeout(timer);
    this.killAll();
    await Promise.race([Promise.all(exited), new Promise((r) => setTimeout(r, 1_000).unref())]);
  }

  /** SIGKILL to every process still running (synchronous: usable in an exit handler). */
  killAll(): void {
    for (const p of this.procs) if (alive(p)) p.kill("SIGKILL");
  }
}

/** A JSON request to a node's route with its token; throws on a non-2xx answer or after `timeoutMs`. */
export async function callNode(node: NodeProcess, method: string, path: string, body?: unknown, timeoutMs = 30_000): Promise<unknown> {
  const r = await fetch(`${node.url}${path}`, {
    method,
    headers: {
      authorization: `Bearer ${node.token}`,
      ...(body !== undefined ? { "content-type": "application/json" } : {}),
    },
    ...(body !== undefined ? { body: JSON.stringify(body) } : {}),
    signal: AbortSignal.timeout(timeoutMs),
  });
  const text = await r.text();
  if (!r.ok) throw new Error(`${method} ${node.url}${path}: ${r.status} ${text.slice(0, 300)}`);
  return JSON.parse(text);
}
