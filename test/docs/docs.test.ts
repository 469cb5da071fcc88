/**
 * The doc test: every command in README.md and docs/*.md is run, in order, against real nodes,
 * and what it prints must be what the text shows.
 *
 * The convention, in the markdown:
 *
 * - A ```console block is tested. A line starting with `$ ` is a command; a line ending in `\`
 *   continues on the next line, and lines starting with `> ` right after a command continue it
 *   (a here-document). The lines up to the next `$ ` are the output the command must print
 *   (stdout and stderr together).
 * - Every ```sh / ```bash / ```shell block, and any other block with `$ ` lines, must be a
 *   console block or be marked `<!-- doc-test: skip REASON -->` (install steps, things a reader
 *   types in another terminal...): a shell block cannot go untested by accident.
 * - Commands run one after the other in one bash per file (so `cd`, `export` and variables
 *   carry over), started in the repository root with HOME set to a temp directory. A command
 *   that exits non-zero fails the test unless the next command is `echo $?`, which shows it.
 * - `tinychain node ...` and `tinychain devnet ...` (also as `bin/tinychain`) run until stopped:
 *   the test starts them in the background as their own process group and waits (bounded) until
 *   they have printed what the text shows (their JSON log lines left out; a devnet also until
 *   each node printed its start line). `<!-- doc-test: stop 5001 -->` is the reader's Ctrl-C
 *   on what was started with `--port 5001` (or `--base-port`; 5000 when none is given).
 * - Rewrites, so that nothing touches the reader's ports or files: ports 5000-5019 (after
 *   `localhost:`, `127.0.0.1:`, `--port`, `--base-port`) become a window of free ports on
 *   127.0.0.1; `tinychain node` without `--port` gets the first, `tinychain devnet` without
 *   `--base-port` too, `tinychain wallet` without `--node` talks to it; `/tmp/tc` (where the
 *   guide keeps its nodes and wallets) is a temp directory. Outputs are mapped back (ports,
 *   `/tmp/tc`, and HOME shown as `/home/you`) before they are compared.
 * - Masks, on both sides: 128 hex digits (signatures), 64 (hashes, ids, addresses), 8 hex
 *   followed by `…` (short ids), 10-digit times with up to 3 decimals, 13-digit millisecond
 *   times, durations as bash's `time` prints them (0m0.012s), and the values of "proof", "hashrate", "uptime", "threads", "pow", "store", "node_id", "time", "at",
 *   "last_seen", "next_try". Everything else (heights, balances, messages, codes) must match.
 *   In the shown output, `...` stands for any text in a line, and a line of only `...` for
 *   any number of lines.
 * - `<!-- doc-test: exact -->` before a block compares it without masks (values that do not
 *   vary: the test vectors of docs/protocol.md §9, genesis hashes). `<!-- doc-test: eventually -->` re-runs each
 *   command of the block until its output matches, for up to 30 s (gossip and sync take a moment).
 *
 * DOCTEST_FILES=a.md,b.md tests other files, from the repository root or absolute (e.g. a copy
 * with a wrong output, to see it fail);
 * DOCTEST_ACTUAL=DIR writes each file with the real outputs in place of the shown ones to DIR
 * (and goes on past mismatches, reporting them all at the end): run it, read the diff, paste.
 */
import { existsSync, mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { basename, join, resolve } from "node:path";
import { describe, expect, it } from "vitest";
import { ROOT } from "../helpers/node-process.js";
import { type Cmd, DOC_PORT, mask, outputMatches, parseDoc, Session } from "./doctest.js";

const FILES = process.env.DOCTEST_FILES?.split(",") ?? ["README.md", "docs/guide.md"];
const BACKGROUND = /^(?:bin\/)?tinychain (node|devnet)\b(?!.*--help)/;
const START_WAIT_MS = 60_000;
const EVENTUALLY_MS = 30_000;

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

function mismatch(where: string, c: Cmd, real: string[], note = ""): Error {
  const show = (lines: string[]) =>
    lines
      .filter((l, i) => l !== "" || i < lines.length - 1)
      .map((l) => `  | ${l}`)
      .join("\n");
  return new Error(
    `${where}: the output of\n  $ ${c.cmd}\nis not what the text shows${note}.\n--- shown (masked)\n${show(c.expected.map(mask))}\n` +
      `--- real (masked)\n${show(real.map(mask))}\n--- real\n${show(real)}`,
  );
}

/** Runs one markdown file's steps in a fresh session; the real outputs, by command. */
async function runDoc(file: string, actual: Map<Cmd, string[]>, record: boolean): Promise<void> {
  const steps = parseDoc(readFileSync(resolve(ROOT, file), "utf8"), file);
  const s = new Session(ROOT);
  const errors: Error[] = [];
  /** A mismatch ends the run, or, when recording the real outputs, is reported at the end. */
  const fail = (err: Error) => {
    if (!record) throw err;
    errors.push(err);
  };
  try {
    await s.open();
    for (const step of steps) {
      if (step.kind === "stop") {
        await s.stop(step.port);
        continue;
      }
      for (const [k, c] of step.cmds.entries()) {
        const where = `${file}:${c.line}`;
        const bg = BACKGROUND.exec(c.cmd);
        if (bg) {
          const port = Number(/--(?:base-)?port[ =](\d+)/.exec(c.cmd)?.[1] ?? DOC_PORT);
          await s.start(s.rewrite(c.cmd), port);
          const nodes = bg[1] === "devnet" ? Number(/--nodes[ =](\d+)/.exec(c.cmd)?.[1] ?? 3) : 1;
          const deadline = Date.now() + START_WAIT_MS;
          for (;;) {
            const got = s.jobOutput(port);
            actual.set(c, got);
            const ready = got.filter((l) => l.includes("tinychain node http")).length >= nodes;
            const ok = outputMatches(c.expected, got, { exact: step.exact, prefix: true });
            if (ready && (ok || record)) {
              if (!ok) fail(mismatch(where, c, got));
              break;
            }
            if (Date.now() > deadline || !s.alive(port)) throw mismatch(where, c, got, " (it stopped, or did not start in time)");
            await sleep(100);
          }
          continue;
        }
        const deadline = Date.now() + (step.eventually ? EVENTUALLY_MS : 0);
        for (;;) {
          const { out, rc } = await s.run(s.rewrite(c.cmd));
          const real = s.normalize(out).split("\n");
          actual.set(c, real);
          if (rc !== 0 && step.cmds[k + 1]?.cmd.trim() !== "echo $?") {
            fail(mismatch(where, c, real, ` (it exited with ${rc}; show that with a following \`$ echo $?\` if it is meant to)`));
            break;
          }
          if (outputMatches(c.expected, real, { exact: step.exact })) break;
          if (Date.now() > deadline || (record && c.expected.length === 0)) {
            fail(mismatch(where, c, real));
            break;
          }
          await sleep(500);
        }
      }
    }
  } finally {
    await s.close();
  }
  if (errors.length > 0) throw new Error(errors.map((e) => e.message).join("\n\n"));
}

/** The file with the real outputs in place of the shown ones (DOCTEST_ACTUAL). */
function writeActual(dir: string, file: string, actual: Map<Cmd, string[]>): void {
  const lines = readFileSync(resolve(ROOT, file), "utf8").split("\n");
  const cmds = [...actual.keys()].sort((a, b) => b.out[0] - a.out[0]);
  for (const c of cmds)
    lines.splice(c.out[0], c.out[1] - c.out[0], ...(actual.get(c) ?? []).filter((l, i, a) => i < a.length - 1 || l !== ""));
  mkdirSync(dir, { recursive: true });
  writeFileSync(join(dir, basename(file)), lines.join("\n"));
}

describe("the docs' commands", () => {
  it("need a build", () => {
    expect(existsSync(join(ROOT, "dist/cli/main.js")), "run `npm run build` first").toBe(true);
  });

  for (const file of FILES) {
    it(`${file}: every command prints what the text shows`, { timeout: 600_000 }, async () => {
      const actual = new Map<Cmd, string[]>();
      try {
        await runDoc(file, actual, process.env.DOCTEST_ACTUAL !== undefined);
      } finally {
        if (process.env.DOCTEST_ACTUAL) writeActual(process.env.DOCTEST_ACTUAL, file, actual);
      }
    });
  }
});

describe("the doc test's matching", () => {
  const hash = "ab".repeat(32);
  it("masks what varies, and nothing else", () => {
    expect(outputMatches([`{"hash":"${hash}","proof":12,"index":2}`], [`{"hash":"${"cd".repeat(32)}","proof":99,"index":2}`])).toBe(true);
    expect(outputMatches([`{"hash":"${hash}","index":2}`], [`{"hash":"${hash}","index":3}`])).toBe(false);
    expect(outputMatches(["balance  3 coins"], ["balance  4 coins"])).toBe(false);
    expect(outputMatches([`id ${hash}`], [`id ${"cd".repeat(32)}`], { exact: true })).toBe(false);
    expect(outputMatches(["made at 1795509929.192"], ["made at 1795510000.5"])).toBe(true);
  });
  it("takes ... for any text, and a line of ... for any lines", () => {
    expect(outputMatches(['{"chain":[...],"length":3}'], ['{"chain":[{"index":1},{"index":2}],"length":3}'])).toBe(true);
    expect(outputMatches(['{"chain":[...],"length":3}'], ['{"chain":[],"length":4}'])).toBe(false);
    expect(outputMatches(["a", "...", "d"], ["a", "b", "c", "d"])).toBe(true);
    expect(outputMatches(["a", "...", "d"], ["a", "d"])).toBe(true);
    expect(outputMatches(["a", "d"], ["a", "b", "d"])).toBe(false);
    expect(outputMatches(["a"], ["a", "b"], { prefix: true })).toBe(true);
    expect(outputMatches(["a"], [])).toBe(false);
  });
  it("refuses a shell block that is neither tested nor skipped", () => {
    expect(() => parseDoc("```sh\nrm -rf /\n```\n", "x.md")).toThrow(/untested shell block/);
    expect(() => parseDoc("```\n$ curl x\n```\n", "x.md")).toThrow(/untested shell block/);
    expect(parseDoc("<!-- doc-test: skip installs -->\n```sh\nnpm ci\n```\n", "x.md")).toEqual([]);
    const [b] = parseDoc("```console\n$ cat <<EOF\n> hi\n> EOF\nhi\n$ echo a \\\n  b\na b\n```\n", "x.md");
    expect(b).toMatchObject({
      kind: "block",
      cmds: [
        { cmd: "cat <<EOF\nhi\nEOF", expected: ["hi"] },
        { cmd: "echo a \\\n  b", expected: ["a b"] },
      ],
    });
  });
});
