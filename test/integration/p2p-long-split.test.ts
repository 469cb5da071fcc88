/**
 * A long split (issue: hostile peers, finding 2): two nodes that mined apart for longer than
 * one sync attempt used to take (20,000 blocks) never converged — the lighter one fetched
 * the same 20,000 blocks of the heavier branch on every attempt and stayed on its own chain.
 * Here the two chains are written offline with the project's own chain code (fast: difficulty
 * 16), then real node processes meet by /nodes/resolve, and by their own sync and gossip.
 */
import { cpSync } from "node:fs";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { NetworkParams } from "../../src/core/types.js";
import { writeChainDir } from "../harness/attack-kit.js";
import { testKey } from "../helpers/keys.js";
import { http, startNode, tempDir, waitFor } from "../helpers/node-process.js";
import { Cleanup, devnetAt, statusOf } from "./p2p-support.js";

const DIFFICULTY = 16;
const PARAMS = devnetAt(DIFFICULTY);
/** Both beyond the old 20,000-block attempt, the heavier one by more than the lighter's excess. */
const LIGHT = 21_000;
const HEAVY = 24_000;

/** A data directory whose chain is genesis + `count` empty blocks paying `miner` (the soak's writer). */
function chainDir(params: NetworkParams, count: number, miner: string): string {
  const dir = tempDir("tc-split-");
  writeChainDir(dir, params, count, miner);
  return dir;
}

const cleanup = new Cleanup();
let lightDir: string;
let heavyDir: string;
beforeAll(() => {
  lightDir = cleanup.dir(chainDir(PARAMS, LIGHT, testKey("split light").address));
  heavyDir = cleanup.dir(chainDir(PARAMS, HEAVY, testKey("split heavy").address));
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
