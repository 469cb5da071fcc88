/**
 * When the miner restarts its search (src/node/miner.ts): on new pool content at once, but no
 * more than about four times a second under a burst; on a new tip at once, even while a
 * pool restart is waiting. A real Chain, Pool and Miner (one worker thread) on a network whose
 * difficulty no search here can meet, so every template seen comes from a restart.
 */
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import type { NetworkParams } from "../../src/core/types.js";
import { Chain } from "../../src/node/chain.js";
import { Miner } from "../../src/node/miner.js";
import { Pool } from "../../src/node/pool.js";
import { ChainStore } from "../../src/store/chain-store.js";
import { type Db, openDb } from "../../src/store/db.js";
import { PoolStore } from "../../src/store/pool-store.js";
import { NET, signTx } from "../helpers/factory.js";
import { testKey } from "../helpers/keys.js";

const HARD: NetworkParams = { ...NET, difficulty: 2 ** 50 };
const creators = Array.from({ length: 6 }, (_, i) => testKey(`miner restart ${i}`));
const token = (i: number) =>
  signTx(creators[i] as (typeof creators)[number], { type: "token_create", name: `T${i}`, symbol: `T${i}`, decimals: 0, supply: 10 });

interface Seen {
  at: number;
  height: number;
  txs: number;
}

const cleanups: Array<() => Promise<void> | void> = [];
afterEach(async () => {
  for (const c of cleanups.splice(0).reverse()) await c();
});

function setUp() {
  const dir = mkdtempSync(join(tmpdir(), "tinychain-miner-"));
  const db: Db = openDb(join(dir, "chain.db"));
  const chain = new Chain(new ChainStore(db), HARD);
  const pool = new Pool(chain, new PoolStore(db));
  const seen: Seen[] = [];
  const miner = new Miner(chain, pool, testKey("miner restart miner").address, {
    threads: 1,
    onTemplate: (t) => seen.push({ at: performance.now(), height: t.block.index, txs: t.block.transactions.length - 1 }),
  });
  cleanups.push(() => rmSync(dir, { recursive: true, force: true }));
  cleanups.push(() => {
    db.close();
  });
  cleanups.push(() => miner.stop());
  return { chain, pool, miner, seen };
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

async function until(check: () => boolean, ms: number): Promise<void> {
  const end = performance.now() + ms;
  while (!check()) {
    if (performance.now() > end) throw new Error(`not within ${ms} ms`);
    await sleep(2);
  }
}

describe("miner restarts", () => {
  it("new pool content restarts the search at once, a burst at most every 250 ms, and the last template holds it all", async () => {
    const { pool, miner, seen } = setUp();
    miner.setContinuous(true);
    await until(() => seen.length === 1, 5000);
    await sleep(300); // the search has run longer than the gap

    const t0 = performance.now();
    await pool.add(token(0));
    await until(() => seen.length === 2, 1000);
    expect((seen[1] as Seen).at - t0, "restart after the first transaction").toBeLessThan(100);
    expect((seen[1] as Seen).txs).toBe(1);

    // a burst right after: not one restart per transaction
    for (let i = 1; i < 6; i++) await pool.add(token(i));
    await until(() => seen.at(-1)?.txs === 6, 1000);
    const burst = seen.slice(2);
    expect(burst.length).toBeLessThanOrEqual(2);
    for (let i = 1; i < seen.length; i++) expect((seen[i] as Seen).at - (seen[i - 1] as Seen).at).toBeGreaterThanOrEqual(240);
  });

  it("a new tip restarts the search at once, even while a pool restart waits", async () => {
    const { chain, pool, miner, seen } = setUp();
    miner.setContinuous(true);
    await until(() => seen.length === 1, 5000);
    await sleep(300);
    await pool.add(token(0));
    await until(() => seen.length === 2, 1000);
    await pool.add(token(1)); // its restart now waits for the 250 ms gap
    const t0 = performance.now();
    chain.emit("tip", { tip: chain.tip, disconnected: [], connected: [] });
    await until(() => seen.length === 3, 1000);
    expect((seen[2] as Seen).at - t0).toBeLessThan(100);
    expect((seen[2] as Seen).txs).toBe(2);
    await sleep(350);
    expect(seen.length, "the waiting pool restart was folded into the tip's").toBe(3);
  });
});
