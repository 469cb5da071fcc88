/**
 * A sender's queue in the pool (src/node/pool.ts): transactions arriving in any nonce order
 * are held until the gap before them fills, the next free nonce follows the queue, used and
 * too-far nonces are refused, and a block confirming part of the queue leaves the rest in
 * place. A real Chain and Pool on a temporary store; a property test against a model.
 */
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import fc from "fast-check";
import { afterEach, describe, expect, it } from "vitest";
import { RuleError } from "../../src/core/errors.js";
import { genesisBlock } from "../../src/core/network.js";
import type { NetworkParams } from "../../src/core/types.js";
import { Chain } from "../../src/node/chain.js";
import { Pool } from "../../src/node/pool.js";
import { ChainStore } from "../../src/store/chain-store.js";
import { openDb } from "../../src/store/db.js";
import { PoolStore } from "../../src/store/pool-store.js";
import { mineBlock, NET, signTx } from "../helpers/factory.js";
import { testKey } from "../helpers/keys.js";

const PARAMS: NetworkParams = { ...NET, reward: 1_000_000, max_block_txs: 1000 };
const A = testKey("pool queue a");
const B = testKey("pool queue b");
const pay = (nonce: number, amount = 1) => signTx(A, { type: "transfer", recipient: B.address, amount, nonce });

const cleanups: Array<() => void> = [];
afterEach(() => {
  for (const c of cleanups.splice(0).reverse()) c();
});

/** A chain where A holds one block reward, and a pool on it following the chain. */
function setUp(maxNonceGap = 64) {
  const dir = mkdtempSync(join(tmpdir(), "tinychain-pool-"));
  const db = openDb(join(dir, "chain.db"));
  cleanups.push(() => rmSync(dir, { recursive: true, force: true }));
  cleanups.push(() => db.close());
  const chain = new Chain(new ChainStore(db), PARAMS);
  const pool = new Pool(chain, new PoolStore(db), { maxNonceGap, maxSize: 100_000 });
  chain.on("tip", (change) => pool.onTipChange(change));
  const funded = mineBlock(genesisBlock(PARAMS), [], A.address, PARAMS);
  expect(chain.submitBlock(funded).outcome).toBe("connected");
  return { chain, pool, tip: funded };
}

/** What the pool says of a transaction: its status if taken, the reason code if refused. */
function outcome(p: Promise<{ status: string }>): Promise<string> {
  return p.then(
    (r) => r.status,
    (err: unknown) => (err instanceof RuleError ? err.code : Promise.reject(err)),
  );
}

describe("a sender's queue in the pool", () => {
  it("holds a transaction until the gap before it fills, then all are ready in nonce order", async () => {
    const { pool } = setUp();
    expect((await pool.add(pay(2))).status).toBe("queued");
    expect(pool.nextNonce(A.address)).toBe(0);
    expect((await pool.add(pay(0))).status).toBe("ready");
    expect(pool.nextNonce(A.address)).toBe(1);
    expect((await pool.add(pay(1))).status).toBe("ready");
    expect(pool.nextNonce(A.address)).toBe(3);
    expect(pool.readyBySender().map((list) => list.map((e) => e.tx.nonce))).toEqual([[0, 1, 2]]);
  });

  it("refuses a nonce in use and one too far past the end of the queue", async () => {
    const { pool } = setUp(5);
    for (let n = 0; n < 10; n++) await pool.add(pay(n));
    expect(pool.nextNonce(A.address)).toBe(10);
    expect(await outcome(pool.add(pay(3, 2)))).toBe("replacement-underpriced"); // same fee: no replacement
    expect(await outcome(pool.add(pay(16)))).toBe("nonce-too-high"); // 6 past the next free nonce, 10
    expect((await pool.add(pay(15))).status).toBe("queued"); // 5 past it
  });

  it("keeps the rest of the queue when a block confirms its first part", async () => {
    const { chain, pool, tip } = setUp();
    for (let n = 0; n < 8; n++) await pool.add(pay(n));
    const block = mineBlock(
      tip,
      [0, 1, 2].map((n) => pay(n)),
      A.address,
      PARAMS,
    );
    expect(chain.submitBlock(block).outcome).toBe("connected");
    expect(pool.size).toBe(5);
    expect(pool.nextNonce(A.address)).toBe(8);
    expect((await pool.add(pay(8))).status).toBe("ready");
    expect(await outcome(pool.add(pay(2)))).toBe("already-confirmed");
    expect(await outcome(pool.add(pay(2, 5)))).toBe("nonce-too-low");
    expect(pool.readyBySender().map((list) => list.map((e) => e.tx.nonce))).toEqual([[3, 4, 5, 6, 7, 8]]);
  });

  it("matches a model for any arrival order", async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.integer({ min: 1, max: 30 }).chain((n) => fc.tuple(fc.constant(n), fc.shuffledSubarray([...Array(n).keys()], { minLength: n }))),
        fc.array(fc.nat({ max: 40 }), { maxLength: 5 }),
        async ([, order], extra) => {
          const { pool } = setUp(8);
          const present = new Set<number>();
          const sent = new Set<string>();
          // the order's transfers pay 1, the extra ones 2: an extra on a taken nonce is another transaction
          for (const [nonce, amount] of [...order.map((x) => [x, 1]), ...extra.map((x) => [x, 2])] as Array<[number, number]>) {
            let next = 0;
            while (present.has(next)) next++;
            const want = sent.has(`${nonce}:${amount}`)
              ? "already-known"
              : present.has(nonce)
                ? "replacement-underpriced"
                : nonce - next > 8
                  ? "nonce-too-high"
                  : nonce === next
                    ? "ready"
                    : "queued";
            const got = await outcome(pool.add(pay(nonce, amount)));
            expect(got, `nonce ${nonce} after ${[...present]}`).toBe(want);
            if (want === "ready" || want === "queued") {
              present.add(nonce);
              sent.add(`${nonce}:${amount}`);
            }
            let free = 0;
            while (present.has(free)) free++;
            expect(pool.nextNonce(A.address)).toBe(free);
          }
          expect(pool.size).toBe(present.size);
          for (const c of cleanups.splice(0).reverse()) c();
        },
      ),
      { numRuns: 60 },
    );
  });
});
