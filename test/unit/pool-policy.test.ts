import { afterEach, describe, expect, it } from "vitest";
import { txId } from "../../src/core/encoding.js";
import type { SignedTx } from "../../src/core/types.js";
import type { KeyPair } from "../../src/crypto/keys.js";
import { Pool } from "../../src/node/pool.js";
import { PoolStore } from "../../src/store/pool-store.js";
import { mineBlock, signTx } from "../helpers/factory.js";
import { testKey } from "../helpers/keys.js";
import { idsIn, outcome, POOL_PARAMS, poolOnChain, refusal } from "../helpers/pool-chain.js";

const PARAMS = POOL_PARAMS;
const MAX = Number.MAX_SAFE_INTEGER;
const SINK = testKey("pool policy sink").address;
const funded = Array.from({ length: 8 }, (_, i) => testKey(`pool policy funded ${i}`));
const [A, B, C, D, E, F] = funded as [KeyPair, KeyPair, KeyPair, KeyPair, KeyPair, KeyPair];
/** Keys that never received a coin. */
const unfunded = (n: number) => Array.from({ length: n }, (_, i) => testKey(`pool policy unfunded ${i}`));

const pay = (key: KeyPair, nonce: number, fee: number, amount = 1) =>
  signTx(key, { type: "transfer", recipient: SINK, amount, fee, nonce, network: PARAMS.name });

const cleanups: Array<() => void> = [];
afterEach(() => {
  for (const c of cleanups.splice(0).reverse()) c();
});

const setUp = (opts: { maxSize?: number; maxNonceGap?: number } = {}) => poolOnChain(funded, cleanups, opts);
const idOf = (tx: SignedTx) => txId(tx);

describe("pool policy: a sender must be able to pay what it sends", () => {
  it("refuses future nonces of unfunded senders at any fee: 120 of them cannot fill a pool of 50", async () => {
    const { pool } = setUp({ maxSize: 50 });
    for (const k of unfunded(120)) {
      const err = await refusal(pool.add(pay(k, 1, MAX)));
      expect(err.code).toBe("insufficient-funds");
      expect(err.message).toMatch(/has 0/);
    }
    expect(pool.size).toBe(0);
    // an honest transaction is taken, at a modest fee
    expect((await pool.add(pay(A, 0, 1, 10))).status).toBe("ready");
  });

  it("refuses a fee the sender cannot pay, ready or queued", async () => {
    const { pool } = setUp();
    expect(await outcome(pool.add(pay(A, 0, MAX)))).toBe("insufficient-funds");
    expect(await outcome(pool.add(pay(A, 1, MAX)))).toBe("insufficient-funds");
    expect(await outcome(pool.add(pay(A, 1, 100)))).toBe("insufficient-funds"); // amount 1 + fee 100
    expect(await outcome(pool.add(pay(A, 1, 99)))).toBe("queued"); // all it has
    expect(pool.size).toBe(1);
  });

  it("counts the sender's whole queue: its ready transactions, then every queued one", async () => {
    const { pool } = setUp();
    expect(await outcome(pool.add(pay(A, 0, 0, 40)))).toBe("ready"); // 60 left after it
    expect(await outcome(pool.add(pay(A, 2, 1, 30)))).toBe("queued"); // 31: 29 left
    expect(await outcome(pool.add(pay(A, 4, 0, 30)))).toBe("insufficient-funds"); // 30 > 29
    const short = await refusal(pool.add(pay(A, 3, 29)));
    expect(short.code).toBe("insufficient-funds");
    expect(short.message).toMatch(/has 29 .*needs 30/); // what is left after its earlier pending transactions
    expect(await outcome(pool.add(pay(A, 4, 0, 29)))).toBe("queued"); // nothing left
    // a transaction below the others' nonces counts before them: with it, nonce 4 could not be paid
    const before = await refusal(pool.add(pay(A, 3, 0)));
    expect(before.code).toBe("insufficient-funds");
    expect(before.message).toMatch(/nonce 4/);
    // the gap fills with a transaction that spends 1 more: the queued one that no longer fits goes
    expect(await outcome(pool.add(pay(A, 1, 0)))).toBe("ready");
    expect(pool.pendingOf(A.address).map((e) => e.tx.nonce)).toEqual([0, 1, 2]);
    expect(pool.nextNonce(A.address)).toBe(3);
  });

  it("holds future nonces only a bounded way ahead (64 by default, as geth's per-account queue)", async () => {
    const { pool } = setUp();
    expect(pool.maxNonceGap).toBe(64);
    const err = await refusal(pool.add(pay(A, 65, 0)));
    expect(err.code).toBe("nonce-too-high");
    expect(err.message).toMatch(/next nonce is 0/);
    expect(await outcome(pool.add(pay(A, 64, 0)))).toBe("queued");
  });
});

describe("pool policy: queued transactions cannot fill the pool", () => {
  it("holds at most a quarter of the pool as queued; a queued one replaces only a cheaper queued one", async () => {
    const { pool } = setUp({ maxSize: 8 });
    expect(pool.maxQueued).toBe(2);
    const a = pay(A, 1, 5);
    const b = pay(B, 1, 3);
    expect(await outcome(pool.add(a))).toBe("queued");
    expect(await outcome(pool.add(b))).toBe("queued");
    const full = await refusal(pool.add(pay(C, 1, 3)));
    expect(full.code).toBe("queue-full");
    expect(full.message).toMatch(/send nonce 0 first/);
    expect(full.message).toMatch(/fee above 3/);
    const c = pay(C, 1, 4);
    expect(await outcome(pool.add(c))).toBe("queued"); // b, the cheapest queued, leaves
    expect(idsIn(pool).sort()).toEqual([idOf(a), idOf(c)].sort());
    // ready transactions still have the rest of the pool
    for (const k of [D, E, F]) expect(await outcome(pool.add(pay(k, 0, 1)))).toBe("ready");
    expect(pool.size).toBe(5);
  });

  it("a queued transaction never evicts a ready one, whatever its fee", async () => {
    const { pool } = setUp({ maxSize: 4 });
    const ready = [A, B, C, D].map((k) => pay(k, 0, 1));
    for (const tx of ready) expect(await outcome(pool.add(tx))).toBe("ready");
    const err = await refusal(pool.add(pay(E, 1, 90)));
    expect(err.code).toBe("pool-full");
    expect(err.message).toMatch(/send nonce 0 first/);
    expect(idsIn(pool).sort()).toEqual(ready.map(idOf).sort());
  });

  it("a ready transaction evicts a queued one first, even at a lower fee; then the cheapest ready one with a lower fee", async () => {
    const { pool } = setUp({ maxSize: 4 });
    const kept = [pay(A, 0, 5), pay(B, 0, 5), pay(C, 0, 2)];
    for (const tx of kept) expect(await outcome(pool.add(tx))).toBe("ready");
    const queued = pay(D, 1, 50);
    expect(await outcome(pool.add(queued))).toBe("queued");
    expect(pool.size).toBe(4);
    const e = pay(E, 0, 1);
    expect(await outcome(pool.add(e))).toBe("ready"); // the queued one cannot go into the next block: it leaves
    expect(pool.has(idOf(queued))).toBe(false);
    // no queued transaction left: only a cheaper ready one makes room
    const err = await refusal(pool.add(pay(F, 0, 1)));
    expect(err.code).toBe("pool-full");
    expect(err.message).toMatch(/offer a fee above 1\b/);
    const f = pay(F, 0, 3);
    expect(await outcome(pool.add(f))).toBe("ready"); // e, the cheapest, leaves
    expect(idsIn(pool).sort()).toEqual([...kept, f].map(idOf).sort());
  });

  it("when full, the pool-full message names a fee an honest sender can offer", async () => {
    const { pool } = setUp({ maxSize: 6 });
    // the audit's attack first: unfunded senders, future nonces, the highest fee there is
    for (const k of unfunded(20)) await pool.add(pay(k, 1, MAX)).catch(() => undefined);
    for (const [i, k] of [A, B, C, D, E, F].entries()) await pool.add(pay(k, 0, 2 + i));
    expect(pool.size).toBe(6);
    const honest = testKey("pool policy funded 6");
    const err = await refusal(pool.add(pay(honest, 0, 2)));
    expect(err.code).toBe("pool-full");
    const named = Number(/offer a fee above (\d+)/.exec(err.message)?.[1]);
    expect(named).toBe(2);
    expect(await outcome(pool.add(pay(honest, 0, named + 1)))).toBe("ready");
  });
});

describe("pool policy: the same rules at load and when the tip changes", () => {
  it("drops a jam persisted by older code at load, and keeps what can be paid", async () => {
    const { db, chain, store } = setUp();
    const jam = unfunded(60).map((k) => pay(k, 1, MAX));
    const keep = [pay(A, 0, 1, 10), pay(B, 2, 1, 50)];
    const unpayable = pay(C, 1, 0, 101);
    const at = Date.now();
    store.addMany([...jam, ...keep, unpayable].map((tx) => ({ id: idOf(tx), json: JSON.stringify(tx), received: at })));
    expect(store.all()).toHaveLength(63);
    const reloaded = new Pool(chain, new PoolStore(db), { maxSize: 50 });
    expect(reloaded.load()).toBe(2);
    expect(idsIn(reloaded).sort()).toEqual(keep.map(idOf).sort());
    expect(
      new PoolStore(db)
        .all()
        .map((r) => r.id)
        .sort(),
    ).toEqual(keep.map(idOf).sort()); // dropped from the store too
  });

  it("drops queued transactions the sender can no longer pay once a block spends its coins", async () => {
    const { chain, pool, tip } = setUp();
    expect(await outcome(pool.add(pay(A, 0, 0, 10)))).toBe("ready");
    const far = pay(A, 3, 0, 60);
    expect(await outcome(pool.add(far))).toBe("queued");
    const other = pay(B, 1, 0, 50);
    expect(await outcome(pool.add(other))).toBe("queued");
    // a block (mined by C) takes another nonce-0 transaction of A's, spending 95 of its 100 coins
    expect(chain.submitBlock(mineBlock(tip, [pay(A, 0, 0, 95)], C.address, PARAMS)).outcome).toBe("connected");
    // A has 5 left: its nonce 3 (60), still waiting for nonces 1 and 2, can no longer be paid and goes
    expect(pool.pendingOf(A.address)).toEqual([]);
    expect(idsIn(pool)).toEqual([idOf(other)]);
  });
});
