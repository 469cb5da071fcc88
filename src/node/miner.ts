/**
 * The miner: builds a block from the pool, searches its proof in worker threads (so the
 * API keeps answering), and submits it to the chain. `/mine` waits for one block
 * (`requestBlock`); `--mine` mines continuously. A new tip restarts the search on a fresh
 * template at once; new pool content too, but at most every 250 ms under a burst.
 */
import { EventEmitter } from "node:events";
import { existsSync } from "node:fs";
import { availableParallelism } from "node:os";
import { fileURLToPath } from "node:url";
import { Worker } from "node:worker_threads";
import { canonical } from "../core/encoding.js";
import { RuleError } from "../core/errors.js";
import { targetHex } from "../core/pow.js";
import type { Block } from "../core/types.js";
import type { Chain, SubmitResult } from "./chain.js";
import { type Clock, nowSeconds, systemClock, type Timer } from "./clock.js";
import { HashRate } from "./hashrate.js";
import type { Pool } from "./pool.js";
import { loadNativePow } from "./pow-native.js";
import type { PowJob, PowMessage } from "./pow-worker.js";
import { buildTemplate, type Template } from "./template.js";

export interface MinedBlock {
  block: Block;
  result: SubmitResult;
}

/** How far the search for the next block has come (GET /status `search`). */
export interface SearchProgress {
  height: number;
  difficulty: number;
  /** Proofs tried for a block at this height, over every template of it (new transactions restart the template, not the count). */
  tries: number;
  /** Tries a block takes on average: its difficulty (a proof is a lottery; any one block may take more or fewer). */
  expected_tries: number;
  /** Seconds since the search for this height began. */
  seconds: number;
}

export interface MinerOptions {
  threads?: number;
  /** The node's clock (default: the machine's); templates take their timestamp from it, in seconds. */
  clock?: Clock;
  /** Called when a mined block is refused (should not happen). */
  onError?: (err: unknown) => void;
  /**
   * Continuous mining waits this many seconds after each block it finds before searching
   * the next (0: back to back). `/mine` requests are not held back.
   */
  intervalS?: number;
  /** Called with each template the search starts on (a log line, a test). */
  onTemplate?: (template: Template) => void;
}

const NONCE_SPACE = 2 ** 53;
/** New pool content restarts the search at once, but not again sooner than this after its start. */
const POOL_RESTART_MS = 250;

/** The compiled worker; under a TypeScript test runner, its build output in dist/. */
function workerUrl(): URL {
  const url = new URL("./pow-worker.js", import.meta.url);
  if (existsSync(fileURLToPath(url))) return url;
  const fromDist = new URL(url.href.replace(/\/src\/node\/pow-worker\.js$/, "/dist/node/pow-worker.js"));
  if (existsSync(fileURLToPath(fromDist))) return fromDist;
  throw new Error("the proof-of-work worker is not built: run `npm run build`");
}

/** Splits a header's canonical JSON around `"proof":`. */
export function splitHeader(block: Block): { prefix: string; suffix: string } {
  const text = canonical({ ...headerFields(block), proof: 0 });
  const at = text.indexOf('"proof":0,');
  return { prefix: text.slice(0, at + 8), suffix: text.slice(at + 9) };
}

function headerFields(b: Block) {
  return { index: b.index, timestamp: b.timestamp, previous_hash: b.previous_hash, tx_root: b.tx_root, difficulty: b.difficulty };
}

export class Miner extends EventEmitter<{ mined: [MinedBlock] }> {
  readonly threads: number;
  /**
   * How the workers hash: "sha-ni", "portable" (native C) or "javascript". Known before they
   * start (they load the same addon in the same environment); each confirms it when ready.
   */
  implementation: string = loadNativePow()?.implementation ?? "javascript";
  private workers: Worker[] = [];
  private readonly control = new Int32Array(new SharedArrayBuffer(4));
  private generation = 0;
  private job: Template | undefined;
  private continuous = false;
  private readonly waiters: Array<{ resolve: (m: MinedBlock) => void; reject: (e: unknown) => void }> = [];
  private restartTimer: Timer | undefined;
  /** When the pending restart is due (clock ms). */
  private restartAt = 0;
  /** When the current search started on its template (clock ms). */
  private jobStartedAt = 0;
  private readonly onTemplate: ((template: Template) => void) | undefined;
  private stopped = false;
  private exhausted = 0;
  private readonly clock: Clock;
  private readonly onError: (err: unknown) => void;
  private readonly rate = new HashRate();
  private readonly intervalMs: number;
  /** Continuous mining rests until then (clock ms) after a block. */
  private restingUntil = 0;
  /** The search for the block at `height` (machine ms, as the hash rate). */
  private search: { height: number; difficulty: number; tries: number; startedAt: number } | undefined;
  private restTimer: Timer | undefined;

  constructor(
    private readonly chain: Chain,
    private readonly pool: Pool,
    private readonly address: string,
    opts: MinerOptions = {},
  ) {
    super();
    this.threads = Math.max(1, opts.threads ?? availableParallelism());
    this.clock = opts.clock ?? systemClock;
    this.onError = opts.onError ?? (() => {});
    this.onTemplate = opts.onTemplate;
    this.intervalMs = Math.max(0, (opts.intervalS ?? 0) * 1000);
    chain.on("tip", () => this.restartSoon(0));
    pool.on("changed", () => this.restartSoon(POOL_RESTART_MS));
  }

  get mining(): boolean {
    return this.job !== undefined;
  }

  get isContinuous(): boolean {
    return this.continuous;
  }

  /**
   * Tries per second over the last few seconds (0 when idle). The hash rate is a measurement
   * of this machine's workers, so it reads the machine's clock (Date.now), not the node's.
   */
  get hashrate(): number {
    return this.mining ? this.rate.rate(Date.now()) : 0;
  }

  /** Tries per second over the time spent mining in the last minute (still shown after mining stops). */
  get hashrateLastMinute(): number {
    return this.rate.lastMinute(Date.now());
  }

  /** The search under way, if any. */
  get progress(): SearchProgress | undefined {
    const s = this.search;
    if (!this.mining || s === undefined) return undefined;
    return {
      height: s.height,
      difficulty: s.difficulty,
      tries: s.tries,
      expected_tries: s.difficulty,
      seconds: Math.round((Date.now() - s.startedAt) / 100) / 10,
    };
  }

  setContinuous(on: boolean): void {
    this.continuous = on;
    this.schedule();
  }

  /** Mines one block; resolves when it is on the chain. */
  requestBlock(): Promise<MinedBlock> {
    if (this.stopped) return Promise.reject(new RuleError("shutting-down", "the node is shutting down"));
    return new Promise((resolve, reject) => {
      this.waiters.push({ resolve, reject });
      this.schedule();
    });
  }

  async stop(): Promise<void> {
    this.stopped = true;
    this.abort();
    this.restartTimer?.cancel();
    this.restTimer?.cancel();
    for (const w of this.waiters.splice(0)) w.reject(new RuleError("shutting-down", "the node is shutting down; the block was not mined"));
    await Promise.all(this.workers.map((w) => w.terminate()));
    this.workers = [];
  }

  private active(): boolean {
    if (this.stopped) return false;
    if (this.waiters.length > 0) return true;
    return this.continuous && !this.resting();
  }

  /** Whether continuous mining is pausing after a block (`intervalS`); wakes itself up. */
  private resting(): boolean {
    const left = this.restingUntil - this.clock.now();
    if (left <= 0) return false;
    if (this.restTimer === undefined) {
      this.restTimer = this.clock.after(
        left,
        () => {
          this.restTimer = undefined;
          this.schedule();
        },
        { keepAlive: false },
      );
    }
    return true;
  }

  private abort(): void {
    this.generation = (this.generation + 1) | 0;
    Atomics.store(this.control, 0, this.generation);
    this.job = undefined;
  }

  /**
   * Restarts the search on a fresh template: at once, but no sooner than `minGapMs` after the
   * current search started (a new tip: 0; new pool content: a burst of transactions restarts
   * it a few times a second, not thousands). A restart due sooner replaces one due later.
   */
  private restartSoon(minGapMs: number): void {
    if (this.job === undefined) return;
    const nowMs = this.clock.now();
    const at = Math.max(nowMs, this.jobStartedAt + minGapMs);
    if (this.restartTimer !== undefined) {
      if (this.restartAt <= at) return;
      this.restartTimer.cancel();
    }
    this.restartAt = at;
    this.restartTimer = this.clock.after(at - nowMs, () => {
      this.restartTimer = undefined;
      if (this.job !== undefined) this.newJob();
    });
  }

  private schedule(): void {
    if (this.active() && this.job === undefined) this.newJob();
    else if (!this.active() && this.job !== undefined) this.abort();
  }

  private ensureWorkers(): void {
    if (this.workers.length > 0) return;
    const url = workerUrl();
    for (let i = 0; i < this.threads; i++) {
      const w = new Worker(url);
      w.postMessage({ type: "control", buffer: this.control.buffer });
      w.on("message", (m: PowMessage) => this.onMessage(m));
      w.on("error", (err) => this.onError(err));
      w.unref();
      this.workers.push(w);
    }
  }

  private newJob(): void {
    this.abort();
    if (!this.active()) return;
    this.ensureWorkers();
    this.restartTimer?.cancel(); // this template is the fresh one
    this.restartTimer = undefined;
    const template = buildTemplate(this.chain, this.pool, this.address, nowSeconds(this.clock));
    this.job = template;
    this.jobStartedAt = this.clock.now();
    const { index: height, difficulty } = template.block;
    if (this.search?.height !== height || this.search.difficulty !== difficulty) {
      this.search = { height, difficulty, tries: 0, startedAt: Date.now() };
    }
    this.onTemplate?.(template);
    this.rate.active(Date.now());
    this.exhausted = 0;
    const { prefix, suffix } = splitHeader(template.block);
    const target = targetHex(template.block.difficulty);
    const share = Math.floor(NONCE_SPACE / this.workers.length);
    this.workers.forEach((w, i) => {
      const job: PowJob = {
        type: "job",
        generation: this.generation,
        prefix,
        suffix,
        target,
        start: i * share,
        end: i === this.workers.length - 1 ? NONCE_SPACE - 1 : (i + 1) * share,
      };
      w.postMessage(job);
    });
  }

  private onMessage(m: PowMessage): void {
    if (m.type === "ready") {
      this.implementation = m.implementation;
      return;
    }
    if (m.type === "progress") {
      this.rate.record(m.tries, Date.now());
      if (this.search !== undefined) this.search.tries += m.tries;
      return;
    }
    if (m.generation !== this.generation || this.job === undefined) return;
    if (m.type === "exhausted") {
      if (++this.exhausted === this.workers.length) this.newJob();
      return;
    }
    const template = this.job;
    this.abort();
    const block: Block = { ...template.block, proof: m.proof };
    let result: SubmitResult;
    try {
      result = this.chain.submitBlock(block, { signaturesChecked: true }); // every transaction came from the pool, already checked
    } catch (err) {
      this.onError(err);
      this.schedule();
      return;
    }
    if (result.outcome === "connected" || result.outcome === "reorganized") {
      const mined = { block, result };
      if (this.intervalMs > 0) this.restingUntil = this.clock.now() + this.intervalMs;
      this.waiters.shift()?.resolve(mined);
      this.emit("mined", mined);
    }
    this.schedule();
  }
}
