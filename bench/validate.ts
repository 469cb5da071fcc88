/**
 * 4. Full validation: a 1,000-block chain of 100 signed transfers per block, built offline,
 * fed to a fresh in-process Chain the way a node takes blocks from peers: chain.submitAsync
 * with the signatures on a VerifyPool (one thread per core), and chain.submit on one thread.
 */
import { availableParallelism } from "node:os";
import { join } from "node:path";
import { performance } from "node:perf_hooks";
import { parseBlock } from "../src/core/schema.js";
import type { NetworkParams, SignedTx } from "../src/core/types.js";
import { Chain } from "../src/node/chain.js";
import { VerifyPool } from "../src/node/verify-pool.js";
import { ChainStore } from "../src/store/chain-store.js";
import { openDb } from "../src/store/db.js";
import { sqliteDriver } from "../src/store/driver.js";
import { round, selfCpuSeconds, type ThreadCpu, threadCpuSeconds, threadCpuSince } from "./cpu.js";
import { benchKey, benchKeys, benchNetwork, genesisCursor, nextBlock, transfer } from "./fixtures.js";
import { removeDir, tempDir } from "./lifecycle.js";
import { atLeast, type Figure, fmt, medianBy } from "./report.js";
import type { VerifyLimit } from "./verify.js";

const SECTION = "4. Full validation";
const BLOCKS = 1000;
const TXS = 100;
const DEADLINE_MS = 90_000;
/** The single-threaded comparison stops after this long (its rate is over the blocks it did). */
const SINGLE_DEADLINE_MS = 30_000;
/** Blocks per page on the parallel path, as a syncing node takes them (its default page size). */
const PAGE = 200;

const PARAMS: NetworkParams = benchNetwork("bench-validate", 1_000_000_000_000, 1000);

/**
 * Block 2 pays the bank; block 3 has the bank fund 100 senders; blocks 4 … 1002 have each
 * sender pay the next one (sender i → sender i+1, nonce = block − 4). 1,000 blocks × 100 transfers.
 */
function buildChain(): string[] {
  const bank = benchKey("validate bank");
  const senders = benchKeys("validate sender", TXS);
  const at = genesisCursor(PARAMS);
  let ts = PARAMS.genesis_timestamp;
  const blocks = [nextBlock(at, PARAMS, bank.address, [], ++ts)];
  blocks.push(
    nextBlock(
      at,
      PARAMS,
      bank.address,
      senders.map((k, i) => transfer(bank, PARAMS.name, k.address, 1_000_000, i)),
      ++ts,
    ),
  );
  for (let n = 0; n < BLOCKS - 1; n++) {
    const txs = senders.map((k, i) => transfer(k, PARAMS.name, (senders[(i + 1) % TXS] as typeof k).address, 1, n));
    blocks.push(nextBlock(at, PARAMS, bank.address, txs, ++ts));
  }
  return blocks.map((b) => JSON.stringify(b));
}

interface Run {
  seconds: number;
  blocks: number;
  txs: number;
  /** CPU seconds of this process (every thread) while feeding. */
  cpu: number;
  /** The same, split: the main thread and the others (the verify workers, V8's helpers). */
  threads: ThreadCpu | undefined;
  /** Seconds to build the lookup indexes of the whole chain afterwards. */
  indexSeconds: number;
}

type Verifier = VerifyPool | ((txs: SignedTx[]) => Promise<boolean[]>);

async function feed(texts: string[], pool: Verifier | undefined, deadlineMs: number): Promise<Run> {
  const dir = tempDir("validate");
  const db = openDb(join(dir, "chain.db"));
  const chain = new Chain(new ChainStore(db), PARAMS);
  const verify = (txs: SignedTx[], now?: boolean, texts?: string[]) =>
    typeof pool === "function" ? pool(txs) : (pool as VerifyPool).verify(txs, now, texts);
  const run: Run = { seconds: 0, blocks: 0, txs: 0, cpu: 0, threads: undefined, indexSeconds: 0 };
  try {
    const cpu0 = selfCpuSeconds();
    const threads0 = threadCpuSeconds();
    const t0 = performance.now();
    const deadline = t0 + deadlineMs;
    if (pool === undefined) {
      for (const text of texts) {
        if (performance.now() > deadline) break;
        const raw = JSON.parse(text) as { transactions: unknown[] };
        const r = chain.submit(raw);
        if (r.outcome !== "connected") throw new Error(`block ${r.height}: ${r.outcome}, expected connected`);
        run.blocks++;
        run.txs += raw.transactions.length - 1;
      }
    } else {
      // as a node syncs: pages of blocks, signatures checked two chunks ahead on the workers (chain.submitMany),
      // the next page parsed while this one is checked (a syncing node fetches it meanwhile)
      const parse = (from: number) => texts.slice(from, from + PAGE).map((t) => parseBlock(JSON.parse(t), PARAMS.max_block_txs));
      let page = parse(0);
      for (let from = 0; from < texts.length && performance.now() <= deadline; from += PAGE) {
        const running = chain.submitMany(page, verify);
        const next = from + PAGE < texts.length ? parse(from + PAGE) : [];
        const results = await running;
        for (const r of results) if (r.outcome !== "connected") throw new Error(`block ${r.height}: ${r.outcome}, expected connected`);
        run.blocks += page.length;
        run.txs += page.reduce((n, b) => n + b.transactions.length - 1, 0);
        page = next;
      }
    }
    run.seconds = (performance.now() - t0) / 1000;
    run.cpu = selfCpuSeconds() - cpu0;
    run.threads = threadCpuSince(threads0);
    // the lookup indexes, which a node builds behind the tip in idle time (not part of validation)
    const ti = performance.now();
    chain.store.index.catchUp();
    run.indexSeconds = (performance.now() - ti) / 1000;
    if (chain.tip.height !== run.blocks + 1) throw new Error(`tip at ${chain.tip.height} after ${run.blocks} blocks`);
  } finally {
    db.close();
    removeDir(dir);
  }
  return run;
}

/** A run's CPU per transaction on the main thread and on the others (absent without /proc). */
function perThread(run: Run): Record<string, number | undefined> {
  if (run.threads === undefined) return {};
  return {
    main_thread_us_per_tx: round((run.threads.main * 1e6) / run.txs, 1),
    other_threads_us_per_tx: round((run.threads.others * 1e6) / run.txs, 1),
  };
}

/** Runs of the parallel and the no-signature paths, each on a fresh store; their figures are the medians. */
const ROUNDS = 3;

/** The run of median throughput (the VM's speed moves from minute to minute). */
function median(runs: Run[]): Run & { runsTxPerS: number[] } {
  const rate = (r: Run) => r.txs / r.seconds;
  return { ...medianBy(runs, rate), runsTxPerS: runs.map((r) => Math.round(rate(r))) };
}

export async function benchValidate(limit: VerifyLimit): Promise<Figure[]> {
  const cores = availableParallelism();
  const tb = performance.now();
  const texts = buildChain();
  const buildSeconds = (performance.now() - tb) / 1000;
  process.stdout.write(`  built ${texts.length} blocks offline in ${buildSeconds.toFixed(1)} s\n`);
  const pool = new VerifyPool(cores);
  const parallelRuns: Run[] = [];
  try {
    for (let k = 0; k < ROUNDS; k++) parallelRuns.push(await feed(texts, pool, DEADLINE_MS));
  } finally {
    await pool.close();
  }
  const parallel = median(parallelRuns);
  // the same path with the signatures taken as checked: what the main thread costs per transaction
  const noCheck = async (txs: SignedTx[]) => txs.map(() => true);
  const connectRuns: Run[] = [];
  for (let k = 0; k < ROUNDS; k++) connectRuns.push(await feed(texts, noCheck, DEADLINE_MS));
  const connectOnly = median(connectRuns);
  const single = await feed(texts, undefined, SINGLE_DEADLINE_MS);
  const ref = limit.perCore * cores;
  const rate = parallel.txs / parallel.seconds;
  const srate = single.txs / single.seconds;
  const common =
    `a chain of ${texts.length} blocks (network difficulty 1; block 2 coinbase only, then ${BLOCKS} blocks of ${TXS} signed transfers: ` +
    `one funding block, then 100 senders paying each other) built offline; each block JSON.parse'd from its text and given to a ` +
    `fresh in-process Chain (${sqliteDriver().name} store in a temp dir, WAL)`;
  return [
    {
      id: "validate.parallel",
      section: SECTION,
      label: `Full validation, tx/s (submitMany, ${pool.threads || cores} verify threads)`,
      value: rate,
      unit: "tx/s",
      method: `${common} in pages of ${PAGE} with chain.submitMany(blocks, verify) (signatures checked two chunks of 16 blocks ahead on a VerifyPool of ${cores} threads while the main thread connects; the blocks' JSON parse and schema check are timed too, the next page parsed while the current one is checked); signed transactions ÷ seconds for all blocks, the median of ${ROUNDS} runs on fresh stores (details: runs_tx_per_s). The lookup indexes (transactions by id, account history) are not part of validation: as a node does, they are built behind the tip, timed separately after (details: index_after_s)`,
      reference: {
        label: `verify limit × ${cores} cores`,
        value: ref,
        unit: "tx/s",
        method: `the highest Ed25519 verify/s on 1 thread (key reused) measured in this run (section 2, and again just before this section: ${limit.samples.map((x) => fmt(x)).join(", ")}) × ${cores}`,
      },
      ratio: rate / ref,
      target: atLeast((rate / ref) * 100, 80, "≥ 80 % of the verify limit × cores", " points"),
      details: {
        runs_tx_per_s: parallel.runsTxPerS,
        blocks: parallel.blocks,
        txs: parallel.txs,
        seconds: parallel.seconds,
        blocks_per_s: parallel.blocks / parallel.seconds,
        cpu_s_all_threads: round(parallel.cpu),
        cpu_us_per_tx: round((parallel.cpu * 1e6) / parallel.txs, 1),
        // where it went: the main thread (parse, ids, state transition, store) and the other threads
        // (the verify workers, V8's helpers), beside one verification at the reference's rate
        ...perThread(parallel),
        verify_reference_us: round(1e6 / limit.perCore, 1),
        build_seconds: buildSeconds,
        // all the work of a transaction, measured on one thread (section 6's run), spread perfectly over every core
        work_us_per_tx_one_thread: round((single.cpu * 1e6) / single.txs, 1),
        ceiling_ratio_from_that_work: round((single.txs / single.cpu / (limit.perCore * cores)) * cores, 3),
        index_after_s: round(parallel.indexSeconds, 3),
        index_after_us_per_tx: round((parallel.indexSeconds * 1e6) / parallel.txs, 1),
      },
    },
    connectFigure(connectOnly, limit, cores),
    {
      id: "validate.single",
      section: SECTION,
      label: "Full validation, tx/s (submit, one thread)",
      value: srate,
      unit: "tx/s",
      method: `${common} with chain.submit(raw): everything, signatures included, on the main thread; all blocks or as many as fit in ${SINGLE_DEADLINE_MS / 1000} s`,
      reference: {
        label: "verify limit, 1 thread",
        value: limit.perCore,
        unit: "tx/s",
        method: `the highest Ed25519 verify/s on 1 thread (key reused) measured in this run (${limit.samples.map((x) => fmt(x)).join(", ")})`,
      },
      ratio: srate / limit.perCore,
      details: {
        blocks: single.blocks,
        txs: single.txs,
        seconds: single.seconds,
        cpu_us_per_tx: round((single.cpu * 1e6) / single.txs, 1),
        speedup_of_parallel: `${fmt(rate / srate)}×`,
      },
    },
  ];
}

/**
 * Everything but the signature checks, per transaction (parse, shape, ids, Merkle root, state
 * transition, store): with verification taking `1 / perCore` s of a core per
 * transaction, `cores` cores reach at best cores / (1 / perCore + c) transactions/s, i.e. a
 * ratio of 1 / (1 + c · perCore) of the verify limit × cores, however the work is spread.
 */
function connectFigure(run: Run & { runsTxPerS: number[] }, limit: VerifyLimit, cores: number): Figure {
  const c = run.seconds / run.txs;
  const ceiling = 1 / (1 + c * limit.perCore);
  return {
    id: "validate.connect_only",
    section: SECTION,
    label: "Validation without signature checks, µs/tx (main thread)",
    value: c * 1e6,
    unit: "µs/tx",
    method:
      `the parallel path above with the signatures taken as valid (no verification), median of ${ROUNDS} runs: seconds ÷ transactions, i.e. what the main thread ` +
      "spends per transaction on everything else (JSON parse, shape, ids, Merkle root, state transition, SQLite writes of block, state and undo); " +
      `the verify limit then caps the parallel figure at 1 / (1 + c × verify/s per core) = ${fmt(ceiling * 100)} % of the verify limit × ${cores} cores`,
    reference: {
      label: "one Ed25519 verification",
      value: 1e6 / limit.perCore,
      unit: "µs/tx",
      method: "1 ÷ the verify limit on 1 thread (the highest measured in this run)",
    },
    ratio: (c * limit.perCore) as number,
    details: {
      runs_us_per_tx: run.runsTxPerS.map((r) => round(1e6 / r, 1)),
      blocks: run.blocks,
      txs: run.txs,
      seconds: run.seconds,
      cpu_us_per_tx: round((run.cpu * 1e6) / run.txs, 1),
      ...perThread(run),
      ceiling_of_parallel_ratio: ceiling,
    },
  };
}
