/**
 * Peer registration and consensus as in the tutorial (docs/protocol.md §7 /nodes/register,
 * /nodes/resolve and their aliases): two real nodes, garbage refused, unreachable peers
 * kept, other networks and the node itself refused, the peer list kept across restarts.
 */
import { cpSync, mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { http, startNode } from "../helpers/node-process.js";
import { Cleanup, closedPort, hashAt, mineOn, statusOf } from "./p2p-support.js";

const DIFFICULTY = 16;
const cleanup = new Cleanup();

afterAll(() => cleanup.run());

function expectError(r: Awaited<ReturnType<typeof http>>, status = 400): void {
  expect(r.status, r.text).toBe(status);
  expect(typeof r.body?.error, r.text).toBe("string");
  expect(r.body.error.length).toBeGreaterThan(0);
}

describe("two nodes, the tutorial's way", () => {
  it("register B on A, resolve: B's longer chain replaces A's; then A is authoritative", { timeout: 60_000 }, async () => {
    const a = cleanup.node(await startNode({ difficulty: DIFFICULTY }));
    const b = cleanup.node(await startNode({ difficulty: DIFFICULTY }));
    for (let i = 0; i < 3; i++) await mineOn(b.url);
    const bChain = (await http(`${b.url}/chain`)).body;
    expect(bChain.length).toBe(4);
    expect((await statusOf(a.url)).height).toBe(1);

    const reg = await http(`${a.url}/nodes/register`, { body: { nodes: [`http://127.0.0.1:${b.port}`] } });
    expect(reg.status, reg.text).toBe(201);
    expect(reg.body).toEqual({ message: "New nodes have been added", total_nodes: [`127.0.0.1:${b.port}`] });

    const res = await http(`${a.url}/nodes/resolve`, { timeoutMs: 20_000 });
    expect(res.status, res.text).toBe(200);
    expect(res.body).toEqual({ message: "Our chain was replaced", new_chain: bChain.chain });
    expect((await http(`${a.url}/chain`)).body).toEqual(bChain);

    const again = await http(`${a.url}/nodes/resolve`, { timeoutMs: 20_000 });
    expect(again.status).toBe(200);
    expect(again.body).toEqual({ message: "Our chain is authoritative", chain: bChain.chain });

    // the aliases: B mines once more; A's POST /miner/nodes/resolve takes it (or reports what the
    // background sync already took), then GET /miner/nodes/resolve and POST /nodes/resolve find nothing new
    const extra = await mineOn(b.url);
    const viaAlias = await http(`${a.url}/miner/nodes/resolve`, { method: "POST", timeoutMs: 20_000 });
    expect(viaAlias.status, viaAlias.text).toBe(200);
    expect(viaAlias.body.message).toBe("Our chain was replaced");
    expect(viaAlias.body.new_chain.at(-1).hash).toBe(extra.hash);
    for (const [method, path] of [
      ["GET", "/miner/nodes/resolve"],
      ["POST", "/nodes/resolve"],
    ] as const) {
      const r = await http(`${a.url}${path}`, { method, timeoutMs: 20_000 });
      expect(r.status, `${method} ${path}: ${r.text}`).toBe(200);
      expect(r.body.message, `${method} ${path}`).toBe("Our chain is authoritative");
      expect(r.body.chain).toHaveLength(5);
      expect(r.body.chain.at(-1).hash).toBe(extra.hash);
    }

    // /miner/register is the same route: registering B again is idempotent
    const viaMiner = await http(`${a.url}/miner/register`, { body: { nodes: [`127.0.0.1:${b.port}`] } });
    expect(viaMiner.status, viaMiner.text).toBe(201);
    expect(viaMiner.body).toEqual({ message: "New nodes have been added", total_nodes: [`127.0.0.1:${b.port}`] });
    expect((await http(`${a.url}/nodes`)).body.nodes).toEqual([`127.0.0.1:${b.port}`]);
    expect((await statusOf(a.url)).peers).toBe(1);
  });
});

describe("what /nodes/register refuses and keeps", () => {
  it("refuses garbage with 400 {error} and adds nothing", { timeout: 60_000 }, async () => {
    const a = cleanup.node(await startNode({ difficulty: DIFFICULTY }));
    const bodies: unknown[] = [
      { nodes: ["ftp://127.0.0.1:21"] },
      { nodes: ["not a url"] },
      { nodes: ["http://user:pw@127.0.0.1:1"] },
      { nodes: ["http://127.0.0.1:1/path"] },
      { nodes: ["http://127.0.0.1:1?x=1"] },
      { nodes: ["http://127.0.0.1:0"] },
      { nodes: ["http://127.0.0.1:99999"] },
      { nodes: [5001] },
      { nodes: [null] },
      { nodes: [["http://127.0.0.1:1"]] },
      { nodes: 42 },
      { nodes: "http://127.0.0.1:1" },
      { nodes: [] },
      {},
      { nodes: ["http://127.0.0.1:1"], extra: true },
      [],
      "http://127.0.0.1:1",
      null,
    ];
    for (const body of bodies) {
      for (const path of ["/nodes/register", "/miner/register"]) {
        const r = await http(`${a.url}${path}`, { raw: JSON.stringify(body), headers: { "content-type": "application/json" } });
        expectError(r);
      }
    }
    // more than a node keeps (64) at once
    const many = Array.from({ length: 65 }, (_, i) => `http://127.0.0.1:${20000 + i}`);
    expectError(await http(`${a.url}/nodes/register`, { body: { nodes: many } }));
    // one bad address spoils the list: nothing of it is added
    const mixed = await http(`${a.url}/nodes/register`, { body: { nodes: [`http://127.0.0.1:${await closedPort()}`, "ftp://x"] } });
    expectError(mixed);
    const notJson = await http(`${a.url}/nodes/register`, { raw: "{nodes: [", headers: { "content-type": "application/json" } });
    expectError(notJson);
    expect((await http(`${a.url}/nodes`)).body.nodes).toEqual([]);
    expect((await statusOf(a.url)).peers).toBe(0);
  });

  it("keeps an unreachable peer, refuses another network and itself; the list survives a restart", { timeout: 60_000 }, async () => {
    const a = cleanup.node(await startNode({ difficulty: DIFFICULTY }));
    const b = cleanup.node(await startNode({ difficulty: DIFFICULTY }));
    const other = cleanup.node(await startNode({ difficulty: DIFFICULTY * 2 }));
    const dead = await closedPort();

    const kept = await http(`${a.url}/nodes/register`, { body: { nodes: [`http://127.0.0.1:${dead}`] } });
    expect(kept.status, kept.text).toBe(201);
    expect(kept.body).toEqual({ message: "New nodes have been added", total_nodes: [`127.0.0.1:${dead}`] });
    const nodes = await http(`${a.url}/nodes`);
    expect(nodes.body.nodes).toEqual([`127.0.0.1:${dead}`]);

    // another --difficulty is another genesis: refused, and not added
    const otherNet = await http(`${a.url}/nodes/register`, { body: { nodes: [other.url] } });
    expectError(otherNet);
    expect(otherNet.body.error).toMatch(/genesis|network/);
    // the node itself, by its own address
    const self = await http(`${a.url}/nodes/register`, { body: { nodes: [a.url] } });
    expectError(self);
    const selfBare = await http(`${a.url}/nodes/register`, { body: { nodes: [`127.0.0.1:${a.port}`] } });
    expectError(selfBare);
    expect((await http(`${a.url}/nodes`)).body.nodes).toEqual([`127.0.0.1:${dead}`]);

    // resolve with a dead peer answers at once and keeps our chain
    await mineOn(a.url);
    const tip = await hashAt(a.url, 2);
    const res = await http(`${a.url}/nodes/resolve`, { timeoutMs: 15_000 });
    expect(res.status, res.text).toBe(200);
    expect(res.body.message).toBe("Our chain is authoritative");
    expect(res.body.chain.at(-1).hash).toBe(tip);

    const added = await http(`${a.url}/nodes/register`, { body: { nodes: [`http://127.0.0.1:${b.port}/`] } });
    expect(added.status, added.text).toBe(201);
    expect([...added.body.total_nodes].sort()).toEqual([`127.0.0.1:${b.port}`, `127.0.0.1:${dead}`].sort());

    await a.stop();
    const a2 = cleanup.node(await startNode({ difficulty: DIFFICULTY, dataDir: a.dataDir }));
    const after = await http(`${a2.url}/nodes`);
    expect([...after.body.nodes].sort()).toEqual([`127.0.0.1:${b.port}`, `127.0.0.1:${dead}`].sort());
    expect((await statusOf(a2.url)).peers).toBe(2);
    expect((await statusOf(a2.url)).height).toBe(2);
  });

  it("two nodes from one copied data directory (one wallet) peer and converge; each still refuses itself", {
    timeout: 60_000,
  }, async () => {
    const a = cleanup.node(await startNode({ difficulty: DIFFICULTY }));
    await mineOn(a.url);
    await a.stop();
    const copy = mkdtempSync(join(tmpdir(), "tc-copy-"));
    cpSync(a.dataDir, copy, { recursive: true });
    const a2 = cleanup.node(await startNode({ difficulty: DIFFICULTY, dataDir: a.dataDir }));
    const b = cleanup.node(await startNode({ difficulty: DIFFICULTY, dataDir: copy }));
    const [sa, sb] = [await statusOf(a2.url), await statusOf(b.url)];
    expect(sa.address).toBe(sb.address); // one wallet
    const ids = [(await http(`${a2.url}/status`)).body.node_id, (await http(`${b.url}/status`)).body.node_id];
    expect(ids[0]).toMatch(/^[0-9a-f]{32}$/);
    expect(ids[1]).not.toBe(ids[0]);
    const reg = await http(`${a2.url}/nodes/register`, { body: { nodes: [b.url] } });
    expect(reg.status, reg.text).toBe(201);
    await mineOn(b.url);
    await mineOn(b.url);
    const res = await http(`${a2.url}/nodes/resolve`, { timeoutMs: 20_000 });
    expect(res.status, res.text).toBe(200);
    expect(await hashAt(a2.url, 4)).toBe(await hashAt(b.url, 4));
    for (const [n, url] of [
      [a2, a2.url],
      [b, b.url],
    ] as const) {
      const self = await http(`${n.url}/nodes/register`, { body: { nodes: [url] } });
      expectError(self);
      expect(self.body.error).toMatch(/is this node itself/);
    }
  });
});
