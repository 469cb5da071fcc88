/**
 * What the benchmark leaves behind, tracked so nothing outlives it: temporary directories
 * and child processes. `cleanup()` runs at the end, on errors, on Ctrl-C and at exit.
 */
import type { ChildProcess } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { ROOT } from "../test/harness/root.js";

export { ROOT };

const dirs = new Set<string>();
const children = new Set<ChildProcess>();

export function tempDir(label: string): string {
  const dir = mkdtempSync(join(tmpdir(), `tinychain-bench-${label}-`));
  dirs.add(dir);
  return dir;
}

export function removeDir(dir: string): void {
  rmSync(dir, { recursive: true, force: true });
  dirs.delete(dir);
}

export function trackChild(proc: ChildProcess): void {
  children.add(proc);
  proc.once("exit", () => children.delete(proc));
}

function alive(p: ChildProcess): boolean {
  return p.exitCode === null && p.signalCode === null;
}

/** SIGTERM, then SIGKILL after `graceMs`; resolves when the process is gone. */
export async function stopChild(proc: ChildProcess, graceMs = 5_000): Promise<void> {
  if (!alive(proc)) return;
  const exited = new Promise<void>((resolve) => proc.once("exit", () => resolve()));
  proc.kill("SIGTERM");
  const timer = setTimeout(() => {
    if (alive(proc)) proc.kill("SIGKILL");
  }, graceMs);
  await exited;
  clearTimeout(timer);
}

/** Stops every child still running and removes every temporary directory. */
export async function cleanup(): Promise<void> {
  await Promise.all([...children].map((p) => stopChild(p, 3_000)));
  for (const d of [...dirs]) removeDir(d);
}

/** Last-resort cleanup when the process ends abruptly (synchronous: SIGKILL, rm). */
function cleanupNow(): void {
  for (const p of children) if (alive(p)) p.kill("SIGKILL");
  for (const d of dirs) rmSync(d, { recursive: true, force: true });
}

export function installExitHandlers(): void {
  process.on("exit", cleanupNow);
  for (const sig of ["SIGINT", "SIGTERM"] as const) {
    process.once(sig, () => {
      process.stderr.write(`\nbench: ${sig}, stopping child processes\n`);
      void cleanup().finally(() => process.exit(130));
    });
  }
}
