/**
 * Announcing new blocks and transactions to peers (docs/protocol.md §5: POST /blocks, POST /transactions).
 * Each peer has a bounded queue sent with a few requests in flight; a seen-set stops echoes.
 */
import type { Logger } from "pino";
import { fnv1a } from "../crypto/hash.js";
import { BoundedSet } from "./bounded-set.js";
import type { Peer, PeerSet } from "./peers.js";

const SEEN_MAX = 50_000;
const QUEUE_MAX = 20_000;
const IN_FLIGHT = 4;
/** While blocks wait, every TX_EVERY-th send is a waiting transaction (so blocks cannot starve them). */
const TX_EVERY = 4;

interface Queue {
  /** Block announcements, newest first. */
  blocks: string[];
  /** Transaction announcements, oldest first. */
  txs: string[];
  inFlight: number;
  blocksInARow: number;
}

/** Peers a transaction is relayed to, at least; the square root of the peers when that is more. */
const TX_FANOUT_MIN = 4;

/**
 * The peers a transaction goes to: all of them up to TX_FANOUT_MIN, else the square root of
 * their number (as Ethereum's nodes send whole transactions), picked by a hash of this node's
 * `salt` (its node id), the transaction's id and each peer's URL: each node and each
 * transaction pick other peers (without the salt, every node would rank a transaction's
 * peers alike and send it to the same few), and the choice needs no randomness. Every node
 * relays what it takes, so a transaction still floods the network, with far fewer copies
 * arriving where they are already known.
 */
export function relayTo<P extends { url: string }>(salt: string, id: string, peers: readonly P[]): readonly P[] {
  const want = Math.max(TX_FANOUT_MIN, Math.ceil(Math.sqrt(peers.length)));
  if (peers.length <= want) return peers;
  return peers
    .map((p) => ({ p, rank: fnv1a(`${salt} ${id} ${p.url}`) }))
    .sort((a, b) => a.rank - b.rank)
    .slice(0, want)
    .map(({ p }) => p);
}

export class Gossip {
  private readonly seen = new BoundedSet(SEEN_MAX);
  private readonly queues = new Map<string, Queue>();

  constructor(
    private readonly peers: PeerSet,
    private readonly log: Logger,
    /** Makes this node's choice of peers for each transaction its own (its node id). */
    private readonly salt: string,
  ) {}

  /** Records an id as seen; returns false if it already was. */
  markSeen(id: string): boolean {
    if (this.seen.has(id)) return false;
    this.seen.add(id);
    return true;
  }

  /**
   * A new tip goes to every peer, those in back-off too: one request per block is no burden,
   * and a peer that could not be reached (across a partition that has healed) hears of the
   * chain at the next block instead of when its back-off runs out, up to minutes later.
   */
  announceBlock(hash: string, json: string): void {
    if (!this.markSeen(hash)) return;
    for (const p of this.peers.list()) this.enqueue(p, "block", json);
  }

  /** `again`: announce even if seen before (a transaction back in the pool after a reorganisation). */
  /** `json` is called only when some peer is due (no serialising for a node without peers). */
  announceTransaction(id: string, json: () => string, again = false): void {
    if (!this.markSeen(id) && !again) return;
    let text: string | undefined;
    for (const p of relayTo(this.salt, id, this.peers.due())) {
      text ??= json();
      this.enqueue(p, "tx", text);
    }
  }

  private enqueue(peer: Peer, kind: "block" | "tx", json: string): void {
    let q = this.queues.get(peer.url);
    if (q === undefined) {
      q = { blocks: [], txs: [], inFlight: 0, blocksInARow: 0 };
      this.queues.set(peer.url, q);
    }
    if (q.blocks.length + q.txs.length >= QUEUE_MAX) return; // the periodic sync catches the peer up
    // blocks jump the queue: they matter most for convergence
    if (kind === "block") q.blocks.unshift(json);
    else q.txs.push(json);
    this.pump(peer, q);
  }

  private pump(peer: Peer, q: Queue): void {
    while (q.inFlight < IN_FLIGHT && q.blocks.length + q.txs.length > 0) {
      // blocks first, but a steady stream of blocks must not hold transactions back for ever
      const tx = q.txs.length > 0 && (q.blocks.length === 0 || q.blocksInARow >= TX_EVERY - 1);
      const json = (tx ? q.txs.shift() : q.blocks.shift()) as string;
      q.blocksInARow = tx ? 0 : q.blocksInARow + 1;
      q.inFlight++;
      const send = tx ? peer.client.announceTransaction(json) : peer.client.announceBlock(json);
      send
        .then(() => {
          // it answered: a peer in back-off is reachable again
          if (peer.failures > 0 && this.peers.has(peer.url)) this.peers.markSeen(peer);
        })
        .catch((err: { kind?: string; message: string }) => {
          // refusals (already known, invalid for them) are normal; silence or no route is not
          if (err.kind === "unreachable" || err.kind === "timeout") {
            if (this.peers.has(peer.url)) this.peers.markFailed(peer, err.message);
            q.blocks.length = 0;
            q.txs.length = 0;
          } else {
            this.log.trace({ peer: peer.label, err: err.message }, "announcement refused");
          }
        })
        .finally(() => {
          q.inFlight--;
          const left = q.blocks.length + q.txs.length;
          if (left > 0 && this.peers.has(peer.url)) this.pump(peer, q);
          else if (left === 0 && q.inFlight === 0) this.queues.delete(peer.url);
        });
    }
  }
}
