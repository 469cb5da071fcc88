/**
 * The contract of GET /chain/tips and GET /reorgs: the forks a node knows and the
 * reorganisations it went through. See ./contract.ts.
 */
import { type Static, Type } from "typebox";
import { Hex64, Work } from "./common.js";

export const ChainTip = Type.Object({
  hash: Hex64,
  height: Type.Integer(),
  branch_length: Type.Integer({ description: "blocks from this tip back to the main chain (0 for the active tip)" }),
  work: Work("the tip's cumulative work, as /status total_work (a decimal string beyond 2^53)"),
  status: Type.Union([Type.Literal("active"), Type.Literal("valid-fork"), Type.Literal("invalid")], {
    description:
      "active: the main chain's tip; valid-fork: a side branch's tip whose blocks passed every check but the ledger's " +
      "(which runs when a branch joins the main chain); invalid: a block found invalid (or descending from one), kept so it is refused at once",
  }),
});
export type ChainTip = Static<typeof ChainTip>;

export const TipsQuery = Type.Object({
  limit: Type.Integer({ minimum: 1, maximum: 1000, default: 100, description: "side tips at most, highest first" }),
});
export const ChainTips = Type.Object({
  tips: Type.Array(ChainTip, { description: "the active tip first, then side tips, highest first" }),
});
export type ChainTips = Static<typeof ChainTips>;

export const ReorgBlock = Type.Object({
  index: Type.Integer(),
  hash: Hex64,
  txs: Type.Integer({ description: "transactions, coinbase included" }),
});

export const ReorgEntry = Type.Object({
  id: Type.Integer({ description: "the entry's number (GET /reorgs?before=id pages on)" }),
  at: Type.Integer({ description: "when, in ms since the epoch (the node's clock)" }),
  height_before: Type.Integer({ description: "the tip's height before" }),
  height_after: Type.Integer({ description: "the tip's height after" }),
  fork_height: Type.Integer({ description: "the height of the last block both branches share" }),
  depth: Type.Integer({ description: "blocks that left the main chain" }),
  tip: Hex64,
  left: Type.Array(ReorgBlock, { description: "blocks that left the main chain, lowest first (the first 100)" }),
  joined: Type.Array(ReorgBlock, { description: "blocks that joined it, lowest first (the first 100)" }),
  returned_to_pool: Type.Array(Hex64, {
    description:
      "transactions of the blocks that left which the joined blocks do not hold: saved back into the pool, which then drops " +
      "those no longer valid (the first 1,000)",
  }),
  returned_count: Type.Integer({ description: "all such transactions" }),
  left_work: Work("the work of the blocks that left (sum of their difficulties)"),
  joined_work: Work("the work of the blocks that joined: more than left_work, or the switch would not have happened"),
});
export type ReorgEntry = Static<typeof ReorgEntry>;

export const ReorgsQuery = Type.Object({
  limit: Type.Integer({ minimum: 1, maximum: 100, default: 20 }),
  before: Type.Optional(Type.Integer({ minimum: 1, maximum: Number.MAX_SAFE_INTEGER, description: "cursor: an entry's id" })),
});
export const ReorgPage = Type.Object({
  reorgs: Type.Array(ReorgEntry, { description: "newest first" }),
  next: Type.Union([Type.Integer(), Type.Null()], { description: "`before` for the next page, null on the last" }),
});
export type ReorgPage = Static<typeof ReorgPage>;
