/**
 * Offline fixtures: deterministic keys, signed transfers and blocks built on a network's
 * genesis, with the protocol's own encoding (src/core), so nodes take them as real.
 */
import { blockHash, signingBytes } from "../src/core/encoding.js";
import { DEVNET, genesisBlock } from "../src/core/network.js";
import type { Block, BlockHeader, NetworkParams, SignedTx, TransferTx } from "../src/core/types.js";
import { sha256 } from "../src/crypto/hash.js";
import { type KeyPair, keyPairFromSeed, signHex } from "../src/crypto/keys.js";
import { coinbase, grind, txRootOf } from "../test/harness/chains.js";

/** What a node started with `--difficulty 1` (and no --network) runs: devnet at difficulty 1. */
export const DEVNET_D1: NetworkParams = Object.freeze({ ...DEVNET, difficulty: 1 });

/** A network of the bench's own: difficulty 1 (every hash meets it), no retarget, no minimum fee. */
export function benchNetwork(name: string, reward: number, maxBlockTxs: number): NetworkParams {
  return { name, genesis_timestamp: 1_700_000_000, difficulty: 1, reward, retarget: null, max_block_txs: maxBlockTxs, min_fee: 0 };
}

/** A deterministic key from a label. */
export function benchKey(label: string): KeyPair {
  return keyPairFromSeed(sha256(`tinychain bench key ${label}`));
}

export function benchKeys(prefix: string, n: number): KeyPair[] {
  return Array.from({ length: n }, (_, i) => benchKey(`${prefix} ${i}`));
}

export function transfer(key: KeyPair, network: string, recipient: string, amount: number, nonce: number, fee = 0): TransferTx {
  const unsigned = { type: "transfer" as const, network, sender: key.address, recipient, amount, fee, nonce };
  return { ...unsigned, signature: signHex(key, signingBytes(unsigned)) };
}

/** A chain under construction: the tip's header and hash. */
export interface Cursor {
  header: BlockHeader;
  hash: string;
}

export function genesisCursor(params: NetworkParams): Cursor {
  const g = genesisBlock(params);
  return { header: g, hash: blockHash(g) };
}

/**
 * The child of `at` holding a coinbase (reward + fees to `miner`) and `txs`, with the smallest
 * proof meeting `params.difficulty` (keep it tiny: this grinds on one thread). Advances `at`.
 */
export function nextBlock(at: Cursor, params: NetworkParams, miner: string, txs: SignedTx[], timestamp: number): Block {
  const index = at.header.index + 1;
  const fees = txs.reduce((s, t) => s + t.fee, 0);
  const all = [coinbase(miner, params.reward + fees, index), ...txs];
  const unproved = { index, timestamp, previous_hash: at.hash, difficulty: params.difficulty, tx_root: txRootOf(all) };
  const header = { ...unproved, proof: grind(unproved) };
  at.header = header;
  at.hash = blockHash(header);
  return { ...header, transactions: all };
}

/** `count` coinbase-only blocks after genesis (heights 2 … count + 1), one second apart. */
export function coinbaseChain(params: NetworkParams, count: number, miner: string): Block[] {
  const at = genesisCursor(params);
  const out: Block[] = [];
  for (let i = 0; i < count; i++) out.push(nextBlock(at, params, miner, [], params.genesis_timestamp + i + 1));
  return out;
}
