/**
 * Copies of a block announced again (every peer passes each new block on): the copies after
 * the first are known by their JSON text (src/node/unrequested.ts), and that shortcut answers
 * exactly as the full checks do: a tampered copy is still refused, a block found invalid since
 * is still refused as such.
 */
import { afterEach, describe, expect, it } from "vitest";
import { isRuleError } from "../../src/core/errors.js";
import type { Block } from "../../src/core/types.js";
import { LAB } from "../../src/sim/lab-network.js";
import { World } from "../../src/sim/world.js";
import { BlockStatus } from "../../src/store/schema.js";

const worlds: World[] = [];
afterEach(async () => {
  for (const w of worlds.splice(0)) await w.close();
});

async function codeOf(p: Promise<unknown>): Promise<string> {
  try {
    await p;
    return "taken";
  } catch (err) {
    if (isRuleError(err)) return err.code;
    throw err;
  }
}

describe("copies of a stored block announced again", () => {
  it("are known by their text; a tampered one is refused; a block found invalid stays refused", async () => {
    const w = new World({ params: LAB, seed: 5 });
    worlds.push(w);
    const sim = await w.addNode();
    const { hash } = w.mine(0);
    w.mine(0);
    const text = sim.node.chain.store.blockJson(hash) as string;
    const copy = () => JSON.parse(text) as Block & { hash: string };
    // the first copy is compared with the stored block; the next ones are known by their text
    const store = sim.node.chain.store;
    const read = store.blockJson.bind(store);
    let reads = 0;
    store.blockJson = (h: string) => {
      reads++;
      return read(h);
    };
    for (let k = 0; k < 3; k++) expect(await sim.node.submitBlock(copy(), "127.0.0.2")).toMatchObject({ outcome: "known", hash });
    expect(reads).toBe(1);
    // the same header with another body: a transaction no longer matches its id
    const tampered = copy();
    (tampered.transactions[0] as { amount: number }).amount += 1;
    expect(await codeOf(sim.node.submitBlock(tampered, "127.0.0.2"))).toBe("bad-id");
    // found invalid since (as after an invalidation): refused as such, its text remembered or not
    sim.node.chain.store.setStatus(hash, BlockStatus.Invalid);
    expect(await codeOf(sim.node.submitBlock(copy(), "127.0.0.2"))).toBe("invalid-ancestor");
  });
});
