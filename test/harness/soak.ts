/**
 * The soak: three nodes on 127.0.0.1, two of them mining (--mine, low difficulty), all
 * registered with each other; signed transfers from many senders sent to random nodes; one
 * node killed (-9) midway and restarted on the same data dir and port. At the end (mining
 * stopped, everyone resolved): every transaction answered 201 is confirmed exactly once on
 * every node, the three chains are identical, and each passes the independent checks with
 * its coins conserved.
 */
import { writeFileSync } from "node:fs";
import { join } from "node:path";
import type { NetworkParams } from "../../src/core/types.js";
import { Rng } from "../../src/sim/rng.js";
import { keyFor, signTransfer } from "./chains.js";
import { type ApiBlock, chainProblems } from "./check.js";
import { inspectNode } from "./inspect.js";
import { getJson, type RunningNode, removeDir, request, sleep, startNode, tempDir, waitFor } from "./proc.js";

export interface SoakOptions {
  txs: number;
  senders?: number;
  seed: number;
  /** Which node (0, 1 or 2; 2 does not mine) is killed midway; -1: none. Default 2. */
  kill?: number;
  difficulty?: number;
  /** Parallel senders. */
  concurrency?: number;
  timeLimitMs?: number;
  log?: (msg: string) => void;
}

export interface SoakReport {
  txsSent: number;
  /** Answered 201 by some node. */
  txsAccepted: number;
  /** Statuses of the answers that were not 201 (a retry after a refused connection counts once). */
  refusals: Record<string, number>;
  /** Accepted transactions confirmed exactly once on every node. */
  confirmedExactlyOnce: number;
  missing: string[];
  duplicated: string[];
  chainsIdentical: boolean;
  height: number;
  killed: string | null;
  /** Accepted transactions back in the pools (their blocks abandoned) when the miners stopped, mined again by hand. */
  remined: number;
  /** Blocks mined by hand at the end (ties broken, pending confirmed). */
  handMined: number;
  problems: string[];
  ms: number;
  stoppedEarly?: string;
}

const REWARD = 1_000_000;

export async function soak(opts: SoakOptions): Promise<SoakReport> {
  const t0 = Date.now();
  const rng = new Rng(opts.seed);
  const difficulty = opts.difficulty ?? 2_000_000;
  const params: NetworkParams = {
    name: "soaknet",
    genesis_timestamp: 1506092455,
    difficulty,
    reward: REWARD,
    retarget: null,
    max_block_txs: 1000,
    min_fee: 0,
  };
  const report: SoakReport = {
    txsSent: 0,
    txsAccepted: 0,
    refusals: {},
    confirmedExactlyOnce: 0,
    missing: [],
    duplicated: [],
    chainsIdentical: false,
    height: 0,
    killed: null,
    remined: 0,
    handMined: 0,
    problems: [],
    ms: 0,
  };
  const problem = (msg: string) => {
    if (report.problems.length < 50) report.problems.push(msg);
  };
  const root = tempDir("tc-soak-");
  const networkFile = join(root, "network.json");
  writeFileSync(networkFile, JSON.stringify(params));
  const dirs = [0, 1, 2].map((i) => join(root, `node${i}`));
  const mines = [true, true, false];
  const all: RunningNode[] = [];
  const launch = async (i: number, port: number, mine: boolean) => {
    const n = await startNode({ dataDir: dirs[i] as string, networkFile, port, args: mine ? ["--mine"] : [] });
    all.push(n);
    return n;
  };
  const nodes: RunningNode[] = [];
  /** A node that is not running (other than the one killed on purpose, and restarted since) is a finding. */
  const deadNodes = (when: string): boolean => {
    let dead = false;
    for (const [i, n] of nodes.entries()) {
      if (n.alive()) continue;
      dead = true;
      problem(
        `${when}, node ${i} is not running (exit code ${n.proc.exitCode}, signal ${n.proc.signalCode}); its last output: ${n.output().slice(-3000)}`,
      );
    }
    return dead;
  };
  try {
    for (let i = 0; i < 3; i++) nodes.push(await launch(i, 0, mines[i] as boolean));
    for (const n of nodes) {
      const others = nodes.filter((o) => o !== n).map((o) => o.url);
      const r = await request(`${n.url}/nodes/register`, { json: { nodes: others }, timeoutMs: 60_000 });
      if (r.status !== 201) throw new Error(`registering peers on ${n.url}: ${r.status} ${r.text}`);
    }
    // funding: the first miner's wallet pays every sender once it has mined enough
    const senders = Array.from({ length: opts.senders ?? 50 }, (_, i) => keyFor(`soak sender ${i}`));
    const perSender = 100_000;
    const need = senders.length * perSender;
    const n0 = nodes[0] as RunningNode;
    await waitFor(
      "the first miner to earn the funding",
      async () => (await getJson(`${n0.url}/accounts/${(await getJson(`${n0.url}/status`)).address}`)).pending.balance >= need,
      180_000,
      250,
    );
    const funding: string[] = [];
    for (const s of senders) {
      const r = await request(`${n0.url}/transactions/new`, { json: { recipient: s.address, amount: perSender }, timeoutMs: 60_000 });
      if (r.status !== 201) throw new Error(`funding ${s.address}: ${r.status} ${r.text}`);
      funding.push(r.body.id);
    }
    await waitFor(
      "the funding to be confirmed on every node",
      async () => {
        for (const n of nodes)
          for (const id of funding) if ((await getJson(`${n.url}/transactions/${id}`)).status !== "confirmed") return false;
        return true;
      },
      180_000,
      500,
    ).catch(async (err: unknown) => {
      // say where each node stands, so a run that stalls here can be explained
      const states = await Promise.all(nodes.map((n) => nodeState(n.url)));
      throw new Error(`${err instanceof Error ? err.message : String(err)}; the nodes then: ${states.join(" | ")}`);
    });
    opts.log?.(`soak: ${senders.length} senders funded; sending ${opts.txs} transactions`);

    // the load: signed transfers to random nodes; one node killed midway, restarted a little later
    const accepted = new Set<string>();
    const nonces = new Map<string, number>(senders.map((s) => [s.address, 0]));
    const busy = new Set<string>();
    const killAt = opts.kill === -1 ? Number.POSITIVE_INFINITY : Math.floor(opts.txs / 2);
    const victim = opts.kill ?? 2;
    let down: number | undefined;
    let restartAt = Number.POSITIVE_INFINITY;
    let restarting: Promise<void> | undefined;
    const refuse = (k: string) => {
      report.refusals[k] = (report.refusals[k] ?? 0) + 1;
    };
    const sendOne = async (first?: number) => {
      let free = senders.filter((s) => !busy.has(s.address));
      for (let waited = 0; free.length === 0 && waited < 2000; waited++) {
        await sleep(5);
        free = senders.filter((s) => !busy.has(s.address));
      }
      const s = rng.pick(free);
      if (s === undefined) return refuse("no sender free");
      busy.add(s.address);
      try {
        const nonce = nonces.get(s.address) as number;
        const tx = signTransfer(s, {
          recipient: rng.chance(0.8) ? rng.pick(senders).address : keyFor(`soak outsider ${rng.int(0, 20)}`).address,
          amount: rng.int(1, 10),
          fee: rng.int(0, 3),
          nonce,
          network: params.name,
        });
        report.txsSent++;
        // to a random node that is up; a refused connection (a node just killed) is retried elsewhere
        for (let attempt = 0; attempt < 6; attempt++) {
          const up = nodes.map((_, i) => i).filter((i) => i !== down);
          const target = nodes[attempt === 0 && first !== undefined ? first : rng.pick(up)] as RunningNode;
          let r: Awaited<ReturnType<typeof request>>;
          try {
            r = await request(`${target.url}${rng.chance(0.5) ? "/transactions" : "/transactions/new"}`, { json: tx, timeoutMs: 60_000 });
          } catch {
            await sleep(100);
            continue;
          }
          if (r.status === 201) {
            accepted.add(tx.id);
            nonces.set(s.address, nonce + 1);
          } else if (r.status === 409 && (r.body?.code === "already-known" || r.body?.code === "already-confirmed")) {
            // a retry of one that was taken before its answer was lost: it is in the network
            nonces.set(s.address, nonce + 1);
            refuse(`409 ${r.body.code}`);
          } else {
            refuse(`${r.status} ${r.body?.code ?? ""}`.trim());
            if (report.problems.length < 10) problem(`${target.url} refused a valid transfer: ${r.status} ${r.text.slice(0, 200)}`);
          }
          return;
        }
        refuse("no node answered");
      } finally {
        busy.delete(s.address);
      }
    };
    const restart = () => {
      if (down === undefined || restarting !== undefined) return;
      const i = down;
      restarting = launch(i, (nodes[i] as RunningNode).port, mines[i] as boolean).then((n) => {
        nodes[i] = n;
        down = undefined;
        opts.log?.(`soak: node ${i} restarted`);
      });
    };
    let launched = 0;
    await Promise.all(
      Array.from({ length: opts.concurrency ?? 8 }, async () => {
        while (launched < opts.txs) {
          if (opts.timeLimitMs !== undefined && Date.now() - t0 > opts.timeLimitMs) {
            report.stoppedEarly = `time limit of ${opts.timeLimitMs} ms reached while sending`;
            return;
          }
          if (launched >= killAt && down === undefined && report.killed === null) {
            // a burst to the victim, killed the moment the answers are in: what it took may not have been relayed yet
            const burst = Math.min(30, opts.txs - launched);
            // restarted after a sixth of the load more, or when the load is over, whichever comes first
            restartAt = Math.min(opts.txs - 1, launched + burst + Math.max(1, Math.floor(opts.txs / 6)));
            report.killed = `node ${victim} (${mines[victim] ? "mining" : "not mining"}) after ${launched + burst} transactions, right after a burst of ${burst} to it`;
            launched += burst;
            await Promise.all(Array.from({ length: burst }, () => sendOne(victim)));
            down = victim;
            opts.log?.(`soak: kill -9 ${report.killed}`);
            await (nodes[victim] as RunningNode).kill();
          }
          if (down !== undefined && launched >= restartAt) restart();
          if (launched >= opts.txs) break; // the burst may have taken the last ones
          launched++;
          await sendOne();
        }
      }),
    );
    if (down !== undefined) restart();
    await restarting;
    report.txsAccepted = accepted.size;
    opts.log?.(`soak: ${report.txsSent} sent, ${accepted.size} accepted; waiting for confirmations`);

    // every accepted transaction confirmed on the miners' chain
    const chainOf = async (n: RunningNode) => (await getJson(`${n.url}/chain`, 120_000)).chain as ApiBlock[];
    const idsOn = (chain: ApiBlock[]) => {
      const count = new Map<string, number>();
      for (const b of chain) for (const t of b.transactions) count.set(t.id, (count.get(t.id) ?? 0) + 1);
      return count;
    };
    let unconfirmed: string[] = [];
    try {
      await waitFor(
        "every accepted transaction to be confirmed",
        async () => {
          const on = idsOn(await chainOf(nodes[0] as RunningNode));
          unconfirmed = [...accepted].filter((id) => !on.has(id));
          return unconfirmed.length === 0;
        },
        Math.max(120_000, opts.txs * 60),
        2000,
      );
    } catch (err) {
      problem(`${(err as Error).message}: ${unconfirmed.length} still unconfirmed, e.g. ${unconfirmed.slice(0, 3).join(", ")}`);
      for (const id of unconfirmed.slice(0, 3)) {
        const where = await Promise.all(
          nodes.map(async (n) => (await request(`${n.url}/transactions/${id}`, { timeoutMs: 30_000 })).body?.status ?? "unknown"),
        );
        problem(`${id}: ${where.map((w, i) => `node ${i} ${w}`).join(", ")}`);
      }
    }

    if (deadNodes("after the load")) return report;
    // stop mining (restart the miners without --mine), then everyone agrees
    for (let i = 0; i < 3; i++) {
      if (!mines[i]) continue;
      const n = nodes[i] as RunningNode;
      await n.stop();
      nodes[i] = await launch(i, n.port, false);
    }
    // Everyone agrees on one tip. With mining stopped, two tips of equal work stay apart (on a
    // tie a node keeps its own, docs/protocol.md §5), and blocks of the last forks may have been abandoned,
    // their transactions pending again: so one node mines by hand (/mine), which breaks ties
    // and confirms what is pending, until all agree and every accepted transaction is on the
    // chain (bounded).
    try {
      for (let round = 0; ; round++) {
        for (const n of nodes) await request(`${n.url}/nodes/resolve`, { timeoutMs: 120_000 });
        const tips = await Promise.all(nodes.map(async (n) => (await getJson(`${n.url}/status`)).tip as string));
        const on = idsOn(await chainOf(nodes[0] as RunningNode));
        const left = [...accepted].filter((id) => !on.has(id));
        if (round === 0) report.remined = left.length;
        if (left.length === 0 && tips.every((t) => t === tips[0])) break;
        if (round >= 30) {
          problem(
            `after ${round} blocks mined by hand: ${left.length} accepted transactions unconfirmed, tips ${tips.map((t) => t.slice(0, 8)).join(", ")}`,
          );
          break;
        }
        const m = await request(`${(nodes[0] as RunningNode).url}/mine`, { timeoutMs: 120_000 });
        if (m.status !== 200) problem(`/mine: ${m.status} ${m.text.slice(0, 200)}`);
        report.handMined++;
      }
    } catch (err) {
      problem((err as Error).message);
    }
    if (deadNodes("at the end")) return report;
    const chains = await Promise.all(nodes.map(chainOf));
    const first = chains[0] as ApiBlock[];
    report.height = first.length;
    report.chainsIdentical = chains.every((c) => c.length === first.length && c.every((b, i) => b.hash === first[i]?.hash));
    if (!report.chainsIdentical) problem(`the chains differ: heights ${chains.map((c) => c.length).join(", ")}`);
    let exactlyOnce = 0;
    const counts = chains.map(idsOn);
    for (const id of accepted) {
      const per = counts.map((c) => c.get(id) ?? 0);
      if (per.every((n) => n === 1)) exactlyOnce++;
      else if (per.some((n) => n > 1)) report.duplicated.push(id);
      else report.missing.push(id);
    }
    report.confirmedExactlyOnce = exactlyOnce;
    if (report.missing.length > 0) problem(`${report.missing.length} accepted transactions are not on every chain`);
    if (report.duplicated.length > 0) problem(`${report.duplicated.length} accepted transactions are confirmed more than once`);
    for (const [i, n] of nodes.entries()) {
      for (const p of chainProblems(chains[i] as ApiBlock[], { difficulty, reward: REWARD }).slice(0, 5)) problem(`node ${i}: ${p}`);
      for (const p of (await inspectNode(n.url, { difficulty, reward: REWARD, timeoutMs: 120_000 })).problems.slice(0, 5))
        problem(`node ${i}: ${p}`);
    }
    report.missing = report.missing.slice(0, 20);
    report.duplicated = report.duplicated.slice(0, 20);
  } catch (err) {
    problem(`the run failed: ${(err as Error).stack ?? String(err)}`);
    deadNodes("when it failed");
  } finally {
    // every process that ran (the killed one too): no error logged
    for (const n of all) {
      const errors = n
        .output()
        .split("\n")
        .filter((l) => /"level":(50|60)/.test(l));
      for (const l of errors.slice(0, 3)) problem(`${n.dataDir} logged an error: ${l.slice(0, 500)}`);
    }
    await Promise.allSettled(all.map((n) => n.stop()));
    removeDir(root);
    report.ms = Date.now() - t0;
  }
  return report;
}

/** A node's height, tip, pool and peers (with their failures), in one line. */
async function nodeState(url: string): Promise<string> {
  try {
    const st = await getJson(`${url}/status`);
    const peers = await getJson(`${url}/nodes`);
    return `${url}: height ${st.height}, tip ${String(st.tip).slice(0, 12)}, pending ${st.pending}, peers ${JSON.stringify(peers).slice(0, 600)}`;
  } catch (err) {
    return `${url}: ${err instanceof Error ? err.message : String(err)}`;
  }
}
