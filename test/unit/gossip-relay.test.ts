/**
 * Which peers a node relays a transaction to (src/node/gossip.ts relayTo): all of up to four,
 * else the square root of their number; each node (its salt) and each transaction choose
 * differently, and the same inputs always choose alike.
 */
import { describe, expect, it } from "vitest";
import { relayTo } from "../../src/node/gossip.js";

const peers = (n: number) => Array.from({ length: n }, (_, i) => ({ url: `http://10.0.0.${i}:5000` }));

describe("relayTo", () => {
  it("sends to every peer up to four", () => {
    for (const n of [0, 1, 3, 4]) expect(relayTo("node", "tx", peers(n))).toEqual(peers(n));
  });

  it("sends to the square root of more peers (at least four), the same for the same inputs", () => {
    expect(relayTo("node", "tx", peers(16))).toHaveLength(4);
    expect(relayTo("node", "tx", peers(17))).toHaveLength(5);
    expect(relayTo("node", "tx", peers(64))).toHaveLength(8);
    expect(relayTo("node", "tx", peers(64))).toEqual(relayTo("node", "tx", peers(64)));
  });

  it("each node and each transaction pick other peers: over many, every peer is picked about as often", () => {
    const all = peers(16);
    const picked = new Map<string, number>();
    let differ = 0;
    for (let t = 0; t < 400; t++) {
      const a = relayTo("node a", `tx ${t}`, all).map((p) => p.url);
      const b = relayTo("node b", `tx ${t}`, all).map((p) => p.url);
      if (a.join() !== b.join()) differ++;
      for (const u of a) picked.set(u, (picked.get(u) ?? 0) + 1);
    }
    expect(differ).toBeGreaterThan(390);
    // 400 × 4 picks over 16 peers: 100 each on average
    for (const p of all) expect(picked.get(p.url)).toBeGreaterThan(60);
  });
});
