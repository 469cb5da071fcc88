/**
 * The lab answers its nodes' announcements and status polls by the routes' own handlers (src/sim/direct-routes.ts):
 * each answer must be the one Fastify gives through `inject`, byte for byte, for every kind of
 * outcome; and a lab run must come out the same either way.
 */
import { afterEach, describe, expect, it } from "vitest";
import { blockHash } from "../../src/core/encoding.js";
import type { Block } from "../../src/core/types.js";
import { answerDirect } from "../../src/sim/direct-routes.js";
import { LAB } from "../../src/sim/lab-network.js";
import type { HostRequest } from "../../src/sim/links.js";
import { runPropagation } from "../../src/sim/propagation.js";
import { World } from "../../src/sim/world.js";
import { signTransaction } from "../../src/wallet/sign.js";
import { testKey } from "../helpers/keys.js";

const worlds: World[] = [];
afterEach(async () => {
  for (const w of worlds.splice(0)) await w.close();
});

/** Two worlds with the same one-node history: the same request goes to each, one way each. */
async function twins(): Promise<[World, World]> {
  const out: World[] = [];
  for (let k = 0; k < 2; k++) {
    const w = new World({ params: LAB, seed: 3 });
    worlds.push(w);
    await w.addNode();
    for (let b = 0; b < 3; b++) w.mine(0);
    out.push(w);
  }
  return out as [World, World];
}

async function both(direct: World, injected: World, req: HostRequest) {
  const a = await answerDirect((direct.nodes[0] as World["nodes"][number]).node, req);
  const b = await injected.inject(0, req);
  return { direct: a, injected: b };
}

const post = (path: string, body: unknown): HostRequest => ({
  method: "POST",
  path,
  body: typeof body === "string" ? body : JSON.stringify(body),
});

describe("announcements answered by the routes' handlers", () => {
  it("give Fastify's status and body for blocks: new, known, side, orphan, invalid", async () => {
    const [d, i] = await twins();
    const node = (d.nodes[0] as World["nodes"][number]).node;
    const tip = node.chain.tip;
    const tipBlock = JSON.parse(node.chain.store.blockJson(tip.hash) as string) as Block;
    // a block of another miner at the tip's height (a side block), then one on it (a reorganisation), then an orphan
    const other = new World({ params: LAB, seed: 99 });
    worlds.push(other);
    await other.addNode();
    const theirs: Block[] = [];
    for (let b = 0; b < 5; b++) theirs.push(other.mine(0).block);
    const cases: HostRequest[] = [
      post("/blocks", tipBlock), // known
      post("/blocks", theirs[0]), // side (less work)
      post("/blocks", theirs[4]), // orphan: parents unknown
      post("/blocks", { ...tipBlock, proof: tipBlock.proof + 1 }), // a tampered copy: bad proof of work or invalid
      post("/blocks", { hello: "world" }), // not a block
    ];
    const statuses: number[] = [];
    for (const req of cases) {
      const { direct, injected } = await both(d, i, req);
      expect(direct).toEqual({ status: injected.status, text: injected.text });
      statuses.push(injected.status);
    }
    expect(statuses).toEqual([200, 200, 202, 400, 400]);
    expect(blockHash(tipBlock)).toBe(tip.hash);
  });

  it("give Fastify's status and body for transactions: new, copy, refused, a batch", async () => {
    const [d, i] = await twins();
    const node = (d.nodes[0] as World["nodes"][number]).node;
    const miner = node.wallet;
    const to = testKey("announce-to").address;
    const tx = (nonce: number, amount = 5) =>
      signTransaction(miner, { type: "transfer", recipient: to, amount }, { network: LAB.name, nonce, fee: 1 }).tx;
    const cases: HostRequest[] = [
      post("/transactions", tx(0)), // taken
      post("/transactions", tx(0)), // a copy: already known
      post("/transactions", tx(5)), // a nonce gap: queued
      post("/transactions", tx(1, 10 ** 9)), // more than the balance
      post("/transactions", { ...tx(2), signature: "00".repeat(64) }), // a bad signature
      post("/transactions", [tx(2), tx(3), { nonsense: true }]), // a batch
      post(
        "/transactions",
        Array.from({ length: 1001 }, () => ({})),
      ), // a batch over the cap
    ];
    const statuses: number[] = [];
    for (const req of cases) {
      const { direct, injected } = await both(d, i, req);
      expect(direct).toEqual({ status: injected.status, text: injected.text });
      statuses.push(injected.status);
    }
    expect(statuses).toEqual([201, 409, 201, 400, 400, 200, 400]);
  });

  it("give Fastify's answer to a status poll", async () => {
    const [d] = await twins();
    // read-only: both ways to the same node
    const { direct, injected } = await both(d, d, { method: "GET", path: "/status" });
    expect(injected.status).toBe(200);
    expect(JSON.parse(injected.text).height).toBe(4); // the genesis block and three mined
    expect(direct).toEqual({ status: injected.status, text: injected.text });
  });

  it("leave to Fastify what is not a plain announcement or status poll", async () => {
    const [d] = await twins();
    const node = (d.nodes[0] as World["nodes"][number]).node;
    for (const req of [
      { method: "GET", path: "/status?x=1" },
      { method: "GET", path: "/transactions/pending" },
      { method: "POST", path: "/blocks?x=1", body: "{}" },
      post("/blocks", "{not json"),
      post("/transactions", ""),
      post("/transactions", '{"__proto__": {"x": 1}}'),
      post("/blocks", `{"pad": "${"x".repeat(400_000)}"}`),
    ])
      expect(await answerDirect(node, req)).toBeUndefined();
  });

  it("a lab run comes out the same as with every announcement through Fastify", async () => {
    const opts = { nodes: 6, blocks: 15, intervalS: 10, latencyMs: 200, degree: 3, txRatePerS: 0.5, seed: 11 };
    const a = await runPropagation(opts);
    const b = await runPropagation({ ...opts, peerRequests: "inject" });
    const { wall_seconds: _w1, events_per_second: _e1, ...restA } = a;
    const { wall_seconds: _w2, events_per_second: _e2, ...restB } = b;
    expect(restA.transactions.submitted).toBeGreaterThan(20);
    expect(restA).toEqual(restB);
  }, 120_000);
});
