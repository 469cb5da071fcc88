/** Accounts: balance and nonce (confirmed and pending), token holdings, history. */
import { AccountAnswer, AddressParam, ErrorRef, HistoryPage, HistoryQuery } from "../../api/contract.js";
import type { TinyNode } from "../../node/node.js";
import type { App } from "../app.js";

/** At most this many token holdings are listed with an account. */
export const MAX_HOLDINGS = 200;

export function accountRoutes(app: App, node: TinyNode): void {
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
          200: AccountAnswer(MAX_HOLDINGS),
          400: ErrorRef,
        },
      },
    },
    async (req) => {
      const { address } = req.params;
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
        querystring: HistoryQuery,
        response: {
          200: HistoryPage,
          400: ErrorRef,
        },
      },
    },
    async (req) => {
      const { address } = req.params;
      const q = req.query;
      const before = q.before === undefined ? undefined : (([h, p]) => ({ height: Number(h), pos: Number(p) }))(q.before.split(":"));
      const rows = node.reads.history(address, q.limit, before);
      const last = rows.at(-1);
      // an entry whose transaction the store cannot give back is left out (a sound store has none)
      const transactions = rows.flatMap((e) => (e.transaction === undefined ? [] : [{ ...e, transaction: e.transaction }]));
      return { transactions, next: rows.length === q.limit && last ? `${last.block_index}:${last.position}` : null };
    },
  );
}
