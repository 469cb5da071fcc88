/**
 * The seams of the composition root (src/node/create-node.ts): a node built with a virtual
 * clock keeps its time (uptime, the timestamps of the blocks it mines, the times of the
 * transactions it takes), and one built with a virtual transport reaches its peers only
 * through it. No request leaves the process.
 */
import { mkdtempSync, readdirSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import pino from "pino";
import { afterEach, describe, expect, it } from "vitest";
import type { Clock } from "../../src/node/clock.js";
import { createNode } from "../../src/node/create-node.js";
import type { TinyNode } from "../../src/node/node.js";
import { type PeerAnswer, type PeerRequest, PeerRequestError, type PeerTransport } from "../../src/p2p/http-client.js";
import { VirtualClock } from "../../src/sim/virtual-clock.js";
import { NET, signTx } from "../helpers/factory.js";
import { testKey } from "../helpers/keys.js";

const cleanups: Array<() => Promise<void> | void> = [];
afterEach(async () => {
  for (const c of cleanups.splice(0).reverse()) await c();
});

function build(opts: { clock?: Clock; transport?: PeerTransport }): TinyNode {
  const dataDir = mkdtempSync(join(tmpdir(), "tinychain-seams-"));
  const node = createNode({
    dataDir,
    params: NET,
    logger: pino({ level: "silent" }),
    threads: 1,
    verifyThreads: 1,
    ...(opts.clock ? { clock: opts.clock } : {}),
    ...(opts.transport ? { transport: opts.transport } : {}),
  });
  cleanups.push(() => rmSync(dataDir, { recursive: true, force: true }));
  cleanups.push(() => node.close());
  return node;
}

describe("the node's clock", () => {
  it("uptime, mined timestamps and pool arrival times follow the clock given to createNode", async () => {
    const start = (NET.genesis_timestamp + 1000) * 1000 + 250;
    const clock = new VirtualClock(start);
    const node = build({ clock });
    expect(node.status().uptime).toBe(0);
    clock.advance(42_000);
    expect(node.status().uptime).toBe(42);

    const mined = await node.mine();
    expect(mined.block.timestamp).toBe((start + 42_000) / 1000);

    const sender = testKey("seams sender");
    const { id } = await node.submitTransaction(
      signTx(sender, { type: "token_create", name: "Seam", symbol: "SEAM", decimals: 0, supply: 1 }),
    );
    expect(node.pool.get(id)?.received).toBe(start + 42_000);
  });

  it("a block stamped ahead of the node's clock is refused until the clock reaches it", async () => {
    const clock = new VirtualClock(NET.genesis_timestamp * 1000);
    const ahead = build({ clock: new VirtualClock((NET.genesis_timestamp + 10_000) * 1000) });
    const block = (await ahead.mine()).block;
    const node = build({ clock });
    expect(() => node.chain.submitBlock(block)).toThrow(/ahead of this node's clock/);
    clock.advance(10_000 * 1000);
    expect(node.chain.submitBlock(block).outcome).toBe("connected");
  });
});

describe("the peer transport", () => {
  it("registering a peer asks it through the transport given to createNode", async () => {
    const asked: Array<{ url: string; init: PeerRequest | undefined }> = [];
    const transport: PeerTransport = {
      async requestJson(url: string, init?: PeerRequest): Promise<PeerAnswer> {
        asked.push({ url, init });
        if (url.endsWith("/status")) {
          return {
            status: 200,
            body: { network: "elsewhere", genesis_hash: "ab".repeat(32), height: 1, tip: "cd".repeat(32), total_work: 1 },
          };
        }
        throw new PeerRequestError(`${url}: nothing here`, "unreachable");
      },
    };
    const node = build({ transport });
    await expect(node.peering.register(["http://127.0.0.1:9"])).rejects.toThrow(/runs network "elsewhere"/);
    expect(asked.map((a) => a.url)).toEqual(["http://127.0.0.1:9/status"]);
    expect(node.peering.peers.size).toBe(0);
  });
});

describe("a node without a data directory", () => {
  it("keeps its store in memory: it mines and reads back, and writes no file", async () => {
    const cwd = mkdtempSync(join(tmpdir(), "tinychain-memory-"));
    const before = process.cwd();
    process.chdir(cwd);
    try {
      const node = createNode({ params: NET, logger: pino({ level: "silent" }), threads: 1, verifyThreads: 0 });
      const mined = await node.mine();
      expect(node.chain.tip.height).toBe(2);
      expect(node.chain.blockJson(2)).toContain(mined.result.hash);
      expect(node.wallet.address).toMatch(/^[0-9a-f]{64}$/);
      await node.close();
      expect(readdirSync(cwd)).toEqual([]);
    } finally {
      process.chdir(before);
      rmSync(cwd, { recursive: true, force: true });
    }
  });
});
