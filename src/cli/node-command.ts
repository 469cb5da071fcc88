/** `tinychain node`: runs a node (docs/protocol.md §8). */
import { readFileSync } from "node:fs";
import { homedir } from "node:os";
import { join, resolve } from "node:path";
import type { Command } from "commander";
import { isRuleError } from "../core/errors.js";
import { DEVNET, parseNetworkParams } from "../core/network.js";
import type { NetworkParams } from "../core/types.js";
import { isLoopback } from "../http/auth.js";
import type { TinyNode } from "../node/node.js";
import { minePaceWarning } from "./mine-pace.js";
import { allowHostOption, intOption } from "./options.js";

export interface NodeOptions {
  port: number;
  host: string;
  dataDir?: string;
  peers?: string;
  mine?: boolean;
  network?: string;
  difficulty?: number;
  threads?: number;
  mineInterval?: number;
  poolSize?: number;
  syncInterval?: number;
  rateLimit: number;
  rateLimitLoopback?: boolean;
  allowHost?: string[];
  requireToken?: boolean;
  logLevel: string;
}

export function networkFrom(opts: { network?: string; difficulty?: number }): NetworkParams {
  let params: NetworkParams = { ...DEVNET };
  if (opts.network !== undefined) {
    let raw: unknown;
    try {
      raw = JSON.parse(readFileSync(opts.network, "utf8"));
    } catch (err) {
      throw new Error(`cannot read the network file ${opts.network}: ${(err as Error).message}`);
    }
    try {
      params = parseNetworkParams(raw);
    } catch (err) {
      throw new Error(`network file ${opts.network}: ${(err as Error).message}`);
    }
  }
  if (opts.difficulty !== undefined) params = { ...params, difficulty: opts.difficulty };
  return params;
}

export async function runNode(opts: NodeOptions): Promise<void> {
  // loaded here, so the other commands (the wallet) start fast
  const [{ buildServer }, { createNode }, { makeLogger }] = await Promise.all([
    import("../http/server.js"),
    import("../node/create-node.js"),
    import("./logger.js"),
  ]);
  const params = networkFrom(opts);
  const dataDir = resolve(opts.dataDir ?? join(homedir(), ".tinychain", `node-${opts.port}`));
  const log = makeLogger(opts.logLevel);
  let node: TinyNode;
  try {
    node = createNode({
      dataDir,
      params,
      logger: log,
      mine: opts.mine ?? false,
      ...(opts.threads !== undefined ? { threads: opts.threads } : {}),
      ...(opts.mineInterval !== undefined ? { mineIntervalS: opts.mineInterval } : {}),
      ...(opts.poolSize !== undefined ? { poolSize: opts.poolSize } : {}),
      ...(opts.peers
        ? {
            peers: opts.peers
              .split(",")
              .map((p) => p.trim())
              .filter((p) => p.length > 0),
          }
        : {}),
      ...(opts.syncInterval !== undefined ? { peering: { syncIntervalS: opts.syncInterval } } : {}),
    });
  } catch (err) {
    const message = isRuleError(err) ? err.message : (err as Error).message;
    // the default data directory is named after the port: most likely the same command twice
    if (opts.dataDir === undefined && (err as { code?: unknown }).code === "store-in-use") {
      throw new Error(`${message} (is a node already running on port ${opts.port}?)`);
    }
    throw new Error(message);
  }
  const app = await buildServer(node, {
    rateLimit: { perSecond: opts.rateLimit, limitLoopback: opts.rateLimitLoopback ?? false },
    allowHosts: opts.allowHost ?? [],
    requireToken: opts.requireToken ?? false,
  });
  try {
    await app.listen({ port: opts.port, host: opts.host });
  } catch (err) {
    await node.close();
    const e = err as NodeJS.ErrnoException;
    if (e.code === "EADDRINUSE")
      throw new Error(`port ${opts.port} on ${opts.host} is in use: stop the other program or pick another --port`);
    throw err;
  }
  node.startPeering();
  if (opts.mine) {
    const pace = minePaceWarning({
      difficulty: params.difficulty,
      threads: node.miner.threads,
      retargets: params.retarget !== null,
      ...(opts.mineInterval !== undefined ? { mineIntervalS: opts.mineInterval } : {}),
    });
    if (pace !== undefined) log.warn(pace);
  }
  if (opts.host !== "localhost" && !isLoopback(opts.host)) {
    log.warn(
      { host: opts.host },
      `listening on ${opts.host}, not only loopback: operator routes need the token from ${join(dataDir, "api.token")} from other machines${opts.requireToken ? " (and from this one: --require-token)" : "; a reverse proxy on this machine makes every request look local unless you add --require-token"}`,
    );
  }
  const addr = app.server.address();
  const port = typeof addr === "object" && addr ? addr.port : opts.port;
  const host = opts.host.includes(":") ? `[${opts.host}]` : opts.host;
  const s = node.status();
  process.stdout.write(
    `tinychain node http://${host}:${port}  network ${s.network}  genesis ${s.genesis_hash}  height ${s.height}  wallet ${s.address}  data ${dataDir}${opts.mine ? "  mining" : ""}\n`,
  );
  let closing = false;
  const shutdown = (signal: string) => {
    if (closing) {
      process.exit(1);
    }
    closing = true;
    log.info({ signal }, "shutting down");
    const force = setTimeout(() => process.exit(1), 10_000);
    force.unref();
    // the search stops first: a waiting /mine is answered "shutting down" at once, rather than
    // hashing on until the server's close (which waits for it) gives up
    void node.miner
      .stop()
      .then(() => app.close())
      .then(() => node.close())
      .then(() => {
        log.flush?.();
        process.exit(0);
      })
      .catch((err) => {
        log.error({ err }, "shutdown failed");
        process.exit(1);
      });
  };
  process.on("SIGINT", () => shutdown("SIGINT"));
  process.on("SIGTERM", () => shutdown("SIGTERM"));
}

export function registerNodeCommand(program: Command): void {
  program
    .command("node")
    .description("run a node")
    .option("--port <port>", "HTTP port", intOption(0, 65535), 5000)
    .option("--host <host>", "address to listen on", "127.0.0.1")
    .option("--data-dir <dir>", "where the chain, peers and wallet live (default ~/.tinychain/node-<port>)")
    .option("--peers <urls>", "comma-separated peer URLs to register at start")
    .option("--mine", "mine continuously")
    .option(
      "--mine-interval <seconds>",
      "with --mine, rest this long after each block found (default 0: back to back)",
      intOption(0, 86_400),
    )
    .option("--network <file>", "network parameters (JSON: name, genesis_timestamp, difficulty, reward, retarget, max_block_txs, min_fee)")
    .option("--difficulty <n>", "override the network's difficulty (changes the genesis hash)", intOption(1, Number.MAX_SAFE_INTEGER))
    .option("--threads <n>", "proof-of-work threads (default: one per core)", intOption(1, 256))
    .option("--pool-size <n>", "maximum pending transactions", intOption(1, 1_000_000))
    .option("--sync-interval <seconds>", "seconds between background syncs with peers (0: only on demand)", intOption(0, 3600))
    .option(
      "--rate-limit <n>",
      "public POST requests per second per client, each transaction in one counting 0.05 more and each refused one 1 more; local clients (loopback, with a loopback Host) exempt (0: no limit)",
      intOption(0, 1_000_000),
      100,
    )
    .option("--rate-limit-loopback", "apply the rate limit to local clients too")
    .option(
      "--allow-host <names>",
      "more names (comma-separated, no port) the Host header may give for the operator routes to count a request as local, e.g. mynode.local",
      allowHostOption,
    )
    .option("--require-token", "operator routes always need the token, even from loopback (a shared machine, a reverse proxy)")
    .option("--log-level <level>", "fatal, error, warn, info, debug or trace", "info")
    .action(async (opts: NodeOptions) => {
      await runNode(opts);
    });
}
