/** The forks this node knows: GET /chain/tips (the branch tips it stores) and GET /reorgs (its reorganisations). */
import { ChainTips, ErrorRef, ReorgPage, ReorgsQuery, TipsQuery } from "../../api/contract.js";
import type { TinyNode } from "../../node/node.js";
import type { App } from "../app.js";

export function forkRoutes(app: App, node: TinyNode): void {
  app.get(
    "/chain/tips",
    {
      schema: {
        summary: "The tip of the main chain and of every side branch this node stores (like Bitcoin Core's getchaintips)",
        description:
          "A side tip is a stored block with no stored child. `branch_length` counts the blocks from it back to the main " +
          "chain; `work` is its cumulative work. The active tip comes first, then at most `limit` side tips, highest first.",
        tags: ["explorer"],
        querystring: TipsQuery,
        response: { 200: ChainTips, 400: ErrorRef },
      },
    },
    async (req) => ({ tips: node.forks.tips(req.query.limit) }),
  );

  app.get(
    "/reorgs",
    {
      schema: {
        summary: "The reorganisations of the main chain this node went through, newest first",
        description:
          "Kept in the store (the newest 1,000), each written in the same database transaction as the switch itself. " +
          "`at` is in ms since the epoch. Page with `before` = the `next` of the previous answer.",
        tags: ["explorer"],
        querystring: ReorgsQuery,
        response: { 200: ReorgPage, 400: ErrorRef },
      },
    },
    async (req) => {
      const { limit, before } = req.query;
      const reorgs = node.forks.reorgs(limit + 1, before);
      const more = reorgs.length > limit;
      if (more) reorgs.length = limit;
      return { reorgs, next: more ? (reorgs.at(-1)?.id ?? null) : null };
    },
  );
}
