/**
 * Peering, the node among its peers: registering peers, gossip of what the node accepts, catching
 * up (on announcements of unknown blocks, on /nodes/resolve, and every few seconds).
 */
import type { Logger } from "pino";
import { fail, isRuleError } from "../core/errors.js";
import { PeerRequestError } from "../p2p/http-client.js";
import { normalisePeerUrl, PeerUrlError } from "../p2p/peer-url.js";
import type { BatchVerify, Chain } from "./chain.js";
import type { BlockOrigins } from "./chain-log.js";
import { type Clock, sleep, type Timer } from "./clock.js";
import { Gossip } from "./gossip.js";
import type { Peer, PeerSet } from "./peers.js";
import type { Pool } from "./pool.js";
import { Sync, type SyncOptions } from "./sync.js";
import { type BlockAnnouncement, UnrequestedBlocks } from "./unrequested.js";

export type { BlockAnnouncement } from "./unrequested.js";

/** The peering settings a node's configuration may give. */
export interface PeeringSettings extends SyncOptions {
  /** Seconds between background syncs (0: none). */
  syncIntervalS?: number;
  /** How many peers are kept at most (default 64). */
  maxPeers?: number;
}

export interface PeeringOptions extends Omit<PeeringSettings, "maxPeers" | "origins"> {
  /** Told where blocks came from (the node's log). */
  origins?: BlockOrigins;
  /**
   * The random id this node made at its start (its /status `node_id`), to recognise itself
   * among would-be peers. Not the wallet address: two nodes may share one (a copied data
   * directory, two miners paying one address) and must still be able to peer.
   */
  selfId: string;
  /** Signature checks (worker threads). */
  verify: BatchVerify;
  clock: Clock;
}

/** Peers the background sync asks each round, at least (a quarter of them when there are more). */
const POLL_AT_LEAST = 4;

/** How long /nodes/resolve waits for peers before answering with what it has. */
export const RESOLVE_WAIT_MS = 30_000;

export class Peering {
  readonly gossip: Gossip;
  readonly sync: Sync;
  /** Blocks announced to this node (POST /blocks): the anti-DoS gate, and the orphans it holds. */
  readonly unrequested: UnrequestedBlocks;
  private timer: Timer | undefined;
  private catchUp: Promise<unknown> | undefined;
  private closed = false;
  /** Set when blocks from a peer moved the tip; read and cleared by `resolve`. */
  private replacedByPeers = false;

  constructor(
    private readonly chain: Chain,
    pool: Pool,
    /** The peers (built by the composition root, with the clock and the transport). */
    readonly peers: PeerSet,
    private readonly log: Logger,
    private readonly opts: PeeringOptions,
  ) {
    this.gossip = new Gossip(peers, log, opts.selfId);
    this.sync = new Sync(
      chain,
      peers,
      log,
      opts.verify,
      {
        takePending: async (txs) => {
          // refusals (known, confirmed, invalid here) are expected and ignored; forged signatures are counted
          const refusals = await Promise.all(
            txs.slice(0, 5000).map((tx) =>
              pool.add(tx).then(
                () => undefined,
                (err: unknown) => (isRuleError(err) ? err.code : undefined),
              ),
            ),
          );
          return refusals.filter((c) => c === "bad-signature").length;
        },
        adopted: () => {
          this.replacedByPeers = true;
        },
      },
      opts.clock,
      opts,
    );
    this.unrequested = new UnrequestedBlocks(chain, opts.verify, () => this.requestCatchUp(), log, opts.clock, opts.origins);
    chain.on("tip", (change) => {
      const tip = change.connected.at(-1);
      if (tip !== undefined) this.announceTip(tip.hash, change.connected.length === 1 && !this.sync.busy);
      void this.unrequested.adopt();
    });
    pool.on("added", (e) => this.gossip.announceTransaction(e.id, () => JSON.stringify({ ...e.tx, id: e.id })));
    pool.on("returned", (e) => this.gossip.announceTransaction(e.id, () => JSON.stringify({ ...e.tx, id: e.id }), true));
  }

  /**
   * Announces a new tip: at once when it is a single new block; during a catch-up or a
   * reorganisation only the last tip of the burst (peers fetch what they lack from it),
   * instead of one announcement per block.
   */
  private announceTip(hash: string, single: boolean): void {
    if (single && this.burstTip === undefined) {
      this.gossip.announceBlock(hash, this.chain.store.blockJson(hash) as string);
      return;
    }
    this.burstTip = hash;
    if (this.burstTimer !== undefined) return;
    this.burstTimer = this.opts.clock.after(50, () => {
      this.burstTimer = undefined;
      const h = this.burstTip as string;
      this.burstTip = undefined;
      if (this.chain.isMain(h)) this.gossip.announceBlock(h, this.chain.store.blockJson(h) as string);
    });
  }

  private burstTip: string | undefined;
  private burstTimer: Timer | undefined;

  start(): void {
    const every = (this.opts.syncIntervalS ?? 5) * 1000;
    if (every > 0) {
      const tick = () => {
        if (this.closed) return;
        void this.sync.round(Math.max(POLL_AT_LEAST, Math.ceil(this.peers.size / 4))).finally(() => {
          if (!this.closed) this.timer = this.opts.clock.after(every, tick);
        });
      };
      this.timer = this.opts.clock.after(200, tick);
    }
  }

  close(): void {
    this.closed = true;
    this.timer?.cancel();
    this.burstTimer?.cancel();
    this.unrequested.close();
  }

  /**
   * Registers peer addresses (docs/protocol.md §7 /nodes/register). Garbage, another network, or this
   * node itself is refused (nothing is added then); unreachable peers are kept and retried.
   */
  async register(inputs: unknown): Promise<string[]> {
    if (!Array.isArray(inputs) || inputs.length === 0) {
      fail("bad-schema", 'send {"nodes": ["http://host:port", ...]}: a non-empty list of peer addresses');
    }
    if (inputs.length > this.peers.max) fail("bad-schema", `at most ${this.peers.max} peers can be registered`);
    const urls: string[] = [];
    const bad: string[] = [];
    for (const i of inputs) {
      try {
        urls.push(normalisePeerUrl(i));
      } catch (err) {
        if (!(err instanceof PeerUrlError)) throw err;
        bad.push(err.message);
      }
    }
    if (bad.length > 0) fail("bad-schema", `invalid peer address: ${bad.join("; ")}`);
    const fresh = [...new Set(urls)].filter((u) => !this.peers.has(u));
    if (this.peers.size + fresh.length > this.peers.max) {
      fail("bad-schema", `this node keeps at most ${this.peers.max} peers (it has ${this.peers.size})`);
    }
    const checks = await Promise.all(fresh.map((u) => this.probe(u)));
    const refused = checks.filter((c) => c.refusal !== undefined).map((c) => c.refusal as string);
    if (refused.length > 0) fail("bad-network", refused.join("; "));
    for (const c of checks) {
      const p = this.peers.add(c.url) as Peer;
      if (c.status) this.peers.markSeen(p, c.status);
      else this.peers.markFailed(p, c.error ?? "unreachable");
      this.log.info({ peer: p.label, reachable: c.status !== undefined }, "peer registered");
      if (c.status) void this.sync.withPeer(p);
    }
    return this.peers.list().map((p) => p.label);
  }

  private async probe(url: string) {
    const client = this.peers.clientFor(url);
    try {
      const status = await client.status();
      if (status.network !== this.chain.params.name || status.genesis_hash !== this.chain.genesisHash) {
        return {
          url,
          refusal: `${url} runs network "${status.network}" with genesis ${status.genesis_hash}; this node runs "${this.chain.params.name}" with genesis ${this.chain.genesisHash}`,
        };
      }
      if (status.node_id === this.opts.selfId) return { url, refusal: `${url} is this node itself` };
      return { url, status };
    } catch (err) {
      if (err instanceof PeerRequestError && (err.kind === "bad-json" || err.kind === "status" || err.kind === "too-large")) {
        return { url, refusal: `${url} does not answer like a tinychain node (${err.message})` };
      }
      return { url, error: (err as Error).message };
    }
  }

  /** A block announced by anyone (POST /blocks); see UnrequestedBlocks. Unknown parents are fetched from peers. */
  receiveBlock(raw: unknown, from?: string): Promise<BlockAnnouncement> {
    return this.unrequested.receive(raw, from);
  }

  /** Starts a sync with all peers unless one is running. */
  requestCatchUp(): void {
    if (this.catchUp !== undefined || this.closed) return;
    this.catchUp = this.sync.withAll(false).finally(() => {
      this.catchUp = undefined;
      void this.unrequested.adopt();
    });
  }

  /**
   * Runs consensus against all peers now (docs/protocol.md §7 /nodes/resolve). True when a peer's chain
   * replaced ours: in this call, or by the background sync since the last call (so the
   * tutorial's register-then-resolve still reports the replacement).
   */
  async resolve(waitMs = RESOLVE_WAIT_MS): Promise<boolean> {
    const before = this.chain.tip.hash;
    // a slow peer cannot hold the answer longer than this; its sync goes on in the background
    const wait = sleep(this.opts.clock, waitMs);
    await Promise.race([this.sync.withAll(false), wait.done]);
    wait.cancel();
    await this.unrequested.adopt();
    const replaced = this.replacedByPeers || this.chain.tip.hash !== before;
    this.replacedByPeers = false;
    return replaced;
  }

  /** Registers `--peers` given at start, in the background (unreachable ones are kept). */
  registerAtStart(urls: string[]): void {
    for (const u of urls) {
      void this.register([u]).catch((err) =>
        this.log.warn({ peer: u, err: (err as Error).message }, "could not register a --peers address"),
      );
    }
  }
}
