/**
 * A fork and its resolution (docs/protocol.md §5): two nodes share history, mine apart, then meet. Both
 * end on the chain with more work; a transaction confirmed only on the losing branch goes
 * back to the pool and is mined again.
 */
import { afterAll, describe, expect, it } from "vitest";
import { key2 } from "../helpers/keys.js";
import { http, startNode, waitFor } from "../helpers/node-process.js";
import { Cleanup, hashAt, mineOn, statusOf } from "./p2p-support.js";

const DIFFICULTY = 16;
const cleanup = new Cleanup();
afterAll(() => cleanup.run());

async function txStatus(url: string, id: string) {
  const r = await http(`${url}/transactions/${id}`);
  return { code: r.status, status: r.body?.status as string | undefined, block: r.body?.block_hash as string | undefined };
}

describe("fork between two nodes", () => {
  it("both follow the branch with more work; the loser's transaction returns to the pool and is mined again", {
    timeout: 90_000,
  }, async () => {
    const a = cleanup.node(await startNode({ difficulty: DIFFICULTY, args: ["--sync-interval", "1"] }));
    const b = cleanup.node(await startNode({ difficulty: DIFFICULTY, args: ["--sync-interval", "1"] }));
    const aAddr = (await statusOf(a.url)).address;

    // shared history: A mines 2 blocks, B takes them as announcements (POST /blocks), as from a peer
    for (let i = 0; i < 2; i++) await mineOn(a.url);
    for (let h = 2; h <= 3; h++) {
      const block = (await http(`${a.url}/blocks/${h}`)).body;
      const r = await http(`${b.url}/blocks`, { body: block });
      expect(r.status, r.text).toBe(202);
    }
    const shared = await hashAt(a.url, 3);
    expect(await hashAt(b.url, 3)).toBe(shared);
    // the two are not peers of each other: apart from here on
    expect((await statusOf(a.url)).peers).toBe(0);
    expect((await statusOf(b.url)).peers).toBe(0);

    // A: a payment from its wallet, confirmed in A's block 4
    const sent = await http(`${a.url}/transactions/new`, { body: { recipient: key2.address, amount: 1 } });
    expect(sent.status, sent.text).toBe(201);
    const txid = sent.body.id as string;
    const aBlock4 = await mineOn(a.url);
    expect(aBlock4.transactions.map((t: { id: string }) => t.id)).toContain(txid);
    expect(await txStatus(a.url, txid)).toMatchObject({ code: 200, status: "confirmed", block: aBlock4.hash });
    expect((await http(`${a.url}/accounts/${key2.address}`)).body.balance).toBe(1);

    // B: three blocks of its own (heights 4..6), more work than A's branch; B never saw the payment
    for (let i = 0; i < 3; i++) await mineOn(b.url);
    const bTip = await statusOf(b.url);
    expect(bTip.height).toBe(6);
    expect(await hashAt(b.url, 3)).toBe(shared);
    expect((await txStatus(b.url, txid)).code).toBe(404);
    expect(Number(bTip.total_work)).toBeGreaterThan(Number((await statusOf(a.url)).total_work));

    // they meet
    const regA = await http(`${a.url}/nodes/register`, { body: { nodes: [b.url] } });
    expect(regA.status, regA.text).toBe(201);
    const regB = await http(`${b.url}/nodes/register`, { body: { nodes: [a.url] } });
    expect(regB.status, regB.text).toBe(201);
    const res = await http(`${a.url}/nodes/resolve`, { timeoutMs: 20_000 });
    expect(res.status, res.text).toBe(200);
    expect(res.body.message).toBe("Our chain was replaced");
    expect(res.body.new_chain.at(-1).hash).toBe(bTip.tip);

    // both on B's chain; A's block 4 is abandoned, its payment pending again on A
    expect((await statusOf(a.url)).tip).toBe(bTip.tip);
    expect((await statusOf(b.url)).tip).toBe(bTip.tip);
    expect(await hashAt(a.url, 4)).not.toBe(aBlock4.hash);
    expect(await txStatus(a.url, txid)).toMatchObject({ code: 200, status: "pending" });
    const pending = (await http(`${a.url}/transactions/pending`)).body.transactions.map((t: { id: string }) => t.id);
    expect(pending).toEqual([txid]);
    expect((await http(`${a.url}/accounts/${key2.address}`)).body.balance).toBe(0);
    // A shows the fork: B's tip active, its own block 4 a side tip one block off the main chain,
    // and the reorganisation with the payment that went back to the pool
    const tips = (await http(`${a.url}/chain/tips`)).body.tips;
    expect(tips).toEqual([
      { hash: bTip.tip, height: 6, branch_length: 0, work: bTip.total_work, status: "active" },
      expect.objectContaining({ hash: aBlock4.hash, height: 4, branch_length: 1, status: "valid-fork" }),
    ]);
    // (the switch came with B's block 5, the first to give B's branch more work; block 6 then extended it)
    const b5 = await hashAt(a.url, 5);
    const reorgs = (await http(`${a.url}/reorgs`)).body;
    expect(reorgs.next).toBeNull();
    expect(reorgs.reorgs).toEqual([
      expect.objectContaining({
        height_before: 4,
        height_after: 5,
        fork_height: 3,
        depth: 1,
        tip: b5,
        left: [{ index: 4, hash: aBlock4.hash, txs: 2 }],
        returned_to_pool: [txid],
        returned_count: 1,
        left_work: DIFFICULTY,
        joined_work: 2 * DIFFICULTY,
      }),
    ]);
    expect((await http(`${a.url}/reorg`)).body.last).toMatchObject({ height: 5, tip: b5 });
    // the abandoned block's coinbase is not a transaction to redo
    expect(await txStatus(a.url, aBlock4.transactions[0]?.id as string)).toMatchObject({ code: 404 });

    // A's next block carries the payment again; B takes that block from A
    const again = await mineOn(a.url);
    expect(again.index).toBe(7);
    expect(again.previous_hash).toBe(bTip.tip);
    expect(again.transactions.map((t: { id: string }) => t.id)).toContain(txid);
    expect(await txStatus(a.url, txid)).toMatchObject({ code: 200, status: "confirmed", block: again.hash });
    await waitFor(async () => (await txStatus(b.url, txid)).status === "confirmed", 15_000, 100);
    expect(await txStatus(b.url, txid)).toMatchObject({ code: 200, status: "confirmed", block: again.hash });
    expect((await statusOf(b.url)).tip).toBe(again.hash);
    for (const n of [a, b]) {
      expect((await http(`${n.url}/accounts/${key2.address}`)).body.balance).toBe(1);
      // A's wallet: coinbases of blocks 2, 3 and 7, minus the payment of 1
      expect((await http(`${n.url}/accounts/${aAddr}`)).body.balance).toBe(2);
      expect((await http(`${n.url}/transactions/pending`)).body.transactions).toEqual([]);
    }
    expect((await http(`${a.url}/chain`)).body).toEqual((await http(`${b.url}/chain`)).body);
  });
});

describe("more forks", () => {
  it("on equal work each keeps its own chain", { timeout: 60_000 }, async () => {
    const a = cleanup.node(await startNode({ difficulty: DIFFICULTY }));
    const b = cleanup.node(await startNode({ difficulty: DIFFICULTY }));
    const aTip = await mineOn(a.url);
    const bTip = await mineOn(b.url);
    expect(aTip.hash).not.toBe(bTip.hash);
    for (const [x, y] of [
      [a, b],
      [b, a],
    ] as const) {
      const r = await http(`${x.url}/nodes/register`, { body: { nodes: [y.url] } });
      expect(r.status, r.text).toBe(201);
    }
    for (const [n, tip] of [
      [a, aTip],
      [b, bTip],
    ] as const) {
      const r = await http(`${n.url}/nodes/resolve`, { timeoutMs: 20_000 });
      expect(r.status, r.text).toBe(200);
      expect(r.body.message).toBe("Our chain is authoritative");
      expect(r.body.chain.at(-1).hash).toBe(tip.hash);
      expect((await statusOf(n.url)).tip).toBe(tip.hash);
    }
    // the side block is stored, not main: the next block on B's side settles it for both
    const next = await mineOn(b.url);
    await waitFor(async () => (await statusOf(a.url)).tip === next.hash, 15_000, 100);
    expect(await hashAt(a.url, 2)).toBe(bTip.hash);
  });

  it("a transaction that is no longer valid on the winning chain does not return to the pool", { timeout: 60_000 }, async () => {
    const a = cleanup.node(await startNode({ difficulty: DIFFICULTY }));
    const b = cleanup.node(await startNode({ difficulty: DIFFICULTY }));
    // A's coins exist only on A's branch
    for (let i = 0; i < 2; i++) await mineOn(a.url);
    const spend = await http(`${a.url}/transactions/new`, { body: { recipient: key2.address, amount: 2 } });
    expect(spend.status, spend.text).toBe(201);
    const block = await mineOn(a.url);
    expect(block.transactions.map((t: { id: string }) => t.id)).toContain(spend.body.id);
    for (let i = 0; i < 4; i++) await mineOn(b.url);
    const bTip = (await statusOf(b.url)).tip;

    const r = await http(`${a.url}/nodes/register`, { body: { nodes: [b.url] } });
    expect(r.status, r.text).toBe(201);
    const res = await http(`${a.url}/nodes/resolve`, { timeoutMs: 20_000 });
    expect(res.body.message).toBe("Our chain was replaced");
    expect((await statusOf(a.url)).tip).toBe(bTip);
    expect((await txStatus(a.url, spend.body.id)).code).toBe(404);
    expect((await http(`${a.url}/transactions/pending`)).body.transactions).toEqual([]);
    const aAddr = (await statusOf(a.url)).address;
    expect((await http(`${a.url}/accounts/${aAddr}`)).body.balance).toBe(0);
    expect((await http(`${a.url}/accounts/${key2.address}`)).body.balance).toBe(0);
  });
});
