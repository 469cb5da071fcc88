/**
 * The soak, short (test/harness/soak.ts): three nodes, two mining, a few hundred signed transfers
 * from many senders to random nodes, the non-mining node killed (-9) midway and restarted.
 * Every transaction answered 201 ends up confirmed exactly once on every node, and the
 * chains are identical and valid. The long version (thousands) is `npm run soak`.
 */
import { describe, expect, it } from "vitest";
import { devnetAt, extendChain, keyFor, signTransfer, toApi } from "../harness/chains.js";
import { getJson, type RunningNode, removeDir, request, sleep, startNode, tempDir, waitFor } from "../harness/proc.js";
import { soak } from "../harness/soak.js";

const TXS = Number(process.env.ROBUST_SOAK_TXS ?? 300);

describe("soak", () => {
  it(`3 nodes, ${TXS} transactions, one node killed midway: every accepted one confirmed exactly once everywhere`, {
    timeout: 600_000,
  }, async () => {
    const r = await soak({ txs: TXS, senders: 40, seed: 31337, timeLimitMs: 400_000, log: (m) => console.log(m) });
    console.log(`soak: ${JSON.stringify(r)}`);
    expect(r.problems).toEqual([]);
    expect(r.stoppedEarly).toBeUndefined();
    expect(r.killed).not.toBeNull();
    expect(r.txsAccepted).toBeGreaterThan(TXS * 0.9);
    expect(r.confirmedExactlyOnce).toBe(r.txsAccepted);
    expect(r.missing).toEqual([]);
    expect(r.duplicated).toEqual([]);
    expect(r.chainsIdentical).toBe(true);
  });
});

describe("relaying what was taken while a peer was away", () => {
  it("a transaction taken by a non-mining node while the only miner is down is mined once the miner is back", {
    timeout: 180_000,
  }, async () => {
    const params = devnetAt(16);
    const sender = keyFor("relay sender");
    const funding = extendChain(params, 3, sender.address);
    const dirA = tempDir("tc-relay-");
    const dirB = tempDir("tc-relay-");
    const started: RunningNode[] = [];
    try {
      const a = await startNode({ dataDir: dirA, difficulty: 16, args: ["--sync-interval", "1"] });
      let b = await startNode({ dataDir: dirB, difficulty: 16, args: ["--sync-interval", "1"] });
      started.push(a, b);
      for (const blk of funding.slice(1)) expect((await request(`${b.url}/blocks`, { json: toApi(blk) })).status).toBe(202);
      expect((await request(`${a.url}/nodes/register`, { json: { nodes: [b.url] } })).status).toBe(201);
      expect((await request(`${b.url}/nodes/register`, { json: { nodes: [a.url] } })).status).toBe(201);
      await waitFor("A to sync the funding", async () => (await getJson(`${a.url}/status`)).height === 4, 30_000);

      await b.kill(); // the miner goes away
      const tx = signTransfer(sender, { recipient: keyFor("relay recipient").address, amount: 1, nonce: 0, network: params.name });
      const r = await request(`${a.url}/transactions`, { json: tx });
      expect(r.status, r.text).toBe(201);
      await sleep(1500); // A tries to relay it, and fails
      b = await startNode({ dataDir: dirB, difficulty: 16, port: b.port, args: ["--sync-interval", "1"] });
      started.push(b);
      // the miner mines until the transaction is in a block (bounded)
      await waitFor(
        "the transaction to be mined by B",
        async () => {
          const m = await request(`${b.url}/mine`, { timeoutMs: 30_000 });
          expect(m.status).toBe(200);
          return (await getJson(`${b.url}/transactions/${tx.id}`).catch(() => ({}))).status === "confirmed";
        },
        60_000,
        1000,
      );
      await waitFor("A to see it confirmed", async () => (await getJson(`${a.url}/transactions/${tx.id}`)).status === "confirmed", 30_000);
    } finally {
      await Promise.allSettled(started.map((n) => n.stop()));
      removeDir(dirA);
      removeDir(dirB);
    }
  });
});
