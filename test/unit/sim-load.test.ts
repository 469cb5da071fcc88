/** A transaction load on a small world: real transfers paid from settled rewards, every one confirmed once. */
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { LAB } from "../../src/sim/lab-network.js";
import { TxLoad } from "../../src/sim/load.js";
import { Rng } from "../../src/sim/rng.js";
import { World } from "../../src/sim/world.js";

const dirs: string[] = [];
const worlds: World[] = [];
afterEach(async () => {
  for (const w of worlds.splice(0)) await w.close();
  for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
});

describe("a transaction load", () => {
  it("sends transfers at the rate asked; mined, each is confirmed once and none is lost", async () => {
    const dir = mkdtempSync(join(tmpdir(), "tinychain-sim-"));
    dirs.push(dir);
    const w = new World({ params: LAB, dir, seed: 3, link: () => ({ latencyMs: 80 }) });
    worlds.push(w);
    for (let i = 0; i < 4; i++) await w.addNode();
    await w.meshAll();
    const mining = Rng.stream(3, "mining");
    const load = new TxLoad(w, Rng.stream(3, "transactions"), 1);
    load.start();
    // a block every 5 s from a random node, for 120 s of arrivals and 40 s more to drain
    for (let t = 0; t < 160; t += 5) {
      if (t === 120) load.stop();
      w.mine(mining.int(0, 3));
      await w.run(5_000);
    }
    const r = load.report();
    // about 120 arrivals; those before the first rewards settled find no payer
    expect(r.submitted + r.unfunded).toBeGreaterThan(80);
    expect(r.submitted + r.unfunded).toBeLessThan(170);
    expect(r.unfunded).toBeLessThan(30);
    expect(r).toMatchObject({ refused: 0, duplicated: 0, pending: 0, lost: 0 });
    expect(r.confirmed).toBe(r.submitted);
    const tip = w.nodes[0]?.node.chain.tip.hash;
    for (const n of w.nodes) expect(n.node.chain.tip.hash).toBe(tip);
  }, 60_000);
});
