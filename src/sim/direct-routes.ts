/**
 * The requests the lab's nodes send each other most: announcements (POST /blocks and POST
 * /transactions: nine in ten) and the sync's status polls (GET /status), answered by the
 * routes' own handlers (`announcedBlock`, `relayedTransactions`, `node.status`) without
 * Fastify's part: routing, hooks, the fake sockets of `inject`. That part costs about ten
 * times the node's own work on an announcement it already has (BENCHMARKS.md §9), and what it
 * does to such a request comes to nothing here: each comes from loopback (no rate limit, as
 * for `inject`), its Host is the node's own, its body is JSON well under the size limit.
 * Whatever is not that (another route, a body too large or that is not plain JSON) returns
 * undefined, for the caller to send through `inject`, where the HTTP layer answers it as it
 * would anyone. The answer is the one the route gives: same status, same body (written by
 * JSON.stringify, as the routes' serializer does); test/unit/sim-direct-routes checks both
 * ways side by side.
 */
import { errorAnswer } from "../http/errors.js";
import { NO_METER } from "../http/rate-limit.js";
import { announcedBlock } from "../http/routes/chain.js";
import { relayedTransactions } from "../http/routes/transactions.js";
import { BODY_LIMIT } from "../http/server.js";
import type { TinyNode } from "../node/node.js";
import type { HostAnswer, HostRequest } from "./links.js";

/** The address `inject` gives every request, so the node sees the same sender either way. */
const LOOPBACK = "127.0.0.1";

/**
 * Keys secure-json-parse (Fastify's JSON parser) refuses a body for; a body that may hold one
 * goes through Fastify to get that refusal.
 */
const PROTOTYPE_KEYS = /"(?:__proto__|constructor)"/;

function parsed(text: string): { ok: true; value: unknown } | { ok: false } {
  // a UTF-16 unit is at most 3 bytes of UTF-8: a longer text may be over the limit, for Fastify to refuse
  if (text.length === 0 || text.length > BODY_LIMIT / 3 || PROTOTYPE_KEYS.test(text)) return { ok: false };
  try {
    return { ok: true, value: JSON.parse(text) };
  } catch {
    return { ok: false };
  }
}

/** The route's answer to a peer's request, or undefined when it is not one this path takes (send it through `inject`). */
export async function answerDirect(node: TinyNode, req: HostRequest): Promise<HostAnswer | undefined> {
  if (req.method === "GET" && req.path === "/status") return { status: 200, text: JSON.stringify(node.status()) };
  if (req.method !== "POST" || req.body === undefined) return undefined;
  const route = req.path === "/blocks" ? "block" : req.path === "/transactions" ? "transactions" : undefined;
  if (route === undefined) return undefined;
  const body = parsed(req.body);
  if (!body.ok) return undefined;
  try {
    const a =
      route === "block"
        ? await announcedBlock(node, body.value, LOOPBACK, NO_METER)
        : await relayedTransactions(node, body.value, NO_METER);
    return { status: a.status, text: JSON.stringify(a.body) };
  } catch (err) {
    const { status, body } = errorAnswer(err);
    return { status, text: JSON.stringify(body) };
  }
}
