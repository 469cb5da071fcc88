/** Peers and consensus: the tutorial's /nodes/register and /nodes/resolve, and /nodes. */
import type { FastifyReply, FastifyRequest } from "fastify";
import { ErrorRef, PeerList, RegisterBody, Registered, Resolved, Unchecked } from "../../api/contract.js";
import { fail } from "../../core/errors.js";
import { workToJson } from "../../core/work.js";
import type { TinyNode } from "../../node/node.js";
import type { App } from "../app.js";
import { type AccessOptions, operatorGuard } from "../auth.js";
import { sendBlocks } from "../stream.js";

const errors = { 400: ErrorRef, 401: ErrorRef, 403: ErrorRef };

export function nodeRoutes(app: App, node: TinyNode, access: AccessOptions): void {
  const operator = operatorGuard(access);
  const peering = node.peering;

  app.get(
    "/nodes",
    {
      schema: {
        summary: "Known peers, as host:port, with their health",
        tags: ["nodes"],
        response: { 200: PeerList },
      },
    },
    async () => {
      const list = peering.peers.list();
      return {
        nodes: list.map((p) => p.label),
        peers: list.map((p) => ({
          node: p.label,
          url: p.url,
          last_seen: p.lastSeen,
          failures: p.failures,
          next_try: p.nextTry,
          ...(p.lastError ? { last_error: p.lastError } : {}),
          ...(p.status ? { height: p.status.height, tip: p.status.tip, total_work: workToJson(p.status.total_work) } : {}),
        })),
      };
    },
  );

  const registerSchema = {
    summary: "Register peers (operator)",
    description:
      "Takes URLs or host:port. Garbage, a node of another network or genesis, or this node itself is refused; unreachable peers are kept and retried.",
    tags: ["nodes"],
    security: [{ operatorToken: [] }],
    body: Unchecked(RegisterBody),
    response: { 201: Registered, ...errors },
  };
  const register = async (req: FastifyRequest, reply: FastifyReply) => {
    const body = req.body;
    if (typeof body !== "object" || body === null || Array.isArray(body)) fail("bad-schema", 'send {"nodes": ["http://host:port", ...]}');
    for (const k of Object.keys(body)) if (k !== "nodes") fail("bad-schema", `unknown field "${k}": send {"nodes": [...]}`);
    const total = await peering.register("nodes" in body ? body.nodes : undefined);
    void reply.status(201);
    return { message: "New nodes have been added" as const, total_nodes: total };
  };
  app.post("/nodes/register", { schema: registerSchema, preHandler: operator }, register);
  app.post("/miner/register", { schema: { ...registerSchema, hide: true }, preHandler: operator }, register);

  const resolveSchema = {
    summary: "Run consensus against all peers now (operator)",
    description:
      "Fetches what peers with more work have, checks it in full, and follows the valid chain with the most work. The answer " +
      "holds the whole main chain as it is once consensus has run (new_chain when it was replaced, chain when not), streamed " +
      "as GET /chain is: a page of blocks at a time, and cut short rather than mixing two branches if the chain reorganises " +
      "while it is being sent.",
    tags: ["nodes"],
    security: [{ operatorToken: [] }],
    response: { 200: Resolved, ...errors },
  };
  const resolve = async (_req: FastifyRequest, reply: FastifyReply) => {
    const replaced = await peering.resolve();
    const tip = node.chain.tip;
    const prefix = replaced ? '{"message":"Our chain was replaced","new_chain":[' : '{"message":"Our chain is authoritative","chain":[';
    const range = { from: 1, to: tip.height, lastHash: tip.hash };
    return sendBlocks(reply, node.reads, range, prefix, () => "]}");
  };
  app.get("/nodes/resolve", { schema: resolveSchema, preHandler: operator }, resolve);
  app.post("/nodes/resolve", { schema: { ...resolveSchema, hide: true }, preHandler: operator }, resolve);
  app.get("/miner/nodes/resolve", { schema: { ...resolveSchema, hide: true }, preHandler: operator }, resolve);
  app.post("/miner/nodes/resolve", { schema: { ...resolveSchema, hide: true }, preHandler: operator }, resolve);
}
