/**
 * Catching up with peers (docs/protocol.md §5), headers first: compare tips, find the fork point, fetch
 * the peer's headers after it and check them (links, time, difficulty, proof of work) and
 * their total work, and only when that beats our chain fetch the blocks — in pages, each
 * checked in full by the chain, which switches when the branch has more work. Blocks stored
 * by an earlier attempt are not fetched again, so every attempt makes progress however long
 * the branch. Everything taken from one peer is bounded: time per request and bytes per
 * answer (the client), time per attempt (here).
 */
import { setImmediate as yieldToLoop } from "node:timers/promises";
import type { Logger } from "pino";
import { blockHash } from "../core/encoding.js";
import { isRuleError } from "../core/errors.js";
import { parseBlock } from "../core/schema.js";
import type { Block } from "../core/types.js";
import { isBetterChain } from "../core/work.js";
import { PeerRequestError } from "../p2p/http-client.js";
import { type BatchVerify, type Chain, PageError } from "./chain.js";
import type { BlockOrigins } from "./chain-log.js";
import { type Clock, nowSeconds } from "./clock.js";
import { HeaderBranch } from "./header-branch.js";
import type { Peer, PeerSet } from "./peers.js";

/** Headers asked for per request (docs/protocol.md §7: a node serves at least 2,000). */
const HEADERS_PER_PAGE = 2000;
/** How often, at most, the pool of a peer already pulled is pulled again when its count changed. */
const PULL_EVERY_MS = 300_000;
/** How many of a peer's last headers the fork-point search asks for first (one request for a fork this deep or less). */
const FORK_WINDOW = 64;

/** What a sync hands back to the node. */
/** A catch-up logs its progress this often. */
const PROGRESS_EVERY_MS = 5000;

export interface SyncHandlers {
  /**
   * Takes a peer's pending transactions (each checked in full by the pool); resolves to how
   * many carried a signature that does not verify — which no honest node holds.
   */
  takePending(txs: unknown[]): Promise<number>;
  /** Called when blocks from a peer moved the tip. */
  adopted(): void;
}

export interface SyncOptions {
  /** Told which blocks sync fetched from which peer (the node's log). */
  origins?: Pick<BlockOrigins, "synced">;
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
  private readonly origins: Pick<BlockOrigins, "synced"> | undefined;
  /** Per peer: the pending count last pulled and when, so an unchanged pool is not fetched again. */
  private readonly pulled = new Map<string, { count: number; at: number }>();
  /** Per peer: when the background sync last asked it (the least recently asked go first). */
  private readonly asked = new Map<string, number>();

  constructor(
    private readonly chain: Chain,
    private readonly peers: PeerSet,
    private readonly log: Logger,
    private readonly verify: BatchVerify,
    private readonly handlers: SyncHandlers,
    private readonly clock: Clock,
    opts: SyncOptions = {},
  ) {
    this.pageSize = opts.pageSize ?? 200;
    this.maxBlocks = opts.maxBlocksPerAttempt ?? Number.MAX_SAFE_INTEGER;
    this.attemptTimeMs = opts.attemptTimeMs ?? 60_000;
    this.origins = opts.origins;
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

  /**
   * The background sync's round: in parallel, the `most` peers not in back-off that it asked
   * least recently (all of them when there are no more). New blocks come by announcement;
   * this round is the safety net, so a node with many peers asks each less often instead of
   * sending every peer a request every few seconds.
   */
  async round(most: number): Promise<SyncOutcome[]> {
    const never = Number.NEGATIVE_INFINITY;
    const due = this.peers
      .due()
      .map((p) => ({ p, at: this.asked.get(p.url) ?? never }))
      .sort((a, b) => a.at - b.at || (a.p.url < b.p.url ? -1 : a.p.url > b.p.url ? 1 : 0))
      .slice(0, most);
    const now = this.clock.now();
    for (const { p } of due) this.asked.set(p.url, now);
    return Promise.all(due.map(({ p }) => this.withPeer(p)));
  }

  private async attempt(peer: Peer): Promise<SyncOutcome> {
    const out: SyncOutcome = { peer: peer.label, fetched: 0, accepted: 0 };
    const deadline = this.clock.now() + this.attemptTimeMs;
    const tipBefore = this.chain.tip.hash;
    try {
      const status = await peer.client.status();
      if (status.network !== this.chain.params.name || status.genesis_hash !== this.chain.genesisHash) {
        this.log.warn({ peer: peer.label, network: status.network }, "peer is now on another network; dropping it");
        this.peers.remove(peer.url);
        out.error = "other network";
        return out;
      }
      const recovered = peer.failures > 0;
      this.peers.markSeen(peer, status);
      await this.pullPending(peer, status.pending, recovered);
      if (status.total_work <= this.chain.tip.work) return out;
      const fork = await this.forkPoint(peer, Math.min(status.height, this.chain.tip.height), deadline);
      const branch = await this.headers(peer, fork, deadline);
      if (branch === undefined) {
        // a peer without GET /headers: its blocks, from the first one not already stored here
        await this.fetchBlocks(peer, await this.firstMissing(peer, fork, status.height, deadline), undefined, deadline, out);
      } else if (!isBetterChain(branch.work, this.chain.tip.work)) {
        // its /status claimed more work than its headers carry (or it moved): nothing of it is stored
        throw new Error(`its headers up to ${branch.height} carry no more work than our chain`);
      } else {
        await this.fetchBlocks(peer, branch.firstMissing(), branch, deadline, out);
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
    if (out.accepted > 0 && this.chain.tip.hash !== tipBefore) this.handlers.adopted();
    if (out.accepted > 0) {
      this.log.info(
        { peer: peer.label, blocks: out.accepted, height: this.chain.tip.height },
        `synced ${out.accepted.toLocaleString("en-US")} block${out.accepted === 1 ? "" : "s"} from ${peer.label}, now at height ${this.chain.tip.height}`,
      );
    }
    return out;
  }

  /**
   * The peer's branch after `fork`, header by header, checked and its work summed (see
   * HeaderBranch); undefined when the peer does not serve GET /headers.
   */
  private async headers(peer: Peer, fork: number, deadline: number): Promise<HeaderBranch | undefined> {
    if (this.noHeaders.has(peer.url)) return undefined;
    const branch = new HeaderBranch(this.chain, fork);
    for (;;) {
      if (this.clock.now() > deadline) throw new Error(`headers not fetched within the attempt's time (${branch.height - fork} so far)`);
      const page = await peer.client.headersFrom(branch.height + 1, HEADERS_PER_PAGE);
      if (page === undefined) {
        this.noHeaders.add(peer.url);
        return undefined;
      }
      if (page.length === 0) return branch;
      const before = branch.height;
      try {
        branch.append(page, nowSeconds(this.clock));
      } catch (err) {
        if (isRuleError(err)) throw new BadPeer(`served an invalid header after ${branch.height}: ${err.code}: ${err.message}`);
        throw err;
      }
      if (branch.future || page.length < HEADERS_PER_PAGE || branch.height === before) return branch;
      await yieldToLoop();
    }
  }

  /** Peers that answered GET /headers with 404 (protocol 1.0 nodes): synced by blocks alone. */
  private readonly noHeaders = new Set<string>();

  /**
   * Fetches the peer's main-chain blocks from `next` in pages and gives them to the chain
   * (which checks each in full and switches when the branch has more work). With a checked
   * header branch, up to its end, each block matching its header; without, until the peer
   * has no more. Ends at the attempt's deadline: what was stored is kept, and the next
   * attempt starts after it.
   */
  private async fetchBlocks(peer: Peer, from: number, branch: HeaderBranch | undefined, deadline: number, out: SyncOutcome): Promise<void> {
    let next = from;
    const end = branch?.height ?? Number.MAX_SAFE_INTEGER;
    let limit = this.pageSize;
    // the next page is fetched while this one is checked and connected
    let prefetched: { from: number; page: Promise<unknown[]> } | undefined;
    // a long catch-up says how far it is, every few seconds
    let toldAt = this.clock.now();
    while (next <= end && out.fetched < this.maxBlocks && this.clock.now() < deadline) {
      const want = Math.min(limit, this.maxBlocks - out.fetched, end - next + 1);
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
      const blocks = this.parsePage(page.slice(0, want), next, branch);
      const full = page.length >= want && out.fetched + blocks.length < this.maxBlocks && next + blocks.length <= end;
      if (full) {
        const ahead = next + blocks.length;
        const pending = peer.client.blocksFrom(ahead, Math.min(limit, this.maxBlocks - out.fetched - blocks.length, end - ahead + 1));
        pending.catch(() => undefined); // a failure surfaces when the page is awaited (or not at all if sync stops first)
        prefetched = { from: ahead, page: pending };
      }
      // signatures on the worker threads two chunks ahead of the connecting (chain.submitMany)
      this.origins?.synced(
        blocks.map((b, i) => branch?.hashAt(next + i) ?? blockHash(b)),
        peer.label,
      );
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
      next += blocks.length;
      if (!full) break;
      if (this.clock.now() - toldAt >= PROGRESS_EVERY_MS) {
        toldAt = this.clock.now();
        const total = branch !== undefined ? `/${(end - from + 1).toLocaleString("en-US")}` : "";
        this.log.info(
          { peer: peer.label, height: this.chain.tip.height },
          `synced ${out.fetched.toLocaleString("en-US")}${total} blocks from ${peer.label}`,
        );
      }
    }
  }

  /**
   * Without headers: the first height after `fork` whose block of the peer's chain is not
   * stored here (a binary search over the peer's hashes), so blocks stored by an attempt cut
   * short are not fetched again and every attempt makes progress.
   */
  private async firstMissing(peer: Peer, fork: number, top: number, deadline: number): Promise<number> {
    const stored = async (h: number) => {
      const hash = await this.hashAt(peer, h);
      return hash !== undefined && this.chain.store.blockInfo(hash) !== undefined;
    };
    if (top <= fork || !(await stored(fork + 1))) return fork + 1;
    let lo = fork + 1; // stored
    let hi = top; // the highest candidate
    for (let steps = 0; lo < hi && steps < 64; steps++) {
      if (this.clock.now() > deadline) break;
      const mid = Math.ceil((lo + hi) / 2);
      if (await stored(mid)) lo = mid;
      else hi = mid - 1;
    }
    return lo + 1;
  }

  /**
   * Takes the peer's pool, so transactions whose announcement was lost (a peer down for a
   * while, a full queue) still spread: at the first contact, once it answers again after
   * failing, and then when its pending count changed, at most every PULL_EVERY_MS.
   */
  private async pullPending(peer: Peer, pending: number | undefined, recovered: boolean): Promise<void> {
    if (pending === undefined || pending === 0) return;
    const last = this.pulled.get(peer.url);
    const now = this.clock.now();
    if (last !== undefined && !recovered && (last.count === pending || now - last.at < PULL_EVERY_MS)) return;
    this.pulled.set(peer.url, { count: pending, at: now });
    let forged: number;
    try {
      forged = await this.handlers.takePending(await peer.client.pending());
    } catch (err) {
      this.log.debug({ peer: peer.label, err: (err as Error).message }, "could not fetch the peer's pool");
      return;
    }
    // a node checks every signature before it holds a transaction: one that serves forged ones makes us do its work
    if (forged > 0) throw new BadPeer(`served ${forged} pending transactions whose signatures do not verify`);
  }

  /**
   * Checks a page's shape (each block in order from `from`, and with a header branch, each the
   * block its header promised); a malformed block is the peer's fault.
   */
  private parsePage(page: unknown[], from: number, branch: HeaderBranch | undefined): Block[] {
    return page.map((raw, i) => {
      const index = (raw as { index?: unknown } | null)?.index;
      if (index !== from + i) throw new BadPeer(`served block ${String(index)} where ${from + i} was asked for`);
      let block: Block;
      try {
        block = parseBlock(raw, this.chain.params.max_block_txs);
      } catch (err) {
        if (isRuleError(err)) throw new BadPeer(`served a malformed block ${from + i}: ${err.message}`);
        throw err;
      }
      // its main chain moved since it sent the headers: stop, no blame; the next attempt starts over
      if (branch !== undefined && blockHash(block) !== branch.hashAt(from + i)) {
        throw new Error(`its block ${from + i} is not the one its headers announced (its chain moved)`);
      }
      return block;
    });
  }

  /**
   * The highest height at which the peer's main chain and ours hold the same block, below
   * the top of the shorter chain: first among the peer's last FORK_WINDOW headers (one
   * request), then, for a deeper fork, by binary search below them (common prefixes nest).
   */
  private async forkPoint(peer: Peer, top: number, deadline: number): Promise<number> {
    const ours = (h: number) => this.chain.store.mainHash(h);
    const theirs = (h: number) => this.hashAt(peer, h);
    let lo = 1; // genesis: the same (checked through /status)
    let hi = top - 1;
    // most forks are a few blocks deep: the peer's last headers, in one request, usually hold the fork point
    const recent = await this.recentHashes(peer, top);
    if (recent !== undefined) {
      for (let h = top; h >= recent.from; h--) if (recent.hashes[h - recent.from] === ours(h)) return h;
      hi = recent.from - 1;
    } else if ((await theirs(top)) === ours(top)) return top;
    let steps = 0;
    while (lo < hi && steps++ < 64) {
      if (this.clock.now() > deadline) throw new Error("no fork point found within the attempt's time");
      const mid = Math.ceil((lo + hi) / 2);
      if ((await theirs(mid)) === ours(mid)) lo = mid;
      else hi = mid - 1;
    }
    return lo;
  }

  /**
   * The hashes (hints, checked later with the headers) of the peer's main-chain blocks from
   * FORK_WINDOW below `top` up to `top`, from one GET /headers; undefined for a peer without it.
   */
  private async recentHashes(peer: Peer, top: number): Promise<{ from: number; hashes: unknown[] } | undefined> {
    if (this.noHeaders.has(peer.url)) return undefined;
    const from = Math.max(1, top - FORK_WINDOW + 1);
    const page = await peer.client.headersFrom(from, top - from + 1);
    if (page === undefined) {
      this.noHeaders.add(peer.url);
      return undefined;
    }
    return { from, hashes: page.map((h) => (h as { hash?: unknown } | undefined)?.hash) };
  }

  /** The hash of the peer's main-chain block at `height` (a hint), from its header when it serves them. */
  private async hashAt(peer: Peer, height: number): Promise<string | undefined> {
    if (!this.noHeaders.has(peer.url)) {
      const page = await peer.client.headersFrom(height, 1);
      if (page !== undefined) {
        const hash = (page[0] as { hash?: unknown } | undefined)?.hash;
        return typeof hash === "string" ? hash : undefined;
      }
      this.noHeaders.add(peer.url);
    }
    return peer.client.hashAt(height);
  }
}

class BadPeer extends Error {}
