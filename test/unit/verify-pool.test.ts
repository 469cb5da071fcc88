/**
 * The signature-checking worker pool (src/node/verify-pool.ts): many concurrent requests of
 * every size, coalesced and split across workers, each get exactly their own answers; a
 * worker that dies hands its work back; no workers means checking inline.
 * (Uses the built worker, dist/node/verify-worker.js, as the node does.)
 */
import { afterEach, describe, expect, it } from "vitest";
import { signingText } from "../../src/core/encoding.js";
import type { SignedTx } from "../../src/core/types.js";
import { signatureValid } from "../../src/core/verify.js";
import { VerifyPool } from "../../src/node/verify-pool.js";
import { signTx } from "../helpers/factory.js";
import { testKey } from "../helpers/keys.js";

const KEYS = [0, 1, 2].map((i) => testKey(`pool verifier ${i}`));

/** n transfers, every `badEvery`-th one tampered with after signing. */
function txs(n: number, seed: number, badEvery = 5): SignedTx[] {
  return Array.from({ length: n }, (_, i) => {
    const tx = signTx(KEYS[(seed + i) % KEYS.length]!, { type: "transfer", recipient: KEYS[0]!.address, amount: 1 + i, nonce: seed });
    return (seed + i) % badEvery === 0 ? { ...tx, amount: tx.amount + 1 } : tx;
  });
}

const pools: VerifyPool[] = [];
afterEach(async () => {
  for (const p of pools.splice(0)) await p.close();
});

describe("VerifyPool", () => {
  it("answers each of many concurrent requests (1 to 300 signatures) with its own results, in order", async () => {
    const pool = new VerifyPool(2);
    pools.push(pool);
    expect(pool.threads).toBe(2);
    const requests = Array.from({ length: 60 }, (_, r) => txs(r % 7 === 0 ? 300 : 1 + ((r * 13) % 40), r));
    const answers = await Promise.all(requests.map((list, r) => pool.verify(list, r % 3 === 0)));
    requests.forEach((list, r) => {
      expect(answers[r]).toEqual(list.map(signatureValid));
    });
    expect(answers.flat().filter((ok) => !ok).length).toBeGreaterThan(0);
  });

  it("checks the signing texts it is handed (a caller that serialised them already), not texts of its own", async () => {
    const pool = new VerifyPool(2);
    pools.push(pool);
    const list = txs(6, 4, 1000); // all valid
    const texts = list.map((t) => signingText(t));
    expect(await pool.verify(list, false, texts)).toEqual(list.map(() => true));
    // the text of another transaction does not verify: the given texts are what is checked
    const swapped = [texts[1] as string, texts[0] as string, ...texts.slice(2)];
    expect(await pool.verify(list, true, swapped)).toEqual([false, false, true, true, true, true]);
  });

  it("a worker that dies hands its work back: every request is still answered right", async () => {
    const pool = new VerifyPool(2);
    pools.push(pool);
    const list = txs(400, 1);
    const pending = pool.verify(list, true);
    const workers = (pool as unknown as { workers: Array<{ terminate(): Promise<number> }> }).workers;
    await workers[0]?.terminate();
    expect(await pending).toEqual(list.map(signatureValid));
    const after = txs(50, 2);
    expect(await pool.verify(after)).toEqual(after.map(signatureValid));
  });

  it("without workers it checks on the calling thread", async () => {
    const pool = new VerifyPool(0);
    pools.push(pool);
    const list = txs(20, 3);
    expect(await pool.verify(list)).toEqual(list.map(signatureValid));
  });
});
