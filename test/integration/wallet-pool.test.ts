/**
 * The wallet and a node's pool (issue 19), end to end against a real node: `wallet drop`
 * removes a pending transaction from the node's pool and the next one is shown as
 * "queued (waits for nonce N)" by `wallet history`; a new send fills the gap; `wallet replace`
 * signs a pending transaction again with the same nonce and a higher fee, and the replacement
 * is the one mined.
 */
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { http, type NodeProc, removeDir, startNode, tempDir } from "../helpers/node-process.js";
import { type CliOptions, fund, mine, wallet, walletOk } from "../helpers/wallet-cli.js";

let node: NodeProc;
let dir: string;
const opts = (name: string, json = true): CliOptions => ({ node: node.url, wallet: join(dir, name), json });
let bob = "";

beforeAll(async () => {
  dir = tempDir("tc-wallet-pool-");
  node = await startNode({ difficulty: 12 });
  const alice = (await walletOk(["new"], opts("alice"))).address as string;
  bob = (await walletOk(["new"], opts("bob"))).address as string;
  await fund(node.url, alice, 40);
}, 60_000);

afterAll(async () => {
  await node?.stop();
  if (node) removeDir(node.dataDir);
  if (dir) removeDir(dir);
});

describe("wallet: queued, drop, replace (issue 19)", () => {
  it("drop leaves the next transaction queued, history says what it waits for, a new send fills the gap", { timeout: 60_000 }, async () => {
    const first = (await walletOk(["send", bob, "1", "--yes"], opts("alice"))).id as string;
    const second = (await walletOk(["send", bob, "2", "--yes"], opts("alice"))).id as string;
    const dropped = await walletOk(["drop", first], opts("alice"));
    expect(dropped).toMatchObject({ dropped: [first], queued: [second] });
    const text = await wallet(["drop", second], { ...opts("alice", false), node: node.url.replace("127.0.0.1", "localhost") });
    expect(text.code, text.stderr).toBe(0); // localhost is loopback too
    expect(text.stdout).toContain("Transaction dropped from this node's pool");
    const again = await http(`${node.url}/transactions/${second}`);
    expect(again.status).toBe(404);

    const third = (await walletOk(["send", bob, "3", "--yes"], opts("alice"))).id as string; // nonce 0
    const fourth = await walletOk(["send", bob, "4", "--yes"], opts("alice")); // nonce 1
    const dropThird = await walletOk(["drop", third], opts("alice"));
    expect(dropThird.queued).toEqual([fourth.id]);
    const history = await wallet(["history"], opts("alice", false));
    expect(history.code, history.stderr).toBe(0);
    const line = history.stdout.split("\n").find((l) => l.includes(fourth.id));
    expect(line).toMatch(/^queued \(waits for nonce 0\) sent {4}-4 coins/);
    const json = await walletOk(["history"], opts("alice"));
    expect(json.queued).toEqual({ [fourth.id]: 0 });
    const balance = await wallet(["balance"], opts("alice", false));
    expect(balance.stdout).toContain("queued   1 transaction(s) wait for an earlier nonce");

    const fill = await wallet(["send", bob, "5", "--yes"], opts("alice", false)); // nonce 0 again: fills the gap
    expect(fill.code, fill.stderr).toBe(0);
    expect(fill.stdout).toContain("pending, expected in block");
    expect((await walletOk(["history"], opts("alice"))).queued).toEqual({});
    await mine(node.url);
    expect((await http(`${node.url}/transactions/${fourth.id}`)).body.status).toBe("confirmed");
  });

  it("replace re-signs a pending transaction with the same nonce and a higher fee; the replacement is mined", {
    timeout: 60_000,
  }, async () => {
    const sent = (await walletOk(["send", bob, "1", "--fee", "20", "--yes"], opts("alice"))).id as string;
    const same = await wallet(["replace", sent, "--fee", "20"], opts("alice"));
    expect(same.code).not.toBe(0);
    expect(same.json.code).toBe("fee-too-low");
    const under = await wallet(["replace", sent, "--fee", "21"], opts("alice", false));
    expect(under.code).not.toBe(0);
    expect(under.stderr).toContain("offer a fee of at least 22");
    const r = await walletOk(["replace", sent, "--fee", "22"], opts("alice"));
    expect(r).toMatchObject({ replaced: sent, nonce: 2, fee: 22 });
    expect(r.id).not.toBe(sent);
    expect((await http(`${node.url}/transactions/${sent}`)).status).toBe(404);
    const tx = (await http(`${node.url}/transactions/${r.id}`)).body.transaction;
    expect(tx).toMatchObject({ recipient: bob, amount: 1, fee: 22, nonce: 2 });
    const block = await mine(node.url);
    expect((await http(`${node.url}/transactions/${r.id}`)).body).toMatchObject({ status: "confirmed", block_index: block });
    const gone = await wallet(["replace", r.id, "--fee", "20"], opts("alice"));
    expect(gone.json.code).toBe("already-confirmed");
  });
});
