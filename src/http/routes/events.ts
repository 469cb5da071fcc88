/**
 * Live updates for the block explorer: `GET /events` streams the chain's tip changes and the
 * pool's new transactions as server-sent events, and `GET /reorg` tells the last
 * reorganisation this node went through (the newest of its stored history, src/node/forks.ts).
 * Bounded: at most MAX_SSE_CLIENTS streams at once and MAX_SSE_PER_ADDRESS from one client
 * address, a heartbeat comment every HEARTBEAT_MS, listeners removed when a stream closes,
 * streams ended when the server closes.
 *
 * At a limit a new stream is taken and an old one closed, rather than the new one refused: a
 * refused newcomer would let whoever opened streams first hold them for ever (an explorer tab
 * left open, or a client holding every slot). Over the per-address limit, that client's
 * oldest stream goes (the tab it forgot); over the total, the oldest stream of the address
 * holding the most (so a client with one tab is the last to lose it). The closed stream gets
 * an `evicted` event and `retry: EVICTED_RETRY_MS` first, so an EventSource waits a minute
 * before it reconnects instead of evicting another stream straight away.
 */
import type { ServerResponse } from "node:http";
import {
  type BlockRef,
  EventStream,
  type EvictedEvent,
  type HelloEvent,
  type Reorg,
  ReorgAnswer,
  type TipEvent,
  type TxEvent,
} from "../../api/events.js";
import type { CheckedBlock } from "../../core/block.js";
import type { SideBlock, TipChange } from "../../node/chain.js";
import type { TinyNode } from "../../node/node.js";
import type { PoolEntry } from "../../node/pool.js";
import type { App } from "../app.js";
import { type AccessOptions, mayOperate } from "../auth.js";

export const MAX_SSE_CLIENTS = 100;
/** Streams one client address may hold at once (an explorer tab holds one). */
export const MAX_SSE_PER_ADDRESS = 10;
export const HEARTBEAT_MS = 15_000;
/** A stream whose client reads nothing is dropped once this much is waiting to be sent. */
const MAX_BUFFERED = 1024 * 1024;
/** How long an evicted stream's EventSource waits before it reconnects. */
export const EVICTED_RETRY_MS = 60_000;

const ref = (c: CheckedBlock): BlockRef => ({ index: c.block.index, hash: c.hash, txs: c.block.transactions.length });

function tipEvent(change: TipChange): TipEvent {
  return {
    height: change.tip.height,
    hash: change.tip.hash,
    reorg: change.disconnected.length > 0,
    replaced: change.disconnected.map(ref).reverse(),
    connected: change.connected.map(ref),
  };
}

function txEvent(e: PoolEntry): TxEvent {
  const tx = e.tx;
  return {
    id: e.id,
    type: tx.type,
    sender: tx.sender,
    fee: tx.fee,
    ...("recipient" in tx ? { recipient: tx.recipient } : {}),
    ...("amount" in tx ? { amount: tx.amount } : {}),
    ...("token" in tx ? { token: tx.token } : {}),
  };
}

export function eventRoutes(app: App, node: TinyNode, access: AccessOptions): void {
  /** The newest stored reorganisation, in GET /reorg's shape (the blocks listed: the first 100 of each side). */
  const lastReorg = (): Reorg | null => {
    const r = node.forks.reorgs(1)[0];
    return r === undefined ? null : { at: r.at, height: r.height_after, tip: r.tip, replaced: r.left, connected: r.joined };
  };
  /** Open streams and their client addresses, oldest first (a Map keeps insertion order). */
  const clients = new Map<ServerResponse, string>();
  /** Each client address's open streams, oldest first. */
  const perAddress = new Map<string, ServerResponse[]>();
  /** Takes a stream off the books (once, whichever of close, error or eviction comes first). */
  const forget = (res: ServerResponse) => {
    const address = clients.get(res);
    if (address === undefined) return;
    clients.delete(res);
    const mine = (perAddress.get(address) ?? []).filter((r) => r !== res);
    if (mine.length > 0) perAddress.set(address, mine);
    else perAddress.delete(address);
  };
  const evict = (res: ServerResponse, reason: string) => {
    forget(res);
    const data: EvictedEvent = { reason };
    res.end(`retry: ${EVICTED_RETRY_MS}\nevent: evicted\ndata: ${JSON.stringify(data)}\n\n`);
  };
  /** The stream to close to make room for one more from `address`, if a limit is reached. */
  const toEvict = (address: string): { res: ServerResponse; reason: string } | undefined => {
    const mine = perAddress.get(address) ?? [];
    if (mine.length >= MAX_SSE_PER_ADDRESS) {
      return {
        res: mine[0] as ServerResponse,
        reason: `a client holds at most ${MAX_SSE_PER_ADDRESS} event streams: this, its oldest, made room for its newest`,
      };
    }
    if (clients.size < MAX_SSE_CLIENTS) return undefined;
    // the address holding the most streams; of equals, the one whose oldest stream is oldest
    let most: ServerResponse[] = [];
    for (const streams of perAddress.values()) if (streams.length > most.length) most = streams;
    const heaviest = new Set([...perAddress.values()].filter((s) => s.length === most.length).map((s) => s[0]));
    const oldest = [...clients.keys()].find((r) => heaviest.has(r)) as ServerResponse;
    return {
      res: oldest,
      reason: `this node serves at most ${MAX_SSE_CLIENTS} event streams: the oldest of the client holding the most made room`,
    };
  };

  const broadcast = (event: string, data: unknown) => {
    const frame = `event: ${event}\ndata: ${JSON.stringify(data)}\n\n`;
    for (const res of clients.keys()) {
      if (res.writableLength > MAX_BUFFERED) res.destroy();
      else res.write(frame);
    }
  };
  const onTip = (change: TipChange) => {
    if (clients.size > 0) broadcast("tip", tipEvent(change));
  };
  const onSide = (b: SideBlock) => {
    if (clients.size > 0) broadcast("side", { height: b.height, hash: b.hash });
  };
  const onTx = (e: PoolEntry) => {
    if (clients.size > 0) broadcast("tx", txEvent(e));
  };
  node.chain.on("tip", onTip);
  node.chain.on("side", onSide);
  node.pool.on("added", onTx);
  const heartbeat = setInterval(() => {
    for (const res of clients.keys()) res.write(": heartbeat\n\n");
  }, HEARTBEAT_MS);
  heartbeat.unref();

  app.addHook("preClose", async () => {
    for (const res of clients.keys()) res.end();
    clients.clear();
  });
  app.addHook("onClose", async () => {
    clearInterval(heartbeat);
    node.chain.off("tip", onTip);
    node.chain.off("side", onSide);
    node.pool.off("added", onTx);
  });

  app.get(
    "/events",
    {
      schema: {
        summary: "Server-sent events: tip changes and new pending transactions",
        description:
          "A text/event-stream. First a `hello` event {height, tip, operator (true when this client may use the operator routes " +
          "without a token), last_reorg}; then `tip` {height, hash, reorg, replaced: [{index, hash, txs}], connected: [...]} " +
          "whenever the main chain's tip changes, `side` {height, hash} when a valid block is stored off the main chain " +
          "(a fork: it may join the main chain later, in a `tip` event), and `tx` {id, type, sender, fee, recipient?, amount?, token?} for each " +
          `transaction taken into the pool. A comment line every ${HEARTBEAT_MS / 1000} s keeps the stream open. ` +
          `At most ${MAX_SSE_CLIENTS} streams at once, ${MAX_SSE_PER_ADDRESS} from one client address: a new stream beyond ` +
          "is served and an old one closed instead, the client's oldest (over its own limit) or the oldest of the client " +
          "holding the most streams (over the total). The closed stream first gets an `evicted` event {reason} and " +
          `\`retry: ${EVICTED_RETRY_MS}\` (an EventSource reconnects a minute later).`,
        tags: ["explorer"],
        produces: ["text/event-stream"],
        response: { 200: EventStream },
      },
    },
    async (req, reply) => {
      // HEAD: the headers of the stream and nothing else (a stream held open would never send them)
      if (req.method === "HEAD")
        return reply.header("cache-control", "no-cache, no-transform").type("text/event-stream; charset=utf-8").send();
      const address = req.socket.remoteAddress ?? "";
      const old = toEvict(address);
      if (old !== undefined) evict(old.res, old.reason);
      const res = reply.raw;
      reply.hijack();
      res.writeHead(200, {
        "content-type": "text/event-stream; charset=utf-8",
        "cache-control": "no-cache, no-transform",
        connection: "keep-alive",
        "x-accel-buffering": "no",
      });
      clients.set(res, address);
      perAddress.set(address, [...(perAddress.get(address) ?? []), res]);
      res.on("close", () => forget(res));
      res.on("error", () => forget(res));
      const tip = node.chain.tip;
      const hello: HelloEvent = { height: tip.height, tip: tip.hash, operator: mayOperate(req, access), last_reorg: lastReorg() };
      res.write(`retry: 3000\nevent: hello\ndata: ${JSON.stringify(hello)}\n\n`);
    },
  );

  app.get(
    "/reorg",
    {
      schema: {
        summary: "The last reorganisation of the main chain (null if none; the whole history: GET /reorgs)",
        tags: ["explorer"],
        response: { 200: ReorgAnswer },
      },
    },
    async () => ({ last: lastReorg() }),
  );
}
