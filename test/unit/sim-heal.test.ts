/**
 * After a long partition heals, a new block reaches the other side at once, although every
 * peer across the cut is in a long back-off: a new tip is announced to failing peers too.
 */
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { LAB } from "../../src/sim/lab-network.js";
import { World } from "../../src/sim/world.js";

const dirs: string[] = [];
const worlds: World[] = [];
afterEach(async () => {
  for (const w of worlds.splice(0)) await w.close();
  for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
});

describe("a healed partition", () => {
  it("converges on the next block, not when the back-off from peers across the cut runs out", async () => {
    const dir = mkdtempSync(join(tmpdir(), "tinychain-sim-"));
    dirs.push(dir);
    const w = new World({ params: LAB, dir, link: () => ({ latencyMs: 50 }) });
    worlds.push(w);
    for (let i = 0; i < 4; i++) await w.addNode();
    await w.meshAll();
    w.links.partition([
      [w.origin(0), w.origin(1)],
      [w.origin(2), w.origin(3)],
    ]);
    // ten minutes apart: the side of nodes 0 and 1 mines twice as often
    for (let t = 0; t < 600; t += 30) {
      w.mine(0);
      if (t % 60 === 0) w.mine(3);
      await w.run(30_000);
    }
    const across = w.nodes[2]?.node.peering.peers.get(w.origin(0));
    expect(across?.failures).toBeGreaterThan(5);
    expect((across?.nextTry ?? 0) - w.clock.now()).toBeGreaterThan(30_000);
    w.links.heal();
    await w.run(1_000);
    w.mine(0);
    await w.run(10_000);
    const tip = w.nodes[0]?.node.chain.tip.hash;
    expect(w.nodes.map((n) => n.node.chain.tip.hash)).toEqual([tip, tip, tip, tip]);
  }, 60_000);
});
