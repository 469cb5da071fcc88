/**
 * A long split (issue: hostile peers, finding 2): two nodes that mined apart for longer than
 * one sync attempt used to take (20,000 blocks) never converged — the lighter one fetched
 * the same 20,000 blocks of the heavier branch on every attempt and stayed on its own chain.
 * Here the two chains are written offline with the project's own chain code (fast: difficulty
 * 16), then real node processes meet by /nodes/resolve, and by their own sync and gossip.
 */
import { cpSync, mkdirSync } from "node:fs";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { Block, NetworkParams } from "../../src/core/types.js";
import { Chain } from "../../src/node/chain.js";
import { ChainStore } from "../../src/store/chain-store.js";
import { openDb } from "../../src/store/db.js";
import { mineBlock } from "../helpers/factory.js";
import { testKey } from "../helpers/keys.js";
import { http, startNode, tempDir, waitFor } from "../helpers/node-process.js";
import { Cleanup, devnetAt, statusOf } from "./p2p-support.js";

const DIFFICULTY = 16;
const PARAMS = devnetAt(DIFFICULTY);
/** Both beyond the old 20,000-block attempt, the heavier one by more than the lighter's excess. */
const LIGHT = 21_000;
const HEAVY = 24_000;

/** Writes a data directory whose chain is genesis + `count` blocks paying `miner`. */
function writeChainDir(params: NetworkParams, count: number, miner: string): string {
  const dir = tempDir("tc-split-");
  mkdirSync(dir, { recursive: true });
  const db = openDb(join(dir, "chain.db"));
  try {
    const chain = new Chain(new ChainStore(db), params, { now: () => params.genesis_timestamp + 10 * (count + 10) });
    let parent: Block = JSON.parse(chain.blockJson(1) as string);
    for (let from = 0; from < count; from += 1000) {
      chain.store.transaction(() => {
        for (let i = from; i < Math.min(count, from + 1000); i++) {
          const b = mineBlock(parent, [], miner, params, { difficulty: params.difficulty });
          chain.submitBlock(b);
          parent = b;
        }
      });
    }
    expect(chain.tip.height).toBe(count + 1);
  } finally {
    db.close();
  }
  return dir;
}

const cleanup = new Cleanup();
let lightDir: string;
let heavyDir: string;
beforeAll(() => {
  lightDir = cleanup.dir(writeChainDir(PARAMS, LIGHT, testKey("split light").address));
  heavyDir = cleanup.dir(writeChainDir(PARAMS, HEAVY, testKey("split heavy").address));
}, 120_000);
afterAll(() => cleanup.run());

function copyOf(dir: string): string {
  const to = cleanup.dir(tempDir("tc-split-copy-"));
  cpSync(dir, to, { recursive: true });
  return to;
}

describe("a split longer than one sync attempt", () => {
  it("converges by /nodes/resolve: the lighter node reports its chain replaced by the heavier one", { timeout: 180_000 }, async () => {
    const heavy = cleanup.node(await startNode({ dataDir: copyOf(heavyDir), difficulty: DIFFICULTY, args: ["--sync-interval", "0"] }));
    const light = cleanup.node(await startNode({ dataDir: copyOf(lightDir), difficulty: DIFFICULTY, args: ["--sync-interval", "0"] }));
    const target = await statusOf(heavy.url);
    expect(target.height).toBe(HEAVY + 1);
    expect((await statusOf(light.url)).height).toBe(LIGHT + 1);

    const reg = await http(`${light.url}/nodes/register`, { body: { nodes: [heavy.url] } });
    expect(reg.status, reg.text).toBe(201);
    // resolve waits for the sync the registration started (at most 30 s), then answers; once more if it was cut short
    let answer = await http(`${light.url}/nodes/resolve`, { timeoutMs: 60_000 });
    if (answer.body?.message !== "Our chain was replaced") answer = await http(`${light.url}/nodes/resolve`, { timeoutMs: 60_000 });
    expect(answer.status).toBe(200);
    expect(answer.body.message).toBe("Our chain was replaced");
    const s = await statusOf(light.url);
    expect(s.tip).toBe(target.tip);
    expect(s.height).toBe(HEAVY + 1);
  });

  it("converges without /nodes/resolve: peered, their own sync and announcements carry the heavier branch over", {
    timeout: 180_000,
  }, async () => {
    const heavy = cleanup.node(await startNode({ dataDir: copyOf(heavyDir), difficulty: DIFFICULTY, args: ["--sync-interval", "0"] }));
    const light = cleanup.node(await startNode({ dataDir: copyOf(lightDir), difficulty: DIFFICULTY, args: ["--sync-interval", "0"] }));
    // peers both ways: the heavier node announces its blocks to the lighter one
    expect((await http(`${heavy.url}/nodes/register`, { body: { nodes: [light.url] } })).status).toBe(201);
    expect((await http(`${light.url}/nodes/register`, { body: { nodes: [heavy.url] } })).status).toBe(201);
    const mined = await http(`${heavy.url}/mine`, { timeoutMs: 20_000 });
    expect(mined.status, mined.text).toBe(200);
    const tip = mined.body.hash as string;
    await waitFor(async () => (await statusOf(light.url)).tip === tip, 120_000, 500);
    expect((await statusOf(light.url)).height).toBe(HEAVY + 2);
  });
});
