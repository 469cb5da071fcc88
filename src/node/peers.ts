/**
 * The node's peers: a bounded, persisted set with health (last seen, failures, back-off).
 */
import { httpTransport, type PeerTransport } from "../p2p/http-client.js";
import { PeerClient, type PeerStatus } from "../p2p/peer-client.js";
import { peerLabel } from "../p2p/peer-url.js";
import type { PeerStore } from "../store/peer-store.js";
import { type Clock, systemClock } from "./clock.js";

export interface Peer {
  url: string;
  label: string;
  client: PeerClient;
  /** When it was added (ms since the epoch, like every time here). */
  added: number;
  lastSeen: number | null;
  failures: number;
  /** Not tried again before then (back-off). */
  nextTry: number;
  lastError?: string;
  /** The peer's tip as it last said (a hint, never trusted). */
  status?: PeerStatus;
}

export const MAX_PEERS = 64;
const MAX_BACKOFF_MS = 5 * 60_000;

export interface PeerSetOptions {
  max?: number;
  clock?: Clock;
  /** How the peers are reached (default: HTTP). */
  transport?: PeerTransport;
  /**
   * Told when a peer answers for the first time or again after failing (`up`), and when it
   * stops answering (`down`, at its first failure; not again while it stays down).
   */
  onHealth?: (peer: Peer, change: "up" | "down") => void;
}

export class PeerSet {
  private readonly peers = new Map<string, Peer>();
  readonly max: number;
  private readonly clock: Clock;
  private readonly transport: PeerTransport;
  private readonly onHealth: (peer: Peer, change: "up" | "down") => void;

  constructor(
    private readonly store: PeerStore,
    opts: PeerSetOptions = {},
  ) {
    this.max = opts.max ?? MAX_PEERS;
    this.clock = opts.clock ?? systemClock;
    this.transport = opts.transport ?? httpTransport;
    this.onHealth = opts.onHealth ?? (() => undefined);
    for (const r of store.all()) {
      this.peers.set(r.url, {
        url: r.url,
        label: peerLabel(r.url),
        client: this.clientFor(r.url),
        added: r.added,
        lastSeen: r.last_seen,
        failures: r.failures,
        nextTry: 0, // try everyone again at start
      });
    }
  }

  /** A client for a peer address, registered or not, over this set's transport. */
  clientFor(url: string): PeerClient {
    return new PeerClient(url, this.transport);
  }

  get size(): number {
    return this.peers.size;
  }

  /** Every peer, in address order (stable, whatever order they were added in). */
  list(): Peer[] {
    return [...this.peers.values()].sort((a, b) => (a.url < b.url ? -1 : a.url > b.url ? 1 : 0));
  }

  get(url: string): Peer | undefined {
    return this.peers.get(url);
  }

  has(url: string): boolean {
    return this.peers.has(url);
  }

  /** Peers not in back-off. */
  due(): Peer[] {
    const t = this.clock.now();
    return this.list().filter((p) => p.nextTry <= t);
  }

  /** Adds a peer (already normalised); returns false when the set is full. */
  add(url: string): Peer | undefined {
    const known = this.peers.get(url);
    if (known !== undefined) return known;
    if (this.peers.size >= this.max) return undefined;
    const p: Peer = {
      url,
      label: peerLabel(url),
      client: this.clientFor(url),
      added: this.clock.now(),
      lastSeen: null,
      failures: 0,
      nextTry: 0,
    };
    this.peers.set(url, p);
    this.persist(p);
    return p;
  }

  remove(url: string): void {
    this.peers.delete(url);
    this.store.remove(url);
  }

  markSeen(p: Peer, status?: PeerStatus): void {
    const wasFailing = p.failures > 0;
    const firstTime = p.lastSeen === null;
    p.lastSeen = this.clock.now();
    p.failures = 0;
    p.nextTry = 0;
    delete p.lastError;
    if (status !== undefined) p.status = status;
    if (wasFailing || p.lastSeen - (p.added ?? 0) < 1000) this.persist(p);
    if ((wasFailing || firstTime) && this.peers.has(p.url)) this.onHealth(p, "up");
  }

  /**
   * A request to the peer timed out or found no one: it is left alone for a while, twice as
   * long after each failure (1 s, 2 s, 4 s ... up to 5 min). Requests in flight together fail
   * together: a failure while the peer is already left alone does not count again, so one slow
   * moment (a burst of announcements timing out at once) is one failure, not eight.
   */
  markFailed(p: Peer, error: string): void {
    p.lastError = error;
    const now = this.clock.now();
    if (p.nextTry > now) return;
    p.failures += 1;
    p.nextTry = now + Math.min(MAX_BACKOFF_MS, 1000 * 2 ** Math.min(p.failures - 1, 20));
    this.persist(p);
    if (p.failures === 1 && this.peers.has(p.url)) this.onHealth(p, "down");
  }

  private persist(p: Peer): void {
    if (!this.peers.has(p.url)) return;
    this.store.put({ url: p.url, added: p.added, last_seen: p.lastSeen, failures: p.failures, next_try: p.nextTry });
  }
}
