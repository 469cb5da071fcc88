/**
 * Block rules (docs/protocol.md §4) in the order a node should run them, cheapest first:
 * `checkBlockShape` (no context), `checkBlockHeader` (needs the parent), then signatures
 * (verify.ts) and the state transition (transition.ts `applyBlock`).
 */
import { blockHash, txId } from "./encoding.js";
import { fail } from "./errors.js";
import { txRootHex } from "./merkle.js";
import { meetsDifficulty } from "./pow.js";
import type { Block, BlockHeader, NetworkParams, SignedTx } from "./types.js";

/** Seconds a block's timestamp may run ahead of the node's clock. */
export const MAX_FUTURE_SECONDS = 120;

/** A block with what was computed while checking it. */
export interface CheckedBlock {
  block: Block;
  hash: string;
  txIds: string[];
}

/**
 * What a reorganisation gives back to the pool: the transactions of the blocks leaving the
 * main chain (`left`, in the order given) that the joining blocks do not hold; coinbases
 * never return (they belong to their block).
 */
export function abandonedTransactions(left: readonly CheckedBlock[], joined: readonly CheckedBlock[]): Array<{ tx: SignedTx; id: string }> {
  const held = new Set(joined.flatMap((b) => b.txIds));
  const out: Array<{ tx: SignedTx; id: string }> = [];
  for (const b of left) {
    b.block.transactions.forEach((tx, i) => {
      const id = b.txIds[i] as string;
      if (tx.type !== "coinbase" && !held.has(id)) out.push({ tx, id });
    });
  }
  return out;
}

/**
 * Context-free rules: proof of work, `tx_root`, coinbase placement and height,
 * transaction count, no transaction twice. `ids`: the transactions' ids when the caller
 * already computed them (`txId` of each, in order), so they are not serialised again.
 */
export function checkBlockShape(block: Block, params: NetworkParams, ids?: readonly string[]): CheckedBlock {
  const hash = blockHash(block);
  if (!meetsDifficulty(hash, block.difficulty)) {
    fail("bad-pow", `block hash ${hash} does not meet difficulty ${block.difficulty} (hash × difficulty must be < 2^256)`);
  }
  const txs = block.transactions;
  if (txs.length > params.max_block_txs) {
    fail("too-many-txs", `block has ${txs.length} transactions; at most ${params.max_block_txs} are allowed`);
  }
  const first = txs[0];
  if (first === undefined || first.type !== "coinbase") fail("bad-coinbase", "the first transaction of a block must be its coinbase");
  if (first.height !== block.index) fail("bad-coinbase", `coinbase height ${first.height} must equal the block index ${block.index}`);
  for (let i = 1; i < txs.length; i++) {
    if (txs[i]?.type === "coinbase") fail("bad-coinbase", `transaction ${i} is a coinbase; only the first may be`);
  }
  const txIds = ids !== undefined && ids.length === txs.length ? [...ids] : txs.map((t) => txId(t));
  if (new Set(txIds).size !== txIds.length) fail("duplicate-tx", "block contains the same transaction twice");
  const root = txRootHex(txIds);
  if (root !== block.tx_root) fail("bad-tx-root", `tx_root ${block.tx_root} does not match the transactions (expected ${root})`);
  return { block, hash, txIds };
}

export interface HeaderContext {
  params: NetworkParams;
  parent: BlockHeader;
  parentHash: string;
  /** The difficulty a child of `parent` must carry (difficulty.ts `requiredDifficulty`). */
  difficulty: number;
  /** The node's clock, seconds since the epoch. */
  nowS: number;
}

/** Rules that need the parent: link, index, time window, required difficulty. */
export function checkBlockHeader(block: BlockHeader, ctx: HeaderContext): void {
  if (block.previous_hash !== ctx.parentHash)
    fail("bad-prev", `previous_hash ${block.previous_hash} is not the parent's hash ${ctx.parentHash}`);
  if (block.index !== ctx.parent.index + 1)
    fail("bad-index", `index ${block.index} must be the parent's index + 1 (${ctx.parent.index + 1})`);
  if (block.timestamp < ctx.parent.timestamp) {
    fail("time-too-old", `timestamp ${block.timestamp} is before the parent's ${ctx.parent.timestamp}`);
  }
  if (block.timestamp > ctx.nowS + MAX_FUTURE_SECONDS) {
    fail("time-too-new", `timestamp ${block.timestamp} is more than ${MAX_FUTURE_SECONDS} s ahead of this node's clock (${ctx.nowS})`);
  }
  if (block.difficulty !== ctx.difficulty) fail("bad-difficulty", `difficulty ${block.difficulty} must be ${ctx.difficulty}`);
}
