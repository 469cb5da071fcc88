/**
 * Batches of signature checks: the verifier's shape, and the one serialisation of a block's
 * transactions that gives both their ids and the signing texts the verifier needs.
 */
import { txId, txIdAndSigningText } from "../core/encoding.js";
import type { SignedTx, Transaction } from "../core/types.js";

/**
 * Signature checks for a run of blocks: one boolean per transaction; `immediately` skips the
 * batching of a tick's requests; `texts` their signing texts and `ids` their ids, when known
 * (computed here from the transactions, never taken from a sender).
 */
export type BatchVerify = (txs: SignedTx[], immediately?: boolean, texts?: string[], ids?: string[]) => Promise<boolean[]>;

/**
 * Each transaction's id, from one serialisation each; the signed ones (all but the coinbase)
 * are appended to `signed` with their signing texts to `texts`.
 */
export function serialise(txs: readonly Transaction[], signed: SignedTx[], texts: string[]): string[] {
  return txs.map((tx, pos) => {
    if (pos === 0) return txId(tx);
    const both = txIdAndSigningText(tx);
    signed.push(tx as SignedTx);
    texts.push(both.signing);
    return both.id;
  });
}
