/**
 * `tinychain lab realnet` at a few nodes: real node processes and the simulated run side by
 * side (README "Labs"), and no node process or data directory left behind, after a run and
 * after Ctrl-C in the middle of one. The lab's temporary folder is made under a TMPDIR of the
 * test's own, so its processes are found by their command lines.
 */
import { execFile, spawn } from "node:child_process";
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { promisify } from "node:util";
import { afterEach, describe, expect, it } from "vitest";
import { BIN } from "../helpers/node-process.js";

const run = promisify(execFile);

/** Pids of the processes whose command line mentions `dir`. */
function processesUnder(dir: string): number[] {
  const pids: number[] = [];
  for (const entry of readdirSync("/proc")) {
    if (!/^\d+$/.test(entry) || Number(entry) === process.pid) continue;
    try {
      if (readFileSync(`/proc/${entry}/cmdline`, "utf8").includes(dir)) pids.push(Number(entry));
    } catch {
      // gone meanwhile
    }
  }
  return pids;
}

async function waitFor(cond: () => boolean, ms: number): Promise<boolean> {
  for (const end = Date.now() + ms; Date.now() < end; await new Promise((r) => setTimeout(r, 100))) if (cond()) return true;
  return cond();
}

const dirs: string[] = [];
afterEach(() => {
  for (const d of dirs.splice(0)) {
    for (const pid of processesUnder(d)) process.kill(pid, "SIGKILL");
    rmSync(d, { recursive: true, force: true });
  }
});

const ARGS = ["lab", "realnet", "--nodes", "4", "--blocks", "6", "--interval", "1", "--latency", "100", "--degree", "2", "--seed", "3"];

describe("tinychain lab realnet", () => {
  it("prints the simulated and the real figures and their agreement, and leaves nothing running", async () => {
    const tmp = mkdtempSync(join(tmpdir(), "tc-realnet-"));
    dirs.push(tmp);
    const { stdout } = await run(process.execPath, [BIN, ...ARGS, "--json"], { timeout: 60_000, env: { ...process.env, TMPDIR: tmp } });
    const out = JSON.parse(stdout) as {
      sim: Record<string, unknown>;
      real: Record<string, unknown>;
      agreement: { p50_ratio: number; p90_ratio: number; within_25_percent: boolean; processing_ms: number };
    };
    for (const side of [out.sim, out.real]) {
      expect(side).toMatchObject({ nodes: 4, converged: true, blocks: { mined: 6 } });
      const p = side.propagation_ms as { p50: number; p90: number; p99: number };
      // a block needs at least one link's latency to reach another node
      expect(p.p50).toBeGreaterThanOrEqual(100);
      expect(p.p99).toBeGreaterThanOrEqual(p.p50);
      for (const key of ["t_ms", "stale_rate", "predicted_stale_rate", "wall_seconds"]) expect(typeof side[key]).toBe("number");
    }
    expect((out.real.relayed as { requests: number }).requests).toBeGreaterThan(0);
    const hop = out.real.hop_ms as { send_p50: number; receive_p50: number };
    expect(hop.send_p50).toBeGreaterThanOrEqual(0);
    expect(hop.receive_p50).toBeGreaterThan(0);
    const late = out.real.relay_late_ms as { p50: number; p99: number };
    expect(late.p99).toBeGreaterThanOrEqual(late.p50);
    // the simulated nodes were given the real nodes' time per hop
    expect(out.agreement.processing_ms).toBeCloseTo(hop.send_p50 + hop.receive_p50, 1);
    expect(out.agreement.p50_ratio).toBeCloseTo(
      (out.real.propagation_ms as { p50: number }).p50 / (out.sim.propagation_ms as { p50: number }).p50,
      2,
    );
    expect(out.agreement.within_25_percent).toBe(Math.abs(out.agreement.p50_ratio - 1) <= 0.25);
    expect(processesUnder(tmp)).toEqual([]);
    expect(readdirSync(tmp)).toEqual([]);
  }, 60_000);

  it("stops every node process on Ctrl-C", async () => {
    const tmp = mkdtempSync(join(tmpdir(), "tc-realnet-"));
    dirs.push(tmp);
    const lab = spawn(process.execPath, [BIN, ...ARGS.map((a) => (a === "6" ? "1000" : a))], {
      env: { ...process.env, TMPDIR: tmp },
      stdio: "ignore",
    });
    const exited = new Promise<number | null>((r) => lab.once("exit", (code) => r(code)));
    // its four nodes up (their API tokens written), then into the mining
    const tokens = () => readdirSync(tmp).flatMap((d) => readdirSync(join(tmp, d)).filter((n) => existsSync(join(tmp, d, n, "api.token"))));
    expect(await waitFor(() => processesUnder(tmp).length === 4 && tokens().length === 4, 20_000)).toBe(true);
    await new Promise((r) => setTimeout(r, 3_000));
    expect(processesUnder(tmp)).toHaveLength(4);
    lab.kill("SIGINT");
    expect(await Promise.race([exited, new Promise((r) => setTimeout(() => r("still running"), 10_000))])).toBe(130);
    expect(await waitFor(() => processesUnder(tmp).length === 0, 5_000)).toBe(true);
    expect(readdirSync(tmp)).toEqual([]);
  }, 60_000);
});
