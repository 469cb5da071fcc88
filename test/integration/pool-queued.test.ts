/**
 * Issue 19, "a queued transaction says so everywhere": against a real node, a transfer with a
 * nonce gap is answered as queued (the nonce it waits for, no block promised), is shown as
 * queued by GET /transactions/{id} and /transactions/pending, is not counted in the account's
 * pending balance, and becomes ready (and is mined) once the gap is filled.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { signTx } from "../helpers/factory.js";
import { key2, testKey } from "../helpers/keys.js";
import { http, type NodeProc, startNode, stopAndRemove } from "../helpers/node-process.js";
import { mine, mineN, sendFromNode } from "./support.js";

let node: NodeProc;
let network: string;
const sender = testKey("queued sender");

beforeAll(async () => {
  node = await startNode({ difficulty: 12, args: ["--sync-interval", "0"] });
  network = (await http(`${node.url}/status`)).body.network as string;
  await mineN(node.url, 41);
  await sendFromNode(node.url, sender.address, 40);
  await mine(node.url);
}, 60_000);

afterAll(() => stopAndRemove(node));

const transfer = (nonce: number, fee = 1, amount = 2) =>
  signTx(sender, { type: "transfer", network, recipient: key2.address, amount, fee, nonce });

describe("a queued transaction (issue 19)", () => {
  it("is answered queued with the nonce it waits for, shown queued, not counted, and mined once the gap fills", {
    timeout: 60_000,
  }, async () => {
    const later = transfer(1);
    const r = await http(`${node.url}/transactions/new`, { body: later });
    expect(r.status, r.text).toBe(201);
    expect(r.body).toMatchObject({ status: "queued", waiting_for_nonce: 0, block_index: null });
    expect(r.body.message).toBe("Transaction queued: it waits for nonce 0 of this sender before it can go into a block");
    expect(r.body.message).not.toMatch(/Block/);
    const id = r.body.id as string;

    const look = await http(`${node.url}/transactions/${id}`);
    expect(look.body).toMatchObject({ status: "pending", queued: true, waiting_for_nonce: 0, block_index: null });
    const pending = await http(`${node.url}/transactions/pending`);
    expect(pending.body.queued).toEqual({ [id]: 0 });

    const acct = await http(`${node.url}/accounts/${sender.address}`);
    expect(acct.body).toMatchObject({ balance: 40, nonce: 0, pending: { balance: 40, nonce: 0, transactions: 0, queued: 1 } });
    const to = await http(`${node.url}/accounts/${key2.address}`);
    expect(to.body.pending.balance).toBe(to.body.balance);

    // the batch form says the same
    const batch = await http(`${node.url}/transactions`, { body: [transfer(3)] });
    expect(batch.body.results[0]).toMatchObject({ status: "queued", waiting_for_nonce: 0, block_index: null });

    // the gap filled: a ready answer keeps the tutorial's message, the queued one is ready now
    const first = await http(`${node.url}/transactions`, { body: transfer(0) });
    expect(first.status, first.text).toBe(201);
    const height = (await http(`${node.url}/status`)).body.height as number;
    expect(first.body).toEqual({
      message: `Transaction will be added to Block ${height + 1}`,
      id: first.body.id,
      block_index: height + 1,
      status: "ready",
    });
    const after = await http(`${node.url}/transactions/${id}`);
    expect(after.body.queued).toBe(false);
    expect(after.body.waiting_for_nonce).toBeUndefined();
    const nonce3 = await http(`${node.url}/transactions/pending`);
    expect(Object.values(nonce3.body.queued)).toEqual([2]);
    const acct2 = await http(`${node.url}/accounts/${sender.address}`);
    expect(acct2.body.pending).toMatchObject({ balance: 40 - 6, nonce: 2, transactions: 2, queued: 1 });

    const block = await mine(node.url);
    expect(block.transactions.map((t) => t.id)).toContain(id);
    const late = await http(`${node.url}/transactions/${id}`, { method: "DELETE" });
    expect(late.status).toBe(409);
    expect(late.body).toEqual({
      error: `transaction ${id} is confirmed in block ${block.index}: only a pending one can be dropped`,
      code: "already-confirmed",
    });
  });
});

describe("replace and drop over HTTP (issue 19)", () => {
  it("a higher fee replaces a pending transaction; a lower one is told the fee to offer", { timeout: 60_000 }, async () => {
    const nonce = (await http(`${node.url}/accounts/${sender.address}`)).body.pending.nonce as number;
    const first = await http(`${node.url}/transactions`, { body: transfer(nonce, 10) });
    expect(first.status, first.text).toBe(201);
    const low = await http(`${node.url}/transactions/new`, { body: transfer(nonce, 10, 1) });
    expect(low.status).toBe(409);
    expect(low.body.code).toBe("replacement-underpriced");
    expect(low.body.error).toContain("offer a fee of at least 11");
    const bumped = await http(`${node.url}/transactions/new`, { body: transfer(nonce, 11) });
    expect(bumped.status, bumped.text).toBe(201);
    expect(bumped.body.status).toBe("ready");
    expect((await http(`${node.url}/transactions/${first.body.id}`)).status).toBe(404);
    const pending = await http(`${node.url}/transactions/pending`);
    const ids = pending.body.transactions.map((t: { id: string }) => t.id);
    expect(ids).toContain(bumped.body.id);
    expect(ids).not.toContain(first.body.id);
  });

  it("DELETE /transactions/{id} drops from this node's pool, guarded as an operator route; the later ones wait", {
    timeout: 60_000,
  }, async () => {
    const nonce = (await http(`${node.url}/accounts/${sender.address}`)).body.pending.nonce as number;
    const a = await http(`${node.url}/transactions`, { body: transfer(nonce, 1, 1) });
    const b = await http(`${node.url}/transactions`, { body: transfer(nonce + 1, 1, 1) });
    expect([a.status, b.status]).toEqual([201, 201]);
    const fromPage = await http(`${node.url}/transactions/${a.body.id}`, { method: "DELETE", headers: { origin: "http://evil.example" } });
    expect(fromPage.status).toBe(403);
    expect(fromPage.body.code).toBe("browser-refused");

    const r = await http(`${node.url}/transactions/${a.body.id}`, { method: "DELETE" });
    expect(r.status, r.text).toBe(200);
    expect(r.body).toMatchObject({ dropped: [a.body.id], queued: [b.body.id] });
    expect(r.body.message).toMatch(
      /^Transaction dropped from this node's pool; 1 later transaction of its sender now waits? for its nonce$/,
    );
    expect((await http(`${node.url}/transactions/${b.body.id}`)).body).toMatchObject({ queued: true, waiting_for_nonce: nonce });
    expect((await http(`${node.url}/transactions/${a.body.id}`, { method: "DELETE" })).status).toBe(404);
    const unknown = await http(`${node.url}/transactions/${"ab".repeat(32)}`, { method: "DELETE" });
    expect(unknown.status).toBe(404);
  });
});
