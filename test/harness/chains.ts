/**
 * Offline construction of valid transactions, blocks and chains at a node's network, the
 * primitives the unit tests' factory, the peer-network tests and the bench build on (these
 * use the node's own encoding; what the node then serves is checked by check.ts, which does
 * not). Proofs are ground in this process, so keep difficulties small.
 */
import { blockHash, signingBytes, txId } from "../../src/core/encoding.js";
import { txRootHex } from "../../src/core/merkle.js";
import { DEVNET, genesisBlock } from "../../src/core/network.js";
import { meetsDifficulty } from "../../src/core/pow.js";
import type { Block, BlockHeader, CoinbaseTx, NetworkParams, SignedTx, Transaction, TransferTx } from "../../src/core/types.js";
import { sha256 } from "../../src/crypto/hash.js";
import { type KeyPair, keyPairFromSeed, signHex } from "../../src/crypto/keys.js";

export type { Block, NetworkParams, SignedTx, Transaction };

/** The parameters of a node started with `--difficulty N`. */
export function devnetAt(difficulty: number): NetworkParams {
  return { ...DEVNET, difficulty };
}

/** A deterministic key from a label. */
export function keyFor(label: string): KeyPair {
  return keyPairFromSeed(sha256(`tinychain robust ${label}`));
}

export function signTransfer(
  key: KeyPair,
  f: { recipient: string; amount: number; fee?: number; nonce: number; network: string },
): TransferTx & { id: string } {
  const unsigned = {
    type: "transfer" as const,
    network: f.network,
    sender: key.address,
    recipient: f.recipient,
    amount: f.amount,
    fee: f.fee ?? 0,
    nonce: f.nonce,
  };
  const tx: TransferTx = { ...unsigned, signature: signHex(key, signingBytes(unsigned)) };
  return { ...tx, id: txId(tx) };
}

export function coinbase(recipient: string, amount: number, height: number): CoinbaseTx {
  return { type: "coinbase", sender: "0", recipient, amount, height };
}

/** The smallest proof ≥ `from` whose header hash meets the header's difficulty (bounded). */
export function grind(header: Omit<BlockHeader, "proof">, from = 0, maxTries = 50_000_000): number {
  for (let proof = from; proof < from + maxTries; proof++) {
    if (meetsDifficulty(blockHash({ ...header, proof }), header.difficulty)) return proof;
  }
  throw new Error(`no proof found in ${maxTries} tries at difficulty ${header.difficulty}`);
}

/** The same block with its header edited and a proof ground again (tx_root kept unless edited). */
export function regrind(b: Block, edit: Partial<Block> = {}): Block {
  const { proof: _p, transactions, ...header } = { ...b, ...edit };
  return { ...header, transactions, proof: grind(header) };
}

/** The same block with a proof that does NOT meet its difficulty (difficulty must be > 1). */
export function withBadPow(b: Block): Block {
  for (let proof = b.proof + 1; proof < b.proof + 100_000; proof++) {
    if (!meetsDifficulty(blockHash({ ...b, proof }), b.difficulty)) return { ...b, proof };
  }
  throw new Error(`no failing proof found (difficulty ${b.difficulty} is too low)`);
}

export function txRootOf(txs: Transaction[]): string {
  return txRootHex(txs.map((t) => txId(t)));
}

/** Seconds, with the millisecond precision blocks carry. */
export function nowSeconds(): number {
  return Math.floor(Date.now()) / 1000;
}

/**
 * A valid child of `parent`: coinbase to `miner` of reward + fees, then `txs`; timestamp the
 * later of the parent's + 1 ms and `at` (default now); proof ground at `params.difficulty`.
 */
export function childBlock(parent: Block, txs: SignedTx[], miner: string, params: NetworkParams, at?: number): Block {
  const fees = txs.reduce((s, t) => s + t.fee, 0);
  const transactions = [coinbase(miner, params.reward + fees, parent.index + 1), ...txs.map(stripId)];
  const timestamp = Math.max(Math.round((parent.timestamp + 0.001) * 1000) / 1000, at ?? nowSeconds());
  const header = {
    index: parent.index + 1,
    timestamp,
    previous_hash: blockHash(parent),
    difficulty: params.difficulty,
    tx_root: txRootOf(transactions),
  };
  return { ...header, proof: grind(header), transactions };
}

function stripId<T extends Transaction>(t: T): T {
  const { id: _id, ...rest } = t as T & { id?: string };
  return rest as T;
}

/** `count` blocks on `base` (default: the genesis of `params`), `txsAt(height)` their transactions. */
export function extendChain(
  params: NetworkParams,
  count: number,
  miner: string,
  opts: { base?: Block[]; txsAt?: (height: number) => SignedTx[]; at?: number } = {},
): Block[] {
  const chain = opts.base ? [...opts.base] : [genesisBlock(params)];
  for (let i = 0; i < count; i++) {
    const parent = chain.at(-1) as Block;
    chain.push(childBlock(parent, opts.txsAt?.(parent.index + 1) ?? [], miner, params, opts.at));
  }
  return chain;
}

export type ApiForm = Omit<Block, "transactions"> & { hash: string; transactions: Array<Transaction & { id: string }> };

/** A block as the API serves it: with `hash` and transaction `id`s. */
export function toApi(b: Block): ApiForm {
  return { ...b, hash: blockHash(b), transactions: b.transactions.map((t) => ({ ...stripId(t), id: txId(stripId(t)) })) } as ApiForm;
}

/** A block as received from the API (hash and ids dropped). */
export function fromApi(b: ApiForm | Record<string, unknown>): Block {
  const { hash: _h, transactions, ...rest } = b as ApiForm;
  return { ...rest, transactions: transactions.map((t) => stripId(t)) } as Block;
}

export type { KeyPair };
export { blockHash, genesisBlock, txId };
