/**
 * Crash safety (test/harness/crash.ts): kill -9 at random moments while mining (--mine), while a
 * second node syncs a long chain, and while a reorganisation replaces the node's own blocks;
 * after each restart the chain validates, nothing seen committed is lost, no transaction
 * answered 201 is lost, and the node catches up with its peer. Plus the worst moment of a
 * reorganisation, made exact: the process is killed right after the switch commits, before
 * anything else runs. The long version (50 cycles) is `npm run soak`.
 */
import { spawn } from "node:child_process";
import { writeFileSync } from "node:fs";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { devnetAt, extendChain, keyFor, signTransfer, toApi } from "../harness/chains.js";
import { crashCycles } from "../harness/crash.js";
import { inspectNode } from "../harness/inspect.js";
import { ROOT, removeDir, request, startNode, tempDir } from "../harness/proc.js";

const CYCLES = Number(process.env.ROBUST_CRASH_CYCLES ?? 6);
const dirs: string[] = [];

afterAll(() => {
  for (const d of dirs) removeDir(d);
});

describe("kill -9 at random moments", () => {
  it(`${CYCLES} cycles (mining, sync, reorganisation): nothing committed or accepted is lost`, { timeout: 400_000 }, async () => {
    const r = await crashCycles({ cycles: CYCLES, seed: 9, timeLimitMs: 300_000 });
    console.log(`crash cycles: ${JSON.stringify(r)}`);
    expect(r.problems).toEqual([]);
    expect(r.stoppedEarly).toBeUndefined();
    expect(r.survived).toBe(CYCLES);
    expect(r.blocksObserved).toBeGreaterThan(0);
    expect(r.blocksLost).toBe(0);
    expect(r.txsAccepted).toBeGreaterThan(0);
    expect(r.txsLost).toBe(0);
  });
});

/** Runs a node in a child process (the built dist/), applies the plan, and SIGKILLs itself when the main chain switches branches. */
const CHILD = `
setInterval(() => {}, 1000); // the node's worker threads are unref'd: keep this process alive while it awaits them
const { createNode } = await import(process.env.ROOT + "/dist/node/create-node.js");
const { readFileSync } = await import("node:fs");
const pino = (await import("pino")).default;
const plan = JSON.parse(readFileSync(process.env.PLAN, "utf8"));
const node = createNode({ dataDir: process.env.DIR, params: plan.params, logger: pino({ level: "silent" }), verifyThreads: 1 });
for (const b of plan.base) node.chain.submit(b);
for (const t of plan.txs) await node.submitTransaction(t);
for (const b of plan.own) node.chain.submit(b);
node.chain.prependListener("tip", (c) => { if (c.disconnected.length > 0) process.kill(process.pid, "SIGKILL"); });
for (const b of plan.branch) node.chain.submit(b);
process.exit(3);
`;

describe("the worst moment of a reorganisation", () => {
  it("killed right after the switch commits, the abandoned blocks' transactions are pending after the restart", {
    timeout: 120_000,
  }, async () => {
    const params = devnetAt(16);
    const payer = keyFor("worst moment payer");
    const miner = keyFor("worst moment miner").address;
    const base = extendChain(params, 4, payer.address); // the payer has 4 coins
    const txs = [0, 1, 2].map((nonce) => signTransfer(payer, { recipient: miner, amount: 1, fee: 0, nonce, network: params.name }));
    const own = extendChain(params, 2, miner, { base, txsAt: (h) => (h === 6 ? txs : []) }).slice(base.length);
    const branch = extendChain(params, 3, miner, { base }).slice(base.length);
    const dir = tempDir("tc-worst-");
    dirs.push(dir);
    const plan = join(dir, "plan.json");
    writeFileSync(plan, JSON.stringify({ params, base: base.slice(1).map(toApi), txs, own: own.map(toApi), branch: branch.map(toApi) }));
    const child = spawn(process.execPath, ["--input-type=module", "-e", CHILD], {
      cwd: ROOT,
      env: { ...process.env, ROOT, PLAN: plan, DIR: join(dir, "node") },
      stdio: ["ignore", "pipe", "pipe"],
    });
    let out = "";
    child.stdout.on("data", (d) => (out += d));
    child.stderr.on("data", (d) => (out += d));
    const signal = await new Promise<string | null>((res) => child.once("exit", (_code, sig) => res(sig)));
    expect(signal, out).toBe("SIGKILL");

    const node = await startNode({ dataDir: join(dir, "node"), difficulty: 16 });
    try {
      const status = (await request(`${node.url}/status`)).body;
      expect(status.tip, "the switch to the heavier branch committed").toBe(toApi(branch.at(-1) as never).hash);
      for (const tx of txs) {
        const r = await request(`${node.url}/transactions/${tx.id}`);
        expect(r.status, `transaction ${tx.id} (taken, then confirmed in an abandoned block)`).toBe(200);
        expect(r.body.status).toBe("pending");
      }
      const mined = await request(`${node.url}/mine`, { timeoutMs: 60_000 });
      expect(mined.status).toBe(200);
      for (const tx of txs) expect((await request(`${node.url}/transactions/${tx.id}`)).body.status).toBe("confirmed");
      expect((await inspectNode(node.url, { difficulty: 16, reward: 1 })).problems).toEqual([]);
    } finally {
      await node.stop();
    }
  });
});
