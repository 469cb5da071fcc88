/**
 * `tinychain devnet --nodes N [--mine]`: N nodes on consecutive ports, each registered with
 * the others, their logs prefixed by node; Ctrl-C stops them all cleanly.
 */
import { type ChildProcess, spawn } from "node:child_process";
import { homedir } from "node:os";
import { join, resolve } from "node:path";
import { createInterface } from "node:readline";
import { fileURLToPath } from "node:url";
import type { Command } from "commander";
import { allowHostOption, intOption } from "./options.js";
import { misnamedOption } from "./usage.js";

interface DevnetOptions {
  nodes: number;
  basePort: number;
  host: string;
  dataDir?: string;
  mine?: boolean;
  mineInterval?: number;
  difficulty?: number;
  network?: string;
  allowHost?: string[];
  requireToken?: boolean;
  logLevel: string;
}

const MAIN = fileURLToPath(new URL("./main.js", import.meta.url));

export async function runDevnet(opts: DevnetOptions): Promise<void> {
  const base = resolve(opts.dataDir ?? join(homedir(), ".tinychain", "devnet"));
  const ports = Array.from({ length: opts.nodes }, (_, i) => opts.basePort + i);
  const children: ChildProcess[] = [];
  let stopping = false;
  for (const [i, port] of ports.entries()) {
    const peers = ports.filter((p) => p !== port).map((p) => `http://${opts.host}:${p}`);
    const args = [
      MAIN,
      "node",
      "--port",
      String(port),
      "--host",
      opts.host,
      "--data-dir",
      join(base, `node${i + 1}`),
      "--threads",
      "1",
      "--log-level",
      opts.logLevel,
      ...(peers.length > 0 ? ["--peers", peers.join(",")] : []),
      ...(opts.mine ? ["--mine"] : []),
      ...(opts.mine && opts.mineInterval !== undefined ? ["--mine-interval", String(opts.mineInterval)] : []),
      ...(opts.difficulty !== undefined ? ["--difficulty", String(opts.difficulty)] : []),
      ...(opts.network !== undefined ? ["--network", opts.network] : []),
      ...(opts.allowHost && opts.allowHost.length > 0 ? ["--allow-host", opts.allowHost.join(",")] : []),
      ...(opts.requireToken ? ["--require-token"] : []),
    ];
    const env = { ...process.env, ...(process.stdout.isTTY ? { TINYCHAIN_LOG_FORMAT: "pretty" } : {}) };
    const child = spawn(process.execPath, args, { stdio: ["ignore", "pipe", "pipe"], env });
    const prefix = `[node${i + 1} :${port}] `;
    for (const stream of [child.stdout, child.stderr]) {
      if (stream) createInterface({ input: stream }).on("line", (line) => process.stdout.write(prefix + line + "\n"));
    }
    child.on("exit", (code, signal) => {
      if (!stopping) {
        process.stdout.write(`${prefix}exited (${signal ?? code}); stopping the devnet\n`);
        stop(1);
      }
    });
    children.push(child);
  }
  process.stdout.write(
    `tinychain devnet: ${opts.nodes} node(s) on http://${opts.host}:${ports[0]}..${ports.at(-1)}, data in ${base}${opts.mine ? ", mining" : ""}; Ctrl-C stops them all\n`,
  );
  const stop = (code: number) => {
    if (stopping) return;
    stopping = true;
    for (const c of children) if (c.exitCode === null) c.kill("SIGTERM");
    const force = setTimeout(() => {
      for (const c of children) if (c.exitCode === null) c.kill("SIGKILL");
    }, 10_000);
    force.unref();
    void Promise.all(children.map((c) => (c.exitCode !== null ? Promise.resolve() : new Promise((r) => c.once("exit", r))))).then(() =>
      process.exit(code),
    );
  };
  process.on("SIGINT", () => stop(0));
  process.on("SIGTERM", () => stop(0));
}

export function registerDevnetCommand(program: Command): void {
  const devnet = program
    .command("devnet")
    .description("run N nodes on consecutive ports, each registered with the others")
    .option("--nodes <n>", "how many nodes", intOption(1, 32), 3)
    .option("--base-port <port>", "port of the first node", intOption(1, 65535), 5000)
    .option("--host <host>", "address the nodes listen on", "127.0.0.1")
    .option("--data-dir <dir>", "parent directory of the nodes' data (default ~/.tinychain/devnet)")
    .option("--mine", "every node mines (one thread each)")
    .option("--mine-interval <seconds>", "with --mine, each node rests this long after each block it finds", intOption(0, 86_400))
    .option("--difficulty <n>", "override the network's difficulty", intOption(1, Number.MAX_SAFE_INTEGER))
    .option("--network <file>", "network parameters file")
    .option("--allow-host <names>", "more Host names the nodes' operator routes accept as local (see node --help)", allowHostOption)
    .option("--require-token", "the nodes' operator routes always need their token, even from loopback")
    .option("--log-level <level>", "log level of the nodes", "info")
    .action(async (opts: DevnetOptions) => {
      await runDevnet(opts);
    });
  misnamedOption(devnet, "--port", "--base-port");
}
