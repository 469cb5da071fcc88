/** Real nodes on virtual time: three nodes peer over virtual links, and a block mined by one reaches the others. */
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { DEVNET } from "../../src/core/network.js";
import { World } from "../../src/sim/world.js";

const dirs: string[] = [];
const worlds: World[] = [];
afterEach(async () => {
  for (const w of worlds.splice(0)) await w.close();
  for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
});

async function world(n: number, latencyMs: number): Promise<World> {
  const dir = mkdtempSync(join(tmpdir(), "tinychain-sim-"));
  dirs.push(dir);
  const w = new World({ params: { ...DEVNET, name: "simnet", difficulty: 16 }, dir, link: () => ({ latencyMs }) });
  worlds.push(w);
  for (let i = 0; i < n; i++) await w.addNode();
  return w;
}

describe("a simulated world of real nodes", () => {
  it("peers register, and a mined block reaches every node after the link's latency", async () => {
    const w = await world(3, 120);
    const [a, b, c] = w.nodes;
    if (!a || !b || !c) throw new Error("three nodes");
    const registered = w.run(0);
    const reg = a.node.peering.register([b.origin, c.origin]);
    await w.run(1_000);
    await registered;
    expect(await reg).toHaveLength(2);
    const arrived: number[] = [];
    for (const n of [b, c]) n.node.chain.on("tip", () => arrived.push(w.clock.now()));
    const t0 = w.clock.now();
    const { block, result } = w.mine(0);
    expect(result.outcome).toBe("connected");
    await w.run(5_000);
    for (const n of [b, c]) expect(n.node.chain.tip.hash).toBe(a.node.chain.tip.hash);
    expect(block.index).toBe(2);
    // announced at once to both peers: the block's POST takes one link latency
    expect(arrived.map((t) => t - t0)).toEqual([120, 120]);
    expect(w.clock.now() - t0).toBe(5_000);
  });

  it("a partition: both sides mine apart; healed, every node follows the side with more work", async () => {
    const w = await world(4, 80);
    await w.meshAll();
    w.links.partition([
      [w.origin(0), w.origin(1)],
      [w.origin(2), w.origin(3)],
    ]);
    for (let i = 0; i < 2; i++) {
      w.mine(0);
      await w.run(1_000);
    }
    for (let i = 0; i < 3; i++) {
      w.mine(3);
      await w.run(1_000);
    }
    expect(w.nodes.map((n) => n.node.chain.tip.height)).toEqual([3, 3, 4, 4]);
    w.links.heal();
    await w.run(30_000); // the background sync runs every 5 s
    const tip = w.nodes[3]?.node.chain.tip.hash;
    expect(w.nodes.map((n) => n.node.chain.tip.hash)).toEqual([tip, tip, tip, tip]);
  });

  it("after a short fork, a node finds the fork point in one request", async () => {
    const w = await world(2, 100);
    for (let i = 0; i < 5; i++) w.mine(0);
    await w.connect([[0, 1]]);
    // apart: node 0 mines 3 more blocks, node 1 (a copy of the first 5) 4 on its own
    w.links.partition([[w.origin(0)], [w.origin(1)]]);
    for (let i = 0; i < 3; i++) w.mine(0);
    for (let i = 0; i < 4; i++) w.mine(1);
    await w.run(120_000); // the announcements across the cut time out; the peers' back-off ends
    expect(w.nodes.map((n) => n.node.chain.tip.height)).toEqual([9, 10]);
    const asked: string[] = [];
    w.links.watch((from, url, method) => {
      if (from === w.origin(0) && method === "GET" && !url.endsWith("/status")) asked.push(url.slice(url.indexOf("/", 8)));
    });
    w.links.heal();
    await w.run(120_000); // the back-off ends; the background sync finds node 1 ahead
    expect(w.nodes[0]?.node.chain.tip.hash).toBe(w.nodes[1]?.node.chain.tip.hash);
    // the fork point from one page of headers (a binary search over heights 1 to 9 took four requests)
    expect(asked).toEqual(["/headers?from=1&limit=9", "/headers?from=7&limit=2000", "/blocks?from=7&limit=4"]);
  });

  it("the background sync asks its least recently asked peers, at least four a round", async () => {
    const w = await world(9, 50);
    await w.connect([1, 2, 3, 4, 5, 6, 7, 8].map((j) => [0, j] as [number, number]));
    await w.run(30_000); // past the registration's own syncs
    const rounds: string[][] = [];
    w.links.watch((from, url) => {
      if (from !== w.origin(0) || !url.endsWith("/status")) return;
      const at = Math.floor(w.clock.now() / 1000);
      if (rounds.length === 0 || rounds.at(-1)?.[0] !== String(at)) rounds.push([String(at)]);
      rounds.at(-1)?.push(url);
    });
    await w.run(25_000); // a round every 5 s (and its round trip)
    const asked = rounds.map((r) => r.slice(1)).slice(0, 4);
    expect(asked).toHaveLength(4);
    for (const r of asked) expect(new Set(r).size).toBe(4);
    // two rounds ask all eight peers once, and so on
    for (const k of [0, 2]) expect(new Set([...(asked[k] ?? []), ...(asked[k + 1] ?? [])]).size).toBe(8);
  });

  it("the same world run twice gives the same history in virtual time", async () => {
    const history = async () => {
      const w = await world(3, 70);
      const log: string[] = [];
      w.nodes.forEach((n, i) => {
        n.node.chain.on("tip", (c) => log.push(`${i}:${c.tip.height}@${w.clock.now()}`));
      });
      await w.meshAll();
      for (const i of [0, 1, 2, 0]) {
        w.mine(i);
        await w.run(700);
      }
      await w.run(10_000);
      return log;
    };
    const first = await history();
    expect(first.length).toBeGreaterThan(8);
    expect(await history()).toEqual(first);
  });
});
