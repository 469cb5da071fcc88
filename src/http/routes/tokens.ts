/** Tokens (SPEC §3, §7): list, info, balances, allowances, events, holders. */
import type { FastifyInstance } from "fastify";
import { Type } from "typebox";
import type { EventCursor, TinyNode } from "../../node/node.js";
import { HttpError } from "../errors.js";
import { Hex64 } from "../schemas.js";

const Address = Type.String({ pattern: "^[0-9a-f]{64}$", description: "an address: the Ed25519 public key, 64 lowercase hex" });
const TokenId = Type.String({ pattern: "^[0-9a-f]{64}$", description: "a token id: the id of its token_create transaction" });
const Units = Type.Integer({ description: "base units (the token's smallest unit; divide by 10^decimals for whole tokens)" });
const errors = { 400: { $ref: "Error#" }, 404: { $ref: "Error#" } };

const TokenBody = Type.Object({
  id: Hex64,
  name: Type.String(),
  symbol: Type.String(),
  decimals: Type.Integer({ minimum: 0, maximum: 18 }),
  total_supply: Units,
  creator: Address,
  block_index: Type.Union([Type.Integer(), Type.Null()], { description: "the block that created the token" }),
});

const EventBody = Type.Object(
  {
    event: Type.Union([Type.Literal("Transfer"), Type.Literal("Approval")]),
    token: Hex64,
    from: Type.Optional(Type.String({ description: 'Transfer: the sender, "0" when minted' })),
    to: Type.Optional(Address),
    owner: Type.Optional(Address),
    spender: Type.Optional(Address),
    value: Units,
    tx_id: Hex64,
    block_index: Type.Integer(),
    position: Type.Integer({ description: "the transaction's position in its block" }),
  },
  { description: "an ERC-20 event: Transfer(from, to, value) or Approval(owner, spender, value)" },
);

const CURSOR = "^[0-9]{1,16}:[0-9]{1,6}:[0-9]{1,6}$";

function parseCursor(c: string | undefined): EventCursor | undefined {
  if (c === undefined) return undefined;
  const [height, pos, seq] = c.split(":").map(Number) as [number, number, number];
  return { height, pos, seq };
}

export function tokenRoutes(app: FastifyInstance, node: TinyNode): void {
  const tokens = node.tokens;

  const info = (id: string) => {
    const t = tokens.token(id);
    if (t === undefined) {
      throw new HttpError(
        404,
        `no token ${id} here: a token's id is the id of its token_create transaction, and it exists once that is confirmed (see GET /tokens)`,
      );
    }
    return { id, ...t, block_index: node.reads.heightOf(id) ?? null };
  };

  app.get(
    "/tokens",
    {
      schema: {
        summary: "Tokens, in id order, paged",
        tags: ["tokens"],
        querystring: Type.Object({
          limit: Type.Integer({ minimum: 1, maximum: 500, default: 100 }),
          offset: Type.Integer({ minimum: 0, maximum: Number.MAX_SAFE_INTEGER, default: 0 }),
        }),
        response: { 200: Type.Object({ tokens: Type.Array(TokenBody), total: Type.Integer() }), 400: { $ref: "Error#" } },
      },
    },
    async (req) => {
      const q = req.query as { limit: number; offset: number };
      const list = tokens.list(q.limit, q.offset).map((t) => ({ ...t, block_index: node.reads.heightOf(t.id) ?? null }));
      return { tokens: list, total: tokens.count() };
    },
  );

  app.get(
    "/tokens/:id",
    {
      schema: {
        summary: "One token: name, symbol, decimals, total supply, creator",
        tags: ["tokens"],
        params: Type.Object({ id: TokenId }),
        response: { 200: TokenBody, ...errors },
      },
    },
    async (req) => info((req.params as { id: string }).id),
  );

  app.get(
    "/tokens/:id/balances/:address",
    {
      schema: {
        summary: "ERC-20 balanceOf: an address's confirmed balance of a token, in base units",
        tags: ["tokens"],
        params: Type.Object({ id: TokenId, address: Address }),
        response: { 200: Type.Object({ token: Hex64, address: Address, balance: Units }), ...errors },
      },
    },
    async (req) => {
      const { id, address } = req.params as { id: string; address: string };
      info(id);
      return { token: id, address, balance: tokens.balance(id, address) };
    },
  );

  app.get(
    "/tokens/:id/allowances/:owner/:spender",
    {
      schema: {
        summary: "ERC-20 allowance: what `spender` may still move of `owner`'s tokens, in base units",
        tags: ["tokens"],
        params: Type.Object({ id: TokenId, owner: Address, spender: Address }),
        response: { 200: Type.Object({ token: Hex64, owner: Address, spender: Address, allowance: Units }), ...errors },
      },
    },
    async (req) => {
      const { id, owner, spender } = req.params as { id: string; owner: string; spender: string };
      info(id);
      return { token: id, owner, spender, allowance: tokens.allowance(id, owner, spender) };
    },
  );

  app.get(
    "/tokens/:id/events",
    {
      schema: {
        summary: "A token's Transfer and Approval events, in chain order, paged",
        description: "Pass the `next` cursor of a page as `after` to get the following page; `next` is null on the last page.",
        tags: ["tokens"],
        params: Type.Object({ id: TokenId }),
        querystring: Type.Object({
          limit: Type.Integer({ minimum: 1, maximum: 500, default: 100 }),
          after: Type.Optional(Type.String({ pattern: CURSOR, description: "cursor: block index:position:event number" })),
        }),
        response: { 200: Type.Object({ events: Type.Array(EventBody), next: Type.Union([Type.String(), Type.Null()]) }), ...errors },
      },
    },
    async (req) => {
      const { id } = req.params as { id: string };
      const q = req.query as { limit: number; after?: string };
      info(id);
      const rows = tokens.events(id, q.limit, parseCursor(q.after));
      const events = rows.map((r) => ({ ...r.event, tx_id: r.tx_id, block_index: r.height, position: r.pos }));
      const last = rows.at(-1);
      return { events, next: rows.length === q.limit && last ? `${last.height}:${last.pos}:${last.seq}` : null };
    },
  );

  app.get(
    "/tokens/:id/holders",
    {
      schema: {
        summary: "A token's holders with a non-zero balance, largest first, paged",
        tags: ["tokens"],
        params: Type.Object({ id: TokenId }),
        querystring: Type.Object({
          limit: Type.Integer({ minimum: 1, maximum: 500, default: 100 }),
          offset: Type.Integer({ minimum: 0, maximum: Number.MAX_SAFE_INTEGER, default: 0 }),
        }),
        response: {
          200: Type.Object({ holders: Type.Array(Type.Object({ address: Address, balance: Units })), total: Type.Integer() }),
          ...errors,
        },
      },
    },
    async (req) => {
      const { id } = req.params as { id: string };
      const q = req.query as { limit: number; offset: number };
      info(id);
      return { holders: tokens.holders(id, q.limit, q.offset), total: tokens.holderCount(id) };
    },
  );
}
