/**
 * Mining: `--mine` produces blocks on its own and reports its hash rate; `--mine-interval`
 * paces it; concurrent /mine requests each get their own block and the chain stays valid;
 * a node without the native addon, or on the addon's portable path, still mines valid blocks.
 */
import { existsSync } from "node:fs";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { key1, key2 } from "../helpers/keys.js";
import { http, type NodeProc, ROOT, removeDir, startNode, waitFor } from "../helpers/node-process.js";
import { type ApiBlock, expectChainValidAt, idsOf, mineN, sendFromNode } from "./support.js";

const started: NodeProc[] = [];

async function start(difficulty: number, args: string[] = []): Promise<NodeProc> {
  const n = await startNode({ difficulty, args });
  started.push(n);
  return n;
}

afterAll(async () => {
  for (const n of started) {
    await n.stop();
    removeDir(n.dataDir);
  }
});

describe("--mine", () => {
  it("produces blocks on its own, shows mining and a hash rate, and stops cleanly", async () => {
    const difficulty = 20_000;
    const node = await start(difficulty, ["--mine"]);
    const status = async () => (await http(`${node.url}/status`)).body;

    const seen = await waitFor(
      async () => {
        const s = await status();
        return s.mining === true && s.hashrate > 0 ? s : undefined;
      },
      10_000,
      50,
    );
    expect(seen.mining).toBe(true);
    expect(seen.hashrate).toBeGreaterThan(0);

    const h0 = (await status()).height as number;
    await waitFor(async () => (await status()).height >= h0 + 3, 10_000, 50);

    // transactions get mined without anyone calling /mine
    const id = await sendFromNode(node.url, key1.address, 1);
    await waitFor(async () => (await http(`${node.url}/transactions/${id}`)).body.status === "confirmed", 10_000, 50);

    const chain = await expectChainValidAt(node.url, difficulty);
    const address = (await status()).address;
    for (const b of chain.slice(1)) expect(b.transactions[0]?.recipient).toBe(address);

    expect(await node.stop()).toBe(0);
  });
});

describe("--mine-interval", () => {
  it("rests between the blocks it finds, while /mine still answers at once", async () => {
    const node = await start(256, ["--mine", "--mine-interval", "2"]);
    const height = async () => (await http(`${node.url}/status`)).body.height as number;
    await waitFor(async () => (await height()) >= 2, 10_000, 50);
    const t0 = Date.now();
    const h0 = await height();
    // a block at most every 2 s: in the next 3 s at most 2 more (a search takes milliseconds here)
    await new Promise((r) => setTimeout(r, 3000));
    const grown = (await height()) - h0;
    const elapsed = (Date.now() - t0) / 1000;
    expect(grown).toBeLessThanOrEqual(Math.floor(elapsed / 2) + 1);
    // /mine is not held back by the rest
    const t1 = Date.now();
    const mined = await http(`${node.url}/mine`, { method: "POST", timeoutMs: 10_000 });
    expect(mined.status, mined.text).toBe(200);
    expect(Date.now() - t1).toBeLessThan(1500);
    // and continuous mining goes on after it
    const h1 = await height();
    await waitFor(async () => (await height()) > h1, 10_000, 100);
    await expectChainValidAt(node.url, 256);
  });
});

describe("concurrent /mine", () => {
  it("5 parallel requests each get a distinct block; the chain stays valid", async () => {
    const difficulty = 256;
    const node = await start(difficulty);
    await mineN(node.url, 4);
    const ids = [await sendFromNode(node.url, key1.address, 1), await sendFromNode(node.url, key2.address, 1)];

    const answers = await Promise.all(
      Array.from({ length: 5 }, (_, i) => http(`${node.url}/mine`, { method: i % 2 === 0 ? "GET" : "POST", timeoutMs: 20_000 })),
    );
    for (const a of answers) expect(a.status, a.text).toBe(200);
    const indexes = answers.map((a) => a.body.index as number).sort((x, y) => x - y);
    expect(new Set(indexes).size).toBe(5);
    expect(indexes).toEqual([6, 7, 8, 9, 10]);

    const chain = await expectChainValidAt(node.url, difficulty);
    expect(chain).toHaveLength(10);
    const byIndex = new Map<number, ApiBlock>(chain.map((b) => [b.index, b]));
    for (const a of answers) {
      const b = byIndex.get(a.body.index);
      expect(a.body.hash).toBe(b?.hash);
      expect(a.body.previous_hash).toBe(b?.previous_hash);
    }
    // the pending transactions went into exactly one of those blocks each
    const mined = chain.slice(5).flatMap((b) => idsOf(b.transactions));
    for (const id of ids) expect(mined.filter((x) => x === id)).toHaveLength(1);

    // and more of them, mixed with transactions, still make a valid chain
    const more = await Promise.all([
      ...Array.from({ length: 4 }, () => http(`${node.url}/mine`, { timeoutMs: 20_000 })),
      http(`${node.url}/transactions/new`, { body: { recipient: key1.address, amount: 1 } }),
    ]);
    for (const a of more) expect([200, 201], a.text).toContain(a.status);
    const after = await expectChainValidAt(node.url, difficulty);
    expect(after).toHaveLength(14);
    const s = (await http(`${node.url}/status`)).body;
    expect(s.height).toBe(14);
    expect(s.tip).toBe(after.at(-1)?.hash);
  });
});

describe("proof of work without the native addon or without SHA extensions", () => {
  const built = existsSync(join(ROOT, "native", "build", "Release", "tinychain_pow.node"));
  const cases: Array<{ env: Record<string, string>; pow: string; run: boolean }> = [
    { env: { TINYCHAIN_NATIVE_POW: "0" }, pow: "javascript", run: true },
    { env: { TINYCHAIN_NO_SHANI: "1" }, pow: "portable", run: built },
  ];
  for (const c of cases) {
    it.skipIf(!c.run)(
      `${Object.entries(c.env)[0]?.join("=")}: mines valid blocks with the ${c.pow} search and says so in /status`,
      async () => {
        const difficulty = 5000;
        const node = await startNode({ difficulty, env: c.env });
        started.push(node);
        const status = async () => (await http(`${node.url}/status`)).body;
        expect((await status()).pow, "known before the first search").toBe(c.pow);
        for (let i = 0; i < 3; i++) {
          const mined = await http(`${node.url}/mine`, { method: "POST", timeoutMs: 20_000 });
          expect(mined.status, mined.text).toBe(200);
        }
        const s = await status();
        expect(s.height).toBe(4);
        expect(s.pow).toBe(c.pow);
        await expectChainValidAt(node.url, difficulty);
        expect(await node.stop()).toBe(0);
      },
    );
  }
});

describe("Ctrl-C during a slow /mine", () => {
  it("stops the search at once: the caller is told the node is shutting down, and the node exits", async () => {
    // about a minute of hashing on this machine: the search is still on when the signal comes
    const node = await startNode({ difficulty: 1_000_000_000_000 });
    started.push(node);
    const mining = http(`${node.url}/mine`, { method: "POST", timeoutMs: 20_000 });
    // /status says how far the search has come
    const s = await waitFor(
      async () => {
        const st = (await http(`${node.url}/status`)).body;
        return st.search?.tries > 0 ? st : undefined;
      },
      10_000,
      20,
    );
    expect(s.search).toMatchObject({ height: 2, difficulty: 1_000_000_000_000, expected_tries: 1_000_000_000_000 });
    expect(s.hashrate_last_minute).toBeGreaterThan(0);
    const t0 = performance.now();
    node.proc.kill("SIGINT");
    const answer = await mining;
    const answeredMs = performance.now() - t0;
    expect(answer.status, answer.text).toBe(503);
    expect(answer.body.error).toMatch(/shutting down/);
    expect(await node.exited).toBe(0);
    // it was about 10 s (the forced exit) before the search stopped first
    expect(answeredMs).toBeLessThan(3_000);
    expect(performance.now() - t0).toBeLessThan(5_000);
  });
});
