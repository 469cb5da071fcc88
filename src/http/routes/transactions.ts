/** Transactions: relay, pool, lookup. */
import {
  ErrorRef,
  PendingList,
  TxAccepted,
  TxBatch,
  TxBatchResult,
  TxDropped,
  TxIdParam,
  TxLookup,
  Unchecked,
} from "../../api/contract.js";
import { fail, isRuleError } from "../../core/errors.js";
import type { Transaction as Tx } from "../../core/types.js";
import { signatureValid } from "../../core/verify.js";
import type { TinyNode } from "../../node/node.js";
import type { App } from "../app.js";
import { type AccessOptions, operatorGuard } from "../auth.js";
import { HttpError } from "../errors.js";
import { COST, type WorkMeter } from "../rate-limit.js";
import { acceptedAnswer, acceptedItem } from "./accepted.js";

/** Whether the signature verifies (docs/protocol.md §3); null for a coinbase, which has none. */
function signatureCheck(tx: Tx | undefined): boolean | null {
  if (tx === undefined || tx.type === "coinbase") return null;
  try {
    return signatureValid(tx);
  } catch {
    return false;
  }
}

/** Transactions per batch on POST /transactions. */
export const MAX_BATCH = 1000;

export function transactionRoutes(app: App, node: TinyNode, access: AccessOptions): void {
  app.post(
    "/transactions",
    {
      schema: {
        summary: "Relay a signed transaction (same rules as /transactions/new), or a batch of them",
        description:
          `One transaction → 201 or an error. An array of up to ${MAX_BATCH} → 200 {accepted, results: [one per item: {id, block_index, status[, waiting_for_nonce]} or {error, code}]}. ` +
          "A queued transaction (status queued: it waits for an earlier nonce of its sender) has block_index null and waiting_for_nonce, the nonce it waits for. " +
          `Rate-limited per client (429 with Retry-After) by the work done: a request counts ${COST.request}, each transaction in it ` +
          `${COST.transaction} more (paid before its signature is checked), and each one refused as invalid ${COST.refused} more, ` +
          "against the node's requests per second (--rate-limit); requests from loopback with a loopback Host are exempt.",
        tags: ["transactions"],
        body: Unchecked(TxBatch(MAX_BATCH)),
        response: {
          200: TxBatchResult,
          201: TxAccepted,
          400: ErrorRef,
          409: ErrorRef,
          503: ErrorRef,
        },
      },
    },
    async (req, reply) => {
      const a = await relayedTransactions(node, req.body, req.work);
      void reply.status(a.status);
      return a.body;
    },
  );

  app.get(
    "/transactions/pending",
    {
      schema: {
        summary: "The pool: pending transactions, highest fee first",
        tags: ["transactions"],
        response: { 200: PendingList },
      },
    },
    async () => {
      const entries = node.pool.entries();
      const queued: Record<string, number> = {};
      for (const e of entries) {
        const n = node.pool.waitingFor(e);
        if (n !== undefined) queued[e.id] = n;
      }
      return { transactions: entries.map((e) => ({ ...e.tx, id: e.id })), queued };
    },
  );

  app.get(
    "/transactions/:id",
    {
      schema: {
        summary: "A transaction, pending or confirmed",
        tags: ["transactions"],
        params: TxIdParam,
        response: {
          200: TxLookup,
          404: ErrorRef,
        },
      },
    },
    async (req) => {
      const { id } = req.params;
      const pending = node.pool.get(id);
      if (pending !== undefined) {
        const waiting = node.pool.waitingFor(pending);
        return {
          transaction: { ...pending.tx, id },
          status: "pending" as const,
          block_index: null,
          block_hash: null,
          confirmations: 0,
          events: [],
          signature_valid: signatureCheck(pending.tx),
          queued: waiting !== undefined,
          ...(waiting !== undefined ? { waiting_for_nonce: waiting } : {}),
        };
      }
      const loc = node.reads.confirmed(id);
      // (a location whose block the store cannot give back is as good as none: a sound store has none)
      if (loc?.tx === undefined) throw new HttpError(404, `no transaction ${id} here (neither pending nor in the main chain)`);
      const tx = loc.tx;
      return {
        transaction: tx,
        status: "confirmed" as const,
        block_index: loc.height,
        block_hash: loc.blockHash,
        confirmations: node.chain.tip.height - loc.height + 1,
        events: loc.events,
        signature_valid: signatureCheck(tx),
      };
    },
  );

  app.delete(
    "/transactions/:id",
    {
      schema: {
        summary: "Drop a pending transaction from this node's pool (operator)",
        description:
          "Removes it from this node only: peers that hold it keep it and may send it back. The sender's later pending transactions " +
          "are placed again as if just received: they wait (queued) for the dropped nonce, or leave if too far ahead or the queue is full. " +
          "To make sure a transaction is never confirmed, replace it instead: same nonce, a fee at least 10 % higher.",
        tags: ["transactions"],
        security: [{ operatorToken: [] }],
        params: TxIdParam,
        response: { 200: TxDropped, 401: ErrorRef, 403: ErrorRef, 404: ErrorRef, 409: ErrorRef },
      },
      preHandler: operatorGuard(access),
    },
    async (req) => {
      const { id } = req.params;
      const r = node.pool.remove(id);
      if (r === undefined) {
        const height = node.reads.heightOf(id);
        if (height !== undefined)
          fail("already-confirmed", `transaction ${id} is confirmed in block ${height}: only a pending one can be dropped`);
        throw new HttpError(404, `no pending transaction ${id} in this node's pool (GET /transactions/pending lists them)`);
      }
      const others = r.removed.length - 1;
      return {
        message:
          `Transaction dropped from this node's pool` +
          (others > 0 ? `, with ${others} later transaction${others === 1 ? "" : "s"} of its sender that could not wait` : "") +
          (r.queued.length > 0
            ? `; ${r.queued.length} later transaction${r.queued.length === 1 ? "" : "s"} of its sender now wait for its nonce`
            : ""),
        dropped: r.removed,
        queued: r.queued,
      };
    },
  );
}

/**
 * POST /transactions after Fastify's part (routing, hooks, JSON parsing): one transaction
 * (201, or the refusal thrown) or a batch (200, a result per item), `work` metering it. The
 * lab's simulated network calls it too, for the announcements between its nodes.
 */
export async function relayedTransactions(
  node: TinyNode,
  body: unknown,
  work: WorkMeter,
): Promise<
  | { status: 200; body: { accepted: number; results: Array<ReturnType<typeof acceptedItem> | { error: string; code: string }> } }
  | { status: 201; body: ReturnType<typeof acceptedAnswer> }
> {
  if (Array.isArray(body)) {
    const items = body;
    if (items.length > MAX_BATCH) throw new HttpError(400, `a batch holds at most ${MAX_BATCH} transactions, got ${items.length}`);
    work.spend(items.length * COST.transaction); // paid before the signatures are checked
    let refused = 0;
    const results = await Promise.all(
      items.map((raw) =>
        node.submitTransaction(raw).then(
          (a) => acceptedItem(a),
          (err: unknown) => {
            if (!isRuleError(err)) throw err;
            // invalid data costs more; a conflict (already known, nonce in use) is ordinary relaying
            if (err.kind === "invalid") refused++;
            return { error: err.message, code: err.code };
          },
        ),
      ),
    );
    work.charge(refused * COST.refused);
    return { status: 200, body: { accepted: results.filter((r) => "id" in r).length, results } };
  }
  work.spend(COST.transaction);
  const a = await node.submitTransaction(body);
  return { status: 201, body: acceptedAnswer(a) };
}
