/**
 * Signature checks spread over worker threads, so a block's (or a burst of incoming
 * transactions') Ed25519 verifications use every core and the event loop stays free.
 * Requests made in the same tick are batched together and cut into slices; each worker holds
 * at most three slices, the rest wait and go, merged, to whichever worker frees up first. With
 * no workers (not built, or all died) the checks run inline.
 */
import { existsSync } from "node:fs";
import { availableParallelism } from "node:os";
import { fileURLToPath } from "node:url";
import { Worker } from "node:worker_threads";
import { signingText } from "../core/encoding.js";
import type { SignedTx } from "../core/types.js";
import { signatureValid } from "../core/verify.js";
import type { VerifyBatch } from "./verify-worker.js";

function workerUrl(): URL | undefined {
  const url = new URL("./verify-worker.js", import.meta.url);
  if (existsSync(fileURLToPath(url))) return url;
  const fromDist = new URL(url.href.replace(/\/src\/node\/verify-worker\.js$/, "/dist/node/verify-worker.js"));
  return existsSync(fileURLToPath(fromDist)) ? fromDist : undefined;
}

/**
 * One message for a worker: the signing bytes of every transaction in one transferred buffer
 * (separate small Buffers would each be copied with the whole 8 KiB pool slab they sit in).
 */
function packBatch(id: number, txs: SignedTx[], texts: string[]): VerifyBatch {
  let total = 0;
  for (const t of texts) total += Buffer.byteLength(t, "utf8");
  const data = Buffer.allocUnsafeSlow(total);
  const ends = new Uint32Array(texts.length);
  let at = 0;
  texts.forEach((t, i) => {
    at += data.write(t, at, "utf8");
    ends[i] = at;
  });
  // two strings, not two arrays of n strings: one object each to clone
  return {
    id,
    count: txs.length,
    senders: txs.map((t) => t.sender).join(","),
    signatures: txs.map((t) => t.signature).join(","),
    data,
    ends,
  };
}

function checkInline(txs: SignedTx[]): Uint8Array {
  return Uint8Array.from(txs.map((t) => (signatureValid(t) ? 1 : 0)));
}

/** Hands each slice its part of a worker's answer for the slices it was sent together. */
function settle(slices: Slice[], ok: Uint8Array): void {
  let at = 0;
  for (const sl of slices) {
    sl.done(ok.subarray(at, at + sl.txs.length));
    at += sl.txs.length;
  }
}

/** Signatures queued in one tick before they are sent without waiting for the tick's end. */
const EAGER = 16;
/** Largest slice of signatures in one message; small bursts go whole, as one message. */
const SLICE = 256;
/**
 * Slices a worker holds at once: the next ones wait in its port while it checks the current
 * one. Three slices of 256 (≈ 100 ms of checks) outlast the main thread's longest synchronous
 * step (connecting a 16-block chunk), during which it cannot hand out more: with two of 128
 * the workers ran dry and the cores were 90 % busy during validation instead of 95 %.
 */
const PER_WORKER = 3;

interface Pending {
  txs: SignedTx[];
  /** Their signing texts, when the caller has them already. */
  texts: string[] | undefined;
  resolve: (ok: boolean[]) => void;
}

interface Slice {
  txs: SignedTx[];
  texts: string[];
  done: (ok: Uint8Array) => void;
}

export class VerifyPool {
  private readonly workers: Worker[] = [];
  private readonly inflight = new Map<number, { worker: Worker; slices: Slice[] }>();
  /** Slices not sent yet: handed to whichever worker has room, so a busier core does not hold the rest back. */
  private readonly waiting: Slice[] = [];
  private readonly load = new Map<Worker, number>();
  private queue: Pending[] = [];
  private scheduled = false;
  private nextId = 1;

  constructor(threads = availableParallelism()) {
    const url = workerUrl();
    if (url === undefined) return; // not built: verify inline
    for (let i = 0; i < threads; i++) {
      const w = new Worker(url);
      w.on("message", (m: { id: number; ok: Uint8Array }) => {
        const job = this.inflight.get(m.id);
        this.inflight.delete(m.id);
        this.load.set(w, (this.load.get(w) ?? 1) - 1);
        this.dispatch();
        if (job !== undefined) settle(job.slices, m.ok);
      });
      // a worker that dies hands its work back to the main thread
      const recover = () => {
        const i = this.workers.indexOf(w);
        if (i >= 0) this.workers.splice(i, 1);
        this.load.delete(w);
        for (const [id, job] of this.inflight) {
          if (job.worker !== w) continue;
          this.inflight.delete(id);
          for (const sl of job.slices) sl.done(checkInline(sl.txs));
        }
        this.dispatch();
      };
      w.on("error", recover);
      w.on("exit", recover);
      w.unref();
      this.workers.push(w);
      this.load.set(w, 0);
    }
  }

  get threads(): number {
    return this.workers.length;
  }

  /**
   * Verifies every transaction's signature; resolves with one boolean per transaction.
   * `immediately`: send to the workers at once instead of batching the tick's requests (for a
   * caller about to keep the main thread busy while the workers check). `texts`: the
   * transactions' signing texts (`signingText`), when the caller computed them already.
   */
  verify(txs: SignedTx[], immediately = false, texts?: string[]): Promise<boolean[]> {
    if (txs.length === 0) return Promise.resolve([]);
    if (this.workers.length === 0 || this.closed) return Promise.resolve(txs.map(signatureValid));
    return new Promise((resolve) => {
      this.queue.push({ txs, texts: texts?.length === txs.length ? texts : undefined, resolve });
      this.queued += txs.length;
      // a burst is sent in slices as it arrives, so the workers verify while the main thread
      // still parses the rest of the burst; what is left goes at the end of the tick
      if (immediately || this.queued >= EAGER) this.flush();
      else if (!this.scheduled) {
        this.scheduled = true;
        setImmediate(() => this.flush());
      }
    });
  }

  private queued = 0;

  private flush(): void {
    this.scheduled = false;
    const batch = this.queue;
    this.queue = [];
    this.queued = 0;
    if (batch.length === 0) return;
    const all: SignedTx[] = batch.length === 1 ? (batch[0] as Pending).txs : batch.flatMap((p) => p.txs);
    const allTexts = batch.flatMap((p) => p.texts ?? p.txs.map((t) => signingText(t)));
    const n = Math.max(1, this.workers.length);
    const size = all.length <= 2 * EAGER ? all.length : Math.min(SLICE, Math.ceil(all.length / n));
    const parts: Array<Promise<Uint8Array>> = [];
    for (let start = 0; start < all.length; start += size) {
      const txs = all.slice(start, start + size);
      const texts = allTexts.slice(start, start + size);
      parts.push(new Promise((done) => this.waiting.push({ txs, texts, done })));
    }
    this.dispatch();
    void Promise.all(parts).then((results) => {
      const flat: boolean[] = [];
      for (const r of results) for (const b of r) flat.push(b === 1);
      let at = 0;
      for (const p of batch) {
        p.resolve(flat.slice(at, at + p.txs.length));
        at += p.txs.length;
      }
    });
  }

  /** Sends waiting slices to the least busy workers with room; checks them inline if no worker is left. */
  private dispatch(): void {
    while (this.waiting.length > 0) {
      if (this.workers.length === 0) {
        for (const s of this.waiting.splice(0)) s.done(checkInline(s.txs));
        return;
      }
      let best: Worker | undefined;
      let bestLoad = PER_WORKER;
      for (const w of this.workers) {
        const l = this.load.get(w) ?? 0;
        if (l < bestLoad) {
          best = w;
          bestLoad = l;
        }
      }
      if (best === undefined) return; // every worker is full: the next answer sends more
      // slices that queued up while every worker was full go together (fewer, larger messages under load)
      const slices = [this.waiting.shift() as Slice];
      let count = (slices[0] as Slice).txs.length;
      while (this.waiting.length > 0 && count + (this.waiting[0] as Slice).txs.length <= SLICE) {
        const next = this.waiting.shift() as Slice;
        slices.push(next);
        count += next.txs.length;
      }
      const id = this.nextId++;
      const one = slices.length === 1 ? (slices[0] as Slice) : undefined;
      const msg = packBatch(id, one?.txs ?? slices.flatMap((x) => x.txs), one?.texts ?? slices.flatMap((x) => x.texts));
      this.inflight.set(id, { worker: best, slices });
      this.load.set(best, bestLoad + 1);
      best.postMessage(msg, [msg.data.buffer as ArrayBuffer]);
    }
  }

  private closed = false;

  async close(): Promise<void> {
    this.closed = true;
    await Promise.all(this.workers.map((w) => w.terminate()));
    this.workers.length = 0;
  }
}
