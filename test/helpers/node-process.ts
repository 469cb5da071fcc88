/**
 * Real `bin/tinychain node` processes for the integration tests: the harness's
 * (test/harness/proc.ts) with the tests' defaults (a new temporary data dir, difficulty 16),
 * and JSON over fetch. Every wait is bounded.
 */
import {
  tempDir as harnessTempDir,
  waitFor as harnessWaitFor,
  type RunningNode,
  removeDir,
  startNode as startProcess,
} from "../harness/proc.js";

export { BIN, ROOT, removeDir } from "../harness/proc.js";

export type NodeProc = RunningNode;

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
  return harnessTempDir(prefix);
}

export function startNode(opts: StartOptions = {}): Promise<NodeProc> {
  return startProcess({
    dataDir: opts.dataDir === undefined ? tempDir() : opts.dataDir,
    difficulty: opts.difficulty ?? 16,
    args: opts.args ?? [],
    port: opts.port ?? 0,
    startTimeoutMs: opts.timeoutMs ?? 20_000,
    ...(opts.env ? { env: opts.env } : {}),
  });
}

/** Stops a node started by `startNode` (if it was) and removes its data dir. */
export async function stopAndRemove(node: NodeProc | undefined): Promise<void> {
  if (node === undefined) return;
  await node.stop();
  removeDir(node.dataDir);
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
export function waitFor<T>(check: () => Promise<T> | T, timeoutMs = 15_000, everyMs = 100): Promise<T> {
  return harnessWaitFor("a condition", check, timeoutMs, everyMs);
}
