/**
 * The CLI's answers to usage mistakes (docs/protocol.md §8): the error and where the help is, not
 * the whole help; `--version`; and `devnet --port` pointing at `--base-port`.
 */
import { execFile } from "node:child_process";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { BIN, ROOT } from "../helpers/node-process.js";

interface Run {
  code: number | null;
  stdout: string;
  stderr: string;
}

function cli(args: string[]): Promise<Run> {
  return new Promise((resolve) => {
    execFile(process.execPath, [BIN, ...args], { cwd: ROOT, timeout: 15_000 }, (err, stdout, stderr) => {
      const code = err ? ((err as { code?: unknown }).code as number | null) : 0;
      resolve({ code: typeof code === "number" ? code : null, stdout, stderr });
    });
  });
}

describe("tinychain usage errors", () => {
  it("prints the error and the help command to run, not the whole help", async () => {
    const r = await cli(["wallet", "send", "abc"]);
    expect(r.code).toBe(1);
    expect(r.stdout).toBe("");
    expect(r.stderr).toBe("error: missing required argument 'amount'\n(see `tinychain wallet send --help`)\n");
    expect(r.stderr).not.toContain("Usage:");
  });

  it("prints the package version with --version and -V", async () => {
    const { version } = JSON.parse(readFileSync(join(ROOT, "package.json"), "utf8")) as { version: string };
    for (const flag of ["--version", "-V"]) {
      const r = await cli([flag]);
      expect(r.code, flag).toBe(0);
      expect(r.stdout, flag).toBe(`${version}\n`);
    }
  });

  it("suggests --base-port for devnet --port, with or without a value, and starts nothing", async () => {
    for (const args of [["--port", "5000"], ["--port"]]) {
      const r = await cli(["devnet", ...args]);
      expect(r.code, args.join(" ")).toBe(1);
      expect(r.stderr).toBe("error: unknown option '--port'\n(Did you mean --base-port?)\n(see `tinychain devnet --help`)\n");
      expect(r.stdout).toBe("");
    }
    const help = await cli(["devnet", "--help"]);
    expect(help.stdout).toContain("--base-port");
    expect(help.stdout).not.toMatch(/--port\b/);
  });
});
