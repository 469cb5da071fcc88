/**
 * The node's log tells the chain's story (src/node/chain-log.ts): one line per block with where
 * it came from, side blocks, reorganisations, sync at debug level, and a burst summed up.
 */
import pino from "pino";
import { afterEach, describe, expect, it } from "vitest";
import { blockHash } from "../../src/core/encoding.js";
import type { Block } from "../../src/core/types.js";
import { LINES_PER_SECOND } from "../../src/node/chain-log.js";
import { createNode } from "../../src/node/create-node.js";
import type { TinyNode } from "../../src/node/node.js";
import { GENESIS, mineBlock, NET } from "../helpers/factory.js";
import { testKey } from "../helpers/keys.js";

interface Line {
  level: number;
  msg: string;
}

const cleanups: Array<() => Promise<void>> = [];
afterEach(async () => {
  for (const c of cleanups.splice(0)) await c();
});

function logged(): { node: TinyNode; lines: Line[]; msgs: () => string[] } {
  const lines: Line[] = [];
  const logger = pino({ level: "debug" }, { write: (s: string) => lines.push(JSON.parse(s) as Line) });
  const node = createNode({ params: NET, logger, threads: 1, verifyThreads: 0 });
  cleanups.push(() => node.close());
  return { node, lines, msgs: () => lines.map((l) => l.msg) };
}

const tick = () => new Promise((r) => setTimeout(r, 0));
const miner = testKey("chain-log other miner").address;

describe("the chain's log", () => {
  it("says where each block came from: mined here, or announced by an address", async () => {
    const { node, msgs } = logged();
    await node.miner.requestBlock();
    await tick();
    expect(msgs()).toContain("block 2 mined here (0 transactions)");
    const b3 = mineBlock(node.chain.tip.header, [], miner);
    expect((await node.submitBlock(b3, "10.1.2.3")).outcome).toBe("connected");
    await tick();
    expect(msgs()).toContain("block 3 announced by 10.1.2.3 (0 transactions)");
  });

  it("tells a side block, and a reorganisation with what left and what joined", async () => {
    const { node, lines, msgs } = logged();
    const a = mineBlock(GENESIS, [], miner);
    const b = mineBlock(GENESIS, [], testKey("chain-log b").address);
    const b3 = mineBlock(b, [], testKey("chain-log b").address);
    await node.submitBlock(a, "10.0.0.1");
    await node.submitBlock(b, "10.0.0.2");
    await tick();
    expect(msgs()).toContain("side block 2 (announced by 10.0.0.2): its branch has less work than the main chain; kept in case it grows");
    expect((await node.submitBlock(b3, "10.0.0.2")).outcome).toBe("reorganized");
    await tick();
    const reorg = lines.find((l) => l.msg.startsWith("chain reorganised"));
    expect(reorg?.msg).toMatch(/^chain reorganised after block 1: 1 block left the main chain, 2 blocks joined;/);
    expect(reorg?.level).toBe(40); // warn
    expect(msgs()).toContain("block 3 announced by 10.0.0.2 (0 transactions)");
  });

  it("tells blocks fetched by sync at debug level, with the peer", async () => {
    const { node, lines } = logged();
    const b2 = mineBlock(GENESIS, [], miner);
    // what sync does before it submits a page
    (node.peering.sync as unknown as { origins: { synced(h: string[], p: string): void } }).origins.synced(
      [blockHash(b2)],
      "127.0.0.1:5001",
    );
    node.chain.submit(b2);
    await tick();
    const line = lines.find((l) => l.msg.startsWith("block 2"));
    expect(line).toMatchObject({ level: 20, msg: "block 2 from sync with 127.0.0.1:5001 (0 transactions)" });
  });

  it("a burst is told in full for its first lines each second, then summed up once", async () => {
    const { node, msgs } = logged();
    const n = LINES_PER_SECOND + 5;
    let parent: Block = GENESIS;
    for (let i = 0; i < n; i++) {
      parent = mineBlock(parent, [], miner);
      node.chain.submit(parent);
    }
    await tick();
    const blockLines = () => msgs().filter((m) => /^block \d+ /.test(m));
    expect(blockLines()).toHaveLength(LINES_PER_SECOND);
    let summary: string | undefined;
    for (let i = 0; i < 30 && summary === undefined; i++) {
      await new Promise((r) => setTimeout(r, 100));
      summary = msgs().find((m) => m.startsWith("… and"));
    }
    expect(summary).toMatch(/^… and 5 more blocks in that second, up to block 16 /);
  });
});
