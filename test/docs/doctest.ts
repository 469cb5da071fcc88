/**
 * The doc test's machinery: parsing markdown into steps, the masks and wildcards that compare
 * a shown output with a real one, and a session (one bash, nodes in the background, a temp
 * directory and a window of free ports) that runs the steps. The convention is described at
 * the top of docs.test.ts.
 */
import { type ChildProcess, spawn } from "node:child_process";
import { mkdirSync, mkdtempSync, readFileSync, rmSync } from "node:fs";
import { createServer } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";

export interface Cmd {
  /** The command as written (continuation lines joined with newlines). */
  cmd: string;
  expected: string[];
  /** 1-based line of the `$ ` line. */
  line: number;
  /** 0-based line range of the shown output [from, to), for writing actual outputs back. */
  out: [number, number];
}

export type Step =
  | { kind: "block"; line: number; cmds: Cmd[]; exact: boolean; eventually: boolean }
  | { kind: "stop"; line: number; port: number };

const SHELL_LANGS = new Set(["sh", "bash", "shell", "zsh"]);
const DIRECTIVE = /^<!--\s*doc-test:\s*(.*?)\s*-->$/;

/** Splits a markdown file into steps; throws on an unmarked shell block or a bad directive. */
export function parseDoc(text: string, file: string): Step[] {
  const lines = text.split("\n");
  const steps: Step[] = [];
  let pending: { skip?: boolean; exact?: boolean; eventually?: boolean; at?: number } = {};
  const where = (i: number) => `${file}:${i + 1}`;
  for (let i = 0; i < lines.length; i++) {
    const l = lines[i] as string;
    const d = DIRECTIVE.exec(l.trim());
    if (d) {
      const [word, arg] = (d[1] as string).split(/\s+/);
      if (word === "stop" && /^\d+$/.test(arg ?? "")) steps.push({ kind: "stop", line: i + 1, port: Number(arg) });
      else if (word === "skip" || word === "exact" || word === "eventually") pending = { ...pending, [word]: true, at: i };
      else throw new Error(`${where(i)}: unknown doc-test directive "${d[1]}" (skip REASON, exact, eventually, stop PORT)`);
      continue;
    }
    const fence = /^(\s*)(`{3,})\s*([\w-]*)/.exec(l);
    if (!fence) {
      if (l.trim() !== "" && pending.at !== undefined)
        throw new Error(`${where(pending.at)}: a doc-test directive must come right before a code block`);
      continue;
    }
    const indent = (fence[1] as string).length;
    const close = lines.findIndex((c, k) => k > i && c.trim().startsWith(fence[2] as string) && c.trim().replace(/`/g, "") === "");
    if (close < 0) throw new Error(`${where(i)}: code block is not closed`);
    const body = lines.slice(i + 1, close).map((b) => b.slice(Math.min(indent, b.length - b.trimStart().length)));
    const lang = fence[3] as string;
    if (!pending.skip) {
      if (lang === "console") {
        steps.push({
          kind: "block",
          line: i + 1,
          cmds: parseConsole(body, i + 1, where),
          exact: !!pending.exact,
          eventually: !!pending.eventually,
        });
      } else if (SHELL_LANGS.has(lang) || body.some((b) => b.startsWith("$ "))) {
        throw new Error(
          `${where(i)}: an untested shell block: make it a \`\`\`console block, or put <!-- doc-test: skip REASON --> before it`,
        );
      } else if (pending.at !== undefined) {
        throw new Error(`${where(pending.at)}: exact/eventually apply to a \`\`\`console block only`);
      }
    }
    pending = {};
    i = close;
  }
  return steps;
}

function parseConsole(body: string[], first: number, where: (i: number) => string): Cmd[] {
  const cmds: Cmd[] = [];
  let cont = false;
  for (const [k, b] of body.entries()) {
    const i = first + k; // 0-based index of this line in the file
    const cur = cmds.at(-1);
    if (b.startsWith("$ ")) {
      cmds.push({ cmd: b.slice(2), expected: [], line: i + 1, out: [i + 1, i + 1] });
      cont = b.endsWith("\\");
    } else if (cur === undefined) {
      throw new Error(`${where(i)}: a console block must start with a "$ " command line`);
    } else if (cur.expected.length === 0 && (cont || b.startsWith("> ") || b === ">")) {
      cur.cmd += `\n${cont ? b : b.slice(2)}`;
      cont = cont && b.endsWith("\\");
      cur.out = [i + 1, i + 1];
    } else {
      cur.expected.push(b);
      cur.out[1] = i + 1;
    }
  }
  return cmds;
}

/** Hides what differs from run to run; applied to the shown and the real output alike. */
export function mask(s: string): string {
  return s
    .replace(/\b[0-9a-f]{128}\b/g, "<sig>")
    .replace(/\b[0-9a-f]{64}\b/g, "<hash>")
    .replace(/\b[0-9a-f]{8}…/g, "<short>…")
    .replace(
      /"(proof|hashrate|hashrate_last_minute|uptime|threads|pow|store|node_id|time|at|last_seen|next_try)":("[^"]*"|[0-9.]+)/g,
      '"$1":<v>',
    )
    .replace(/\b1[0-9]{12}\b/g, "<ms>")
    .replace(/\b1[0-9]{9}(\.[0-9]{1,3})?\b/g, "<time>")
    .replace(/\b[0-9]+m[0-9]+\.[0-9]+s\b/g, "<duration>");
}

function tidy(lines: string[]): string[] {
  const out = lines.map((l) => l.trimEnd());
  while (out.length > 0 && out.at(-1) === "") out.pop();
  return out;
}

/**
 * True when `actual` is what `expected` shows: line by line after masking (unless `exact`),
 * `...` in a line standing for any text and a line of only `...` for any number of lines.
 */
export function outputMatches(expected: string[], actual: string[], opts: { exact?: boolean; prefix?: boolean } = {}): boolean {
  const m = (s: string) => (opts.exact ? s : mask(s));
  const exp = tidy(expected).map(m);
  if (opts.prefix) exp.push("...");
  const act = tidy(actual).map(m);
  const res = exp.map((e) =>
    e.trim() === "..."
      ? null
      : new RegExp(
          `^${e
            .split("...")
            .map((p) => p.replace(/[.*+?^${}()|[\]\\]/g, "\\$&"))
            .join(".*?")}$`,
        ),
  );
  const memo = new Map<string, boolean>();
  const go = (i: number, j: number): boolean => {
    const key = `${i},${j}`;
    const hit = memo.get(key);
    if (hit !== undefined) return hit;
    const re = res[i];
    let r: boolean;
    if (re === undefined) r = j === act.length;
    else if (re === null) r = go(i + 1, j) || (j < act.length && go(i, j + 1));
    else r = j < act.length && re.test(act[j] as string) && go(i + 1, j + 1);
    memo.set(key, r);
    return r;
  };
  return go(0, 0);
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

async function portFree(port: number): Promise<boolean> {
  return new Promise((res) => {
    const s = createServer();
    s.once("error", () => res(false));
    s.listen(port, "127.0.0.1", () => s.close(() => res(true)));
  });
}

/**
 * A window of WINDOW free ports, below the ephemeral range other tests' nodes (`--port 0`) draw
 * from (32768 and up on Linux), and not holding a multiple of 1000 (a total_work).
 */
async function freeWindow(): Promise<number> {
  for (let t = 0; t < 50; t++) {
    const base = 20_100 + 1000 * Math.floor(Math.random() * 12) + Math.floor(Math.random() * 770);
    const ok = await Promise.all(Array.from({ length: WINDOW }, (_, k) => portFree(base + k)));
    if (ok.every(Boolean)) return base;
  }
  throw new Error("no window of free ports on 127.0.0.1");
}

/** Documented ports 5000 … 5000+WINDOW-1 are moved to the session's window. */
export const DOC_PORT = 5000;
const WINDOW = 20;
/** Where the guide keeps its nodes and wallets; the session's own directory stands in for it. */
export const DOC_WORKDIR = "/tmp/tc";
export const DOC_HOME = "/home/you";

interface Job {
  pgid: number;
  log: string;
}

/** One markdown file's run: a bash that keeps its state between commands, and background nodes. */
export class Session {
  readonly tmp = mkdtempSync(join(tmpdir(), "tc-doctest-"));
  readonly home = join(this.tmp, "home");
  readonly work = join(this.tmp, "tc");
  readonly jobs = new Map<number, Job>();
  private base = 0;
  private shell!: ChildProcess;
  private buf = "";
  private errBuf = "";
  private readonly marker = `__DOCTEST_${process.pid}_${Date.now()}__`;

  constructor(private readonly root: string) {}

  async open(): Promise<void> {
    mkdirSync(this.home);
    this.base = await freeWindow();
    this.shell = spawn("bash", ["--noprofile", "--norc"], {
      cwd: this.root,
      env: { ...process.env, HOME: this.home, NO_COLOR: "1", TINYCHAIN_PASSPHRASE: "" },
      stdio: ["pipe", "pipe", "pipe"],
      detached: true,
    });
    this.shell.stdout?.on("data", (d) => {
      this.buf += d.toString();
    });
    this.shell.stderr?.on("data", (d) => {
      this.errBuf += d.toString();
    });
    this.shell.stdin?.write("set -m\n");
  }

  /** The command as the session runs it: its own ports, directory and node. */
  rewrite(cmd: string): string {
    let c = cmd.replaceAll(DOC_WORKDIR, this.work);
    c = c.replace(
      /(localhost:|127\.0\.0\.1:|--port[ =]|--base-port[ =])(50[01]\d)\b/g,
      (_m, p, n) => p + (this.base + Number(n) - DOC_PORT),
    );
    return c.replace(/\b((?:bin\/)?tinychain) (node|devnet|wallet)\b/g, (m, _bin, sub) => {
      if (sub === "node" && !/--port\b/.test(c)) return `${m} --port ${this.base}`;
      if (sub === "devnet" && !/--base-port\b/.test(c)) return `${m} --base-port ${this.base}`;
      if (sub === "wallet" && !/--node\b/.test(c)) return `${m} --node http://127.0.0.1:${this.base}`;
      return m;
    });
  }

  /** A real output as the text would show it: documented ports and directories. */
  normalize(out: string): string {
    return out
      .replaceAll(this.work, DOC_WORKDIR)
      .replaceAll(this.home, DOC_HOME)
      .replace(/(localhost:|127\.0\.0\.1:|\.\.| :|node-|--port |--base-port )(\d{5})\b/g, (m, p, n) => {
        const k = Number(n) - this.base;
        return k >= 0 && k < WINDOW ? p + (DOC_PORT + k) : m;
      });
  }

  /** Runs one command in the shell; its output (stdout and stderr) and exit status. */
  async run(cmd: string, timeoutMs = 90_000): Promise<{ out: string; rc: number }> {
    const start = this.buf.length;
    this.shell.stdin?.write(`{\n${cmd}\n} 2>&1 </dev/null; __rc=$?; printf '\\n${this.marker} %d\\n' "$__rc"; (exit $__rc)\n`);
    const re = new RegExp(`\\n${this.marker} (\\d+)\\n`);
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const m = re.exec(this.buf.slice(start));
      if (m) {
        const out = this.buf.slice(start, start + m.index);
        this.buf = this.buf.slice(0, start);
        return { out, rc: Number(m[1]) };
      }
      if (this.shell.exitCode !== null) throw new Error(`the shell exited: ${this.errBuf}`);
      if (Date.now() > deadline) throw new Error(`no answer within ${timeoutMs / 1000} s; output so far:\n${this.buf.slice(start)}`);
      await sleep(20);
    }
  }

  /** Starts a long-running command (a node, a devnet) in the background, as its own process group. */
  async start(cmd: string, docPort: number): Promise<void> {
    if (this.jobs.has(docPort))
      throw new Error(`something already runs on port ${docPort}: stop it first (<!-- doc-test: stop ${docPort} -->)`);
    const log = join(this.tmp, `job-${docPort}-${this.jobs.size}-${Date.now()}.log`);
    const { out } = await this.run(`${cmd} > '${log}' 2>&1 & echo $!`);
    this.jobs.set(docPort, { pgid: Number(out.trim()), log });
  }

  /** What a background command printed, without its JSON log lines. */
  jobOutput(docPort: number): string[] {
    const job = this.jobs.get(docPort);
    if (!job) return [];
    let text = "";
    try {
      text = readFileSync(job.log, "utf8");
    } catch {}
    return this.normalize(text)
      .split("\n")
      .filter((l) => !/^(\[node\d+ :\d+\] )?\{"level":/.test(l));
  }

  /** Whether the background command started for `docPort` still runs. */
  alive(docPort: number): boolean {
    const job = this.jobs.get(docPort);
    if (!job) return false;
    try {
      process.kill(-job.pgid, 0);
      return true;
    } catch {
      return false;
    }
  }

  /** Ctrl-C: SIGINT to the job's process group, then waits (bounded); SIGKILL if it lingers. */
  async stop(docPort: number): Promise<void> {
    const job = this.jobs.get(docPort);
    if (!job) throw new Error(`nothing was started on port ${docPort}`);
    const alive = () => this.alive(docPort);
    const signal = (s: NodeJS.Signals) => {
      try {
        process.kill(-job.pgid, s);
      } catch {}
    };
    signal("SIGINT");
    const deadline = Date.now() + 15_000;
    while (alive() && Date.now() < deadline) await sleep(50);
    if (alive()) {
      signal("SIGKILL");
      await sleep(200);
    }
    this.jobs.delete(docPort);
  }

  async close(): Promise<void> {
    for (const port of [...this.jobs.keys()]) await this.stop(port);
    try {
      if (this.shell?.pid) process.kill(-this.shell.pid, "SIGKILL");
    } catch {}
    rmSync(this.tmp, { recursive: true, force: true });
  }
}
