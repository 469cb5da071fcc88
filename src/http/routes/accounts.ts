/** Accounts: balance and nonce (confirmed and pending), token holdings, history. */
import type { FastifyInstance } from "fastify";
import { Type } from "typebox";
import type { TinyNode } from "../../node/node.js";
import { AddressParam, Transaction } from "../schemas.js";

/** At most this many token holdings are listed with an account. */
export const MAX_HOLDINGS = 200;

export function accountRoutes(app: FastifyInstance, node: TinyNode): void {
  const tokens = node.tokens;
  const holdings = (address: string) =>
    tokens.holdings(address, MAX_HOLDINGS).map((h) => {
      const t = tokens.token(h.token);
      return { token: h.token, name: t?.name ?? "", symbol: t?.symbol ?? "", decimals: t?.decimals ?? 0, balance: h.balance };
    });

  app.get(
    "/accounts/:address",
    {
      schema: {
        summary: "An account's confirmed balance and nonce, and what is pending",
        tags: ["accounts"],
        params: AddressParam,
        response: {
          200: Type.Object({
            address: Type.String(),
            balance: Type.Integer(),
            nonce: Type.Integer({ description: "confirmed transactions sent" }),
            pending: Type.Object({
              balance: Type.Integer({ description: "balance once the pending transactions are confirmed" }),
              nonce: Type.Integer({ description: "the nonce the sender's next transaction must use" }),
              transactions: Type.Integer(),
            }),
            tokens: Type.Array(
              Type.Object({
                token: Type.String({ description: "token id" }),
                name: Type.String(),
                symbol: Type.String(),
                decimals: Type.Integer(),
                balance: Type.Integer({ description: "confirmed balance in base units (divide by 10^decimals)" }),
              }),
              { description: `confirmed non-zero token balances, in token-id order (at most ${MAX_HOLDINGS})` },
            ),
          }),
          400: { $ref: "Error#" },
        },
      },
    },
    async (req) => {
      const { address } = req.params as { address: string };
      return { ...node.account(address), tokens: holdings(address) };
    },
  );

  app.get(
    "/accounts/:address/transactions",
    {
      schema: {
        summary: "An account's confirmed transactions, newest first, paged",
        description: "Pass the `next` cursor of a page as `before` to get the following page.",
        tags: ["accounts"],
        params: AddressParam,
        querystring: Type.Object({
          limit: Type.Integer({ minimum: 1, maximum: 500, default: 50 }),
          before: Type.Optional(Type.String({ pattern: "^[0-9]{1,16}:[0-9]{1,6}$", description: "cursor: height:position" })),
        }),
        response: {
          200: Type.Object({
            transactions: Type.Array(Type.Object({ transaction: Transaction, block_index: Type.Integer(), position: Type.Integer() })),
            next: Type.Union([Type.String(), Type.Null()]),
          }),
          400: { $ref: "Error#" },
        },
      },
    },
    async (req) => {
      const { address } = req.params as { address: string };
      const q = req.query as { limit: number; before?: string };
      const before = q.before === undefined ? undefined : (([h, p]) => ({ height: Number(h), pos: Number(p) }))(q.before.split(":"));
      const transactions = node.reads.history(address, q.limit, before);
      const last = transactions.at(-1);
      return { transactions, next: transactions.length === q.limit && last ? `${last.block_index}:${last.position}` : null };
    },
  );
}
