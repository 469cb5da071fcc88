/**
 * The explorer's search: what a height, block hash, transaction id, token id or address is,
 * answered in one request (200 with an empty list when nothing matches).
 */
import type { FastifyInstance } from "fastify";
import { Type } from "typebox";
import type { TinyNode } from "../../node/node.js";

type Kind = "block" | "transaction" | "token" | "address";

const Match = Type.Object({
  kind: Type.Union([Type.Literal("block"), Type.Literal("transaction"), Type.Literal("token"), Type.Literal("address")]),
  id: Type.String({ description: "block hash, transaction id, token id or address" }),
  index: Type.Optional(Type.Integer({ description: "a block's height" })),
  main: Type.Optional(Type.Boolean({ description: "a block: whether it is on the main chain" })),
  status: Type.Optional(Type.String({ description: "a transaction: pending or confirmed" })),
});

export function explorerRoutes(app: FastifyInstance, node: TinyNode): void {
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
        querystring: Type.Object({ q: Type.String({ maxLength: 200 }) }),
        response: { 200: Type.Object({ query: Type.String(), matches: Type.Array(Match) }), 400: { $ref: "Error#" } },
      },
    },
    async (req) => {
      const query = (req.query as { q: string }).q.trim().toLowerCase();
      const matches: Array<{ kind: Kind; id: string; index?: number; main?: boolean; status?: string }> = [];
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
