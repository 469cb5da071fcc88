/**
 * 7. Reopening a store: seconds from spawning `tinychain node` on a data dir holding 10,000
 * blocks to its first 200 on GET /status, against the same on an empty data dir.
 */
import { join } from "node:path";
import { performance } from "node:perf_hooks";
import { Chain } from "../src/node/chain.js";
import { ChainStore } from "../src/store/chain-store.js";
import { openDb } from "../src/store/db.js";
import { benchKey, coinbaseChain, DEVNET_D1 } from "./fixtures.js";
import { HttpClient, waitUntil } from "./http-client.js";
import { removeDir, tempDir } from "./lifecycle.js";
import { startNode } from "./node-proc.js";
import { atMost, type Figure } from "./report.js";

const SECTION = "7. Reopening a store";
const BLOCKS = 10_000;
const RUNS = 3;

/** A node data dir as TinyNode lays it out (<dir>/chain.db), holding BLOCKS coinbase-only blocks at devnet difficulty 1. */
function buildStore(dataDir: string): number {
  const t0 = performance.now();
  const db = openDb(join(dataDir, "chain.db"));
  try {
    const chain = new Chain(new ChainStore(db), DEVNET_D1);
    for (const block of coinbaseChain(DEVNET_D1, BLOCKS, benchKey("reopen miner").address)) {
      const r = chain.submitBlock(block);
      if (r.outcome !== "connected") throw new Error(`block ${r.height}: ${r.outcome}`);
    }
    if (chain.tip.height !== BLOCKS + 1) throw new Error(`tip at ${chain.tip.height}`);
  } finally {
    db.close();
  }
  return (performance.now() - t0) / 1000;
}

/** Spawn → first 200 on /status, in seconds; checks the height served. */
async function timeToServe(dataDir: string, height: number): Promise<number> {
  const node = await startNode(dataDir, ["--difficulty", "1"]);
  const client = new HttpClient(node.url, 1);
  try {
    let served = 0;
    let seen = 0;
    await waitUntil(
      "the first 200 on /status",
      async () => {
        const r = await client.json<{ height: number }>("GET", "/status", undefined, 10_000);
        if (r.status !== 200) return false;
        served = performance.now();
        seen = r.body.height;
        return true;
      },
      30_000,
      5,
    );
    if (seen !== height) throw new Error(`the node served height ${seen}, expected ${height}`);
    return (served - node.spawnedAt) / 1000;
  } finally {
    client.close();
    await node.stop();
  }
}

function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.floor(s.length / 2)] as number;
}

export async function benchReopen(): Promise<Figure[]> {
  const dir = tempDir("reopen");
  try {
    const full = join(dir, "full");
    const buildSeconds = buildStore(full);
    process.stdout.write(`  built a ${BLOCKS}-block store in ${buildSeconds.toFixed(1)} s\n`);
    const fullRuns: number[] = [];
    const emptyRuns: number[] = [];
    for (let i = 0; i < RUNS; i++) {
      fullRuns.push(await timeToServe(full, BLOCKS + 1));
      emptyRuns.push(await timeToServe(join(dir, `empty-${i}`), 1));
    }
    const value = median(fullRuns);
    const ref = median(emptyRuns);
    const method = (what: string) =>
      `spawn \`node bin/tinychain node --data-dir <dir> --difficulty 1 --port 0\` on ${what}, then GET /status as soon as it prints ` +
      `its address (every 5 ms until a 200); seconds from spawn to the first 200; median of ${RUNS} runs (the first start on a dir also makes its wallet)`;
    return [
      {
        id: "reopen.seconds",
        section: SECTION,
        label: `Reopen a ${BLOCKS.toLocaleString("en-US")}-block store, seconds to serve`,
        value,
        unit: "s",
        method: method(
          `a data dir holding ${BLOCKS} coinbase-only blocks (devnet at difficulty 1, built in-process: openDb(<dir>/chain.db) + ChainStore + Chain.submitBlock)`,
        ),
        reference: { label: "empty data dir", value: ref, unit: "s", method: method("an empty data dir (a fresh one each run)") },
        target: atMost(value, 1, "< 1 s to serve", " s"),
        details: { runs_s: fullRuns, empty_runs_s: emptyRuns, build_seconds: buildSeconds, added_by_the_chain_s: value - ref },
      },
    ];
  } finally {
    removeDir(dir);
  }
}
