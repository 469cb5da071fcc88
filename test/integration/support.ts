/**
 * Helpers for integration tests: the answers' shapes, the chain checker's assertions (its
 * checks are in test/harness/check.ts, written from docs/protocol.md §1–§4 without the project's own code,
 * so the node's answers are checked against docs/protocol.md and not against themselves), and small
 * exchanges with a node.
 */
import { expect } from "vitest";
import type { Block, HistoryEntry as ContractHistoryEntry, Mined, TxView } from "../../src/api/contract.js";
import { chainProblems } from "../harness/check.js";
import { http } from "../helpers/node-process.js";

/** A transaction as the API returns it (with `id`), seen field by field. */
export type ApiTx = TxView;

/** A block as the API returns it (with `hash`). */
export type ApiBlock = Omit<Block, "transactions"> & { transactions: ApiTx[] };

/** An entry of GET /accounts/{address}/transactions. */
export type HistoryEntry = Omit<ContractHistoryEntry, "transaction"> & { transaction: ApiTx };

/** GET /mine's answer. */
export type MinedBlock = Omit<Mined, "transactions"> & { transactions: ApiTx[] };

export const idsOf = (txs: ApiTx[]): string[] => txs.map((t) => t.id);

// the hashes, Merkle roots and proof of work of the chain checker (test/harness/check.ts)
export { blockHashOf, canonicalFlat, meetsWork, merkleRoot, sha256Hex, txIdOf } from "../harness/check.js";

/**
 * Asserts a chain as served by GET /chain is valid (the chain checker's `chainProblems`):
 * genesis first, consecutive indexes, links, hashes, proof of work, tx ids, tx_root, coinbase
 * first and only first, no transaction twice.
 */
export function expectValidChain(chain: ApiBlock[], opts: { difficulty: number; reward?: number }): void {
  expect(chainProblems(chain, { difficulty: opts.difficulty, reward: opts.reward ?? 1 })).toEqual([]);
}

/** Fetches /chain and checks it. */
export async function expectChainValidAt(url: string, difficulty: number): Promise<ApiBlock[]> {
  const r = await http(`${url}/chain`);
  expect(r.status).toBe(200);
  expect(r.body.length).toBe(r.body.chain.length);
  const chain = r.body.chain as ApiBlock[];
  expectValidChain(chain, { difficulty });
  return chain;
}

/** An error answer of docs/protocol.md §7: `{"error": words, "code"?: reason}` and nothing else. */
export function expectErrorBody(body: unknown, code?: string): void {
  expect(body, "error body").toBeTypeOf("object");
  const b = body as Record<string, unknown>;
  expect(typeof b.error).toBe("string");
  expect((b.error as string).length).toBeGreaterThan(0);
  for (const k of Object.keys(b)) expect(["error", "code"]).toContain(k);
  if ("code" in b) expect(typeof b.code).toBe("string");
  if (code !== undefined) expect(b.code).toBe(code);
}

export async function mine(url: string): Promise<MinedBlock> {
  const r = await http(`${url}/mine`);
  expect(r.status, r.text).toBe(200);
  return r.body;
}

export async function mineN(url: string, n: number): Promise<void> {
  for (let i = 0; i < n; i++) await mine(url);
}

/** Sends coins from the node's wallet (operator route, open to loopback). */
export async function sendFromNode(url: string, recipient: string, amount: number, fee?: number): Promise<string> {
  const r = await http(`${url}/transactions/new`, { body: { recipient, amount, ...(fee !== undefined ? { fee } : {}) } });
  expect(r.status, r.text).toBe(201);
  return r.body.id;
}

/** Writes raw bytes to the node and waits (bounded) for it to answer or close. */
export { rawExchange } from "../harness/raw-socket.js";
