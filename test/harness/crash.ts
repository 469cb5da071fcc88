/**
 * Crash safety: kill -9 at random moments, then restart on the same data dir.
 *
 * - mining: a node mining continuously (--mine) while transactions are sent to it;
 * - sync: a second node syncing a long chain from a first one;
 * - reorg: a node whose own blocks (holding accepted transactions) are being replaced by a
 *   heavier branch from a scripted peer.
 *
 * After every restart: the chain passes the independent checks (check.ts); every block seen
 * on the main chain before the kill (GET /blocks) is still there; every transaction answered
 * 201 is still known (pending or confirmed); and the node catches up with its peers.
 */

import { Rng } from "../../src/sim/rng.js";
import { type Block, blockHash, devnetAt, extendChain, fromApi, keyFor, signTransfer, toApi } from "./chains.js";
import { type FakePeer, serveChain, startFakePeer } from "./fake-peer.js";
import { inspectNode } from "./inspect.js";
import { getJson, type RunningNode, removeDir, request, sleep, startNode, tempDir, waitFor } from "./proc.js";

export type CrashKind = "mining" | "sync" | "reorg";

export interface CrashOptions {
  cycles: number;
  seed: number;
  kinds?: CrashKind[];
  timeLimitMs?: number;
  log?: (msg: string) => void;
}

export interface CrashReport {
  cycles: number;
  survived: number;
  byKind: Record<string, { cycles: number; survived: number }>;
  /** Blocks seen on a main chain before a kill, and how many were missing after it. */
  blocksObserved: number;
  blocksLost: number;
  /** Transactions answered 201 before a kill, and how many were unknown after it. */
  txsAccepted: number;
  txsLost: number;
  problems: string[];
  ms: number;
  stoppedEarly?: string;
}

const MINING_DIFFICULTY = 200_000;
const CHAIN_DIFFICULTY = 16;

class Observed {
  /** height → hash of main-chain blocks seen. */
  readonly blocks = new Map<number, string>();
  readonly txs = new Set<string>();
  /** Reads the main chain from `from` (bounded); remembers what it saw. */
  async poll(url: string, from: number): Promise<number> {
    const r = await request(`${url}/blocks?from=${from}&limit=500`, { timeoutMs: 10_000 });
    if (r.status !== 200) return from;
    for (const b of r.body.blocks as Array<{ index: number; hash: string }>) this.blocks.set(b.index, b.hash);
    return from + (r.body.blocks as unknown[]).length;
  }
}

/** Transactions no longer known (neither pending nor confirmed). */
async function lostTxs(url: string, ids: Iterable<string>): Promise<string[]> {
  const lost: string[] = [];
  for (const id of ids) {
    const r = await request(`${url}/transactions/${id}`, { timeoutMs: 30_000 });
    if (r.status !== 200) lost.push(id);
  }
  return lost;
}

/** Blocks seen before the kill that are not on the main chain after it; transactions no longer known. */
async function lostAfter(url: string, seen: Observed): Promise<{ blocks: string[]; txs: string[] }> {
  const lostBlocks: string[] = [];
  const heights = [...seen.blocks.keys()].sort((a, b) => a - b);
  for (let i = 0; i < heights.length; i += 500) {
    const from = heights[i] as number;
    const r = await request(`${url}/blocks?from=${from}&limit=500`, { timeoutMs: 30_000 });
    const byHeight = new Map<number, string>((r.body?.blocks ?? []).map((b: { index: number; hash: string }) => [b.index, b.hash]));
    for (const h of heights.slice(i, i + 500)) if (byHeight.get(h) !== seen.blocks.get(h)) lostBlocks.push(`${h}:${seen.blocks.get(h)}`);
  }
  return { blocks: lostBlocks, txs: await lostTxs(url, seen.txs) };
}

export async function crashCycles(opts: CrashOptions): Promise<CrashReport> {
  const t0 = Date.now();
  const rng = new Rng(opts.seed);
  const kinds = opts.kinds ?? ["mining", "sync", "reorg"];
  const report: CrashReport = {
    cycles: 0,
    survived: 0,
    byKind: {},
    blocksObserved: 0,
    blocksLost: 0,
    txsAccepted: 0,
    txsLost: 0,
    problems: [],
    ms: 0,
  };
  const dirs: string[] = [];
  const running: RunningNode[] = [];
  const peers: FakePeer[] = [];
  const dir = () => {
    const d = tempDir("tc-crash-");
    dirs.push(d);
    return d;
  };
  const start = async (o: Parameters<typeof startNode>[0]) => {
    const n = await startNode(o);
    running.push(n);
    return n;
  };
  const scenarios: Record<CrashKind, () => Promise<(cycle: number) => Promise<string[]>>> = {
    mining: async () => {
      const d = dir();
      let node = await start({ dataDir: d, difficulty: MINING_DIFFICULTY, args: ["--mine", "--sync-interval", "0"] });
      const recipients = Array.from({ length: 4 }, (_, i) => keyFor(`crash recipient ${i}`).address);
      return async () => {
        const seen = new Observed();
        // earlier blocks were checked in earlier cycles (and the whole chain is checked after each restart)
        let next = Math.max(1, (await getJson(`${node.url}/status`)).height - 20);
        const until = Date.now() + rng.int(300, 3000);
        while (Date.now() < until) {
          const r = await request(`${node.url}/transactions/new`, {
            json: { recipient: rng.pick(recipients), amount: 1 },
            timeoutMs: 10_000,
          }).catch(() => undefined);
          if (r?.status === 201) seen.txs.add(r.body.id);
          next = await seen.poll(node.url, next);
          await sleep(rng.int(0, 40));
        }
        await node.kill();
        node = await start({ dataDir: d, difficulty: MINING_DIFFICULTY, args: ["--mine", "--sync-interval", "0"] });
        const problems = await afterRestart(node, seen, MINING_DIFFICULTY);
        return problems;
      };
    },
    sync: async () => {
      const params = devnetAt(CHAIN_DIFFICULTY);
      const payer = keyFor("crash sync payer");
      let chain = extendChain(params, 5, payer.address);
      let nonce = 0;
      const grow = (n: number) => {
        chain = extendChain(params, n, payer.address, {
          base: chain,
          txsAt: () =>
            rng.chance(0.5)
              ? [signTransfer(payer, { recipient: keyFor("crash sync r").address, amount: 1, nonce: nonce++, network: params.name })]
              : [],
        });
      };
      grow(600);
      const source = await start({ dataDir: dir(), difficulty: CHAIN_DIFFICULTY, args: ["--sync-interval", "1"] });
      const feeder = await startFakePeer(serveChain(chain));
      peers.push(feeder);
      const reg = await request(`${source.url}/nodes/register`, { json: { nodes: [feeder.url] }, timeoutMs: 60_000 });
      if (reg.status !== 201) throw new Error(`registering the feeder: ${reg.status} ${reg.text}`);
      const sourceAt = async (height: number) =>
        waitFor(`the source node at height ${height}`, async () => (await getJson(`${source.url}/status`)).height >= height, 120_000, 200);
      await sourceAt(chain.length);
      const d = dir();
      return async () => {
        // the source grows; the syncing node starts, syncs, and is killed at a random moment
        grow(rng.int(100, 400));
        feeder.setHandler(serveChain(chain));
        await sourceAt(chain.length);
        const seen = new Observed();
        let node = await start({ dataDir: d, difficulty: CHAIN_DIFFICULTY, args: ["--peers", source.url, "--sync-interval", "1"] });
        let next = Math.max(1, (await getJson(`${node.url}/status`)).height - 20);
        const until = Date.now() + rng.int(50, 2500);
        while (Date.now() < until) {
          next = await seen.poll(node.url, next);
          await sleep(rng.int(0, 30));
        }
        await node.kill();
        node = await start({ dataDir: d, difficulty: CHAIN_DIFFICULTY, args: ["--peers", source.url, "--sync-interval", "1"] });
        const problems = await afterRestart(node, seen, CHAIN_DIFFICULTY);
        const tip = blockHash(chain.at(-1) as Block);
        try {
          await waitFor(
            "the restarted node to catch up with its peer",
            async () => (await getJson(`${node.url}/status`)).tip === tip,
            120_000,
            200,
          );
        } catch (err) {
          problems.push((err as Error).message);
        }
        problems.push(...(await inspectNode(node.url, { difficulty: CHAIN_DIFFICULTY, reward: 1 })).problems);
        await node.stop();
        return problems;
      };
    },
    reorg: async () => {
      const params = devnetAt(CHAIN_DIFFICULTY);
      const payers = Array.from({ length: 3 }, (_, i) => keyFor(`crash reorg payer ${i}`));
      const miner = keyFor("crash reorg miner").address;
      const d = dir();
      let node = await start({ dataDir: d, difficulty: CHAIN_DIFFICULTY, args: ["--sync-interval", "0"] });
      // funding: one block per payer
      let funded: Block[] = extendChain(params, 0, miner);
      for (const p of payers) funded = extendChain(params, 1, p.address, { base: funded });
      for (const p of payers) funded = extendChain(params, 1, p.address, { base: funded });
      for (const b of funded.slice(1)) await request(`${node.url}/blocks`, { json: toApi(b), timeoutMs: 30_000 });
      const peer = await startFakePeer(serveChain(funded));
      peers.push(peer);
      const reg = await request(`${node.url}/nodes/register`, { json: { nodes: [peer.url] }, timeoutMs: 60_000 });
      if (reg.status !== 201) throw new Error(`registering the scripted peer: ${reg.status} ${reg.text}`);
      return async () => {
        const seen = new Observed();
        // the node's own blocks, holding transactions it accepted (201)
        const main = ((await getJson(`${node.url}/chain`, 60_000)).chain as Array<Record<string, unknown>>).map((b) => fromApi(b));
        const own = rng.int(5, 40);
        for (let i = 0; i < own; i++) {
          for (const p of payers) {
            if (!rng.chance(0.6)) continue;
            const acct = await getJson(`${node.url}/accounts/${p.address}`);
            if (acct.pending.balance < 2) continue;
            const tx = signTransfer(p, {
              recipient: miner,
              amount: 1,
              fee: rng.int(0, 1),
              nonce: acct.pending.nonce,
              network: params.name,
            });
            const r = await request(`${node.url}/transactions`, { json: tx, timeoutMs: 30_000 });
            if (r.status === 201) seen.txs.add(r.body.id);
          }
          const m = await request(`${node.url}/mine`, { timeoutMs: 60_000 });
          if (m.status !== 200) return [`/mine: ${m.status} ${m.text.slice(0, 200)}`];
        }
        // the whole main chain, page by page (bounded)
        for (let from = 1, pages = 0; pages < 1000; pages++) {
          const next = await seen.poll(node.url, from);
          if (next === from) break;
          from = next;
        }
        // a heavier branch from before those blocks, without their transactions
        const branch = extendChain(params, own + rng.int(1, 30), miner, { base: main });
        peer.setHandler(serveChain(branch));
        const resolving = request(`${node.url}/nodes/resolve`, { timeoutMs: 60_000 }).catch(() => undefined);
        await sleep(rng.int(0, 600));
        await node.kill();
        await resolving;
        node = await start({ dataDir: d, difficulty: CHAIN_DIFFICULTY, args: ["--sync-interval", "0"] });
        // blocks of the abandoned chain may legitimately be gone if the switch committed
        const after = (await getJson(`${node.url}/chain`, 60_000)).chain as Array<{ hash: string }>;
        const onBranch = new Set(branch.map((b) => blockHash(b)));
        const onOld = new Set(seen.blocks.values());
        const problems: string[] = [];
        if (!after.every((b) => onOld.has(b.hash)) && !after.every((b) => onBranch.has(b.hash))) {
          problems.push("after the kill the main chain mixes the old chain and the new branch");
        }
        if (after.every((b) => onOld.has(b.hash)) && after.length !== seen.blocks.size)
          problems.push("after the kill the old chain is cut short");
        // transactions: still known (pending or confirmed), whichever chain won
        const lost = await lostTxs(node.url, seen.txs);
        report.txsAccepted += seen.txs.size;
        report.txsLost += lost.length;
        for (const id of lost) problems.push(`transaction ${id} (answered 201) is lost after the kill`);
        problems.push(...(await inspectNode(node.url, { difficulty: CHAIN_DIFFICULTY, reward: 1 })).problems);
        // catching up: the branch wins; the abandoned transactions are pending again, then mined
        const r = await request(`${node.url}/nodes/resolve`, { timeoutMs: 120_000 });
        if (r.status !== 200) problems.push(`/nodes/resolve after the restart: ${r.status}`);
        const tip = blockHash(branch.at(-1) as Block);
        if ((await getJson(`${node.url}/status`)).tip !== tip) problems.push("the restarted node did not catch up with its peer");
        for (const id of seen.txs) {
          const t = await request(`${node.url}/transactions/${id}`, { timeoutMs: 30_000 });
          if (t.status !== 200) problems.push(`transaction ${id} is lost after the reorganisation`);
        }
        problems.push(...(await inspectNode(node.url, { difficulty: CHAIN_DIFFICULTY, reward: 1 })).problems);
        return problems;
      };
    },
  };

  /** Common checks after a restart: valid chain, nothing seen before the kill is missing. */
  async function afterRestart(node: RunningNode, seen: Observed, difficulty: number): Promise<string[]> {
    const problems: string[] = [];
    const lost = await lostAfter(node.url, seen);
    report.blocksObserved += seen.blocks.size;
    report.blocksLost += lost.blocks.length;
    report.txsAccepted += seen.txs.size;
    report.txsLost += lost.txs.length;
    for (const b of lost.blocks.slice(0, 5)) problems.push(`block ${b} (seen before the kill) is not on the main chain after it`);
    for (const id of lost.txs.slice(0, 5)) problems.push(`transaction ${id} (answered 201) is lost after the kill`);
    problems.push(...(await inspectNode(node.url, { difficulty, reward: 1 })).problems);
    return problems;
  }

  try {
    const runners = new Map<CrashKind, (cycle: number) => Promise<string[]>>();
    for (let i = 0; i < opts.cycles; i++) {
      if (opts.timeLimitMs !== undefined && Date.now() - t0 > opts.timeLimitMs) {
        report.stoppedEarly = `time limit of ${opts.timeLimitMs} ms reached after ${i} cycles`;
        break;
      }
      const kind = kinds[i % kinds.length] as CrashKind;
      let run = runners.get(kind);
      if (run === undefined) {
        run = await scenarios[kind]();
        runners.set(kind, run);
      }
      report.cycles++;
      const stat = (report.byKind[kind] ??= { cycles: 0, survived: 0 });
      stat.cycles++;
      let problems: string[];
      try {
        problems = await run(i);
      } catch (err) {
        problems = [`cycle failed: ${(err as Error).stack ?? String(err)}`];
      }
      if (problems.length === 0) {
        report.survived++;
        stat.survived++;
      } else {
        for (const p of problems.slice(0, 10)) if (report.problems.length < 50) report.problems.push(`cycle ${i + 1} (${kind}): ${p}`);
      }
      opts.log?.(`crash: cycle ${i + 1} (${kind}) ${problems.length === 0 ? "survived" : `FAILED: ${problems[0]}`}`);
    }
  } finally {
    await Promise.allSettled(running.map((n) => n.stop()));
    await Promise.allSettled(peers.map((p) => p.close()));
    for (const d of dirs) removeDir(d);
    report.ms = Date.now() - t0;
  }
  return report;
}
