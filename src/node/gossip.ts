/**
 * Announcing new blocks and transactions to peers (SPEC §5: POST /blocks, POST /transactions).
 * Each peer has a bounded queue sent with a few requests in flight; a seen-set stops echoes.
 */
import type { Logger } from "pino";
import type { Peer, PeerSet } from "./peers.js";

const SEEN_MAX = 50_000;
const QUEUE_MAX = 20_000;
const IN_FLIGHT = 4;

interface Item {
  kind: "block" | "tx";
  json: string;
}

export class Gossip {
  private readonly seen = new Set<string>();
  private readonly queues = new Map<string, { items: Item[]; inFlight: number }>();

  constructor(
    private readonly peers: PeerSet,
    private readonly log: Logger,
  ) {}

  /** Records an id as seen; returns false if it already was. */
  markSeen(id: string): boolean {
    if (this.seen.has(id)) return false;
    if (this.seen.size >= SEEN_MAX) {
      let drop = SEEN_MAX / 4;
      for (const k of this.seen) {
        this.seen.delete(k);
        if (--drop <= 0) break;
      }
    }
    this.seen.add(id);
    return true;
  }

  announceBlock(hash: string, json: string): void {
    if (!this.markSeen(hash)) return;
    for (const p of this.peers.due()) this.enqueue(p, { kind: "block", json });
  }

  announceTransaction(id: string, json: string): void {
    if (!this.markSeen(id)) return;
    for (const p of this.peers.due()) this.enqueue(p, { kind: "tx", json });
  }

  private enqueue(peer: Peer, item: Item): void {
    let q = this.queues.get(peer.url);
    if (q === undefined) {
      q = { items: [], inFlight: 0 };
      this.queues.set(peer.url, q);
    }
    if (q.items.length >= QUEUE_MAX) return; // the periodic sync catches the peer up
    // blocks jump the queue: they matter most for convergence
    if (item.kind === "block") q.items.unshift(item);
    else q.items.push(item);
    this.pump(peer, q);
  }

  private pump(peer: Peer, q: { items: Item[]; inFlight: number }): void {
    while (q.inFlight < IN_FLIGHT && q.items.length > 0) {
      const item = q.items.shift() as Item;
      q.inFlight++;
      const send = item.kind === "block" ? peer.client.announceBlock(item.json) : peer.client.announceTransaction(item.json);
      send
        .catch((err: { kind?: string; message: string }) => {
          // refusals (already known, invalid for them) are normal; silence or no route is not
          if (err.kind === "network" || err.kind === "timeout") {
            if (this.peers.has(peer.url)) this.peers.markFailed(peer, err.message);
            q.items.length = 0;
          } else {
            this.log.trace({ peer: peer.label, err: err.message }, "announcement refused");
          }
        })
        .finally(() => {
          q.inFlight--;
          if (q.items.length > 0 && this.peers.has(peer.url)) this.pump(peer, q);
          else if (q.items.length === 0 && q.inFlight === 0) this.queues.delete(peer.url);
        });
    }
  }
}
