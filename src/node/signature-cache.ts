/**
 * The signatures this node already found valid, as Bitcoin Core's signature cache: a
 * transaction checked when it entered the pool is not checked again in the block that
 * confirms it, nor when it is announced again. Keyed by the transaction's id, the SHA-256 of
 * all of it but the id — sender, contents and signature — so an entry vouches only for that
 * exact signed transaction. Only successes are kept; bounded, the oldest entries go first.
 */
import { txId } from "../core/encoding.js";
import type { SignedTx } from "../core/types.js";
import type { BatchVerify } from "./batch-verify.js";
import { BoundedSet } from "./bounded-set.js";

/** Entries kept: the ids of 50,000 transactions, about 5 MB. */
const MAX_ENTRIES = 50_000;

export class SignatureCache {
  private readonly valid: BoundedSet;
  hits = 0;

  constructor(max = MAX_ENTRIES) {
    this.valid = new BoundedSet(max);
  }

  /** `verify`, checking only what this cache has not seen valid, and remembering what is. */
  wrap(verify: BatchVerify): BatchVerify {
    return async (txs, immediately, texts, ids) => {
      const keys = txs.map((tx, i) => ids?.[i] ?? txId(tx));
      const todo: number[] = [];
      for (let i = 0; i < txs.length; i++) if (!this.valid.has(keys[i] as string)) todo.push(i);
      this.hits += txs.length - todo.length;
      const out = txs.map(() => true);
      if (todo.length === 0) return out;
      const checked = await verify(
        todo.map((i) => txs[i] as SignedTx),
        immediately,
        texts === undefined ? undefined : todo.map((i) => texts[i] as string),
        ids === undefined ? undefined : todo.map((i) => ids[i] as string),
      );
      todo.forEach((i, k) => {
        const ok = checked[k] === true;
        out[i] = ok;
        if (ok) this.valid.add(keys[i] as string);
      });
      return out;
    };
  }
}
