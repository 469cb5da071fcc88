/**
 * 5. Sync: a fresh node B catches up 2,000 blocks from node A (two real processes): the time
 * from registering A on B to B's /status reporting A's height. Three fresh B nodes in turn;
 * the median counts (one run is easily thrown by other work on the machine).
 */
import { join } from "node:path";
import { performance } from "node:perf_hooks";
import { processCpuSeconds, round } from "./cpu.js";
import { benchKey, coinbaseChain, DEVNET_D1, genesisCursor } from "./fixtures.js";
import { HttpClient, waitUntil } from "./http-client.js";
import { removeDir, tempDir } from "./lifecycle.js";
import { startNode } from "./node-proc.js";
import { atLeast, type Figure } from "./report.js";

const SECTION = "5. Sync from a peer";
const BLOCKS = 2000;
const RUNS = 3;
const TOP = BLOCKS + 1;

async function heightOf(c: HttpClient): Promise<number> {
  return (await c.expect<{ height: number }>([200], "GET", "/status")).height;
}

/** A fresh node B syncs from A; seconds from registering A to B at the top, and B's CPU seconds meanwhile. */
async function syncOnce(aUrl: string, dataDir: string): Promise<{ seconds: number; cpu: number }> {
  const b = await startNode(dataDir, ["--difficulty", "1"]);
  const cb = new HttpClient(b.url, 1);
  try {
    const cpu0 = processCpuSeconds(b.proc.pid) ?? Number.NaN;
    const t0 = performance.now();
    await cb.expect([201], "POST", "/nodes/register", { nodes: [aUrl] });
    await waitUntil(`node B at height ${TOP}`, async () => (await heightOf(cb)) === TOP, 60_000, 10);
    const seconds = (performance.now() - t0) / 1000;
    return { seconds, cpu: (processCpuSeconds(b.proc.pid) ?? Number.NaN) - cpu0 };
  } finally {
    cb.close();
    await b.stop();
  }
}

export async function benchSync(): Promise<Figure[]> {
  const blocks = coinbaseChain(DEVNET_D1, BLOCKS, benchKey("sync miner").address).map((b) => JSON.stringify(b));
  const dir = tempDir("sync");
  const a = await startNode(join(dir, "a"), ["--difficulty", "1"]);
  const ca = new HttpClient(a.url, 1);
  try {
    const sa = await ca.expect<{ genesis_hash: string }>([200], "GET", "/status");
    if (sa.genesis_hash !== genesisCursor(DEVNET_D1).hash) {
      throw new Error(`node A's genesis ${sa.genesis_hash} is not devnet at difficulty 1`);
    }
    const ta = performance.now();
    for (const [i, text] of blocks.entries()) {
      const r = await ca.send("POST", "/blocks", text, 30_000);
      if (r.status !== 202) throw new Error(`POST /blocks of block ${i + 2} to A: ${r.status} ${r.text.slice(0, 200)}`);
    }
    const announce = (performance.now() - ta) / 1000;
    if ((await heightOf(ca)) !== TOP) throw new Error(`node A is not at height ${TOP}`);

    const runs: Array<{ seconds: number; cpu: number }> = [];
    for (let i = 0; i < RUNS; i++) runs.push(await syncOnce(a.url, join(dir, `b${i}`)));
    const sorted = [...runs].sort((x, y) => x.seconds - y.seconds);
    const mid = sorted[Math.floor(RUNS / 2)] as { seconds: number; cpu: number };
    const rate = BLOCKS / mid.seconds;
    return [
      {
        id: "sync.blocks_per_s",
        section: SECTION,
        label: `Sync ${BLOCKS} blocks from a peer, blocks/s`,
        value: rate,
        unit: "blocks/s",
        method:
          `two real node processes (dist, --difficulty 1) on 127.0.0.1; node A given ${BLOCKS} coinbase-only blocks built offline ` +
          `(POST /blocks, one by one, in order); then POST /nodes/register {A} on a fresh node B, and ${BLOCKS} ÷ seconds until ` +
          `B's GET /status (polled every 10 ms) reports height ${TOP}; median of ${RUNS} fresh B nodes`,
        target: atLeast(rate, 1000, "≥ 1,000 blocks/s", " blocks/s"),
        details: {
          runs_blocks_per_s: runs.map((r) => round(BLOCKS / r.seconds, 0)),
          seconds: mid.seconds,
          node_b_cpu_s: round(mid.cpu),
          node_b_cpu_us_per_block: round((mid.cpu * 1e6) / BLOCKS, 1),
          announce_to_a_seconds: announce,
          announce_to_a_blocks_per_s: BLOCKS / announce,
        },
      },
    ];
  } finally {
    ca.close();
    await a.stop();
    removeDir(dir);
  }
}
