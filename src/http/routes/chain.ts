/** Chain reads and block announcements: /status, /blocks, /blocks/{id}, POST /blocks. */

import type { Static } from "typebox";
import { Block, BlockAnnounced, BlockList, ErrorRef, HeaderList, IdParam, RangeQuery, Status, Unchecked } from "../../api/contract.js";
import { isRuleError } from "../../core/errors.js";
import type { TinyNode } from "../../node/node.js";
import type { App } from "../app.js";
import { HttpError } from "../errors.js";
import { COST, type WorkMeter } from "../rate-limit.js";
import { sendBlocks, sendJsonText } from "../stream.js";

export const MAX_BLOCKS_PER_PAGE = 500;
/** docs/protocol.md §7: the cap on GET /headers is at least 2,000. */
export const MAX_HEADERS_PER_PAGE = 2000;

export function chainRoutes(app: App, node: TinyNode): void {
  app.get(
    "/status",
    {
      schema: {
        summary: "The node's network, tip, work, difficulty, peers, pool and wallet address",
        tags: ["chain"],
        response: { 200: Status },
      },
    },
    async () => node.status(),
  );

  app.get(
    "/blocks",
    {
      schema: {
        summary: "Main-chain blocks from index `from`, in order",
        description:
          "Streamed as read from the store, like GET /chain (and cut short in the same way if the chain reorganises under " +
          "blocks not yet sent). An empty list when `from` is beyond the tip.",
        tags: ["chain"],
        querystring: RangeQuery(100, MAX_BLOCKS_PER_PAGE),
        response: { 200: BlockList, 400: ErrorRef },
      },
    },
    async (req, reply) => {
      const q = req.query;
      const tip = node.chain.tip;
      const to = Math.min(q.from + Math.min(q.limit, MAX_BLOCKS_PER_PAGE) - 1, tip.height);
      if (to < q.from) return sendJsonText(reply, '{"blocks":[]}');
      const range = { from: q.from, to, lastHash: to === tip.height ? tip.hash : (node.reads.mainHash(to) as string) };
      return sendBlocks(reply, node.reads, range, '{"blocks":[', () => "]}");
    },
  );

  app.get(
    "/headers",
    {
      schema: {
        summary: "Main-chain block headers from index `from`, in order",
        description:
          "The six header fields and `hash` of each block: enough to check a chain's links, proof of work and total work " +
          "without its transactions (headers-first sync, light clients).",
        tags: ["chain"],
        querystring: RangeQuery(MAX_HEADERS_PER_PAGE, MAX_HEADERS_PER_PAGE),
        response: { 200: HeaderList, 400: ErrorRef },
      },
    },
    async (req, reply) => {
      const q = req.query;
      const headers = node.reads.headersFrom(q.from, Math.min(q.limit, MAX_HEADERS_PER_PAGE));
      return sendJsonText(reply, `{"headers":[${headers.join(",")}]}`);
    },
  );

  app.get(
    "/blocks/:id",
    {
      schema: {
        summary: "One block, by main-chain index or by hash",
        tags: ["chain"],
        params: IdParam,
        response: { 200: Block, 400: ErrorRef, 404: ErrorRef },
      },
    },
    async (req, reply) => {
      const { id } = req.params;
      let key: string | number;
      if (/^[0-9]{1,16}$/.test(id)) key = Number(id);
      else if (/^[0-9a-f]{64}$/.test(id)) key = id;
      else throw new HttpError(400, `"${id.slice(0, 80)}" is neither a block index nor a 64-hex block hash`);
      const json = node.chain.blockJson(key);
      if (json === undefined) throw new HttpError(404, `no block ${id} here`);
      return sendJsonText(reply, json);
    },
  );

  app.post(
    "/blocks",
    {
      schema: {
        summary: "A peer announces a block",
        description:
          "202: taken (`outcome` connected, reorganized or side), or held while its missing parents are fetched from peers " +
          "(`orphan`); 200: already known (`known`), or valid but not stored because the chain it makes has less work than " +
          "this node's tip (`low-work`; a tie is stored); 400: invalid. The header and its proof of work are checked before " +
          "any transaction; an orphan must carry the difficulty the network could require at its height. " +
          "Rate-limited per client as " +
          `POST /transactions is: the request counts ${COST.request}, each transaction in the block ${COST.transaction} more, an invalid block ${COST.refused} more.`,
        tags: ["chain"],
        body: Unchecked(Block),
        response: {
          200: BlockAnnounced,
          202: BlockAnnounced,
          400: ErrorRef,
        },
      },
    },
    async (req, reply) => {
      const a = await announcedBlock(node, req.body, req.ip, req.work);
      void reply.status(a.status);
      return a.body;
    },
  );
}

/**
 * POST /blocks after Fastify's part (routing, hooks, JSON parsing): the node takes the block
 * announced by `ip`, `work` metering it; throws the refusal (errors.ts answers it). The lab's
 * simulated network calls it too, for the announcements between its nodes.
 */
export async function announcedBlock(
  node: TinyNode,
  body: unknown,
  ip: string,
  work: WorkMeter,
): Promise<{ status: 200 | 202; body: Static<typeof BlockAnnounced> }> {
  let r: Awaited<ReturnType<TinyNode["submitBlock"]>>;
  const txs = typeof body === "object" && body !== null && "transactions" in body ? body.transactions : undefined;
  work.spend((Array.isArray(txs) ? txs.length : 0) * COST.transaction); // paid before the signatures are checked
  try {
    r = await node.submitBlock(body, ip);
  } catch (err) {
    // a block that breaks a rule is invalid (400), even where the rule's refusal of a lone transaction is a conflict (409)
    if (isRuleError(err) && err.kind === "conflict") throw new HttpError(400, err.message, err.code);
    throw err;
  }
  if (r.outcome === "known") return { status: 200, body: { message: "Block already known", hash: r.hash, outcome: r.outcome } };
  if (r.outcome === "low-work") {
    return {
      status: 200,
      body: {
        message: "Block not stored: the chain it makes has less work than this node's tip (send it again once its branch is heavier)",
        hash: r.hash,
        outcome: r.outcome,
      },
    };
  }
  const message =
    r.outcome === "orphan"
      ? "Block taken; its missing parents are being fetched from peers"
      : r.outcome === "side"
        ? "Block stored on a side branch"
        : "Block accepted";
  return { status: 202, body: { message, hash: r.hash, outcome: r.outcome } };
}
