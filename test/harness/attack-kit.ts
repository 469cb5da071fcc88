/**
 * What the attack harness (attacks.ts) measures and sends with: the node's cost (RSS from
 * /proc/<pid>/status, CPU from /proc/<pid>/stat, store bytes, the worst GET /status latency
 * seen by a poller every ~20 ms) and the attacker's (hashes, signatures, requests, bytes,
 * wall time); free transactions signed with the project's own core; chains written offline.
 * Everything stays on 127.0.0.1 and every wait is bounded.
 */

import { execFileSync } from "node:child_process";
import { once } from "node:events";
import { mkdirSync, readFileSync, statSync } from "node:fs";
import { get, request as httpRequest } from "node:http";
import { connect, type Socket } from "node:net";
import { join } from "node:path";
import { Worker } from "node:worker_threads";
import { signingBytes } from "../../src/core/encoding.js";
import type { TokenCreateTx } from "../../src/core/types.js";
import { signHex } from "../../src/crypto/keys.js";
import { Chain } from "../../src/node/chain.js";
import { VirtualClock } from "../../src/sim/virtual-clock.js";
import { ChainStore } from "../../src/store/chain-store.js";
import { openDb } from "../../src/store/db.js";
import { type Block, childBlock, keyFor, type NetworkParams } from "./chains.js";
import { type RunningNode, sleep } from "./proc.js";

let tickMs: number | undefined;
/** Milliseconds per clock tick of /proc/<pid>/stat (`getconf CLK_TCK`, normally 100 a second). */
function msPerTick(): number {
  if (tickMs === undefined) {
    let hz = 100;
    try {
      hz = Number(execFileSync("getconf", ["CLK_TCK"], { encoding: "utf8" }).trim()) || 100;
    } catch {}
    tickMs = 1000 / hz;
  }
  return tickMs;
}

export function rssMb(pid: number): number {
  const m = /^VmRSS:\s+(\d+) kB$/m.exec(readFileSync(`/proc/${pid}/status`, "utf8"));
  return m ? Number(m[1]) / 1024 : 0;
}

/** utime + stime of every thread of the process, in ms. */
export function cpuMs(pid: number): number {
  const stat = readFileSync(`/proc/${pid}/stat`, "utf8");
  const f = stat.slice(stat.lastIndexOf(")") + 2).split(" "); // fields from the 3rd (state) on
  return (Number(f[11]) + Number(f[12])) * msPerTick(); // utime, stime: fields 14, 15
}

/** chain.db and its write-ahead log, in bytes. */
export function storeBytes(dataDir: string): number {
  const size = (p: string) => statSync(p, { throwIfNoEntry: false })?.size ?? 0;
  return size(join(dataDir, "chain.db")) + size(join(dataDir, "chain.db-wal"));
}

export interface NodeCost {
  rssBeforeMb: number;
  rssPeakMb: number;
  rssGrowthMb: number;
  cpuMs: number;
  storeGrowthBytes: number;
  worstStatusMs: number;
  statusPolls: number;
  /** The worst /status latency since `mark()` (the window a target is about), when marked. */
  worstStatusSinceMarkMs?: number;
}

/**
 * The watcher's thread (CommonJS, evaluated): the node's RSS every 10 ms and GET /status every
 * ~20 ms (a failed request counts as the time it took), off the harness's own thread so that
 * the attacker's work (signing, reading answers) does not inflate the latencies it reports.
 */
const WATCHER = `
const { parentPort, workerData } = require("node:worker_threads");
const { readFileSync } = require("node:fs");
const http = require("node:http");
const { url, pid } = workerData;
const agent = new http.Agent({ keepAlive: true, maxSockets: 1 });
const now = () => performance.timeOrigin + performance.now();
const rss = () => {
  try {
    const m = /^VmRSS:\\s+(\\d+) kB$/m.exec(readFileSync("/proc/" + pid + "/status", "utf8"));
    return m ? Number(m[1]) / 1024 : 0;
  } catch { return 0; }
};
let running = true;
let peak = rss();
const sampler = setInterval(() => { peak = Math.max(peak, rss()); }, 10);
parentPort.on("message", () => { running = false; });
const status = () => new Promise((resolve) => {
  const req = http.get(url + "/status", { agent }, (res) => {
    res.resume();
    res.on("end", done);
    res.on("error", done);
    res.on("close", done);
  });
  const timer = setTimeout(() => req.destroy(), 15000);
  function done() { clearTimeout(timer); resolve(); }
  req.on("error", done);
});
(async () => {
  const samples = [];
  for (let n = 0; running && n < 100000; n++) {
    const t = now();
    await status();
    samples.push([t, now() - t]);
    await new Promise((r) => setTimeout(r, 20));
  }
  clearInterval(sampler);
  parentPort.postMessage({ samples, peak: Math.max(peak, rss()) });
})();
`;

/** Watches a node while an attack runs (RSS, CPU, store bytes, GET /status latency). */
export class Meter {
  private rss0 = 0;
  private cpu0 = 0;
  private store0 = 0;
  private worker: Worker | undefined;
  private markAt: number | undefined;

  constructor(private readonly node: RunningNode) {}

  private get pid(): number {
    return this.node.proc.pid as number;
  }

  start(): void {
    this.rss0 = rssMb(this.pid);
    this.cpu0 = cpuMs(this.pid);
    this.store0 = storeBytes(this.node.dataDir);
    this.worker = new Worker(WATCHER, { eval: true, workerData: { url: this.node.url, pid: this.pid } });
  }

  /** From now on latencies are also counted apart (`worstStatusSinceMarkMs`). */
  mark(): void {
    this.markAt = performance.timeOrigin + performance.now();
  }

  async stop(): Promise<NodeCost> {
    const w = this.worker as Worker;
    w.postMessage("stop");
    const got = (await Promise.race([once(w, "message"), sleep(30_000).then(() => [{ samples: [], peak: 0 }])])) as [
      { samples: Array<[number, number]>; peak: number },
    ];
    await w.terminate();
    const { samples, peak } = got[0];
    const alive = this.node.alive();
    const worst = (from: number) => Math.max(0, ...samples.filter(([at]) => at >= from).map(([, ms]) => ms));
    return {
      rssBeforeMb: round(this.rss0),
      rssPeakMb: round(peak),
      rssGrowthMb: round(Math.max(0, peak - this.rss0)),
      cpuMs: alive ? Math.round(cpuMs(this.pid) - this.cpu0) : -1,
      storeGrowthBytes: storeBytes(this.node.dataDir) - this.store0,
      worstStatusMs: Math.round(worst(0)),
      statusPolls: samples.length,
      ...(this.markAt !== undefined ? { worstStatusSinceMarkMs: Math.round(worst(this.markAt)) } : {}),
    };
  }
}

const round = (x: number) => Math.round(x * 10) / 10;

export interface AttackerCost {
  hashes: number;
  signatures: number;
  /** Connections opened that sent nothing. */
  connections: number;
  requests: number;
  bytesSent: number;
  bytesReceived: number;
  ms: number;
}

/** Counts what the attacker computes and sends; `ms` runs from construction to `done()`. */
export class Attacker {
  readonly cost: AttackerCost = { hashes: 0, signatures: 0, connections: 0, requests: 0, bytesSent: 0, bytesReceived: 0, ms: 0 };
  private readonly t0 = performance.now();

  /** Blocks made: their proof of work costs about their difficulty in hashes. */
  mined(blocks: readonly Block[]): void {
    for (const b of blocks) this.cost.hashes += b.difficulty;
  }

  /** `n` zero-fee token_create transactions of a key that holds no coin: valid, and free. */
  freeTokens(label: string, n: number, network: string, firstNonce = 0): TokenCreateTx[] {
    const key = keyFor(label);
    this.cost.signatures += n;
    return Array.from({ length: n }, (_, i) => {
      const unsigned = {
        type: "token_create" as const,
        network,
        sender: key.address,
        fee: 0,
        nonce: firstNonce + i,
        name: `Spam ${firstNonce + i}`,
        symbol: "SPAM",
        decimals: 0,
        supply: 1,
      };
      return { ...unsigned, signature: signHex(key, signingBytes(unsigned)) };
    });
  }

  /** `n` GET requests made elsewhere (a request line and a Host header: about 64 bytes each). */
  gets(n: number, received = 0): void {
    this.cost.requests += n;
    this.cost.bytesSent += 64 * n;
    this.cost.bytesReceived += received;
  }

  /** POST a JSON text (bounded); a failed request is status 0. */
  async post(url: string, text: string, opts: { localAddress?: string; timeoutMs?: number } = {}): Promise<Answer> {
    this.cost.requests++;
    this.cost.bytesSent += Buffer.byteLength(text);
    const r = await postFrom(url, text, opts);
    this.cost.bytesReceived += Buffer.byteLength(r.text);
    return r;
  }

  done(): AttackerCost {
    this.cost.ms = Math.round(performance.now() - this.t0);
    return this.cost;
  }
}

export interface Answer {
  status: number;
  text: string;
  // biome-ignore lint/suspicious/noExplicitAny: answers are read by the attacks
  body: any;
}

function postFrom(url: string, text: string, opts: { localAddress?: string; timeoutMs?: number }): Promise<Answer> {
  return new Promise((resolve) => {
    const u = new URL(url);
    let got = "";
    let status = 0;
    const finish = () => {
      clearTimeout(timer);
      let body: unknown;
      try {
        body = JSON.parse(got);
      } catch {}
      resolve({ status, text: got, body });
    };
    const req = httpRequest(
      {
        host: u.hostname,
        port: Number(u.port),
        path: u.pathname + u.search,
        method: "POST",
        agent: false,
        ...(opts.localAddress ? { localAddress: opts.localAddress } : {}),
        headers: { "content-type": "application/json", "content-length": Buffer.byteLength(text) },
      },
      (res) => {
        status = res.statusCode ?? 0;
        res.setEncoding("utf8");
        res.on("data", (d: string) => {
          if (got.length < 1_000_000) got += d;
        });
        res.on("end", finish);
        res.on("error", finish);
      },
    );
    req.on("error", finish);
    const timer = setTimeout(() => req.destroy(), opts.timeoutMs ?? 30_000);
    req.end(text);
  });
}

export interface ReadOptions {
  /** Keep the whole answer in `text` (otherwise only the first `head` characters are kept). */
  keep?: boolean;
  head?: number;
  /** > 0: read the first chunk, then nothing for that long (`onPause` runs then), then the rest. */
  pauseMs?: number;
  onPause?: () => Promise<void>;
}

export interface ReadResult {
  status: number;
  bytes: number;
  /** The first `head` characters (512 by default). */
  head: string;
  /** The whole answer, with `keep`. */
  text: string;
  /** Set when the connection ended before the answer was complete. */
  error?: string;
}

/** GET `url` on a connection of its own and read it to the end (bounded): status, bytes, its start or all of it. */
export function readAnswer(url: string, timeoutMs: number, opts: ReadOptions = {}): Promise<ReadResult> {
  const head = opts.head ?? 512;
  return new Promise((resolve) => {
    let status = 0;
    let bytes = 0;
    let start = "";
    const chunks: Buffer[] = [];
    let done = false;
    const finish = (error?: string) => {
      if (done) return;
      done = true;
      clearTimeout(timer);
      const text = opts.keep ? Buffer.concat(chunks).toString("utf8") : "";
      resolve({ status, bytes, head: start, text, ...(error !== undefined ? { error } : {}) });
    };
    const req = get(url, { agent: false }, (res) => {
      status = res.statusCode ?? 0;
      let paused = false;
      res.on("data", (d: Buffer) => {
        if (start.length < head) start += d.subarray(0, head).toString("utf8");
        bytes += d.length;
        if (opts.keep) chunks.push(d);
        if (!paused && (opts.pauseMs ?? 0) > 0) {
          paused = true;
          res.pause();
          setTimeout(async () => {
            await opts.onPause?.();
            res.resume();
          }, opts.pauseMs);
        }
      });
      res.on("end", () => finish());
      res.on("aborted", () => finish("aborted"));
      res.on("error", (err) => finish(err.message));
      res.on("close", () => finish(res.complete ? undefined : "closed before the end"));
    });
    req.on("error", (err) => finish(err.message));
    const timer = setTimeout(() => {
      req.destroy();
      finish("timed out");
    }, timeoutMs);
  });
}

/**
 * Writes a data directory whose chain is genesis + `count` empty blocks paying `miner`, ten
 * seconds apart, with the project's own chain code (as test/integration/p2p-long-split.test.ts).
 * Returns the blocks' difficulties summed (the hashes their proofs cost).
 */
export function writeChainDir(dir: string, params: NetworkParams, count: number, miner: string): number {
  mkdirSync(dir, { recursive: true });
  const db = openDb(join(dir, "chain.db"));
  try {
    const chain = new Chain(new ChainStore(db), params, { clock: new VirtualClock((params.genesis_timestamp + 10 * (count + 10)) * 1000) });
    let parent: Block = JSON.parse(chain.blockJson(1) as string);
    for (let from = 0; from < count; from += 1000) {
      chain.store.transaction(() => {
        for (let i = from; i < Math.min(count, from + 1000); i++) {
          const b = childBlock(parent, [], miner, params, parent.timestamp + 10);
          chain.submitBlock(b);
          parent = b;
        }
      });
    }
    if (chain.tip.height !== count + 1) throw new Error(`wrote ${chain.tip.height - 1} blocks, not ${count}`);
    return count * params.difficulty;
  } finally {
    db.close();
  }
}

/** A socket that sends nothing; `closedAt` is set when the node closes it. */
export function idleSocket(port: number): Promise<{ socket: Socket; closedAt?: number }> {
  return new Promise((resolve) => {
    const w: { socket: Socket; closedAt?: number } = { socket: connect({ port, host: "127.0.0.1" }) };
    w.socket.on("error", () => {});
    w.socket.on("data", () => {}); // read what the node says (a 408): a paused socket would never see the close
    w.socket.on("close", () => {
      w.closedAt ??= Date.now();
    });
    w.socket.once("connect", () => resolve(w));
    w.socket.once("error", () => resolve(w));
  });
}

export interface Stream {
  status: number;
  closed: boolean;
  evicted: boolean;
  close: () => void;
}

/** GET /events, resolved once the answer's head arrives (or fails; bounded). */
export function openStream(url: string): Promise<Stream> {
  return new Promise((resolve) => {
    const s: Stream = { status: 0, closed: false, evicted: false, close: () => req.destroy() };
    const timer = setTimeout(() => resolve(s), 5000);
    const req = get(`${url}/events`, { agent: false }, (res) => {
      s.status = res.statusCode ?? 0;
      res.setEncoding("utf8");
      res.on("data", (d: string) => {
        if (d.includes("event: evicted")) s.evicted = true;
      });
      res.on("close", () => (s.closed = true));
      clearTimeout(timer);
      resolve(s);
    });
    req.on("error", () => {
      s.closed = true;
      clearTimeout(timer);
      resolve(s);
    });
  });
}

/** A tally of answers: `"202 orphan": 60`. */
export function tally(answers: readonly Answer[]): Record<string, number> {
  const t: Record<string, number> = {};
  for (const a of answers) {
    const k = `${a.status} ${a.body?.outcome ?? a.body?.code ?? ""}`.trim();
    t[k] = (t[k] ?? 0) + 1;
  }
  return t;
}

export const tallyText = (t: Record<string, number>) =>
  Object.entries(t)
    .map(([k, n]) => `${n} × ${k}`)
    .join(", ");

export function kb(bytes: number): string {
  const a = Math.abs(bytes);
  const text = a >= 1e6 ? `${(a / 1e6).toFixed(1)} MB` : a >= 1000 ? `${Math.round(a / 1000)} KB` : `${a} B`;
  return (bytes < 0 ? "−" : "") + text;
}

const signed = (text: string) => (text.startsWith("−") ? text : `+${text}`);

const count = (n: number, word: string) => `${n.toLocaleString("en")} ${word}${n === 1 ? "" : "s"}`;

export function attackerText(c: AttackerCost): string {
  const parts = [];
  if (c.hashes > 0) parts.push(count(c.hashes, "hash").replace(/hashs$/, "hashes"));
  if (c.signatures > 0) parts.push(count(c.signatures, "signature"));
  if (c.connections > 0) parts.push(count(c.connections, "connection"));
  if (c.requests > 0 || c.connections === 0) parts.push(count(c.requests, "request"));
  parts.push(`${kb(c.bytesSent)} sent`, `${(c.ms / 1000).toFixed(1)} s`);
  return parts.join(", ");
}

export function nodeText(c: NodeCost): string {
  return `RSS ${c.rssGrowthMb < 0 ? "" : "+"}${c.rssGrowthMb} MB (${c.rssBeforeMb} → ${c.rssPeakMb}), CPU ${c.cpuMs.toLocaleString("en")} ms, store ${signed(kb(c.storeGrowthBytes))}, /status worst ${c.worstStatusMs} ms`;
}

export interface AttackResult {
  id: string;
  name: string;
  /** The test that covers the attack. */
  test: string;
  attacker: AttackerCost;
  node: NodeCost;
  outcome: string;
  figures: Record<string, unknown>;
  target: string;
  met: boolean;
}

export function attackTable(rs: readonly AttackResult[]): string {
  const rows = rs.map(
    (r) =>
      `| ${r.id}. ${r.name} | ${attackerText(r.attacker)} | ${nodeText(r.node)} | ${r.outcome} | ${r.target}: ${r.met ? "met" : "**missed**"} |`,
  );
  return ["| Attack | Attacker's cost | Node's cost | Outcome | Target |", "| --- | --- | --- | --- | --- |", ...rows].join("\n");
}
