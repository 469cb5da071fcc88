/**
 * The API fuzzing scenario: one node (difficulty 16) with a few blocks and a funded key,
 * then `requests` fuzzed requests (fuzz.ts); afterwards the node must be up, its chain must
 * pass the independent checks, and it must have logged no error.
 */
import { childBlock, devnetAt, extendChain, keyFor, signTransfer, toApi } from "./chains.js";
import { type FuzzContext, type FuzzReport, runFuzz } from "./fuzz.js";
import { inspectNode } from "./inspect.js";
import { getJson, removeDir, request, startNode, tempDir } from "./proc.js";

export interface ApiFuzzOptions {
  requests: number;
  seed: number;
  concurrency?: number;
  timeLimitMs?: number;
  log?: (msg: string) => void;
}

export interface ApiFuzzResult {
  report: FuzzReport;
  /** Problems found by the independent chain check after the run. */
  chainProblems: string[];
  /** Error or fatal log lines the node wrote. */
  logErrors: string[];
  alive: boolean;
  height: number;
}

const DIFFICULTY = 16;

export async function apiFuzz(opts: ApiFuzzOptions): Promise<ApiFuzzResult> {
  const params = devnetAt(DIFFICULTY);
  const dir = tempDir("tc-fuzz-");
  const node = await startNode({ dataDir: dir, difficulty: DIFFICULTY });
  try {
    // a funded key: three blocks mined offline to it
    const funded = keyFor("fuzz funded");
    const chain = extendChain(params, 3, funded.address);
    for (const b of chain.slice(1)) {
      const r = await request(`${node.url}/blocks`, { json: toApi(b), timeoutMs: 30_000 });
      if (r.status !== 202) throw new Error(`funding block ${b.index}: ${r.status} ${r.text}`);
    }
    const status = await getJson(`${node.url}/status`);
    const tx = signTransfer(funded, { recipient: keyFor("fuzz recipient").address, amount: 1, fee: 1, nonce: 0, network: params.name });
    const tip = chain[chain.length - 1];
    if (tip === undefined) throw new Error("no chain to build on");
    const block = toApi(childBlock(tip, [tx], funded.address, params));
    const hashes = chain.map((b) => toApi(b).hash);
    const ctx: FuzzContext = {
      tx: { ...tx },
      block: { ...block },
      hashes,
      addresses: [funded.address, status.address, keyFor("fuzz recipient").address],
      txIds: [tx.id, ...chain.flatMap((b) => toApi(b).transactions.map((t) => t.id as string))],
    };
    const report = await runFuzz(ctx, {
      host: "127.0.0.1",
      port: node.port,
      requests: opts.requests,
      seed: opts.seed,
      concurrency: opts.concurrency ?? 8,
      ...(opts.timeLimitMs !== undefined ? { timeLimitMs: opts.timeLimitMs } : {}),
      healthCheck: async () => {
        if (!node.alive()) return "the node exited";
        try {
          await getJson(`${node.url}/status`, 30_000);
        } catch (err) {
          return `the node stopped answering: ${(err as Error).message}`;
        }
        return undefined;
      },
      onProgress: (r) => {
        if (opts.log && r.sent % 10_000 === 0)
          opts.log(`fuzz: ${r.sent} sent, ${r.fiveXX} 5xx, ${r.noAnswer} unanswered, ${Math.round(r.ms / 1000)} s`);
      },
    });
    const alive = node.alive();
    const inspection = alive ? await inspectNode(node.url, { difficulty: DIFFICULTY, reward: params.reward }) : undefined;
    const logErrors = node
      .output()
      .split("\n")
      .filter((l) => /"level":(50|60)/.test(l))
      .slice(0, 20);
    return {
      report,
      chainProblems: inspection?.problems ?? ["the node is not running"],
      logErrors,
      alive,
      height: inspection?.chain.length ?? 0,
    };
  } finally {
    await node.stop();
    removeDir(dir);
  }
}
