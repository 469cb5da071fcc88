/** Peers and consensus: the tutorial's /nodes/register and /nodes/resolve, and /nodes. */
import type { FastifyInstance, FastifyReply, FastifyRequest } from "fastify";
import { Type } from "typebox";
import { fail } from "../../core/errors.js";
import { workToJson } from "../../core/work.js";
import type { TinyNode } from "../../node/node.js";
import { type AccessOptions, operatorGuard } from "../auth.js";
import { Block } from "../schemas.js";
import { sendBlocks } from "../stream.js";

const errors = { 400: { $ref: "Error#" }, 401: { $ref: "Error#" }, 403: { $ref: "Error#" } };

export function nodeRoutes(app: FastifyInstance, node: TinyNode, access: AccessOptions): void {
  const operator = operatorGuard(access);
  const net = node.peering;

  app.get(
    "/nodes",
    {
      schema: {
        summary: "Known peers, as host:port, with their health",
        tags: ["nodes"],
        response: {
          200: Type.Object({
            nodes: Type.Array(Type.String()),
            peers: Type.Array(
              Type.Object({
                node: Type.String(),
                url: Type.String(),
                last_seen: Type.Union([Type.Integer(), Type.Null()], { description: "ms since the epoch" }),
                failures: Type.Integer(),
                next_try: Type.Integer(),
                last_error: Type.Optional(Type.String()),
                height: Type.Optional(Type.Integer()),
                tip: Type.Optional(Type.String()),
                total_work: Type.Optional(Type.Union([Type.Integer(), Type.String()])),
              }),
            ),
          }),
        },
      },
    },
    async () => {
      const list = net.peers.list();
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
    body: Type.Object({ nodes: Type.Array(Type.String(), { examples: [["http://127.0.0.1:5001"]] }) }),
    response: {
      201: Type.Object({ message: Type.Literal("New nodes have been added"), total_nodes: Type.Array(Type.String()) }),
      ...errors,
    },
  };
  const register = async (req: FastifyRequest, reply: FastifyReply) => {
    const body = req.body as { nodes?: unknown } | null;
    if (typeof body !== "object" || body === null || Array.isArray(body)) fail("bad-schema", 'send {"nodes": ["http://host:port", ...]}');
    for (const k of Object.keys(body)) if (k !== "nodes") fail("bad-schema", `unknown field "${k}": send {"nodes": [...]}`);
    const total = await net.register(body.nodes);
    void reply.status(201);
    return { message: "New nodes have been added", total_nodes: total };
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
    response: {
      200: Type.Union([
        Type.Object({ message: Type.Literal("Our chain was replaced"), new_chain: Type.Array(Block) }),
        Type.Object({ message: Type.Literal("Our chain is authoritative"), chain: Type.Array(Block) }),
      ]),
      ...errors,
    },
  };
  const resolve = async (_req: FastifyRequest, reply: FastifyReply) => {
    const replaced = await net.resolve();
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
