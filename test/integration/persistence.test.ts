/**
 * What a node keeps across restarts (docs/protocol.md §8): chain, balances and the pool survive a crash
 * (`kill -9`) and a clean stop; SIGTERM exits 0; the wallet key and the API token are 0600.
 */
import { statSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { key1, key2 } from "../helpers/keys.js";
import { http, type NodeProc, removeDir, startNode, tempDir, waitFor } from "../helpers/node-process.js";
import { expectChainValidAt, idsOf, mine, mineN, sendFromNode } from "./support.js";

const DIFFICULTY = 16;

const nodes: NodeProc[] = [];
const dirs: string[] = [];

async function start(dataDir: string): Promise<NodeProc> {
  const n = await startNode({ difficulty: DIFFICULTY, dataDir });
  nodes.push(n);
  return n;
}

afterAll(async () => {
  for (const n of nodes) await n.kill();
  for (const d of dirs) removeDir(d);
});

async function snapshot(url: string, addresses: string[]) {
  const status = (await http(`${url}/status`)).body;
  const accounts = [];
  for (const a of addresses) accounts.push((await http(`${url}/accounts/${a}`)).body);
  const pending = idsOf((await http(`${url}/transactions/pending`)).body.transactions).sort();
  return { height: status.height, tip: status.tip, total_work: status.total_work, pending: status.pending, accounts, pendingIds: pending };
}

describe("persistence", () => {
  it("chain, balances and pending transactions survive kill -9, then get mined", async () => {
    const dir = tempDir();
    dirs.push(dir);
    let node = await start(dir);
    const wallet = (await http(`${node.url}/status`)).body.address as string;
    await mineN(node.url, 8);
    const minedIds = [await sendFromNode(node.url, key1.address, 2), await sendFromNode(node.url, key2.address, 1, 1)];
    await mine(node.url);
    for (const id of minedIds) expect((await http(`${node.url}/transactions/${id}`)).body.status).toBe("confirmed");
    const pendingIds = [await sendFromNode(node.url, key1.address, 1), await sendFromNode(node.url, key2.address, 2, 1)];
    const addrs = [wallet, key1.address, key2.address];
    const before = await snapshot(node.url, addrs);
    expect(before.height).toBe(10);
    expect(before.pending).toBe(2);
    expect(before.pendingIds).toEqual([...pendingIds].sort());
    const chainBefore = (await http(`${node.url}/chain`)).body;

    await node.kill();
    expect(node.proc.signalCode).toBe("SIGKILL");

    node = await start(dir);
    expect((await http(`${node.url}/status`)).body.address).toBe(wallet);
    const after = await snapshot(node.url, addrs);
    expect(after).toEqual(before);
    expect((await http(`${node.url}/chain`)).body).toEqual(chainBefore);
    for (const id of pendingIds) expect((await http(`${node.url}/transactions/${id}`)).body.status).toBe("pending");
    for (const id of minedIds) expect((await http(`${node.url}/transactions/${id}`)).body.status).toBe("confirmed");

    const b = await mine(node.url);
    expect(b.index).toBe(11);
    expect(b.previous_hash).toBe(before.tip);
    const ids = idsOf(b.transactions);
    for (const id of pendingIds) expect(ids).toContain(id);
    for (const id of pendingIds) {
      expect((await http(`${node.url}/transactions/${id}`)).body).toMatchObject({ status: "confirmed", block_index: 11 });
    }
    expect((await http(`${node.url}/accounts/${key1.address}`)).body.balance).toBe(3);
    expect((await http(`${node.url}/accounts/${key2.address}`)).body.balance).toBe(3);
    expect((await http(`${node.url}/transactions/pending`)).body.transactions).toEqual([]);
    await expectChainValidAt(node.url, DIFFICULTY);

    // a crash right after a block was mined loses nothing either
    const last = (await http(`${node.url}/status`)).body;
    await node.kill();
    node = await start(dir);
    expect((await http(`${node.url}/status`)).body).toMatchObject({ height: last.height, tip: last.tip, pending: 0 });
    await node.stop();
  });

  it("kill -9 while mining continuously loses no accepted transaction and leaves a valid chain", async () => {
    const dir = tempDir();
    dirs.push(dir);
    let node = await startNode({ difficulty: 2000, dataDir: dir, args: ["--mine"] });
    nodes.push(node);
    const status = async () => (await http(`${node.url}/status`)).body;
    await waitFor(async () => (await status()).height >= 6, 15_000, 50);
    const accepted: string[] = [];
    for (let i = 0; i < 4; i++) accepted.push(await sendFromNode(node.url, key1.address, 1));
    const seen = (await status()).height as number;
    await node.kill();

    node = await startNode({ difficulty: 2000, dataDir: dir });
    nodes.push(node);
    const s = await status();
    expect(s.height).toBeGreaterThanOrEqual(seen);
    const chain = await expectChainValidAt(node.url, 2000);
    expect(chain.at(-1)?.hash).toBe(s.tip);
    for (const id of accepted) {
      const r = await http(`${node.url}/transactions/${id}`);
      expect(r.status, `transaction ${id} after the crash`).toBe(200);
    }
    await mine(node.url);
    for (const id of accepted) expect((await http(`${node.url}/transactions/${id}`)).body.status).toBe("confirmed");
    expect(await node.stop()).toBe(0);
  });

  it("a clean SIGTERM stop exits 0 and keeps everything; the wallet key and API token are 0600", async () => {
    const dir = tempDir();
    dirs.push(dir);
    const mode = (p: string) => statSync(p).mode & 0o777;
    const expectSecretsPrivate = () => {
      expect(mode(join(dir, "wallet", "private.key"))).toBe(0o600);
      expect(mode(join(dir, "api.token"))).toBe(0o600);
      expect(statSync(join(dir, "wallet", "public.key")).isFile()).toBe(true);
    };
    let node = await start(dir);
    expectSecretsPrivate();
    await mineN(node.url, 3);
    const pendingId = await sendFromNode(node.url, key1.address, 1);
    const before = (await http(`${node.url}/status`)).body;

    const code = await node.stop();
    expect(code).toBe(0);
    expect(node.proc.signalCode).toBeNull();
    expect(node.output()).not.toMatch(/"level":(50|60)/); // no error or fatal log lines

    node = await start(dir);
    expectSecretsPrivate();
    const after = (await http(`${node.url}/status`)).body;
    expect(after).toMatchObject({ height: before.height, tip: before.tip, pending: 1, address: before.address });
    expect((await http(`${node.url}/transactions/${pendingId}`)).body.status).toBe("pending");
    expect(await node.stop()).toBe(0);
  });

  it("a second node on the same data directory is refused and the first keeps its chain; the directory is free once the first stops", async () => {
    const dir = tempDir();
    dirs.push(dir);
    const first = await start(dir);
    await mineN(first.url, 2);
    await expect(start(dir)).rejects.toThrow(/in use by another process .*--data-dir/);
    await mine(first.url);
    const s = (await http(`${first.url}/status`)).body;
    expect(s.height).toBe(4);
    const account = (await http(`${first.url}/accounts/${s.address}`)).body;
    expect(await first.stop()).toBe(0);
    const again = await start(dir);
    expect((await http(`${again.url}/status`)).body).toMatchObject({ height: 4, tip: s.tip });
    expect((await http(`${again.url}/accounts/${s.address}`)).body.balance).toBe(account.balance);
    expect(await again.stop()).toBe(0);
  });

  it("a data directory that cannot be made stops the node at start with the reason", async () => {
    const dir = tempDir();
    dirs.push(dir);
    const file = join(dir, "not-a-dir");
    writeFileSync(file, "");
    await expect(start(file)).rejects.toThrow(/cannot create the data directory .*not-a-dir: a file is in the way/);
    await expect(start(join(file, "sub"))).rejects.toThrow(/a file is in the way/);
  });

  it("the same command twice (default data directory, named after the port) says which node holds it", async () => {
    const home = tempDir();
    dirs.push(home);
    const first = await start(join(home, ".tinychain", "node-0")); // what `--port 0` without --data-dir resolves to
    await expect(startNode({ difficulty: DIFFICULTY, dataDir: null, env: { HOME: home } })).rejects.toThrow(
      /exit code 1\)[\s\S]*node-0\/chain\.db is in use by another process .*\(is a node already running on port 0\?\)/,
    );
    expect((await http(`${first.url}/status`)).status).toBe(200);
    expect(await first.stop()).toBe(0);
  });
});
