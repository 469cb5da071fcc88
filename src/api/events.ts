/**
 * The contract of GET /events (server-sent events) and GET /reorg: the data of each event,
 * as TypeBox schemas and the static types derived from them. Used by src/http/routes/events.ts
 * (which writes them) and web/src/live.ts (which reads them). See ./contract.ts.
 */
import { type Static, Type } from "typebox";

/**
 * GET /events' answer, as the OpenAPI description shows it: text the route writes to the
 * socket itself, event by event, so the handler answers nothing for Fastify to send (void).
 */
export const EventStream = Type.Unsafe<void>(Type.String({ description: "text/event-stream" }));

export const BlockRef = Type.Object({ index: Type.Integer(), hash: Type.String(), txs: Type.Integer() });
export type BlockRef = Static<typeof BlockRef>;

export const Reorg = Type.Object({
  at: Type.Integer({ description: "ms since the epoch" }),
  height: Type.Integer(),
  tip: Type.String(),
  replaced: Type.Array(BlockRef, { description: "blocks that left the main chain, lowest first" }),
  connected: Type.Array(BlockRef, { description: "blocks that joined it, lowest first" }),
});
export type Reorg = Static<typeof Reorg>;

/** GET /reorg's answer. */
export const ReorgAnswer = Type.Object({ last: Type.Union([Reorg, Type.Null()]) });

/** `hello`, first on every stream. */
export const HelloEvent = Type.Object({
  height: Type.Integer(),
  tip: Type.String(),
  operator: Type.Boolean({ description: "whether this client may use the operator routes without a token" }),
  last_reorg: Type.Union([Reorg, Type.Null()]),
});
export type HelloEvent = Static<typeof HelloEvent>;

/** `tip`: the main chain's tip changed. */
export const TipEvent = Type.Object({
  height: Type.Integer(),
  hash: Type.String(),
  reorg: Type.Boolean(),
  replaced: Type.Array(BlockRef),
  connected: Type.Array(BlockRef),
});
export type TipEvent = Static<typeof TipEvent>;

/** `tx`: a transaction was taken into the pool. */
export const TxEvent = Type.Object({
  id: Type.String(),
  type: Type.String(),
  sender: Type.String(),
  fee: Type.Integer(),
  recipient: Type.Optional(Type.String()),
  amount: Type.Optional(Type.Integer()),
  token: Type.Optional(Type.String()),
});
export type TxEvent = Static<typeof TxEvent>;

/** `evicted`: the stream is closed to make room for another. */
export const EvictedEvent = Type.Object({ reason: Type.String() });
export type EvictedEvent = Static<typeof EvictedEvent>;
