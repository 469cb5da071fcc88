/**
 * Sync speed (docs/protocol.md §5: fork point found, only missing blocks fetched, each validated): a new
 * node catches up 2,000 blocks from a peer. The chain is built offline at difficulty 1
 * (coinbase only) and announced to node A block by block; node B then syncs it from A.
 */
import { afterAll, describe, expect, it } from "vitest";
import { testKey } from "../helpers/keys.js";
import { http, startNode } from "../helpers/node-process.js";
import { buildChain, Cleanup, devnetAt, statusOf, toApi } from "./p2p-support.js";

const BLOCKS = 2000;
const cleanup = new Cleanup();
afterAll(() => cleanup.run());

describe("sync speed", () => {
  it(`a fresh node syncs ${BLOCKS} blocks from a peer`, { timeout: 120_000 }, async () => {
    const chain = buildChain(devnetAt(1), BLOCKS, testKey("sync miner").address).map(toApi);
    const a = cleanup.node(await startNode({ difficulty: 1 }));
    expect((await statusOf(a.url)).genesis_hash).toBe(chain[0]?.hash);

    const t0 = Date.now();
    for (const block of chain.slice(1)) {
      const r = await http(`${a.url}/blocks`, { body: block, timeoutMs: 10_000 });
      if (r.status !== 202) expect.fail(`block ${block.index}: ${r.status} ${r.text}`);
    }
    const announced = (Date.now() - t0) / 1000;
    const sa = await statusOf(a.url);
    expect(sa.height).toBe(BLOCKS + 1);
    expect(sa.tip).toBe(chain.at(-1)?.hash);
    console.log(`announce ${BLOCKS} blocks one by one (POST /blocks): ${announced.toFixed(2)} s`);

    const b = cleanup.node(await startNode({ difficulty: 1 }));
    const t1 = Date.now();
    const reg = await http(`${b.url}/nodes/register`, { body: { nodes: [a.url] } });
    expect(reg.status, reg.text).toBe(201);
    const resolving = http(`${b.url}/nodes/resolve`, { timeoutMs: 90_000 });
    // the API keeps answering while B validates and stores the blocks
    let slowest = 0;
    let height = 0;
    for (let i = 0; i < 1200 && height < BLOCKS + 1 && Date.now() - t1 < 60_000; i++) {
      const t = Date.now();
      height = (await statusOf(b.url, 10_000)).height;
      slowest = Math.max(slowest, Date.now() - t);
      await new Promise((r) => setTimeout(r, 50));
    }
    const seconds = (Date.now() - t1) / 1000;
    const res = await resolving;
    expect(res.status).toBe(200);
    console.log(`sync ${BLOCKS} blocks: ${seconds.toFixed(2)} s (slowest /status meanwhile: ${slowest} ms)`);
    expect(height).toBe(BLOCKS + 1);
    expect(slowest).toBeLessThan(2_000);
    expect(seconds).toBeLessThan(60);
    expect(res.body.message).toBe("Our chain was replaced");
    expect(res.body.new_chain).toHaveLength(BLOCKS + 1);

    const sb = await statusOf(b.url);
    expect(sb.tip).toBe(sa.tip);
    expect(sb.total_work).toBe(sa.total_work);
    expect((await http(`${b.url}/chain`)).text).toBe((await http(`${a.url}/chain`)).text);
  });
});
