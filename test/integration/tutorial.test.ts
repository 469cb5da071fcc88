/**
 * The tutorial's walkthrough against a real node (docs/protocol.md §7): /chain, /mine, /transactions/new
 * and their aliases, then the reads beyond the tutorial: /status, /blocks, /transactions,
 * /accounts.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { key1, key2, testKey } from "../helpers/keys.js";
import { http, type NodeProc, startNode, stopAndRemove } from "../helpers/node-process.js";
import {
  type ApiBlock,
  blockHashOf,
  expectChainValidAt,
  expectErrorBody,
  type HistoryEntry,
  idsOf,
  mine,
  mineN,
  sendFromNode,
  txIdOf,
} from "./support.js";

const DIFFICULTY = 16;
const GENESIS_TIMESTAMP = 1506092455;
const MINE_FIELDS = ["difficulty", "hash", "index", "message", "previous_hash", "proof", "timestamp", "transactions"];

let node: NodeProc;
let address: string;

beforeAll(async () => {
  node = await startNode({ difficulty: DIFFICULTY });
});

afterAll(() => stopAndRemove(node));

describe("tutorial walkthrough", () => {
  it("starts with the genesis block only", async () => {
    const r = await http(`${node.url}/chain`);
    expect(r.status).toBe(200);
    expect(r.headers.get("content-type")).toMatch(/^application\/json/);
    expect(r.body.length).toBe(1);
    expect(r.body.chain).toHaveLength(1);
    const g = r.body.chain[0];
    expect(g).toMatchObject({ index: 1, previous_hash: "1", proof: 100, transactions: [], difficulty: DIFFICULTY });
    expect(g.timestamp).toBe(GENESIS_TIMESTAMP);
    expect(g.tx_root).toBe("e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855");
    expect(g.hash).toBe(blockHashOf(g));

    const s = await http(`${node.url}/status`);
    expect(s.status).toBe(200);
    for (const k of ["network", "genesis_hash", "height", "tip", "total_work", "difficulty", "peers", "pending", "address"]) {
      expect(s.body, `status.${k}`).toHaveProperty(k);
    }
    expect(s.body).toMatchObject({
      network: "devnet",
      genesis_hash: g.hash,
      height: 1,
      tip: g.hash,
      difficulty: DIFFICULTY,
      peers: 0,
      pending: 0,
    });
    expect(Number(s.body.total_work)).toBe(DIFFICULTY);
    expect(s.body.address).toMatch(/^[0-9a-f]{64}$/);
    address = s.body.address;
  });

  it("GET /mine forges a block paying the node's wallet", async () => {
    const r = await http(`${node.url}/mine`);
    expect(r.status, r.text).toBe(200);
    const b = r.body;
    for (const k of MINE_FIELDS) expect(b, `mine.${k}`).toHaveProperty(k);
    expect(b.message).toBe("Forged new block.");
    expect(b.index).toBe(2);
    expect(b.difficulty).toBe(DIFFICULTY);
    expect(typeof b.proof).toBe("number");
    expect(typeof b.timestamp).toBe("number");
    expect(b.transactions).toHaveLength(1);
    const cb = b.transactions[0];
    expect(cb).toMatchObject({ type: "coinbase", sender: "0", recipient: address, amount: 1, height: 2 });
    expect(cb.id).toBe(txIdOf(cb));
    const chain = await http(`${node.url}/chain`);
    expect(chain.body.length).toBe(2);
    expect(b.previous_hash).toBe(chain.body.chain[0].hash);
    expect(b.hash).toBe(chain.body.chain[1].hash);
    expect(b.hash).toBe(blockHashOf(chain.body.chain[1]));
  });

  it("POST /transactions/new from the node's wallet goes into the next mined block", async () => {
    const r = await http(`${node.url}/transactions/new`, { body: { recipient: key1.address, amount: 1 } });
    expect(r.status, r.text).toBe(201);
    expect(r.body.message).toBe("Transaction will be added to Block 3");
    expect(r.body.block_index).toBe(3);
    expect(r.body.id).toMatch(/^[0-9a-f]{64}$/);
    const id = r.body.id as string;

    const pending = await http(`${node.url}/transactions/pending`);
    expect(pending.status).toBe(200);
    expect(pending.body.transactions).toHaveLength(1);
    const ptx = pending.body.transactions[0];
    expect(ptx).toMatchObject({ type: "transfer", network: "devnet", sender: address, recipient: key1.address, amount: 1, nonce: 0 });
    expect(ptx.id).toBe(id);
    expect(txIdOf(ptx)).toBe(id);

    const before = await http(`${node.url}/transactions/${id}`);
    expect(before.status).toBe(200);
    expect(before.body).toMatchObject({ status: "pending", confirmations: 0 });
    expect(before.body.transaction.id).toBe(id);

    const acct = await http(`${node.url}/accounts/${address}`);
    expect(acct.status).toBe(200);
    expect(acct.body).toMatchObject({ address, balance: 1, nonce: 0 });
    expect(acct.body.pending).toMatchObject({ balance: 0, nonce: 1, transactions: 1 });
    expect((await http(`${node.url}/status`)).body.pending).toBe(1);

    const b = await mine(node.url);
    expect(b.index).toBe(3);
    expect(idsOf(b.transactions)).toEqual([b.transactions[0]?.id, id]);
    expect((await http(`${node.url}/transactions/pending`)).body.transactions).toEqual([]);

    const after = await http(`${node.url}/transactions/${id}`);
    expect(after.body).toMatchObject({ status: "confirmed", block_index: 3, confirmations: 1 });
    expect(after.body.transaction).toMatchObject({ id, recipient: key1.address, amount: 1 });

    const chain = await http(`${node.url}/chain`);
    expect(chain.body.length).toBe(3);
    expect(chain.body.chain[2].transactions[1].id).toBe(id);
  });

  it("POST /mine and the /transaction/new alias work too", async () => {
    const t = await http(`${node.url}/transaction/new`, { body: { recipient: key2.address, amount: 1, sender: address } });
    expect(t.status, t.text).toBe(201);
    expect(t.body).toMatchObject({ message: "Transaction will be added to Block 4", block_index: 4 });
    const r = await http(`${node.url}/mine`, { method: "POST" });
    expect(r.status, r.text).toBe(200);
    expect(r.body).toMatchObject({ message: "Forged new block.", index: 4 });
    expect(idsOf(r.body.transactions)).toContain(t.body.id);
    const confirmed = await http(`${node.url}/transactions/${t.body.id}`);
    expect(confirmed.body).toMatchObject({ status: "confirmed", block_index: 4, confirmations: 1 });
    // the earlier transaction is one block deeper now
    const acct1 = await http(`${node.url}/accounts/${key1.address}/transactions`);
    const older = await http(`${node.url}/transactions/${acct1.body.transactions[0].transaction.id}`);
    expect(older.body).toMatchObject({ status: "confirmed", block_index: 3, confirmations: 2 });
  });
});

describe("reads beyond the tutorial", () => {
  it("/status follows the tip", async () => {
    const chain = await expectChainValidAt(node.url, DIFFICULTY);
    const s = await http(`${node.url}/status`);
    expect(s.body.height).toBe(chain.length);
    expect(s.body.tip).toBe(chain.at(-1)?.hash);
    expect(Number(s.body.total_work)).toBe(DIFFICULTY * chain.length);
    expect(s.body.genesis_hash).toBe(chain[0]?.hash);
  });

  it("/blocks pages the main chain; /blocks/{index|hash} gives one block", async () => {
    const all = (await http(`${node.url}/chain`)).body.chain as ApiBlock[];
    const page = await http(`${node.url}/blocks?from=2&limit=2`);
    expect(page.status).toBe(200);
    expect(page.body.blocks).toEqual(all.slice(1, 3));
    const rest = await http(`${node.url}/blocks?from=3`);
    expect(rest.body.blocks).toEqual(all.slice(2));
    expect((await http(`${node.url}/blocks`)).body.blocks).toEqual(all);
    expect((await http(`${node.url}/blocks?from=999`)).body.blocks).toEqual([]);

    for (const b of all) {
      const byIndex = await http(`${node.url}/blocks/${b.index}`);
      expect(byIndex.status).toBe(200);
      expect(byIndex.body).toEqual(b);
      const byHash = await http(`${node.url}/blocks/${b.hash}`);
      expect(byHash.status).toBe(200);
      expect(byHash.body).toEqual(b);
    }

    for (const unknown of ["999", "0", "f".repeat(64)]) {
      const r = await http(`${node.url}/blocks/${unknown}`);
      expect(r.status, unknown).toBe(404);
      expectErrorBody(r.body);
    }
    for (const garbage of ["abc", "-1", "1.5", "F".repeat(64), "a".repeat(63), "%20"]) {
      const r = await http(`${node.url}/blocks/${garbage}`);
      expect(r.status, garbage).toBe(400);
      expectErrorBody(r.body);
    }
    for (const q of ["from=abc", "from=0", "limit=0", "limit=x", "from=1.5"]) {
      const r = await http(`${node.url}/blocks?${q}`);
      expect(r.status, q).toBe(400);
      expectErrorBody(r.body);
    }
  });

  it("/transactions/{id}: 404 for unknown, 400 for a malformed id", async () => {
    const unknown = await http(`${node.url}/transactions/${"0".repeat(64)}`);
    expect(unknown.status).toBe(404);
    expectErrorBody(unknown.body);
    const bad = await http(`${node.url}/transactions/xyz`);
    expect(bad.status).toBe(400);
    expectErrorBody(bad.body);
  });

  it("/accounts/{address} and its history, newest first, paged with `next`", async () => {
    const to = testKey("tutorial history").address;
    await mineN(node.url, 8); // funds for the sends below
    const ids: string[] = [];
    for (let i = 1; i <= 3; i++) {
      ids.push(await sendFromNode(node.url, to, i));
      await mine(node.url);
    }
    const pendingId = await sendFromNode(node.url, to, 1); // left pending: not in the confirmed history

    const acct = await http(`${node.url}/accounts/${to}`);
    expect(acct.status).toBe(200);
    expect(acct.body).toMatchObject({ address: to, balance: 6, nonce: 0 });
    expect(acct.body.pending).toMatchObject({ balance: 7, nonce: 0, transactions: 1 });

    const page1 = await http(`${node.url}/accounts/${to}/transactions?limit=2`);
    expect(page1.status).toBe(200);
    expect(page1.body.transactions.map((e: HistoryEntry) => e.transaction.id)).toEqual([ids[2], ids[1]]);
    const heights = page1.body.transactions.map((e: HistoryEntry) => e.block_index);
    expect(heights[0]).toBeGreaterThan(heights[1]);
    expect(typeof page1.body.next).toBe("string");

    const page2 = await http(`${node.url}/accounts/${to}/transactions?limit=2&before=${encodeURIComponent(page1.body.next)}`);
    expect(page2.status).toBe(200);
    expect(page2.body.transactions.map((e: HistoryEntry) => e.transaction.id)).toEqual([ids[0]]);
    expect(page2.body.next).toBeNull();

    const whole = await http(`${node.url}/accounts/${to}/transactions`);
    expect(whole.body.transactions.map((e: HistoryEntry) => e.transaction.id)).toEqual([ids[2], ids[1], ids[0]]);
    expect(whole.body.transactions.map((e: HistoryEntry) => e.transaction.id)).not.toContain(pendingId);

    // the node's own history has its coinbases and its sends, newest first
    const own = await http(`${node.url}/accounts/${address}/transactions?limit=500`);
    const hs: number[] = own.body.transactions.map((e: HistoryEntry) => e.block_index * 10_000 + e.position);
    expect(hs).toEqual([...hs].sort((a, b) => b - a));

    const empty = await http(`${node.url}/accounts/${testKey("nobody").address}`);
    expect(empty.status).toBe(200);
    expect(empty.body).toMatchObject({ balance: 0, nonce: 0 });
    const emptyHistory = await http(`${node.url}/accounts/${testKey("nobody").address}/transactions`);
    expect(emptyHistory.body).toEqual({ transactions: [], next: null });

    for (const bad of ["xyz", "A".repeat(64)]) {
      const r = await http(`${node.url}/accounts/${bad}`);
      expect(r.status, bad).toBe(400);
      expectErrorBody(r.body);
    }
    const badCursor = await http(`${node.url}/accounts/${to}/transactions?before=nonsense`);
    expect(badCursor.status).toBe(400);
    expectErrorBody(badCursor.body);

    await mine(node.url);
    expect((await http(`${node.url}/transactions/${pendingId}`)).body.status).toBe("confirmed");
    await expectChainValidAt(node.url, DIFFICULTY);
  });
});
