/**
 * 6. API latency: GET /status answered by a real node, idle and while it mines on every core
 * (at a difficulty where a block is rare, so the search runs the whole time).
 */
import { availableParallelism } from "node:os";
import { join } from "node:path";
import { performance } from "node:perf_hooks";
import { HttpClient, waitUntil } from "./http-client.js";
import { removeDir, tempDir } from "./lifecycle.js";
import { startNode } from "./node-proc.js";
import { atMost, type Figure } from "./report.js";

const SECTION = "6. GET /status latency";
const REQUESTS = 500;
const WARMUP = 20;
const DIFFICULTY = "10000000000";

interface Latency {
  p50: number;
  p99: number;
  max: number;
  status: { mining?: boolean; hashrate?: number; threads?: number; pow?: string; height?: number };
}

function quantile(sorted: number[], q: number): number {
  return sorted[Math.min(sorted.length - 1, Math.ceil(q * sorted.length) - 1)] as number;
}

async function measure(mine: boolean): Promise<Latency> {
  const dir = tempDir(mine ? "latency-mining" : "latency-idle");
  const node = await startNode(join(dir, "data"), ["--difficulty", DIFFICULTY, ...(mine ? ["--mine"] : [])]);
  const client = new HttpClient(node.url, 1);
  try {
    type Status = Latency["status"];
    const status = () => client.expect<Status>([200], "GET", "/status");
    if (mine) {
      await waitUntil("the node to mine", async () => ((await status()).hashrate ?? 0) > 0, 15_000, 100);
      await new Promise((r) => setTimeout(r, 1000)); // every thread past its start-up
    }
    for (let i = 0; i < WARMUP; i++) await status();
    const times: number[] = [];
    const deadline = performance.now() + 60_000;
    for (let i = 0; i < REQUESTS && performance.now() < deadline; i++) {
      const t = performance.now();
      await status();
      times.push(performance.now() - t);
    }
    const after = await status();
    if (mine && !after.mining) throw new Error("the node stopped mining during the measurement");
    times.sort((a, b) => a - b);
    return { p50: quantile(times, 0.5), p99: quantile(times, 0.99), max: times.at(-1) as number, status: after };
  } finally {
    client.close();
    await node.stop();
    removeDir(dir);
  }
}

export async function benchLatency(): Promise<Figure[]> {
  const cores = availableParallelism();
  const idle = await measure(false);
  const mining = await measure(true);
  const method = (m: boolean) =>
    `a real node process (dist, --difficulty ${DIFFICULTY}${m ? ", --mine with the default --threads (one per core)" : ", not mining"}) on 127.0.0.1; ` +
    `${REQUESTS} sequential GET /status on one keep-alive connection after ${WARMUP} warm-up requests, each timed from send to the end of the answer`;
  const threads = mining.status.threads ?? cores;
  const idleDetails = { p50_ms: idle.p50, p99_ms: idle.p99, max_ms: idle.max };
  const miningDetails = {
    ...{ p50_ms: mining.p50, p99_ms: mining.p99, max_ms: mining.max },
    hashrate_during: mining.status.hashrate,
    pow: mining.status.pow,
    threads,
  };
  const idleFigure = (q: "p50" | "p99"): Figure => ({
    id: `latency.idle_${q}`,
    section: SECTION,
    label: `GET /status ${q}, idle`,
    value: idle[q],
    unit: "ms",
    method: method(false),
    details: idleDetails,
  });
  const miningFigure = (q: "p50" | "p99"): Figure => ({
    id: `latency.mining_${q}`,
    section: SECTION,
    label: `GET /status ${q}, mining on ${threads} threads`,
    value: mining[q],
    unit: "ms",
    method: method(true),
    reference: { label: `idle ${q}`, value: idle[q], unit: "ms", method: method(false) },
    ...(q === "p99" ? { target: atMost(mining.p99, 25, "p99 ≤ 25 ms while mining", " ms") } : {}),
    details: miningDetails,
  });
  return [idleFigure("p50"), idleFigure("p99"), miningFigure("p50"), miningFigure("p99")];
}
