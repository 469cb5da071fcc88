/**
 * The store's SQLite driver in a real node process: the one this Node.js gets shows in
 * /status; one asked for (TINYCHAIN_SQLITE) that this Node.js cannot run safely, or that does
 * not exist, stops the node at start with what to do; where both drivers run (Node.js 22),
 * one data directory goes on from one to the other.
 */
import { afterAll, describe, expect, it } from "vitest";
import { http, type NodeProc, removeDir, startNode, tempDir } from "../helpers/node-process.js";
import { mineN } from "./support.js";

const DIFFICULTY = 16;
/** Fresh starts in a row: with an abort in 2 starts of 5, 16 clean ones by luck have odds of 0.6^16 ≈ 0.03 %. */
const STARTS = 16;
const major = Number(process.versions.node.split(".")[0]);
const [minor] = process.versions.node.split(".").slice(1).map(Number) as [number];
const hasNodeSqlite = major > 22 || (major === 22 && minor >= 16);

const nodes: NodeProc[] = [];
const dirs: string[] = [];

async function start(dataDir: string, driver?: string): Promise<NodeProc> {
  const n = await startNode({ difficulty: DIFFICULTY, dataDir, ...(driver ? { env: { TINYCHAIN_SQLITE: driver } } : {}) });
  nodes.push(n);
  return n;
}
function dir(): string {
  const d = tempDir();
  dirs.push(d);
  return d;
}

afterAll(async () => {
  for (const n of nodes) await n.kill();
  for (const d of dirs) removeDir(d);
});

describe("the store's SQLite driver", () => {
  it(`runs on ${hasNodeSqlite ? "node:sqlite" : "better-sqlite3"} on Node.js ${process.versions.node}, and says so`, async () => {
    const node = await start(dir());
    expect((await http(`${node.url}/status`)).body.store).toBe(hasNodeSqlite ? "node:sqlite" : "better-sqlite3");
    expect(node.output()).toMatch(hasNodeSqlite ? /"driver":"node:sqlite"/ : /"driver":"better-sqlite3"/);
    expect(await node.stop()).toBe(0);
  });

  it(`${STARTS} fresh starts: each serves, mines and stops cleanly (better-sqlite3 aborted 2 starts in 5 on Node.js 24)`, async () => {
    const exits: Array<number | null> = [];
    for (let i = 0; i < STARTS; i++) {
      const d = dir();
      const node = await start(d);
      expect((await http(`${node.url}/mine`)).status).toBe(200);
      exits.push(await node.stop());
      expect(node.output()).not.toMatch(/Assertion failed|Aborted|core dumped/);
      removeDir(d);
    }
    expect(exits).toEqual(Array(STARTS).fill(0));
  }, 120_000);

  it("an unknown driver stops the node at start with the choices", async () => {
    await expect(start(dir(), "sqlite3")).rejects.toThrow(
      /exit code 1\)[\s\S]*TINYCHAIN_SQLITE=sqlite3: unknown SQLite driver; use node:sqlite or better-sqlite3/,
    );
  });

  it.runIf(major >= 24)("better-sqlite3 is refused on Node.js 24 and later, even when asked for", async () => {
    await expect(start(dir(), "better-sqlite3")).rejects.toThrow(
      /exit code 1\)[\s\S]*better-sqlite3 12 can abort the process on Node.js 24 and later[\s\S]*unset TINYCHAIN_SQLITE/,
    );
  });

  it.runIf(!hasNodeSqlite)("node:sqlite asked for on a Node.js without it stops the node with why", async () => {
    await expect(start(dir(), "node:sqlite")).rejects.toThrow(
      /has no usable node:sqlite \(tinychain needs that of Node.js 22.16 and later\)/,
    );
  });

  it.runIf(hasNodeSqlite && major < 24)("a data directory goes on from better-sqlite3 to node:sqlite and back", async () => {
    const d = dir();
    let node = await start(d, "better-sqlite3");
    expect((await http(`${node.url}/status`)).body.store).toBe("better-sqlite3");
    await mineN(node.url, 3);
    const before = (await http(`${node.url}/status`)).body;
    expect(before.height).toBe(4);
    expect(await node.stop()).toBe(0);
    node = await start(d, "node:sqlite");
    expect((await http(`${node.url}/status`)).body).toMatchObject({ store: "node:sqlite", height: 4, tip: before.tip });
    await mineN(node.url, 1);
    const after = (await http(`${node.url}/status`)).body;
    await node.kill(); // a crash, then the other driver reads what was committed
    node = await start(d, "better-sqlite3");
    expect((await http(`${node.url}/status`)).body).toMatchObject({ store: "better-sqlite3", height: 5, tip: after.tip });
    expect(await node.stop()).toBe(0);
  });
});
