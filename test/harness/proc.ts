/**
 * Real node processes (`bin/tinychain node`, the built dist/), the one process harness of the
 * tests, the robustness runs and the soak: started on a given host (127.0.0.1 unless a test
 * namespace address is given) and port, stopped with SIGTERM or killed with SIGKILL, restarted
 * on the same data dir and port. Every wait is bounded; every process started is tracked so it
 * can always be stopped.
 */
import { type ChildProcess, spawn } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import { Agent as HttpAgent, request as httpRequest } from "node:http";
import { homedir, tmpdir } from "node:os";
import { join } from "node:path";
import { performance } from "node:perf_hooks";
import { BIN, ROOT } from "./root.js";

export { BIN, ROOT };

export interface NodeOptions {
  /** `null`: no --data-dir flag (the node's default under $HOME, e.g. with `env: { HOME }`). */
  dataDir: string | null;
  /** `--difficulty N` (ignored when `networkFile` is given and this is undefined). */
  difficulty?: number;
  networkFile?: string;
  host?: string;
  /** 0: an ephemeral port. */
  port?: number;
  args?: string[];
  /** `--threads N`, 1 by default; `null`: no flag (the node's default, one per core). */
  threads?: number | null;
  /** Flags for Node.js itself, before bin/tinychain (e.g. `--cpu-prof`). */
  nodeFlags?: string[];
  /** Added to this process's environment. */
  env?: Record<string, string>;
  startTimeoutMs?: number;
}

export interface RunningNode {
  url: string;
  host: string;
  port: number;
  dataDir: string;
  proc: ChildProcess;
  /** performance.now() when it was spawned. */
  spawnedAt: number;
  /** Everything the process wrote (stdout and stderr), capped at the last `OUTPUT_KEEP` characters. */
  output: () => string;
  /** Resolves to the exit code when the process has exited. */
  exited: Promise<number | null>;
  /** SIGTERM and wait (bounded); SIGKILL if it does not stop. Resolves to the exit code. */
  stop: () => Promise<number | null>;
  /** SIGKILL at once (a crash). */
  kill: () => Promise<void>;
  alive: () => boolean;
}

const OUTPUT_KEEP = 4 * 1024 * 1024;
const LISTENING = /tinychain node http:\/\/(\[[^\]]+\]|[^:\s]+):(\d+)/;

const live = new Set<ChildProcess>();

/** Kills (SIGKILL) every node this process started that is still running. */
export function killAllStarted(): void {
  for (const p of live) if (p.exitCode === null && p.signalCode === null) p.kill("SIGKILL");
  live.clear();
}

const made = new Set<string>();

export function tempDir(prefix = "tc-robust-"): string {
  const d = mkdtempSync(join(tmpdir(), prefix));
  made.add(d);
  return d;
}

export function removeDir(dir: string): void {
  rmSync(dir, { recursive: true, force: true });
  made.delete(dir);
}

/** Removes every temporary directory made here and not removed yet (after `killAllStarted`). */
export function removeAllTempDirs(): void {
  for (const d of [...made]) removeDir(d);
}

export async function startNode(opts: NodeOptions): Promise<RunningNode> {
  const host = opts.host ?? "127.0.0.1";
  const dataDir = opts.dataDir ?? join(opts.env?.HOME ?? homedir(), ".tinychain", `node-${opts.port ?? 0}`);
  const args = [BIN, "node", "--port", String(opts.port ?? 0), "--host", host];
  if (opts.dataDir !== null) args.push("--data-dir", opts.dataDir);
  if (opts.threads !== null) args.push("--threads", String(opts.threads ?? 1));
  if (opts.networkFile !== undefined) args.push("--network", opts.networkFile);
  if (opts.difficulty !== undefined) args.push("--difficulty", String(opts.difficulty));
  args.push(...(opts.args ?? []));
  const spawnedAt = performance.now();
  const proc = spawn(process.execPath, [...(opts.nodeFlags ?? []), ...args], {
    cwd: ROOT,
    env: { ...process.env, TINYCHAIN_LOG_FORMAT: "json", ...opts.env },
    stdio: ["ignore", "pipe", "pipe"],
  });
  live.add(proc);
  // after "close" its output is read to the end (on a failed start, the reason is in it)
  const closed = new Promise<void>((res) => proc.once("close", () => res()));
  let out = "";
  /** Set while waiting for the line saying where it listens: looks for it in what came. */
  let look: (() => void) | undefined;
  const onData = (d: Buffer) => {
    out += d.toString("utf8");
    if (out.length > OUTPUT_KEEP * 2) out = out.slice(-OUTPUT_KEEP);
    look?.();
  };
  proc.stdout?.on("data", onData);
  proc.stderr?.on("data", onData);
  const exited = new Promise<number | null>((res) =>
    proc.once("exit", (code) => {
      live.delete(proc);
      res(code);
    }),
  );
  // woken by the output itself, so the time to start is measured as it is (the bench's reopen)
  const port = await new Promise<number>((resolve) => {
    const finish = (p: number) => {
      clearTimeout(timer);
      proc.off("exit", onExit);
      look = undefined;
      resolve(p);
    };
    const onExit = () => finish(0);
    const timer = setTimeout(() => finish(0), opts.startTimeoutMs ?? 60_000);
    look = () => {
      const m = LISTENING.exec(out);
      if (m) finish(Number(m[2]));
    };
    proc.once("exit", onExit);
    look();
  });
  if (port === 0) {
    proc.kill("SIGKILL");
    const code = await exited;
    await closed;
    throw new Error(`node did not start (${args.slice(1).join(" ")}; exit code ${code}):\n${out.slice(-4000)}`);
  }
  const urlHost = host.includes(":") ? `[${host}]` : host;
  const alive = () => proc.exitCode === null && proc.signalCode === null;
  return {
    url: `http://${urlHost}:${port}`,
    host,
    port,
    dataDir,
    proc,
    spawnedAt,
    output: () => out,
    exited,
    alive,
    stop: async () => {
      if (!alive()) return proc.exitCode;
      proc.kill("SIGTERM");
      const t = setTimeout(() => proc.kill("SIGKILL"), 15_000);
      const code = await exited;
      clearTimeout(t);
      return code;
    },
    kill: async () => {
      if (!alive()) return;
      proc.kill("SIGKILL");
      await exited;
    },
  };
}

export function sleep(ms: number): Promise<void> {
  return new Promise((r) => setTimeout(r, ms));
}

/** Polls `check` until it returns a truthy value or the time runs out (then throws with the last error). */
export async function waitFor<T>(what: string, check: () => Promise<T> | T, timeoutMs = 30_000, everyMs = 100): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  let last: unknown;
  while (Date.now() < deadline) {
    try {
      const v = await check();
      if (v) return v;
    } catch (err) {
      last = err;
    }
    await sleep(everyMs);
  }
  throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}${last ? `: ${String(last)}` : ""}`);
}

export interface HttpAnswer {
  status: number;
  headers: Record<string, string | string[] | undefined>;
  text: string;
  // biome-ignore lint/suspicious/noExplicitAny: JSON answers are checked by the callers
  body: any;
}

const agent = new HttpAgent({ keepAlive: true, maxSockets: 64 });

/**
 * One HTTP request with node:http (no redirects; sent again only when a kept-alive connection
 * turns out closed before it was read), bounded in time and in the bytes read. `body` is sent as is (a string or bytes); `json` is serialised with
 * Content-Type: application/json.
 */
export async function request(url: string, init: RequestInit = {}): Promise<HttpAnswer> {
  try {
    return await requestOnce(url, init);
  } catch (err) {
    // a kept-alive connection the server closed meanwhile (e.g. while this process was busy):
    // the request never reached the server, so it is sent again once on a fresh connection
    if ((err as { reusedSocket?: boolean }).reusedSocket && (err as NodeJS.ErrnoException).code === "ECONNRESET")
      return requestOnce(url, init, true);
    throw err;
  }
}

interface RequestInit {
  method?: string;
  body?: string | Buffer;
  json?: unknown;
  headers?: Record<string, string>;
  timeoutMs?: number;
  maxBytes?: number;
  /** Read only the status and headers, then close (for streams such as /events). */
  headOnly?: boolean;
}

function requestOnce(url: string, init: RequestInit, fresh = false): Promise<HttpAnswer> {
  const headers: Record<string, string> = { ...init.headers };
  let body: string | Buffer | undefined = init.body;
  if (init.json !== undefined) {
    body = JSON.stringify(init.json);
    if (!Object.keys(headers).some((k) => k.toLowerCase() === "content-type")) headers["content-type"] = "application/json";
  }
  if (body !== undefined && !Object.keys(headers).some((k) => k.toLowerCase() === "content-length")) {
    headers["content-length"] = String(Buffer.byteLength(body));
  }
  const maxBytes = init.maxBytes ?? 64 * 1024 * 1024;
  const timeoutMs = init.timeoutMs ?? 30_000;
  return new Promise((resolve, reject) => {
    let settled = false;
    const settle = (fn: () => void) => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      fn();
    };
    // the path is sent as written (no dot-segment or percent normalisation, which URL parsing would do)
    const m = /^http:\/\/(\[[^\]]+\]|[^/:]+):(\d+)(.*)$/.exec(url);
    if (m === null) throw new Error(`request: ${url} is not http://host:port/path`);
    const target = { host: (m[1] as string).replace(/^\[|\]$/g, ""), port: Number(m[2]), path: m[3] || "/" };
    const req = httpRequest(
      { ...target, method: init.method ?? (body !== undefined ? "POST" : "GET"), headers, agent: fresh ? false : agent },
      (res) => {
        if (init.headOnly) {
          settle(() => resolve({ status: res.statusCode ?? 0, headers: res.headers, text: "", body: undefined }));
          res.destroy();
          req.destroy();
          return;
        }
        const chunks: Buffer[] = [];
        let size = 0;
        res.on("data", (d: Buffer) => {
          size += d.length;
          if (size > maxBytes) {
            settle(() => reject(new Error(`${url}: answer over ${maxBytes} bytes`)));
            req.destroy();
            return;
          }
          chunks.push(d);
        });
        res.on("error", (err) => settle(() => reject(err)));
        res.on("close", () => settle(() => reject(new Error(`${url}: the connection closed before the answer was complete`))));
        res.on("end", () => {
          const text = Buffer.concat(chunks).toString("utf8");
          let parsed: unknown;
          try {
            parsed = JSON.parse(text);
          } catch {
            parsed = undefined;
          }
          settle(() => resolve({ status: res.statusCode ?? 0, headers: res.headers, text, body: parsed }));
        });
      },
    );
    // a hard deadline for the whole exchange, whatever stage it is in
    const timer = setTimeout(() => {
      settle(() => reject(new Error(`${url}: no complete answer within ${timeoutMs} ms`)));
      req.destroy();
    }, timeoutMs);
    req.on("error", (err) => settle(() => reject(Object.assign(err, { reusedSocket: req.reusedSocket }))));
    if (body !== undefined) req.write(body);
    req.end();
  });
}

/** GET/POST with a JSON answer expected to be 2xx; throws otherwise. */
// biome-ignore lint/suspicious/noExplicitAny: JSON answers are checked by the callers
export async function getJson(url: string, timeoutMs = 30_000): Promise<any> {
  const r = await request(url, { timeoutMs });
  if (r.status < 200 || r.status >= 300) throw new Error(`GET ${url}: ${r.status} ${r.text.slice(0, 300)}`);
  return r.body;
}
