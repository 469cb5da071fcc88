/**
 * The pool's policy (issue 16, "free pool jamming"): what a sender must be able to pay for a
 * transaction to be held, and which transaction leaves when the pool is full. As geth's
 * txpool: a transaction waiting for an earlier nonce ("queued") must be payable like one that
 * can go into the next block ("ready"), queued ones hold only a share of the pool, and they
 * are evicted first, since they cannot be mined. Pure: the pool passes what it holds.
 */
import { fail } from "../core/errors.js";
import type { SignedTx } from "../core/types.js";
import type { PoolEntry } from "./pool-types.js";

/**
 * How far past a sender's next nonce a transaction is held, unless the pool is told otherwise:
 * 64, geth's per-account queue. A wallet sending a burst to several nodes at once has its
 * transactions arrive out of order by tens of nonces (the soak: bursts of 30 over 3 nodes);
 * what keeps a queue from being a free jam is that it must be paid for, and the global share.
 */
export const DEFAULT_MAX_NONCE_GAP = 64;

/** How much more fee a transaction must offer to replace a pending one of the same sender and nonce (%), as geth's price bump. */
export const PRICE_BUMP_PERCENT = 10;

/** The least fee that replaces a pending transaction paying `fee`: 10 % more, and at least 1 more. */
export function replacementFee(fee: number): number {
  return fee + Math.max(1, Math.ceil((fee * PRICE_BUMP_PERCENT) / 100));
}

/** Refuses `incoming` as a replacement of `pending` (same sender and nonce) unless it pays the price bump. */
export function requireReplacementFee(pending: PoolEntry, incoming: PoolEntry, next: number): void {
  const need = replacementFee(pending.tx.fee);
  if (incoming.tx.fee >= need) return;
  fail(
    "replacement-underpriced",
    `pending transaction ${pending.id} already uses nonce ${pending.tx.nonce} with fee ${pending.tx.fee}: ` +
      `to replace it, offer a fee of at least ${need} (${PRICE_BUMP_PERCENT} % more, at least 1 more); ` +
      `for a new transaction use the sender's next free nonce, ${next}`,
  );
}

/** Queued transactions held at most: a quarter of the pool, so ready ones always have the rest. */
export function defaultMaxQueued(maxSize: number): number {
  return Math.max(1, Math.floor(maxSize / 4));
}

/** Refuses a transaction too far past its sender's next free nonce `next`: at most `gap` ahead are held. */
export function requireNonceWithin(nonce: number, next: number, gap: number): void {
  if (nonce - next > gap) {
    fail("nonce-too-high", `nonce ${nonce} is too far ahead: the sender's next nonce is ${next} (at most ${gap} ahead are held)`);
  }
}

/** Coins a transaction takes from its sender (transition.ts): the fee, and a transfer's amount. */
export function coinCost(tx: SignedTx): number {
  // ≥ 2^53 when the true sum is (2^53 is exact), so never below a balance it exceeds
  return tx.type === "transfer" ? tx.amount + tx.fee : tx.fee;
}

/** A queued transaction its sender cannot pay: what it needs, and what was left for it. */
export interface Unpaid {
  entry: PoolEntry;
  cost: number;
  left: number;
}

/**
 * Spends `balance` on one sender's queued transactions in nonce order, as the core rules
 * would once the gaps before them fill (a gap's transaction, unknown yet, can only spend more).
 * Returns those that cannot be paid, each skipped so the rest are checked without it.
 */
export function unpaid(balance: number, queue: readonly PoolEntry[]): Unpaid[] {
  let left = balance;
  const out: Unpaid[] = [];
  for (const entry of queue) {
    const tx = entry.tx;
    const cost = coinCost(tx);
    if (cost > left) {
      out.push({ entry, cost, left });
      continue;
    }
    left -= cost;
    // a transfer to oneself gives the amount back (only the fee is spent)
    if (tx.type === "transfer" && tx.recipient === tx.sender) left += tx.amount;
  }
  return out;
}

function needs({ entry: { tx }, cost }: Unpaid): string {
  return `${cost}${tx.type === "transfer" ? ` (amount ${tx.amount} + fee ${tx.fee})` : " for the fee"}`;
}

/**
 * Refuses `incoming`, a queued transaction, unless its sender can pay it and every other
 * queued one (`queue`: the sender's queued transactions with `incoming`, in nonce order) from
 * `balance`, what the sender has after its ready transactions.
 */
export function requirePayable(balance: number, queue: readonly PoolEntry[], incoming: PoolEntry): void {
  const first = unpaid(balance, queue)[0];
  if (first === undefined) return;
  if (first.entry === incoming) {
    fail(
      "insufficient-funds",
      `sender has ${first.left} once its pending transactions before nonce ${incoming.tx.nonce} are paid, and this transaction needs ${needs(first)}: ` +
        "fund the sender first, or send less",
    );
  }
  fail(
    "insufficient-funds",
    `with this transaction the sender could not pay its pending transaction with nonce ${first.entry.tx.nonce}: ` +
      `${first.left} would be left for it, and it needs ${needs(first)}: fund the sender first, or send less`,
  );
}

/**
 * A sender's queued entries, those past `next` (its next free nonce), with `incoming` in its
 * place, in nonce order. The pool takes none more than `gap` past `next`, and `next` only grows
 * until a rebuild checks them all again, so the scan stops there.
 */
export function queueAfter(mine: ReadonlyMap<number, PoolEntry>, next: number, gap: number, incoming?: PoolEntry): PoolEntry[] {
  const out: PoolEntry[] = [];
  for (let n = next + 1; n <= next + gap; n++) {
    const e = incoming?.tx.nonce === n ? incoming : mine.get(n);
    if (e !== undefined) out.push(e);
  }
  return out;
}

/** Whether `a` leaves before `b`: the lower fee; on a tie, the later arrival. */
function cheaper(a: PoolEntry, b: PoolEntry): boolean {
  return a.tx.fee < b.tx.fee || (a.tx.fee === b.tx.fee && a.seq > b.seq);
}

/** The queued transaction to evict first, of another sender (never break the incoming one's queue). */
function cheapestQueued(queued: Iterable<PoolEntry>, sender: string): PoolEntry | undefined {
  let victim: PoolEntry | undefined;
  for (const e of queued) if (e.tx.sender !== sender && (victim === undefined || cheaper(e, victim))) victim = e;
  return victim;
}

/**
 * The ready transaction to evict: the cheapest last of a sender's queue (taking it leaves the
 * rest of that queue valid), of senders other than `sender` that have nothing queued.
 */
function cheapestLastReady(held: Held, sender: string): PoolEntry | undefined {
  let victim: PoolEntry | undefined;
  for (const [s, mine] of held.bySender) {
    if (s === sender) continue;
    let last: PoolEntry | undefined;
    for (const e of mine.values()) if (last === undefined || e.tx.nonce > last.tx.nonce) last = e;
    // a sender with something queued has it last
    if (last !== undefined && !held.queued.has(last) && (victim === undefined || cheaper(last, victim))) victim = last;
  }
  return victim;
}

/** What the pool holds, as the policy reads it. */
export interface Held {
  size: number;
  maxSize: number;
  maxQueued: number;
  /** The entries waiting for an earlier nonce. */
  queued: ReadonlySet<PoolEntry>;
  bySender: ReadonlyMap<string, ReadonlyMap<number, PoolEntry>>;
}

/**
 * The transaction `incoming` replaces, `undefined` if there is room, or a refusal. A queued
 * transaction takes the place of a cheaper queued one only, never of a ready one (it cannot
 * be mined, they can). A ready one evicts a queued one first, whatever its fee, then the
 * cheapest ready one with a lower fee. `next` is the incoming sender's next free nonce.
 */
export function chooseVictim(held: Held, incoming: PoolEntry, queued: boolean, next: number): PoolEntry | undefined {
  const poolFull = held.size >= held.maxSize;
  const queueFull = queued && held.queued.size >= held.maxQueued;
  if (!poolFull && !queueFull) return undefined;
  const q = cheapestQueued(held.queued, incoming.tx.sender);
  if (queued) {
    if (q !== undefined && q.tx.fee < incoming.tx.fee) return q;
    const what = queueFull
      ? `the pool holds at most ${held.maxQueued} transactions waiting for an earlier nonce, and has that many`
      : `the pool is full (${held.maxSize} transactions)`;
    fail(
      queueFull ? "queue-full" : "pool-full",
      `${what}; this transaction waits for the sender's nonce ${next}: send nonce ${next} first` +
        (q !== undefined
          ? `, or offer a fee above ${q.tx.fee} (a waiting transaction replaces only a cheaper waiting one)`
          : ", or retry later"),
    );
  }
  if (q !== undefined) return q;
  const r = cheapestLastReady(held, incoming.tx.sender);
  if (r !== undefined && r.tx.fee < incoming.tx.fee) return r;
  fail(
    "pool-full",
    r !== undefined
      ? `the pool is full (${held.maxSize} transactions); offer a fee above ${r.tx.fee}, or retry after the next block`
      : `the pool is full (${held.maxSize} transactions, none of which this one may replace); retry after the next block`,
  );
}
