/**
 * Catching up with peers (SPEC §5): compare tips, find the fork point, fetch only the
 * missing blocks in pages, and give each to the chain, which checks it in full and switches
 * when the branch has more work. Everything taken from one peer is bounded: time per request
 * and bytes per answer (the client), blocks and time per attempt (here).
 */
import { setImmediate as yieldToLoop } from "node:timers/promises";
import type { Logger } from "pino";
import { isRuleError } from "../core/errors.js";
import { parseBlock } from "../core/schema.js";
import type { Block } from "../core/types.js";
import { PeerRequestError } from "../p2p/http-client.js";
import { type BatchVerify, type Chain, PageError } from "./chain.js";
import type { Peer, PeerSet } from "./peers.js";

export interface SyncOptions {
  pageSize?: number;
  maxBlocksPerAttempt?: number;
  attemptTimeMs?: number;
}

export interface SyncOutcome {
  peer: string;
  fetched: number;
  accepted: number;
  error?: string;
}

export class Sync {
  private readonly running = new Map<string, Promise<SyncOutcome>>();
  private readonly pageSize: number;
  private readonly maxBlocks: number;
  private readonly attemptTimeMs: number;
  /** Takes a peer's pending transactions (each checked in full by the pool). */
  onPending: (txs: unknown[]) => Promise<void> = async () => {};
  /** Per peer: the pending count last pulled, so an unchanged pool is not fetched again. */
  private readonly pulled = new Map<string, number>();
  /** Called when blocks from a peer moved the tip. */
  onAdopted: () => void = () => {};

  constructor(
    private readonly chain: Chain,
    private readonly peers: PeerSet,
    private readonly log: Logger,
    private readonly verify: BatchVerify,
    opts: SyncOptions = {},
  ) {
    this.pageSize = opts.pageSize ?? 200;
    this.maxBlocks = opts.maxBlocksPerAttempt ?? 20_000;
    this.attemptTimeMs = opts.attemptTimeMs ?? 60_000;
  }

  /** True while an attempt is under way. */
  get busy(): boolean {
    return this.running.size > 0;
  }

  /** Syncs with one peer; concurrent calls for the same peer share one attempt. */
  withPeer(peer: Peer): Promise<SyncOutcome> {
    const running = this.running.get(peer.url);
    if (running !== undefined) return running;
    const p = this.attempt(peer).finally(() => this.running.delete(peer.url));
    this.running.set(peer.url, p);
    return p;
  }

  /** Syncs with every peer (or only those not in back-off) in parallel. */
  async withAll(onlyDue = false): Promise<SyncOutcome[]> {
    const list = onlyDue ? this.peers.due() : this.peers.list();
    return Promise.all(list.map((p) => this.withPeer(p)));
  }

  private async attempt(peer: Peer): Promise<SyncOutcome> {
    const out: SyncOutcome = { peer: peer.label, fetched: 0, accepted: 0 };
    const deadline = Date.now() + this.attemptTimeMs;
    const tipBefore = this.chain.tip.hash;
    try {
      const status = await peer.client.status();
      if (status.network !== this.chain.params.name || status.genesis_hash !== this.chain.genesisHash) {
        this.log.warn({ peer: peer.label, network: status.network }, "peer is now on another network; dropping it");
        this.peers.remove(peer.url);
        out.error = "other network";
        return out;
      }
      this.peers.markSeen(peer, status);
      await this.pullPending(peer, status.pending);
      if (status.total_work <= this.chain.tip.work) return out;
      const fork = await this.forkPoint(peer, Math.min(status.height, this.chain.tip.height), deadline);
      let next = fork + 1;
      let limit = this.pageSize;
      // the next page is fetched while this one is checked and connected
      let prefetched: { from: number; page: Promise<unknown[]> } | undefined;
      while (out.fetched < this.maxBlocks && Date.now() < deadline) {
        const want = Math.min(limit, this.maxBlocks - out.fetched);
        let page: unknown[];
        try {
          page = await (prefetched?.from === next ? prefetched.page : peer.client.blocksFrom(next, want));
        } catch (err) {
          prefetched = undefined;
          if (err instanceof PeerRequestError && err.kind === "too-large" && limit > 1) {
            limit = Math.max(1, Math.floor(limit / 4));
            continue;
          }
          throw err;
        }
        prefetched = undefined;
        if (page.length === 0) break;
        const blocks = this.parsePage(page, next);
        const full = page.length >= want && out.fetched + page.length < this.maxBlocks;
        if (full) {
          const from = next + page.length;
          const ahead = peer.client.blocksFrom(from, Math.min(limit, this.maxBlocks - out.fetched - page.length));
          ahead.catch(() => undefined); // a failure surfaces when the page is awaited (or not at all if sync stops first)
          prefetched = { from, page: ahead };
        }
        // signatures on the worker threads two chunks ahead of the connecting (chain.submitMany)
        try {
          const results = await this.chain.submitMany(blocks, this.verify);
          out.fetched += blocks.length;
          out.accepted += results.filter((r) => r.outcome !== "known").length;
        } catch (err) {
          if (!(err instanceof PageError)) throw err;
          out.fetched += err.index + 1;
          out.accepted += err.results.filter((r) => r.outcome !== "known").length;
          const at = next + err.index;
          const cause = err.cause;
          if (!isRuleError(cause)) throw cause;
          // a chain that moved under us, or a clock ahead of ours: stop, no blame
          if (cause.code === "unknown-parent" || cause.code === "time-too-new") throw new Error(`block ${at}: ${cause.message}`);
          throw new BadPeer(`served an invalid block ${at}: ${cause.code}: ${cause.message}`);
        }
        await yieldToLoop();
        next += page.length;
        if (!full) break;
      }
    } catch (err) {
      out.error = (err as Error).message;
      if (err instanceof BadPeer) {
        this.log.warn({ peer: peer.label, reason: out.error }, "dropping a peer that served invalid data");
        this.peers.remove(peer.url);
      } else {
        this.peers.markFailed(peer, out.error);
        this.log.debug({ peer: peer.label, err: out.error }, "sync attempt failed");
      }
    }
    // blocks taken before a failure (a valid prefix of a chain that turned out bad) count too
    if (out.accepted > 0 && this.chain.tip.hash !== tipBefore) this.onAdopted();
    if (out.accepted > 0) this.log.info({ peer: peer.label, blocks: out.accepted, height: this.chain.tip.height }, "synced from peer");
    return out;
  }

  /**
   * Fetches the peer's pool when its size changed since the last pull, so transactions
   * whose announcement was lost (a peer down for a while, a full queue) still spread.
   */
  private async pullPending(peer: Peer, pending: number | undefined): Promise<void> {
    if (pending === undefined || pending === 0 || this.pulled.get(peer.url) === pending) return;
    this.pulled.set(peer.url, pending);
    try {
      await this.onPending(await peer.client.pending());
    } catch (err) {
      this.log.debug({ peer: peer.label, err: (err as Error).message }, "could not fetch the peer's pool");
    }
  }

  /** Checks a page's shape (each block in order from `from`); a bad one is the peer's fault. */
  private parsePage(page: unknown[], from: number): Block[] {
    return page.map((raw, i) => {
      const index = (raw as { index?: unknown } | null)?.index;
      if (index !== from + i) throw new BadPeer(`served block ${String(index)} where ${from + i} was asked for`);
      try {
        return parseBlock(raw, this.chain.params.max_block_txs);
      } catch (err) {
        if (isRuleError(err)) throw new BadPeer(`served a malformed block ${from + i}: ${err.message}`);
        throw err;
      }
    });
  }

  /**
   * The highest height at which the peer's main chain and ours hold the same block,
   * searched from the top of the shorter chain down (binary search: common prefixes nest).
   */
  private async forkPoint(peer: Peer, top: number, deadline: number): Promise<number> {
    const ours = (h: number) => this.chain.store.mainHash(h);
    if ((await peer.client.hashAt(top)) === ours(top)) return top;
    let lo = 1; // genesis: the same (checked through /status)
    let hi = top - 1;
    let steps = 0;
    while (lo < hi && steps++ < 64) {
      if (Date.now() > deadline) throw new Error("no fork point found within the attempt's time");
      const mid = Math.ceil((lo + hi) / 2);
      if ((await peer.client.hashAt(mid)) === ours(mid)) lo = mid;
      else hi = mid - 1;
    }
    return lo;
  }
}

class BadPeer extends Error {}
