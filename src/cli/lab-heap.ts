/**
 * The labs keep hundreds of nodes in one process, and each request between them makes
 * short-lived objects by the thousand. With V8's default young generation (16 MB semi-spaces
 * on 64-bit), many of those survive two scavenges and are promoted, only for the old
 * generation's collector to find them dead: 200 nodes × 150 blocks ran in 44 s by default and
 * in 37 s with 64 MB (BENCHMARKS.md §9). That size is fixed when the process starts, so the
 * lab command starts itself once more with it and passes on the exit code; the run itself is
 * unchanged (the same seed, the same report).
 */
import { spawn } from "node:child_process";
import { constants } from "node:os";

export const LAB_SEMI_SPACE_MB = 64;
const FLAG = "--max-semi-space-size";

/** A child's exit as this process's code: its own code, or 128 + the signal's number as a shell reports it (130 for Ctrl-C). */
export function exitCodeOf(code: number | null, signal: NodeJS.Signals | null): number {
  if (code !== null) return code;
  const n = signal === null ? undefined : constants.signals[signal];
  return n === undefined ? 1 : 128 + n;
}

/** Whether this process was started with a semi-space size (ours, or one the user chose). */
export function hasSemiSpaceFlag(execArgv: readonly string[] = process.execArgv): boolean {
  return execArgv.some((a) => a === FLAG || a.startsWith(`${FLAG}=`)) || (process.env.NODE_OPTIONS ?? "").includes(FLAG);
}

/**
 * Runs this same command line in a child Node.js with the lab's semi-space size, and exits
 * with its code, when this process lacks one; returns (to go on here) when it has one.
 */
export async function inLabHeap(): Promise<void> {
  if (hasSemiSpaceFlag()) return;
  const child = spawn(process.execPath, [...process.execArgv, `${FLAG}=${LAB_SEMI_SPACE_MB}`, ...process.argv.slice(1)], {
    stdio: "inherit",
  });
  // Ctrl-C reaches the child too (one process group): this one waits for it to finish
  const forward = (signal: NodeJS.Signals) => () => child.kill(signal);
  const onInt = forward("SIGINT");
  const onTerm = forward("SIGTERM");
  process.on("SIGINT", onInt);
  process.on("SIGTERM", onTerm);
  const code = await new Promise<number>((resolve) => {
    child.on("error", (err) => {
      process.stderr.write(`tinychain: could not start the lab: ${err.message}\n`);
      resolve(1);
    });
    child.on("exit", (c, signal) => resolve(exitCodeOf(c, signal)));
  });
  process.exit(code);
}
