import { afterEach, describe, expect, it } from "vitest";
import { txId } from "../../src/core/encoding.js";
import type { SignedTx } from "../../src/core/types.js";
import type { KeyPair } from "../../src/crypto/keys.js";
import { Pool } from "../../src/node/pool.js";
import { replacementFee } from "../../src/node/pool-policy.js";
import { signTx } from "../helpers/factory.js";
import { testKey } from "../helpers/keys.js";
import { idsIn, outcome, POOL_PARAMS, poolOnChain, refusal } from "../helpers/pool-chain.js";

const PARAMS = POOL_PARAMS;
const SINK = testKey("pool replace sink").address;
const funded = Array.from({ length: 3 }, (_, i) => testKey(`pool replace funded ${i}`));
const [A, B] = funded as [KeyPair, KeyPair, KeyPair];

const pay = (key: KeyPair, nonce: number, fee: number, amount = 1) =>
  signTx(key, { type: "transfer", recipient: SINK, amount, fee, nonce, network: PARAMS.name });

const cleanups: Array<() => void> = [];
afterEach(() => {
  for (const c of cleanups.splice(0).reverse()) c();
});

const setUp = (opts: { maxSize?: number; maxNonceGap?: number } = {}) => poolOnChain(funded, cleanups, opts);
const idOf = (tx: SignedTx) => txId(tx);

describe("pool: replace by fee", () => {
  it("the fee to beat: 10 % more, at least 1 more", () => {
    expect([0, 1, 5, 10, 11, 100, 1000].map(replacementFee)).toEqual([1, 2, 6, 11, 13, 110, 1100]);
  });

  it("a ready transaction is replaced by one paying the bump; a smaller fee is refused with the fee that would do", async () => {
    const { pool, store } = setUp();
    const first = pay(A, 0, 10);
    await pool.add(first);
    const low = await refusal(pool.add(pay(A, 0, 10, 2)));
    expect(low.code).toBe("replacement-underpriced");
    expect(low.message).toContain("offer a fee of at least 11");
    expect(low.message).toContain(idOf(first));
    expect(await outcome(pool.add(pay(A, 0, 10, 3)))).toBe("replacement-underpriced");

    const events: string[] = [];
    pool.on("replaced", (old, by) => events.push(`${old.id}>${by.id}`));
    const bumped = pay(A, 0, 11, 2);
    expect(await pool.add(bumped)).toEqual({ id: idOf(bumped), status: "ready" });
    expect(idsIn(pool)).toEqual([idOf(bumped)]);
    expect(events).toEqual([`${idOf(first)}>${idOf(bumped)}`]);
    expect(store.all().map((r) => r.id)).toEqual([idOf(bumped)]);
    expect(pool.nextNonce(A.address)).toBe(1);
  });

  it("keeps the sender's later transactions valid: a replacement that would leave them unpaid is refused", async () => {
    const { pool } = setUp();
    await pool.add(pay(A, 0, 1, 10));
    await pool.add(pay(A, 1, 1, 40));
    await pool.add(pay(A, 3, 1, 40)); // queued: waits for nonce 2
    // 100 coins: 11 + 41 + 41 spent; the replacement of nonce 0 may spend at most 18
    const tooMuch = await refusal(pool.add(pay(A, 0, 2, 20)));
    expect(tooMuch.code).toBe("insufficient-funds");
    expect(tooMuch.message).toContain("nonce 3");
    expect(pool.size).toBe(3);
    const ok = pay(A, 0, 2, 16);
    expect((await pool.add(ok)).status).toBe("ready");
    expect(pool.pendingOf(A.address).map((e) => [e.tx.nonce, e.tx.fee])).toEqual([
      [0, 2],
      [1, 1],
      [3, 1],
    ]);
    // a replacement that makes the next ready one unpayable is refused too
    const starve = await refusal(pool.add(pay(A, 0, 3, 60)));
    expect(starve.code).toBe("insufficient-funds");
    expect(starve.message).toContain("nonce 1");
  });

  it("replaces a queued transaction, which stays queued and says what it waits for", async () => {
    const { pool } = setUp();
    const queued = pay(A, 2, 1);
    expect(await pool.add(queued)).toEqual({ id: idOf(queued), status: "queued", waitingFor: 0 });
    expect(await outcome(pool.add(pay(A, 2, 1, 5)))).toBe("replacement-underpriced");
    const bumped = pay(A, 2, 2);
    expect(await pool.add(bumped)).toEqual({ id: idOf(bumped), status: "queued", waitingFor: 0 });
    expect(idsIn(pool)).toEqual([idOf(bumped)]);
    expect(await outcome(pool.add(pay(A, 2, 3, 200)))).toBe("insufficient-funds");
  });

  it("a replacement survives a restart in place of the one it replaced", async () => {
    const { chain, pool, store } = setUp();
    await pool.add(pay(B, 0, 1));
    const bumped = pay(B, 0, 5);
    await pool.add(bumped);
    const again = new Pool(chain, store);
    expect(again.load()).toBe(1);
    expect(idsIn(again)).toEqual([idOf(bumped)]);
  });

  it("a crash between saving the replacement and forgetting the replaced one: the higher fee wins at load", async () => {
    const { chain, store } = setUp();
    const low = pay(B, 0, 1);
    const high = pay(B, 0, 5);
    // the replaced one saved first, as it arrived first: the fee decides, not the order
    store.addMany([
      { id: idOf(low), json: JSON.stringify(low), received: 1 },
      { id: idOf(high), json: JSON.stringify(high), received: 2 },
    ]);
    const pool = new Pool(chain, store);
    expect(pool.load()).toBe(1);
    expect(idsIn(pool)).toEqual([idOf(high)]);
    expect(store.all().map((r) => r.id)).toEqual([idOf(high)]);
  });
});

describe("pool: the operator's drop", () => {
  it("drops a ready transaction; the sender's later ones wait for its nonce (queued), those past the gap leave", async () => {
    const { pool, store } = setUp({ maxNonceGap: 2 });
    const txs = [0, 1, 2, 3, 4].map((n) => pay(A, n, 1));
    for (const tx of txs) await pool.add(tx);
    const other = pay(B, 0, 1);
    await pool.add(other);
    // nonce 1 dropped: 2 and 3 wait for nonce 1 (at most 2 ahead), 4 is too far and leaves
    const r = pool.remove(idOf(txs[1] as SignedTx));
    expect(r).toEqual({
      removed: [idOf(txs[1] as SignedTx), idOf(txs[4] as SignedTx)],
      queued: [2, 3].map((n) => idOf(txs[n] as SignedTx)),
    });
    expect(pool.nextNonce(A.address)).toBe(1);
    const entry = pool.get(idOf(txs[2] as SignedTx));
    expect(entry && pool.waitingFor(entry)).toBe(1);
    expect(
      pool
        .readyBySender()
        .map((l) => l.map((e) => e.tx.nonce))
        .sort(),
    ).toEqual([[0], [0]]);
    expect(store.all().length).toBe(4);
    // a new nonce 1 fills the gap: all ready again
    expect((await pool.add(pay(A, 1, 1, 2))).status).toBe("ready");
    expect(pool.waitingFor(entry as NonNullable<typeof entry>)).toBeUndefined();
    expect(pool.remove("00".repeat(32))).toBeUndefined();
  });

  it("drops a queued transaction alone", async () => {
    const { pool } = setUp();
    const q = pay(A, 3, 1);
    await pool.add(q);
    await pool.add(pay(A, 5, 1));
    expect(pool.remove(idOf(q))).toMatchObject({ removed: [idOf(q)] });
    expect(pool.pendingOf(A.address).map((e) => e.tx.nonce)).toEqual([5]);
  });
});
