/**
 * The transaction pool: signed transactions waiting for a block. A transaction is taken
 * when it would be valid on the tip after the pool's earlier transactions of the same
 * sender; a few future nonces per sender are held until the gap fills, if the sender can
 * pay them too. Bounded in size (pool-policy.ts: what may be held, what leaves when full)
 * and persisted, so what was accepted survives a restart.
 */
import { EventEmitter } from "node:events";
import { abandonedTransactions, type CheckedBlock } from "../core/block.js";
import { txId, txIdAndSigningText } from "../core/encoding.js";
import { fail, RuleError } from "../core/errors.js";
import { parseTransaction } from "../core/schema.js";
import { StateOverlay } from "../core/state.js";
import { applyTransaction } from "../core/transition.js";
import { requireSignature } from "../core/verify.js";
import { isWeakAddress } from "../crypto/keys.js";
import type { PoolStore } from "../store/pool-store.js";
import type { BatchVerify, Chain, TipChange } from "./chain.js";
import { type Clock, systemClock } from "./clock.js";
import * as policy from "./pool-policy.js";
import { BatchedSaver } from "./pool-saver.js";
import type { AddResult, PoolEntry, PoolEvents, PoolOptions } from "./pool-types.js";
import { RecentTexts, receivedText } from "./recent-texts.js";

export type { AddResult, PoolEntry, PoolEvents, PoolOptions } from "./pool-types.js";

const alreadyPending = (id: string): never => fail("already-known", `transaction ${id} is already pending`);

export class Pool extends EventEmitter<PoolEvents> {
  private readonly byId = new Map<string, PoolEntry>();
  /** Pending transactions by the text they came as: the copies peers pass on are known unparsed. */
  private readonly arrived = new RecentTexts(1_000, 1_000_000);
  private readonly bySender = new Map<string, Map<number, PoolEntry>>();
  private seq = 0;
  readonly maxSize: number;
  readonly maxNonceGap: number;
  readonly maxQueued: number;
  /** The entries waiting for an earlier nonce (`queued`); the others are ready. */
  private readonly queued = new Set<PoolEntry>();
  private readonly clock: Clock;
  private readonly verify: BatchVerify | undefined;
  /** Ids whose signature is being checked, so a duplicate arriving meanwhile is refused. */
  private readonly checking = new Set<string>();
  /** Saves what is accepted, one SQLite transaction per tick. */
  private readonly saver: BatchedSaver;

  constructor(
    private readonly chain: Chain,
    private readonly store: PoolStore,
    opts: PoolOptions = {},
  ) {
    super();
    this.maxSize = opts.maxSize ?? 10_000;
    this.maxNonceGap = opts.maxNonceGap ?? policy.DEFAULT_MAX_NONCE_GAP;
    this.maxQueued = opts.maxQueued ?? policy.defaultMaxQueued(this.maxSize);
    this.clock = opts.clock ?? systemClock;
    this.verify = opts.verify;
    this.saver = new BatchedSaver(store);
    chain.on("switching", (disconnected, connected) => this.saveAbandoned(disconnected, connected));
  }

  /**
   * Inside the chain's switch transaction: saves the transactions of the blocks leaving the
   * main chain (unless the new branch holds them), so they are not lost if the process dies
   * before `onTipChange` runs; `onTipChange` then drops those no longer valid.
   */
  private saveAbandoned(disconnected: CheckedBlock[], connected: CheckedBlock[]): void {
    const at = this.clock.now();
    for (const { tx, id } of abandonedTransactions(disconnected, connected)) this.store.add(id, JSON.stringify(tx), at);
  }

  get size(): number {
    return this.byId.size;
  }

  has(id: string): boolean {
    return this.byId.has(id);
  }

  get(id: string): PoolEntry | undefined {
    return this.byId.get(id);
  }

  /** All pending transactions, highest fee first. */
  entries(): PoolEntry[] {
    return [...this.byId.values()].sort((a, b) => b.tx.fee - a.tx.fee || a.seq - b.seq);
  }

  /** Reloads what was persisted, re-checking it against the current tip. */
  load(): number {
    const rows = this.store.all();
    const parsed: PoolEntry[] = [];
    const dropped: string[] = [];
    for (const r of rows) {
      try {
        const tx = parseTransaction(JSON.parse(r.tx));
        if (tx.type === "coinbase" || txId(tx) !== r.id) throw new Error("bad row");
        parsed.push({ tx, id: r.id, received: r.received, seq: 0 });
      } catch {
        dropped.push(r.id);
      }
    }
    const kept = this.rebuild(parsed, []);
    this.store.remove([...dropped, ...parsed.filter((e) => !kept.has(e.id)).map((e) => e.id)]);
    return this.byId.size;
  }

  /** Checks and takes a transaction as received (unchecked JSON). Throws a RuleError if refused. */
  async add(raw: unknown): Promise<AddResult> {
    const text = receivedText(raw);
    const copyOf = text === undefined ? undefined : this.arrived.get(text);
    if (copyOf !== undefined && this.byId.has(copyOf)) alreadyPending(copyOf);
    const tx = parseTransaction(raw);
    if (tx.type === "coinbase") fail("coinbase-not-allowed", "a coinbase cannot be sent: it is made by the miner of a block");
    const { id, signing } = txIdAndSigningText(tx); // one serialisation for both
    if (this.byId.has(id) || this.checking.has(id)) alreadyPending(id);
    const params = this.chain.params;
    if (tx.network !== params.name) fail("bad-network", `transaction is for network "${tx.network}", this node runs "${params.name}"`);
    if (tx.fee < params.min_fee) fail("fee-too-low", `fee ${tx.fee} is below this network's minimum fee ${params.min_fee}`);
    for (const a of [tx.sender, ...("recipient" in tx ? [tx.recipient] : []), ...("spender" in tx ? [tx.spender] : [])]) {
      if (isWeakAddress(a))
        fail(
          "weak-address",
          `${a} is a small-order Ed25519 point, not a key: no signature by it is valid and coins sent to it could never be spent`,
        );
    }
    if (this.verify === undefined) requireSignature(tx);
    else {
      this.checking.add(id);
      let ok: boolean[];
      try {
        ok = await this.verify([tx], false, [signing], [id]);
      } finally {
        this.checking.delete(id);
      }
      if (ok[0] !== true) requireSignature(tx); // throws bad-signature with its message
      if (this.byId.has(id)) alreadyPending(id);
    }
    const entry: PoolEntry = { tx, id, received: this.clock.now(), seq: this.seq++ };
    const replaced = this.bySender.get(tx.sender)?.get(tx.nonce);
    const status = replaced === undefined ? this.insert(entry) : this.replace(replaced, entry);
    if (text !== undefined) this.arrived.remember(text, id);
    const waitingFor = this.waitingFor(entry); // as accepted: what it waits for now
    await this.saver.save(id, JSON.stringify(tx), entry.received);
    // only now: a crash in between leaves both saved, and the higher fee wins at load (`rebuild`)
    if (replaced !== undefined) this.store.remove([replaced.id]);
    if (replaced !== undefined) this.emit("replaced", replaced, entry);
    this.emit("added", entry); // relayed to peers, whose pools replace by the same rule
    this.emit("changed");
    return waitingFor === undefined ? { id, status } : { id, status, waitingFor };
  }

  /** Whether a pending entry waits for an earlier nonce (it cannot go into the next block). */
  isQueued(entry: PoolEntry): boolean {
    return this.queued.has(entry);
  }

  /** For a queued entry, the sender's nonce it waits for (the first one the pool is missing); else undefined. */
  waitingFor(entry: PoolEntry): number | undefined {
    return this.queued.has(entry) ? this.nextNonce(entry.tx.sender) : undefined;
  }

  /** The sender's next nonce counting its pending transactions. */
  nextNonce(address: string): number {
    const nonce = this.account(address).nonce;
    const mine = this.bySender.get(address);
    return mine === undefined ? nonce : this.nextFree(address, nonce, mine);
  }

  /**
   * Per sender: every nonce in [base, next) is pending, `base` the account's nonce when it was
   * computed. Taking a transaction only extends the run, so it is kept and extended (a
   * sender's queue of k transactions costs k steps, not k² / 2); a removal drops it.
   */
  private readonly runs = new Map<string, { base: number; next: number }>();

  /** The first nonce from the account's `nonce` on that no pending transaction of `sender` uses. */
  private nextFree(sender: string, nonce: number, mine: ReadonlyMap<number, PoolEntry>): number {
    if (mine.size === 0) return nonce; // no run kept for a sender with nothing pending
    let run = this.runs.get(sender);
    if (run === undefined || run.base !== nonce) {
      run = { base: nonce, next: nonce };
      this.runs.set(sender, run);
    }
    while (mine.has(run.next)) run.next++;
    return run.next;
  }

  /** A sender's pending transactions by nonce. */
  pendingOf(address: string): PoolEntry[] {
    return [...(this.bySender.get(address)?.values() ?? [])].sort((a, b) => a.tx.nonce - b.tx.nonce);
  }

  /** Pending transactions that concern `address` as sender or recipient. */
  involving(address: string): PoolEntry[] {
    return this.entries().filter((e) => e.tx.sender === address || ("recipient" in e.tx && e.tx.recipient === address));
  }

  private account(address: string) {
    return new StateOverlay(this.chain.store).account(address);
  }

  /**
   * Per sender: the tip's state after the sender's ready pending transactions, and the nonce
   * that follows them, so a new transaction is checked by applying it alone (not its whole
   * queue again). Valid until the tip moves or the sender's queue shrinks.
   */
  private readonly projected = new Map<string, { state: StateOverlay; next: number }>();

  /** The sender's projection, made again unless it ends at `next` (the sender's next free nonce). */
  private projection(sender: string, acctNonce: number, mine: Map<number, PoolEntry>, next: number): { state: StateOverlay; next: number } {
    let p = this.projected.get(sender);
    if (p === undefined || p.next !== next) {
      const state = new StateOverlay(this.chain.store);
      let n = acctNonce;
      for (; mine.has(n); n++) {
        const e = mine.get(n) as PoolEntry;
        try {
          applyTransaction(state, e.tx, e.id, this.chain.params);
        } catch (err) {
          if (!(err instanceof RuleError)) throw err;
          break;
        }
      }
      state.commitJournal();
      p = { state, next: n };
      this.projected.set(sender, p);
    }
    return p;
  }

  /** Places an entry whose signature is already checked; throws a RuleError if refused. */
  private insert(entry: PoolEntry): AddResult["status"] {
    const { tx, id } = entry;
    const params = this.chain.params;
    const acct = this.account(tx.sender);
    if (tx.nonce < acct.nonce) {
      // only a used nonce can mean the very transaction is confirmed: look it up here, not on every add
      if (this.chain.store.hasTx(id)) fail("already-confirmed", `transaction ${id} is already in the chain`);
      fail("nonce-too-low", `nonce ${tx.nonce} is already used: the sender's next nonce is ${acct.nonce}`);
    }
    const mine = this.bySender.get(tx.sender) ?? new Map<number, PoolEntry>();
    const next = this.nextFree(tx.sender, acct.nonce, mine);
    if (mine.has(tx.nonce)) {
      fail("nonce-in-use", `a pending transaction already uses nonce ${tx.nonce}; the sender's next free nonce is ${next}`);
    }
    let status: AddResult["status"] = "ready";
    let projected: { state: StateOverlay; next: number } | undefined;
    if (tx.nonce > next) {
      policy.requireNonceWithin(tx.nonce, next, this.maxNonceGap);
      // a transaction that cannot be mined yet must still be paid for, or unfunded keys could fill the pool for free
      const balance = mine.size === 0 ? acct.balance : this.projection(tx.sender, acct.nonce, mine, next).state.account(tx.sender).balance;
      policy.requirePayable(balance, policy.queueAfter(mine, next, this.maxNonceGap, entry), entry);
      status = "queued";
      this.makeRoom(entry, true, next);
    } else {
      projected = this.projection(tx.sender, acct.nonce, mine, tx.nonce);
      const mark = projected.state.mark();
      try {
        applyTransaction(projected.state, tx, id, params);
        this.makeRoom(entry, false, next);
      } catch (err) {
        projected.state.revert(mark);
        // a refused sender with nothing pending keeps no projection: spam from many keys must not grow memory
        if (mine.size === 0) this.projected.delete(tx.sender);
        throw err;
      }
      projected.state.commitJournal();
      projected.next = tx.nonce + 1;
    }
    mine.set(tx.nonce, entry);
    this.bySender.set(tx.sender, mine);
    this.byId.set(id, entry);
    if (projected !== undefined) this.promote(tx.sender, projected);
    else this.queued.add(entry);
    return status;
  }

  /**
   * Puts `entry` in the place of `old`, pending with the same sender and nonce, if it pays the
   * price bump (pool-policy.ts) and leaves every later pending transaction of the sender valid
   * (a replacement that spends more must not silently push them out); throws a RuleError if not.
   */
  private replace(old: PoolEntry, entry: PoolEntry): AddResult["status"] {
    const sender = entry.tx.sender;
    const acct = this.account(sender);
    const mine = this.bySender.get(sender) as Map<number, PoolEntry>;
    const next = this.nextFree(sender, acct.nonce, mine);
    policy.requireReplacementFee(old, entry, next);
    const swapped = new Map(mine).set(entry.tx.nonce, entry);
    let balance: number;
    if (this.queued.has(old)) {
      balance = this.projection(sender, acct.nonce, mine, next).state.account(sender).balance;
    } else {
      const state = new StateOverlay(this.chain.store);
      for (let n = acct.nonce; n < next; n++) {
        const e = swapped.get(n) as PoolEntry;
        try {
          applyTransaction(state, e.tx, e.id, this.chain.params);
        } catch (err) {
          if (err instanceof RuleError && e !== entry) {
            fail(err.code, `with this replacement the sender's pending transaction with nonce ${n} would be refused: ${err.message}`);
          }
          throw err;
        }
      }
      balance = state.account(sender).balance;
    }
    policy.requirePayable(balance, policy.queueAfter(swapped, next, this.maxNonceGap), entry);
    this.removeEntry(old);
    let status: AddResult["status"];
    try {
      status = this.insert(entry);
    } catch (err) {
      this.insert(old); // checked above, so not expected: the pool stays as it was
      throw err;
    }
    return status; // `add` removes `old` from the store once `entry` is saved
  }

  /**
   * Removes a pending transaction from this pool (the operator's drop; peers keep theirs). The
   * sender's later ones are placed again as if just received: they wait (queued) for the
   * dropped nonce, within the queue's bounds (nonce gap, queued share), or leave too.
   * Returns the ids that left and those of the sender now queued; undefined if `id` is not pending.
   */
  remove(id: string): { removed: string[]; queued: string[] } | undefined {
    const entry = this.byId.get(id);
    if (entry === undefined) return undefined;
    const later = this.pendingOf(entry.tx.sender).filter((e) => e.tx.nonce > entry.tx.nonce);
    for (const e of [entry, ...later]) this.removeEntry(e);
    const removed = [entry.id];
    for (const e of later) {
      try {
        this.insert(e);
      } catch (err) {
        if (!(err instanceof RuleError)) throw err;
        removed.push(e.id);
      }
    }
    this.store.remove(removed);
    this.emit("changed");
    return { removed, queued: later.filter((e) => this.queued.has(e)).map((e) => e.id) };
  }

  /** Checks held transactions that follow the projection now that the gap before them is filled. */
  private promote(sender: string, p: { state: StateOverlay; next: number }): void {
    const mine = this.bySender.get(sender);
    if (mine === undefined) return;
    for (let n = p.next; mine.has(n); n++) {
      const e = mine.get(n) as PoolEntry;
      try {
        applyTransaction(p.state, e.tx, e.id, this.chain.params);
        p.state.commitJournal();
        p.next = n + 1;
        this.queued.delete(e);
      } catch (err) {
        if (!(err instanceof RuleError)) throw err;
        this.drop([...mine.values()].filter((x) => x.tx.nonce >= n));
        return;
      }
    }
    // what the ready ones now spend may leave too little for those still waiting: they go
    this.drop(policy.unpaid(p.state.account(sender).balance, policy.queueAfter(mine, p.next, this.maxNonceGap)).map((u) => u.entry));
  }

  /** Evicts a transaction if the pool (or its queued share) is full, or refuses `incoming` (pool-policy.ts). */
  private makeRoom(incoming: PoolEntry, queued: boolean, next: number): void {
    const held = { size: this.byId.size, maxSize: this.maxSize, maxQueued: this.maxQueued, queued: this.queued, bySender: this.bySender };
    const victim = policy.chooseVictim(held, incoming, queued, next);
    if (victim !== undefined) this.drop([victim]);
  }

  /** Removes entries from the pool and from its store. */
  private drop(entries: PoolEntry[]): void {
    if (entries.length === 0) return;
    for (const e of entries) this.removeEntry(e);
    this.store.remove(entries.map((e) => e.id));
  }

  private removeEntry(e: PoolEntry): void {
    this.queued.delete(e);
    this.projected.delete(e.tx.sender);
    this.runs.delete(e.tx.sender);
    this.byId.delete(e.id);
    const mine = this.bySender.get(e.tx.sender);
    mine?.delete(e.tx.nonce);
    if (mine?.size === 0) this.bySender.delete(e.tx.sender);
  }

  /** Re-places `entries` (and `returning` ones from abandoned blocks) against the current tip; returns the ids kept. */
  private rebuild(entries: PoolEntry[], returning: PoolEntry[]): Set<string> {
    this.byId.clear();
    this.bySender.clear();
    this.projected.clear();
    this.runs.clear();
    this.queued.clear();
    const all = [...entries, ...returning].sort((a, b) =>
      a.tx.sender < b.tx.sender ? -1 : a.tx.sender > b.tx.sender ? 1 : a.tx.nonce - b.tx.nonce || b.tx.fee - a.tx.fee || a.seq - b.seq,
    );
    for (const e of all) {
      if (e.seq === 0) e.seq = this.seq++;
      try {
        this.insert(e);
      } catch (err) {
        if (!(err instanceof RuleError)) throw err;
      }
    }
    return new Set(this.byId.keys());
  }

  /** Follows the chain: drops what was confirmed or became invalid; takes back what was abandoned. */
  onTipChange(change: TipChange): void {
    const before = [...this.byId.values()];
    const confirmed = new Set<string>();
    for (const b of change.connected) for (const id of b.txIds) confirmed.add(id);
    const returning: PoolEntry[] = [];
    for (const { tx, id } of abandonedTransactions(change.disconnected, change.connected)) {
      if (this.byId.has(id) || this.chain.store.hasTx(id)) continue;
      returning.push({ tx, id, received: this.clock.now(), seq: 0 });
    }
    const kept = this.rebuild(
      before.filter((e) => !confirmed.has(e.id)),
      returning,
    );
    const gone = before.filter((e) => !kept.has(e.id)).map((e) => e.id);
    // abandoned transactions no longer valid were saved by `saveAbandoned`: they go too
    this.store.remove([...gone, ...returning.filter((e) => !kept.has(e.id)).map((e) => e.id)]);
    for (const e of returning) {
      if (!kept.has(e.id)) continue;
      this.store.add(e.id, JSON.stringify(e.tx), e.received);
      this.emit("returned", e); // pending again: peers hear of it again
    }
    if (gone.length > 0 || returning.length > 0) this.emit("changed");
  }

  /** Ready entries per sender, in nonce order (for block templates). */
  readyBySender(): PoolEntry[][] {
    const out: PoolEntry[][] = [];
    for (const [sender, mine] of this.bySender) {
      const list: PoolEntry[] = [];
      for (let n = this.account(sender).nonce; mine.has(n); n++) list.push(mine.get(n) as PoolEntry);
      if (list.length > 0) out.push(list);
    }
    return out;
  }
}
