/**
 * Independent checks for integration tests: canonical JSON of flat objects, hashes, Merkle
 * roots and proof of work, written here from SPEC §1–§4 without the project's own code, so
 * the node's answers are checked against the spec and not against themselves.
 */
import { createHash } from "node:crypto";
import { expect } from "vitest";
import type { Block, HistoryEntry as ContractHistoryEntry, Mined, TxView } from "../../src/api/contract.js";
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

/** Canonical JSON (SPEC §1) of a flat object whose values are strings or integers/decimals. */
export function canonicalFlat(o: Record<string, unknown>): string {
  const parts = Object.keys(o)
    .sort()
    .map((k) => {
      const v = o[k];
      if (typeof v !== "string" && typeof v !== "number") throw new Error(`canonicalFlat: ${k} is ${typeof v}`);
      if (typeof v === "number" && !Number.isFinite(v)) throw new Error(`canonicalFlat: ${k} is not finite`);
      return `${JSON.stringify(k)}:${JSON.stringify(v)}`;
    });
  return `{${parts.join(",")}}`;
}

export function sha256Hex(data: string | Buffer): string {
  return createHash("sha256").update(data).digest("hex");
}

/** The id of a transaction as the API returns it (SPEC §3): SHA-256 of its canonical JSON without `id`. */
export function txIdOf(tx: Record<string, unknown>): string {
  const { id: _id, ...rest } = tx;
  return sha256Hex(canonicalFlat(rest));
}

/** RFC 6962 Merkle Tree Hash over raw 32-byte leaves (SPEC §4). */
export function merkleRoot(ids: string[]): string {
  const mth = (leaves: Buffer[]): Buffer => {
    if (leaves.length === 0) return createHash("sha256").digest();
    if (leaves.length === 1)
      return createHash("sha256")
        .update(Buffer.from([0]))
        .update(leaves[0] as Buffer)
        .digest();
    let k = 1;
    while (k * 2 < leaves.length) k *= 2;
    return createHash("sha256")
      .update(Buffer.from([1]))
      .update(mth(leaves.slice(0, k)))
      .update(mth(leaves.slice(k)))
      .digest();
  };
  return mth(ids.map((id) => Buffer.from(id, "hex"))).toString("hex");
}

export function blockHashOf(b: Record<string, unknown>): string {
  const { index, timestamp, proof, previous_hash, difficulty, tx_root } = b;
  return sha256Hex(canonicalFlat({ index, timestamp, proof, previous_hash, difficulty, tx_root }));
}

/** H × difficulty < 2^256 (SPEC §4). */
export function meetsWork(hash: string, difficulty: number): boolean {
  return BigInt(`0x${hash}`) * BigInt(difficulty) < 1n << 256n;
}

/**
 * Asserts a chain as served by GET /chain is valid: genesis first, consecutive indexes,
 * links, hashes, proof of work, tx ids, tx_root, coinbase first and only first.
 */
export function expectValidChain(chain: ApiBlock[], opts: { difficulty: number; reward?: number }): void {
  expect(chain.length).toBeGreaterThanOrEqual(1);
  const g = chain[0] as ApiBlock;
  expect(g.index).toBe(1);
  expect(g.previous_hash).toBe("1");
  expect(g.proof).toBe(100);
  expect(g.transactions).toEqual([]);
  chain.forEach((b, i) => {
    expect(Object.keys(b).sort()).toEqual([
      "difficulty",
      "hash",
      "index",
      "previous_hash",
      "proof",
      "timestamp",
      "transactions",
      "tx_root",
    ]);
    expect(b.index).toBe(i + 1);
    expect(b.hash).toBe(blockHashOf(b));
    expect(b.difficulty).toBe(opts.difficulty);
    const ids = b.transactions.map((t) => {
      expect(t.id).toBe(txIdOf(t));
      return t.id;
    });
    expect(b.tx_root).toBe(merkleRoot(ids));
    if (i === 0) return;
    const prev = chain[i - 1] as ApiBlock;
    expect(b.previous_hash).toBe(prev.hash);
    expect(b.timestamp).toBeGreaterThanOrEqual(prev.timestamp);
    expect(meetsWork(b.hash, b.difficulty)).toBe(true);
    const [cb, ...rest] = b.transactions as [ApiTx, ...ApiTx[]];
    expect(cb.type).toBe("coinbase");
    expect(cb.height).toBe(b.index);
    const fees = rest.reduce((sum, t) => sum + (t.fee ?? 0), 0);
    expect(cb.amount).toBe((opts.reward ?? 1) + fees);
    for (const t of rest) expect(t.type).not.toBe("coinbase");
  });
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

/** An error answer of SPEC §7: `{"error": words, "code"?: reason}` and nothing else. */
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
