/**
 * Builders for signed transactions and mined blocks in unit tests. Everything is
 * deterministic: keys come from helpers/keys.ts, proofs are ground from 0.
 */
import { expect } from "vitest";
import { blockHash, signingBytes, txId } from "../../src/core/encoding.js";
import { type ReasonCode, RuleError } from "../../src/core/errors.js";
import { txRootHex } from "../../src/core/merkle.js";
import { genesisBlock } from "../../src/core/network.js";
import { type Account, EMPTY_STATE, StateOverlay } from "../../src/core/state.js";
import { applyTransaction } from "../../src/core/transition.js";
import type { Address, Block, BlockHeader, NetworkParams, SignedTx, Transaction, UnsignedTx } from "../../src/core/types.js";
import { type KeyPair, signHex } from "../../src/crypto/keys.js";
import { coinbase, grind } from "../harness/chains.js";

/** A fast test network: difficulty 1 (every hash meets it), reward 50, no minimum fee. */
export const NET: NetworkParams = Object.freeze({
  name: "testnet",
  genesis_timestamp: 1_700_000_000,
  difficulty: 1,
  reward: 50,
  retarget: null,
  max_block_txs: 100,
  min_fee: 0,
});

export const GENESIS: Block = genesisBlock(NET);

type Defaulted = "network" | "fee" | "nonce";

/** The fields of an unsigned transaction of one type, `sender` implied by the key, `network`/`fee`/`nonce` optional. */
export type TxFields = {
  [T in UnsignedTx as T["type"]]: Omit<T, "sender" | Defaulted> & Partial<Pick<T, Defaulted>>;
}[UnsignedTx["type"]];

/** Signs `fields` with `key` (docs/protocol.md §3 signing bytes); network defaults to NET's, fee and nonce to 0. */
export function signTx<F extends TxFields>(key: KeyPair, fields: F): Extract<SignedTx, { type: F["type"] }> {
  const unsigned = { network: NET.name, fee: 0, nonce: 0, ...fields, sender: key.address };
  return { ...unsigned, signature: signHex(key, signingBytes(unsigned)) } as unknown as Extract<SignedTx, { type: F["type"] }>;
}

export { coinbase, grind };

export interface BlockOptions {
  timestamp?: number;
  difficulty?: number;
  /** Use this proof as is instead of grinding one. */
  proof?: number;
  /** Use this tx_root instead of the computed one. */
  txRoot?: string;
  /** Use this index instead of parent.index + 1. */
  index?: number;
  /** Use this previous_hash instead of the parent's hash. */
  previousHash?: string;
}

/**
 * A child of `parent` with exactly `txs` (coinbase included, if any): computes tx_root and
 * grinds a proof at `difficulty` (default 1; keep it small, ≤ 16, to stay fast).
 */
export function makeBlock(parent: BlockHeader, txs: Transaction[], opts: BlockOptions = {}): Block {
  const header = {
    index: opts.index ?? parent.index + 1,
    timestamp: opts.timestamp ?? parent.timestamp + 10,
    previous_hash: opts.previousHash ?? blockHash(parent),
    difficulty: opts.difficulty ?? 1,
    tx_root: opts.txRoot ?? txRootHex(txs.map((t) => txId(t))),
  };
  const proof = opts.proof ?? grind(header);
  return { ...header, proof, transactions: txs };
}

/** A child of `parent` whose coinbase pays `miner` the reward plus the fees of `txs`. */
export function mineBlock(
  parent: BlockHeader,
  txs: SignedTx[],
  miner: Address,
  params: NetworkParams = NET,
  opts: BlockOptions = {},
): Block {
  const fees = txs.reduce((s, t) => s + t.fee, 0);
  const cb = coinbase(miner, params.reward + fees, opts.index ?? parent.index + 1);
  return makeBlock(parent, [cb, ...txs], opts);
}

export function idsOf(block: Block): string[] {
  return block.transactions.map((t) => txId(t));
}

/** A state with the given coin balances (nonces 0 unless given). */
export function stateWith(balances: Record<Address, number | Account>): StateOverlay {
  const s = new StateOverlay(EMPTY_STATE);
  for (const [addr, v] of Object.entries(balances)) {
    s.setAccount(addr, typeof v === "number" ? { balance: v, nonce: 0 } : v);
  }
  s.commitJournal();
  return s;
}

/** Sum of all coin balances held in an overlay's changes (the base must be empty). */
export function totalCoins(state: StateOverlay): number {
  let sum = 0;
  for (const [k, v] of state.changes) if (k.startsWith("a:")) sum += (v as Account).balance;
  return sum;
}

/** Sum of all balances of one token held in an overlay's changes (the base must be empty). */
export function totalTokens(state: StateOverlay, token: string): number {
  let sum = 0;
  const prefix = `b:${token}:`;
  for (const [k, v] of state.changes) if (k.startsWith(prefix)) sum += v as number;
  return sum;
}

/** A copy of an overlay's changes, for comparing before and after. */
export function snapshot(state: StateOverlay): Array<[string, unknown]> {
  return [...state.changes.entries()]
    .map(([k, v]): [string, unknown] => [k, structuredClone(v)])
    .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
}

/** Runs `fn` and returns the RuleError code it throws (fails the test if it does not throw one). */
export function codeOf(fn: () => unknown): ReasonCode {
  try {
    fn();
  } catch (err) {
    if (err instanceof RuleError) return err.code;
    throw new Error(`expected a RuleError, got ${String(err)}`);
  }
  throw new Error("expected a RuleError, but nothing was thrown");
}

/** applyTransaction with the transaction's own id. */
export function applyTx(state: StateOverlay, tx: SignedTx, params: NetworkParams = NET) {
  return applyTransaction(state, tx, txId(tx), params);
}

/** Applies `tx` expecting it to fail with `code`, and checks that the state did not change. */
export function expectRejected(state: StateOverlay, tx: SignedTx, code: ReasonCode, params: NetworkParams = NET): void {
  const before = snapshot(state);
  const mark = state.mark();
  expect(codeOf(() => applyTx(state, tx, params))).toBe(code);
  expect(snapshot(state)).toEqual(before);
  expect(state.mark()).toBe(mark);
}

/** A state where `creator` made a token (supply 1000) at nonce 0 and every holder has `balance` coins. */
export function stateWithToken(creator: KeyPair, holders: KeyPair[], balance = 100) {
  const state = stateWith(Object.fromEntries([creator, ...holders].map((k) => [k.address, balance])));
  const create = signTx(creator, { type: "token_create", name: "Gold", symbol: "GLD", decimals: 2, supply: 1000 });
  applyTx(state, create);
  state.commitJournal();
  return { state, token: txId(create) };
}
