/**
 * Starts real `bin/tinychain node` processes on 127.0.0.1 with an ephemeral port and a
 * throwaway data dir, for integration tests. Every wait is bounded.
 */
import { type ChildProcess, spawn } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import { homedir, tmpdir } from "node:os";
import { join, resolve } from "node:path";

export const ROOT = resolve(import.meta.dirname, "../..");
export const BIN = join(ROOT, "bin", "tinychain");

export interface NodeProc {
  url: string;
  port: number;
  dataDir: string;
  proc: ChildProcess;
  output: () => string;
  /** SIGTERM and wait (bounded); SIGKILL if it does not stop. */
  stop: () => Promise<number | null>;
  /** SIGKILL at once (a crash). */
  kill: () => Promise<void>;
}

export interface StartOptions {
  /** `null`: no --data-dir flag (the node's default under $HOME, e.g. with `env: { HOME }`). */
  dataDir?: string | null;
  difficulty?: number;
  args?: string[];
  port?: number;
  timeoutMs?: number;
  env?: Record<string, string>;
}

export function tempDir(prefix = "tc-test-"): string {
  return mkdtempSync(join(tmpdir(), prefix));
}

export async function startNode(opts: StartOptions = {}): Promise<NodeProc> {
  const dataDir =
    opts.dataDir === null ? join(opts.env?.HOME ?? homedir(), ".tinychain", `node-${opts.port ?? 0}`) : (opts.dataDir ?? tempDir());
  const args = [
    BIN,
    "node",
    "--port",
    String(opts.port ?? 0),
    ...(opts.dataDir === null ? [] : ["--data-dir", dataDir]),
    "--difficulty",
    String(opts.difficulty ?? 16),
    "--threads",
    "1",
    ...(opts.args ?? []),
  ];
  const proc = spawn(process.execPath, args, {
    cwd: ROOT,
    env: { ...process.env, ...opts.env },
    stdio: ["ignore", "pipe", "pipe"],
  });
  let out = "";
  proc.stdout?.on("data", (d) => {
    out += d.toString();
  });
  proc.stderr?.on("data", (d) => {
    out += d.toString();
  });
  const exited = new Promise<number | null>((res) => proc.once("exit", (code) => res(code)));
  // after "close" its output is read to the end
  const closed = new Promise<number | null>((res) => proc.once("close", (code) => res(code)));
  const deadline = Date.now() + (opts.timeoutMs ?? 20_000);
  let port = 0;
  while (Date.now() < deadline) {
    const m = /tinychain node http:\/\/127\.0\.0\.1:(\d+)/.exec(out);
    if (m) {
      port = Number(m[1]);
      break;
    }
    if (proc.exitCode !== null) break;
    await new Promise((r) => setTimeout(r, 50));
  }
  if (port === 0) {
    proc.kill("SIGKILL");
    const code = await closed;
    throw new Error(`node did not start (exit code ${code}):\n${out}`);
  }
  const node: NodeProc = {
    url: `http://127.0.0.1:${port}`,
    port,
    dataDir,
    proc,
    output: () => out,
    stop: async () => {
      if (proc.exitCode !== null || proc.signalCode !== null) return proc.exitCode;
      proc.kill("SIGTERM");
      const t = setTimeout(() => proc.kill("SIGKILL"), 10_000);
      const code = await exited;
      clearTimeout(t);
      return code;
    },
    kill: async () => {
      if (proc.exitCode !== null || proc.signalCode !== null) return;
      proc.kill("SIGKILL");
      await exited;
    },
  };
  return node;
}

export function removeDir(dir: string): void {
  rmSync(dir, { recursive: true, force: true });
}

/** JSON over HTTP with a bounded wait. */
export async function http(
  url: string,
  init: { method?: string; body?: unknown; raw?: string; headers?: Record<string, string>; timeoutMs?: number } = {},
): Promise<{ status: number; body: any; text: string; headers: Headers }> {
  const headers: Record<string, string> = { ...init.headers };
  let body: string | undefined;
  if (init.raw !== undefined) body = init.raw;
  else if (init.body !== undefined) {
    body = JSON.stringify(init.body);
    headers["content-type"] ??= "application/json";
  }
  const res = await fetch(url, {
    method: init.method ?? (body !== undefined ? "POST" : "GET"),
    headers,
    ...(body !== undefined ? { body } : {}),
    signal: AbortSignal.timeout(init.timeoutMs ?? 30_000),
  });
  const text = await res.text();
  let parsed: any;
  try {
    parsed = JSON.parse(text);
  } catch {
    parsed = undefined;
  }
  return { status: res.status, body: parsed, text, headers: res.headers };
}

/** Polls `check` until it returns a truthy value or the time runs out. */
export async function waitFor<T>(check: () => Promise<T> | T, timeoutMs = 15_000, everyMs = 100): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  let last: unknown;
  while (Date.now() < deadline) {
    try {
      const v = await check();
      if (v) return v;
    } catch (err) {
      last = err;
    }
    await new Promise((r) => setTimeout(r, everyMs));
  }
  throw new Error(`timed out after ${timeoutMs} ms${last ? `: ${String(last)}` : ""}`);
}
