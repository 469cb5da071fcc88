/** A real Chain and Pool on a temporary store, with funded keys, for the pool's unit tests. */
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { expect } from "vitest";
import { RuleError } from "../../src/core/errors.js";
import { genesisBlock } from "../../src/core/network.js";
import type { Block, NetworkParams } from "../../src/core/types.js";
import type { KeyPair } from "../../src/crypto/keys.js";
import { Chain } from "../../src/node/chain.js";
import { Pool } from "../../src/node/pool.js";
import { ChainStore } from "../../src/store/chain-store.js";
import { openDb } from "../../src/store/db.js";
import { PoolStore } from "../../src/store/pool-store.js";
import { mineBlock, NET } from "./factory.js";

/** Each funded key holds one block reward: 100 coins. */
export const POOL_PARAMS: NetworkParams = { ...NET, reward: 100, max_block_txs: 1000 };

/**
 * A chain where every key of `funded` mined one block (100 coins each), and a pool following
 * it; what to undo afterwards goes to `cleanups` (run in reverse).
 */
export function poolOnChain(
  funded: readonly KeyPair[],
  cleanups: Array<() => void>,
  opts: { maxSize?: number; maxNonceGap?: number } = {},
) {
  const dir = mkdtempSync(join(tmpdir(), "tinychain-pool-"));
  const db = openDb(join(dir, "chain.db"));
  cleanups.push(() => rmSync(dir, { recursive: true, force: true }));
  cleanups.push(() => db.close());
  const chain = new Chain(new ChainStore(db), POOL_PARAMS);
  const store = new PoolStore(db);
  const pool = new Pool(chain, store, opts);
  chain.on("tip", (change) => pool.onTipChange(change));
  let tip: Block = genesisBlock(POOL_PARAMS);
  for (const k of funded) {
    tip = mineBlock(tip, [], k.address, POOL_PARAMS);
    expect(chain.submitBlock(tip).outcome).toBe("connected");
  }
  return { db, chain, store, pool, tip };
}

/** The refusal a pool gives, or a failure if it takes the transaction. */
export async function refusal(p: Promise<unknown>): Promise<RuleError> {
  try {
    await p;
  } catch (err) {
    if (err instanceof RuleError) return err;
    throw err;
  }
  throw new Error("expected a refusal, the transaction was taken");
}

/** What the pool says of a transaction: its status if taken, the reason code if refused. */
export function outcome(p: Promise<{ status: string }>): Promise<string> {
  return p.then(
    (r) => r.status,
    (err: unknown) => (err instanceof RuleError ? err.code : Promise.reject(err)),
  );
}

export const idsIn = (pool: Pool) => pool.entries().map((e) => e.id);
