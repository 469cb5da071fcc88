/**
 * `tinychain devnet --nodes 3` (docs/protocol.md §8): three nodes on consecutive ports, each registered
 * with the others; a block mined on one reaches all; Ctrl-C (SIGINT) stops them all.
 */
import { type ChildProcess, spawn } from "node:child_process";
import { afterAll, describe, expect, it } from "vitest";
import { BIN, http, ROOT, tempDir, waitFor } from "../helpers/node-process.js";
import { Cleanup, freePortRange, mineOn, statusOf } from "./p2p-support.js";

const cleanup = new Cleanup();
afterAll(() => cleanup.run());

async function answers(url: string): Promise<boolean> {
  try {
    await http(`${url}/status`, { timeoutMs: 1_000 });
    return true;
  } catch {
    return false;
  }
}

describe("tinychain devnet", () => {
  it("runs three connected nodes and stops them all on SIGINT", { timeout: 90_000 }, async () => {
    const dataDir = cleanup.dir(tempDir("tc-devnet-"));
    const base = await freePortRange(3);
    const urls = [0, 1, 2].map((i) => `http://127.0.0.1:${base + i}`);
    const proc: ChildProcess = spawn(
      process.execPath,
      [BIN, "devnet", "--nodes", "3", "--base-port", String(base), "--data-dir", dataDir, "--difficulty", "64"],
      { cwd: ROOT, stdio: ["ignore", "pipe", "pipe"] },
    );
    let out = "";
    proc.stdout?.on("data", (d) => (out += d.toString()));
    proc.stderr?.on("data", (d) => (out += d.toString()));
    const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((r) =>
      proc.once("exit", (code, signal) => r({ code, signal })),
    );
    cleanup.add(async () => {
      if (proc.exitCode === null && proc.signalCode === null) {
        proc.kill("SIGINT");
        const t = setTimeout(() => proc.kill("SIGKILL"), 15_000);
        await exited;
        clearTimeout(t);
      }
    });

    try {
      // all three answer and each lists the other two
      await waitFor(
        async () => {
          const s = await Promise.all(urls.map((u) => statusOf(u, 1_000)));
          return s.every((x) => x.peers === 2);
        },
        30_000,
        200,
      );
      for (const [i, u] of urls.entries()) {
        const nodes = (await http(`${u}/nodes`)).body.nodes as string[];
        expect([...nodes].sort()).toEqual(
          urls
            .filter((_, j) => j !== i)
            .map((x) => x.replace("http://", ""))
            .sort(),
        );
      }
      const genesis = await Promise.all(urls.map(async (u) => (await statusOf(u)).genesis_hash));
      expect(new Set(genesis).size).toBe(1);

      // a block mined on the second node reaches all three
      const mined = await mineOn(urls[1] as string);
      const t0 = Date.now();
      await waitFor(async () => (await Promise.all(urls.map((u) => statusOf(u)))).every((s) => s.tip === mined.hash), 20_000, 100);
      console.log(`devnet: block ${mined.index} on all three nodes after ${Date.now() - t0} ms`);
      const again = await mineOn(urls[2] as string);
      await waitFor(async () => (await Promise.all(urls.map((u) => statusOf(u)))).every((s) => s.tip === again.hash), 20_000, 100);
      expect(again.index).toBe(3);
    } catch (err) {
      throw new Error(`${(err as Error).message}\n--- devnet output ---\n${out.slice(-4000)}`);
    }

    // Ctrl-C: the devnet process and its three nodes stop
    proc.kill("SIGINT");
    const stop = await Promise.race([exited, new Promise<"timeout">((r) => setTimeout(() => r("timeout"), 20_000))]);
    expect(stop, out.slice(-2000)).not.toBe("timeout");
    expect(stop).toEqual({ code: 0, signal: null });
    await waitFor(async () => !(await Promise.all(urls.map(answers))).some(Boolean), 15_000, 200);
    for (const u of urls) expect(await answers(u), u).toBe(false);
  });
});
