import type { CheckedBlock } from "../core/block.js";
import type { Block, Transaction } from "../core/types.js";

/** A stored block JSON (the API form) back to the protocol block with its hash and tx ids. */
export function checkedFromJson(json: string): CheckedBlock {
  const o = JSON.parse(json) as Omit<Block, "transactions"> & { hash: string; transactions: Array<Transaction & { id: string }> };
  const txIds: string[] = [];
  const transactions = o.transactions.map(({ id, ...tx }) => {
    txIds.push(id);
    return tx as Transaction;
  });
  const block: Block = {
    index: o.index,
    timestamp: o.timestamp,
    transactions,
    proof: o.proof,
    previous_hash: o.previous_hash,
    difficulty: o.difficulty,
    tx_root: o.tx_root,
  };
  return { block, hash: o.hash, txIds };
}
