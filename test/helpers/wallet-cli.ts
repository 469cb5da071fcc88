/**
 * Runs `bin/tinychain wallet ...` as a child process (bounded in time) for integration
 * tests, and a few node helpers (mine, fund) over the node's HTTP API on 127.0.0.1.
 */
import { spawn } from "node:child_process";
import { BIN, http, ROOT } from "./node-process.js";

export interface CliResult {
  code: number | null;
  stdout: string;
  stderr: string;
  /** stdout parsed as JSON (with --json), or undefined. */
  // biome-ignore lint/suspicious/noExplicitAny: tests read the JSON field by field
  json: any;
}

export interface CliOptions {
  node: string;
  wallet: string;
  env?: Record<string, string | undefined>;
  /** Add --json (default true). */
  json?: boolean;
  timeoutMs?: number;
}

/** `tinychain wallet ARGS --json --node URL --wallet DIR`; never hangs (SIGKILL after the timeout). */
export function wallet(args: string[], opts: CliOptions): Promise<CliResult> {
  const full = [BIN, "wallet", ...args, ...(opts.json === false ? [] : ["--json"]), "--node", opts.node, "--wallet", opts.wallet];
  const env: Record<string, string | undefined> = { ...process.env, TINYCHAIN_PASSPHRASE: undefined, ...opts.env };
  for (const k of Object.keys(env)) if (env[k] === undefined) delete env[k];
  const proc = spawn(process.execPath, full, { cwd: ROOT, env: env as NodeJS.ProcessEnv, stdio: ["ignore", "pipe", "pipe"] });
  let stdout = "";
  let stderr = "";
  proc.stdout.on("data", (d) => {
    stdout += d.toString();
  });
  proc.stderr.on("data", (d) => {
    stderr += d.toString();
  });
  const timer = setTimeout(() => proc.kill("SIGKILL"), opts.timeoutMs ?? 30_000);
  return new Promise((resolve) => {
    proc.once("close", (code) => {
      clearTimeout(timer);
      let json: unknown;
      try {
        json = JSON.parse(stdout);
      } catch {
        json = undefined;
      }
      resolve({ code, stdout, stderr, json });
    });
  });
}

/** Like `wallet`, but fails the test unless the command succeeds; returns its JSON. */
// biome-ignore lint/suspicious/noExplicitAny: tests read the JSON field by field
export async function walletOk(args: string[], opts: CliOptions): Promise<any> {
  const r = await wallet(args, opts);
  if (r.code !== 0) throw new Error(`tinychain wallet ${args.join(" ")} exited ${r.code}:\n${r.stderr}${r.stdout}`);
  return r.json;
}

/** Mines one block on the node (operator route, open to loopback). */
export async function mine(url: string): Promise<number> {
  const r = await http(`${url}/mine`);
  if (r.status !== 200) throw new Error(`mine failed: ${r.status} ${r.text}`);
  return r.body.index as number;
}

/** Sends `amount` coins from the node's own wallet to `address` and mines them in (mining the coins first). */
export async function fund(url: string, address: string, amount: number): Promise<void> {
  for (let i = 0; i <= amount; i++) await mine(url); // devnet reward is 1 coin per block
  const r = await http(`${url}/transactions/new`, { body: { recipient: address, amount } });
  if (r.status !== 201) throw new Error(`funding failed: ${r.status} ${r.text}`);
  await mine(url);
}

/** Waits (bounded) until the node's pool holds a transaction, then mines it; returns the block index. */
export async function mineWhenPending(url: string, timeoutMs = 15_000): Promise<number> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if ((await http(`${url}/status`)).body.pending > 0) return mine(url);
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error("no transaction reached the pool");
}
