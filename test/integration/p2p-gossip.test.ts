/**
 * Convergence without /nodes/resolve (docs/protocol.md §5): three nodes registered with each other, one
 * mining continuously (`--mine`); announcements and the background sync bring the others to
 * the miner's chain within seconds. Announced blocks whose parents are missing are held and
 * connected when the parents arrive.
 */
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { keyPairFromPem } from "../../src/crypto/keys.js";
import { signTx } from "../helpers/factory.js";
import { key2, testKey } from "../helpers/keys.js";
import { http, type NodeProc, startNode, waitFor } from "../helpers/node-process.js";
import { buildChain, Cleanup, devnetAt, hashAt, mineOn, statusOf, toApi } from "./p2p-support.js";

const DIFFICULTY = Number(process.env.P2P_GOSSIP_DIFFICULTY ?? 64);
const cleanup = new Cleanup();
afterAll(() => cleanup.run());

async function registerAll(nodes: NodeProc[]): Promise<void> {
  for (const n of nodes) {
    const others = nodes.filter((o) => o !== n).map((o) => o.url);
    const r = await http(`${n.url}/nodes/register`, { body: { nodes: others } });
    expect(r.status, r.text).toBe(201);
    expect(r.body.total_nodes).toHaveLength(2);
  }
}

/** Waits until every node in `others` has the block `hash` at `height` on its main chain; returns the ms it took. */
async function reached(others: NodeProc[], height: number, hash: string, timeoutMs: number): Promise<number> {
  const t0 = Date.now();
  await waitFor(async () => (await Promise.all(others.map((o) => hashAt(o.url, height)))).every((h) => h === hash), timeoutMs, 100);
  return Date.now() - t0;
}

describe("three nodes, one mining", () => {
  it("the others follow the miner's chain within seconds, without resolve", { timeout: 90_000 }, async () => {
    const b = cleanup.node(await startNode({ difficulty: DIFFICULTY, args: ["--sync-interval", "1"] }));
    const c = cleanup.node(await startNode({ difficulty: DIFFICULTY, args: ["--sync-interval", "1"] }));
    const a = cleanup.node(await startNode({ difficulty: DIFFICULTY, args: ["--sync-interval", "1", "--mine"] }));
    await registerAll([a, b, c]);
    for (const n of [a, b, c]) expect((await statusOf(n.url)).peers).toBe(2);

    // twice: the miner's tip at some moment is on the others' main chains within a few seconds
    for (let round = 0; round < 2; round++) {
      await waitFor(async () => (await statusOf(a.url)).height >= 6 * (round + 1), 20_000, 50);
      const s = await statusOf(a.url);
      const ms = await reached([b, c], s.height, s.tip, 10_000);
      console.log(`round ${round}: miner's block ${s.height} reached both peers in ${ms} ms`);
    }

    // a transaction given to C travels to the miner and is mined; all three see it confirmed
    // (signed here with the miner's own wallet key, which holds the rewards)
    const minerKey = keyPairFromPem(readFileSync(join(a.dataDir, "wallet", "private.key"), "utf8"));
    expect(minerKey.address).toBe((await statusOf(a.url)).address);
    const tx = signTx(minerKey, { type: "transfer", network: "devnet", recipient: key2.address, amount: 1, fee: 0, nonce: 0 });
    const sent = await http(`${c.url}/transactions`, { body: tx });
    expect(sent.status, sent.text).toBe(201);
    const confirmedEverywhere = async () =>
      (await Promise.all([a, b, c].map(async (n) => (await http(`${n.url}/transactions/${sent.body.id}`)).body?.status))).every(
        (st) => st === "confirmed",
      );
    // (while blocks stream in every few ms, the transaction must not wait behind them for ever)
    await waitFor(confirmedEverywhere, 15_000, 100);

    // the miner stops (and comes back on its port without mining): all three end on one tip
    const port = a.port;
    await a.stop();
    const a2 = cleanup.node(await startNode({ difficulty: DIFFICULTY, dataDir: a.dataDir, port, args: ["--sync-interval", "1"] }));
    const final = await statusOf(a2.url);
    await waitFor(
      async () => {
        const tips = await Promise.all([a2, b, c].map(async (n) => (await statusOf(n.url)).tip));
        return tips.every((t) => t === tips[0]);
      },
      20_000,
      100,
    );
    const tips = await Promise.all([a2, b, c].map((n) => statusOf(n.url)));
    console.log(`after the miner stopped: all three at height ${tips[0]?.height}`);
    expect(tips.map((t) => t.tip)).toEqual([tips[0]?.tip, tips[0]?.tip, tips[0]?.tip]);
    expect(tips[0]?.height).toBeGreaterThanOrEqual(final.height);
    const chains = await Promise.all([a2, b, c].map(async (n) => (await http(`${n.url}/chain`)).text));
    expect(chains[1]).toBe(chains[0]);
    expect(chains[2]).toBe(chains[0]);
  });
});

describe("announcements (POST /blocks)", () => {
  it("blocks announced in reverse order all connect once their parents arrive", { timeout: 60_000 }, async () => {
    const n = cleanup.node(await startNode({ difficulty: 16 }));
    const chain = buildChain(devnetAt(16), 8, testKey("reverse").address).map(toApi);
    for (const block of chain.slice(1).reverse()) {
      const r = await http(`${n.url}/blocks`, { body: block });
      expect(r.status, `block ${block.index}: ${r.text}`).toBe(202);
    }
    await waitFor(async () => (await statusOf(n.url)).tip === chain.at(-1)?.hash, 10_000, 50);
    expect((await http(`${n.url}/chain`)).body.chain.map((b: { hash: string }) => b.hash)).toEqual(chain.map((b) => b.hash));
  });

  it("a block announced without its parents is taken with them from a peer", { timeout: 60_000 }, async () => {
    const a = cleanup.node(await startNode({ difficulty: 16 }));
    const b = cleanup.node(await startNode({ difficulty: 16, args: ["--sync-interval", "0"] }));
    const r = await http(`${b.url}/nodes/register`, { body: { nodes: [a.url] } });
    expect(r.status, r.text).toBe(201);
    // A mines after B synced with it (A does not know B: no announcements, and B has no background sync)
    await waitFor(async () => (await http(`${b.url}/nodes`)).body.peers[0]?.last_seen !== null, 10_000, 50);
    for (let i = 0; i < 5; i++) await mineOn(a.url);
    await new Promise((res) => setTimeout(res, 300));
    expect((await statusOf(b.url)).height).toBe(1);
    const tip = (await http(`${a.url}/blocks/6`)).body;
    const ann = await http(`${b.url}/blocks`, { body: tip });
    expect(ann.status, ann.text).toBe(202);
    await waitFor(async () => (await statusOf(b.url)).tip === tip.hash, 15_000, 100);
    expect((await http(`${b.url}/chain`)).text).toBe((await http(`${a.url}/chain`)).text);
  });
});
