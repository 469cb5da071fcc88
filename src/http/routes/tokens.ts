/** Tokens (docs/protocol.md §3, §7): list, info, balances, allowances, events, holders. */
import {
  ErrorRef,
  OffsetQuery,
  TokenAddressParam,
  TokenAllowance,
  TokenAllowanceParam,
  TokenBalance,
  TokenEventPage,
  TokenEventQuery,
  TokenHolders,
  TokenInfo,
  TokenList,
  TokenParam,
} from "../../api/contract.js";
import type { EventCursor, TinyNode } from "../../node/node.js";
import type { App } from "../app.js";
import { HttpError } from "../errors.js";

const errors = { 400: ErrorRef, 404: ErrorRef };

function parseCursor(c: string | undefined): EventCursor | undefined {
  if (c === undefined) return undefined;
  const [height, pos, seq] = c.split(":").map(Number) as [number, number, number];
  return { height, pos, seq };
}

export function tokenRoutes(app: App, node: TinyNode): void {
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
        querystring: OffsetQuery,
        response: { 200: TokenList, 400: ErrorRef },
      },
    },
    async (req) => {
      const q = req.query;
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
        params: TokenParam,
        response: { 200: TokenInfo, ...errors },
      },
    },
    async (req) => info(req.params.id),
  );

  app.get(
    "/tokens/:id/balances/:address",
    {
      schema: {
        summary: "ERC-20 balanceOf: an address's confirmed balance of a token, in base units",
        tags: ["tokens"],
        params: TokenAddressParam,
        response: { 200: TokenBalance, ...errors },
      },
    },
    async (req) => {
      const { id, address } = req.params;
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
        params: TokenAllowanceParam,
        response: { 200: TokenAllowance, ...errors },
      },
    },
    async (req) => {
      const { id, owner, spender } = req.params;
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
        params: TokenParam,
        querystring: TokenEventQuery,
        response: { 200: TokenEventPage, ...errors },
      },
    },
    async (req) => {
      const { id } = req.params;
      const q = req.query;
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
        params: TokenParam,
        querystring: OffsetQuery,
        response: { 200: TokenHolders, ...errors },
      },
    },
    async (req) => {
      const { id } = req.params;
      const q = req.query;
      info(id);
      return { holders: tokens.holders(id, q.limit, q.offset), total: tokens.holderCount(id) };
    },
  );
}
