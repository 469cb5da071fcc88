/**
 * The explorer's search: what a height, block hash, transaction id, token id or address is,
 * answered in one request (200 with an empty list when nothing matches).
 */
import { ErrorRef, SearchAnswer, type SearchMatch, SearchQuery } from "../../api/contract.js";
import type { TinyNode } from "../../node/node.js";
import type { App } from "../app.js";

export function explorerRoutes(app: App, node: TinyNode): void {
  const tokens = node.tokens;

  app.get(
    "/search",
    {
      schema: {
        summary: "What a height, block hash, transaction id, token id or address is",
        description:
          "Digits are a block height; 64 hex characters are looked up as a block hash, a transaction id (pending or confirmed) " +
          "and a token id; any 64-hex string is also an address. Matches come most specific first.",
        tags: ["explorer"],
        querystring: SearchQuery,
        response: { 200: SearchAnswer, 400: ErrorRef },
      },
    },
    async (req) => {
      const query = req.query.q.trim().toLowerCase();
      const matches: SearchMatch[] = [];
      if (/^[0-9]{1,16}$/.test(query)) {
        const index = Number(query);
        const hash = node.reads.mainHash(index);
        if (hash !== undefined) matches.push({ kind: "block", id: hash, index, main: true });
      } else if (/^[0-9a-f]{64}$/.test(query)) {
        const block = node.reads.block(query);
        if (block !== undefined) matches.push({ kind: "block", id: query, index: block.height, main: block.main });
        if (tokens.token(query) !== undefined) matches.push({ kind: "token", id: query });
        if (node.pool.get(query) !== undefined) matches.push({ kind: "transaction", id: query, status: "pending" });
        else if (node.reads.hasTx(query)) matches.push({ kind: "transaction", id: query, status: "confirmed" });
        if (matches.length === 0) matches.push({ kind: "address", id: query });
      }
      return { query, matches };
    },
  );
}
