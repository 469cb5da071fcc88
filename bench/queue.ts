/**
 * 3b. A sender's deep queue in the pool: one sender's 10,000 pre-signed transfers taken in
 * nonce order by a Pool on an in-process Chain (signatures checked inline), then a block that
 * confirms the first 100. Taking a transaction must not cost more the deeper its sender's
 * queue is (the last thousand against the second), and following a block must not
 * cost the queue's length squared.
 */
import { join } from "node:path";
import { performance } from "node:perf_hooks";
import type { NetworkParams } from "../src/core/types.js";
import { Chain } from "../src/node/chain.js";
import { Pool } from "../src/node/pool.js";
import { ChainStore } from "../src/store/chain-store.js";
import { openDb } from "../src/store/db.js";
import { sqliteDriver } from "../src/store/driver.js";
import { PoolStore } from "../src/store/pool-store.js";
import { benchKey, benchNetwork, genesisCursor, nextBlock, transfer } from "./fixtures.js";
import { removeDir, tempDir } from "./lifecycle.js";
import type { Figure } from "./report.js";

const SECTION = "3. Ingest over HTTP";
const DEPTH = 10_000;
const EDGE = 1_000;
const CONFIRMED = 100;

const PARAMS: NetworkParams = benchNetwork("bench-queue", 1_000_000_000_000, 5000);

export async function benchQueue(): Promise<Figure[]> {
  const sender = benchKey("queue sender");
  const sink = benchKey("queue sink").address;
  const txs = Array.from({ length: DEPTH }, (_, n) => transfer(sender, PARAMS.name, sink, 1, n));
  const dir = tempDir("queue");
  const db = openDb(join(dir, "chain.db"));
  try {
    const chain = new Chain(new ChainStore(db), PARAMS);
    const pool = new Pool(chain, new PoolStore(db), { maxSize: 2 * DEPTH });
    chain.on("tip", (change) => pool.onTipChange(change));
    const at = genesisCursor(PARAMS);
    chain.submitBlock(nextBlock(at, PARAMS, sender.address, [], PARAMS.genesis_timestamp + 1));
    const times: number[] = [];
    for (const tx of txs) {
      const t = performance.now();
      const r = await pool.add(tx);
      times.push(performance.now() - t);
      if (r.status !== "ready") throw new Error(`nonce ${tx.nonce}: ${r.status}, expected ready`);
    }
    const mean = (xs: number[]) => (xs.reduce((a, b) => a + b, 0) / xs.length) * 1000;
    // the second thousand, not the first: the first pays for the JIT's warm-up
    const first = mean(times.slice(EDGE, 2 * EDGE));
    const last = mean(times.slice(-EDGE));
    const t0 = performance.now();
    const r = chain.submitBlock(nextBlock(at, PARAMS, sender.address, txs.slice(0, CONFIRMED), PARAMS.genesis_timestamp + 2));
    const followMs = performance.now() - t0;
    if (r.outcome !== "connected" || pool.size !== DEPTH - CONFIRMED) throw new Error(`after the block: ${r.outcome}, pool ${pool.size}`);
    return [
      {
        id: "ingest.deep_queue",
        section: SECTION,
        label: `Pool: a sender's ${DEPTH.toLocaleString("en-US")}-deep queue, µs per transaction (last ${EDGE.toLocaleString("en-US")})`,
        value: last,
        unit: "µs",
        method:
          `one sender's ${DEPTH} pre-signed transfers (nonces 0 …) given in order to Pool.add on an in-process Chain and Pool (${sqliteDriver().name} in a temp dir; ` +
          `signatures checked inline, each add persisted before the next); mean time of an add over the last ${EDGE}, beside adds ${EDGE + 1} – ${2 * EDGE} (after warm-up): ` +
          `equal when taking a transaction does not cost more the deeper its sender's queue is. Then a block confirming the first ${CONFIRMED}: ` +
          `milliseconds for the chain to connect it and the pool to follow (details: follow_block_ms)`,
        reference: {
          label: `adds ${EDGE + 1} – ${2 * EDGE}`,
          value: first,
          unit: "µs",
          method: "the same adds, at the start of the queue",
        },
        ratio: last / first,
        details: { follow_block_ms: Math.round(followMs * 10) / 10, pool_after: pool.size },
      },
    ];
  } finally {
    db.close();
    removeDir(dir);
  }
}
