/**
 * CPU time spent by a child process (Linux /proc) or by this process: with it a figure can
 * be read as CPU per item, which other work on the machine disturbs much less than wall time.
 */
import { execFileSync } from "node:child_process";
import { readdirSync, readFileSync } from "node:fs";

let ticks: number | undefined;

function clockTicks(): number {
  if (ticks === undefined) {
    try {
      ticks = Number(execFileSync("getconf", ["CLK_TCK"], { encoding: "utf8", timeout: 5_000 }).trim()) || 100;
    } catch {
      ticks = 100;
    }
  }
  return ticks;
}

/** User + system CPU seconds of process `pid` (all its threads), or undefined where /proc is missing. */
export function processCpuSeconds(pid: number | undefined): number | undefined {
  if (pid === undefined) return undefined;
  try {
    // fields after the command name (which may hold spaces) start at field 3
    return statCpu(readFileSync(`/proc/${pid}/stat`, "utf8"));
  } catch {
    return undefined;
  }
}

/** CPU seconds of process `pid` split by thread: its main thread (tid = pid) and all the others. */
export interface ThreadCpu {
  main: number;
  others: number;
}

function statCpu(stat: string): number {
  const fields = stat.slice(stat.lastIndexOf(")") + 2).split(" ");
  return (Number(fields[11]) + Number(fields[12])) / clockTicks();
}

/**
 * User + system CPU seconds of process `pid` (default: this one), its main thread apart from
 * its other threads (worker threads, V8's and libuv's helpers); undefined where /proc is
 * missing. A thread that ended between two readings takes its time with it: read it around
 * work done by threads that live through it.
 */
export function threadCpuSeconds(pid: number = process.pid): ThreadCpu | undefined {
  try {
    let main = 0;
    let others = 0;
    for (const tid of readdirSync(`/proc/${pid}/task`)) {
      let cpu: number;
      try {
        cpu = statCpu(readFileSync(`/proc/${pid}/task/${tid}/stat`, "utf8"));
      } catch {
        continue; // the thread ended meanwhile
      }
      if (Number(tid) === pid) main = cpu;
      else others += cpu;
    }
    return { main, others };
  } catch {
    return undefined;
  }
}

/** CPU seconds by thread spent between two readings. */
export function threadCpuSince(before: ThreadCpu | undefined, pid: number = process.pid): ThreadCpu | undefined {
  const now = threadCpuSeconds(pid);
  return before === undefined || now === undefined ? undefined : { main: now.main - before.main, others: now.others - before.others };
}

/** User + system CPU seconds of this process so far (all threads). */
export function selfCpuSeconds(): number {
  const u = process.cpuUsage();
  return (u.user + u.system) / 1e6;
}

/** Rounds for the results file. */
export function round(v: number | undefined, digits = 3): number | undefined {
  return v === undefined ? undefined : Math.round(v * 10 ** digits) / 10 ** digits;
}
