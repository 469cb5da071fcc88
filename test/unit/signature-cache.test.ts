/**
 * The signature cache (src/node/signature-cache.ts): a signed transaction found valid once is
 * not checked again; an invalid one always is; the cache keeps at most its bound.
 */
import { describe, expect, it } from "vitest";
import { txId } from "../../src/core/encoding.js";
import type { SignedTx } from "../../src/core/types.js";
import { SignatureCache } from "../../src/node/signature-cache.js";
import { signTx } from "../helpers/factory.js";
import { testKey } from "../helpers/keys.js";

const key = testKey("sigcache");
const tx = (nonce: number): SignedTx =>
  signTx(key, { type: "transfer", recipient: testKey("sigcache to").address, amount: 1, nonce }) as SignedTx;

function counting(valid: (tx: SignedTx) => boolean) {
  const seen: number[] = [];
  const verify = async (txs: SignedTx[]) => {
    seen.push(txs.length);
    return txs.map(valid);
  };
  return { seen, verify };
}

describe("the signature cache", () => {
  it("checks a transaction once; the block that confirms it, or a repeat, is not checked again", async () => {
    const { seen, verify } = counting(() => true);
    const cache = new SignatureCache();
    const cached = cache.wrap(verify);
    const [a, b] = [tx(0), tx(1)] as [SignedTx, SignedTx];
    expect(await cached([a], false, undefined, [txId(a)])).toEqual([true]);
    expect(await cached([a, b])).toEqual([true, true]); // ids computed when not given
    expect(await cached([b, a], true)).toEqual([true, true]);
    expect(seen).toEqual([1, 1]);
    expect(cache.hits).toBe(3);
  });

  it("never keeps a failure, nor vouches for a changed transaction", async () => {
    const bad = tx(2);
    const { seen, verify } = counting((t) => t !== bad);
    const cached = new SignatureCache().wrap(verify);
    expect(await cached([bad])).toEqual([false]);
    expect(await cached([bad])).toEqual([false]);
    const good = tx(3);
    expect(await cached([good])).toEqual([true]);
    const forged = { ...good, amount: 2 }; // another id: checked, not taken from the cache
    expect(await cached([forged])).toEqual([true]);
    expect(seen).toEqual([1, 1, 1, 1]);
  });

  it("keeps at most its bound, dropping the oldest first", async () => {
    const { seen, verify } = counting(() => true);
    const cached = new SignatureCache(8).wrap(verify);
    const txs = Array.from({ length: 9 }, (_, i) => tx(10 + i));
    for (const t of txs) await cached([t]);
    seen.length = 0;
    await cached([txs[8] as SignedTx]); // the newest: kept
    await cached([txs[0] as SignedTx]); // among the oldest quarter: dropped at the ninth
    expect(seen).toEqual([1]);
  });
});
