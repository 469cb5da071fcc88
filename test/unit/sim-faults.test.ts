/** Faults in a simulated world: a node's clock skew, and a node that crashes and restarts from its data directory. */
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { DEVNET } from "../../src/core/network.js";
import { NodeClock } from "../../src/sim/node-clock.js";
import { VirtualClock } from "../../src/sim/virtual-clock.js";
import { World } from "../../src/sim/world.js";
import { signTransaction } from "../../src/wallet/sign.js";

const dirs: string[] = [];
const worlds: World[] = [];
afterEach(async () => {
  for (const w of worlds.splice(0)) await w.close();
  for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
});

const params = { ...DEVNET, name: "simnet", difficulty: 16, reward: 100 };

function world(): World {
  const dir = mkdtempSync(join(tmpdir(), "tinychain-sim-"));
  dirs.push(dir);
  const w = new World({ params, dir, link: () => ({ latencyMs: 60 }) });
  worlds.push(w);
  return w;
}

describe("faults in a simulated world", () => {
  it("a node's clock: the world's time plus the skew; stopped, none of its timers fires, now or later", () => {
    const world = new VirtualClock(1_000_000);
    const clock = new NodeClock(world, -2_500);
    const fired: string[] = [];
    clock.after(100, () => fired.push("early"));
    clock.after(5_000, () => fired.push("late"));
    const cancelled = clock.after(200, () => fired.push("cancelled"));
    cancelled.cancel();
    expect(clock.now()).toBe(997_500);
    world.advance(1_000);
    clock.stop();
    clock.after(10, () => fired.push("after stop"));
    world.advance(10_000);
    expect(fired).toEqual(["early"]);
    expect([clock.running, world.pending]).toEqual([false, 0]);
  });

  it("a node's clock reads the world's plus its skew, and its blocks carry that time", async () => {
    const w = world();
    await w.addNode();
    const skewed = await w.addNode({ skewMs: 7_000 });
    await w.meshAll();
    expect(skewed.clock.now() - w.clock.now()).toBe(7_000);
    const { block } = w.mine(1);
    expect(block.timestamp * 1000).toBe(w.clock.now() + 7_000);
    await w.run(2_000);
    expect(w.nodes[0]?.node.chain.tip.hash).toBe(skewed.node.chain.tip.hash);
  });

  it("a crashed node answers nobody and is not mined on; restarted, it keeps its pool and catches up", async () => {
    const w = world();
    for (let i = 0; i < 3; i++) await w.addNode();
    await w.meshAll();
    w.mine(2);
    await w.run(2_000);
    // node 2 sends a transaction into its own pool, then crashes
    const payer = w.nodes[2]?.node.wallet;
    if (!payer) throw new Error("three nodes");
    const { tx, id } = signTransaction(
      payer,
      { type: "transfer", recipient: w.nodes[0]?.node.wallet.address ?? "", amount: 5 },
      { network: "simnet", nonce: 0, fee: 0 },
    );
    const sent = await w.inject(2, { method: "POST", path: "/transactions", body: JSON.stringify(tx) });
    expect(sent.status).toBe(201);
    await w.crash(2);
    expect(w.nodes[2]?.up).toBe(false);
    expect(() => w.mine(2)).toThrow(/down/);
    await expect(w.inject(2, { method: "GET", path: "/status" })).rejects.toThrow(/refused/);
    for (let i = 0; i < 3; i++) {
      w.mine(0);
      await w.run(1_000);
    }
    await w.restart(2);
    const back = w.nodes[2];
    if (!back) throw new Error("three nodes");
    expect(back.up).toBe(true);
    expect(back.node.pool.has(id) || back.node.store.hasTx(id)).toBe(true);
    await w.run(30_000);
    expect(back.node.chain.tip.hash).toBe(w.nodes[0]?.node.chain.tip.hash);
    expect(back.node.chain.tip.height).toBe(5);
  });
});
