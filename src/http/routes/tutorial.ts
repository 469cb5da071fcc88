/** The tutorial's routes with its response shapes and spellings (docs/protocol.md §7). */
import type { FastifyReply, FastifyRequest } from "fastify";
import { type Block, ChainAnswer, ErrorRef, Mined, NewTx, TxAccepted, Unchecked } from "../../api/contract.js";
import { fail } from "../../core/errors.js";
import { describeValue } from "../../core/schema.js";
import type { TinyNode } from "../../node/node.js";
import type { App } from "../app.js";
import { type AccessOptions, operatorGuard } from "../auth.js";
import { COST } from "../rate-limit.js";
import { STALL_MS, sendBlocks } from "../stream.js";
import { acceptedAnswer } from "./accepted.js";

const errors = { 400: ErrorRef, 401: ErrorRef, 403: ErrorRef, 409: ErrorRef, 503: ErrorRef };
const WALLET_FIELDS = ["recipient", "amount", "fee", "sender"];

export function tutorialRoutes(app: App, node: TinyNode, access: AccessOptions): void {
  const operator = operatorGuard(access);

  app.get(
    "/chain",
    {
      schema: {
        summary: "The whole main chain",
        description:
          "The main chain as it is when the request comes, genesis first. Streamed as it is read from the store (chunked; " +
          '"length" comes after "chain" in the text), so a long chain costs the node a page of blocks per client, not the chain. ' +
          "If the chain reorganises under blocks not yet sent, the answer is cut short (the connection closes before its end: " +
          "incomplete JSON, an error in any HTTP client) rather than mixing two branches; ask again. A client that reads nothing " +
          `for ${STALL_MS / 1000} s is cut off. GET /blocks pages through the chain in smaller answers.`,
        tags: ["tutorial"],
        response: { 200: ChainAnswer },
      },
    },
    async (_req, reply) => {
      const tip = node.chain.tip;
      const range = { from: 1, to: tip.height, lastHash: tip.hash };
      return sendBlocks(reply, node.reads, range, '{"chain":[', (n) => `],"length":${n}}`);
    },
  );

  const mineSchema = {
    summary: "Mine one block with pending transactions, reward to the node's wallet (operator)",
    description: "Answers when the block is on the chain.",
    tags: ["tutorial"],
    security: [{ operatorToken: [] }],
    response: {
      200: Mined,
      ...errors,
    },
  };
  const mine = async () => {
    const { result } = await node.mine();
    const b: Block = JSON.parse(node.chain.blockJson(result.hash) as string);
    return {
      message: "Forged new block." as const,
      index: b.index,
      transactions: b.transactions,
      proof: b.proof,
      previous_hash: b.previous_hash,
      hash: b.hash,
      difficulty: b.difficulty,
      timestamp: b.timestamp,
      tx_root: b.tx_root,
    };
  };
  app.get("/mine", { schema: mineSchema, preHandler: operator }, mine);
  app.post("/mine", { schema: { ...mineSchema, hide: true }, preHandler: operator }, mine);

  const newTx = {
    schema: {
      summary: "Submit a transaction",
      description:
        "Either a signed transaction (public), or {recipient, amount[, fee][, sender = the node's address]} which the node fills in and signs with its own wallet (operator route).",
      tags: ["tutorial"],
      // public for a signed transaction; the node-wallet form is an operator call
      security: [{}, { operatorToken: [] }] as Array<Record<string, string[]>>,
      body: Unchecked(NewTx),
      response: { 201: TxAccepted, ...errors },
    },
  };
  const handler = async (req: FastifyRequest, reply: FastifyReply) => {
    const body = req.body;
    if (typeof body !== "object" || body === null || Array.isArray(body)) {
      fail("bad-schema", "send a JSON object: a signed transaction, or {recipient, amount[, fee]} to send from the node's wallet");
    }
    const o = body as Record<string, unknown>;
    let accepted: Awaited<ReturnType<TinyNode["submitTransaction"]>>;
    if ("signature" in o) {
      req.work.spend(COST.transaction); // a signature to check (rate limit)
      accepted = await node.submitTransaction(o);
    } else {
      if (o.sender !== undefined && o.sender !== node.wallet.address) {
        fail(
          "unknown-sender-key",
          `this node does not hold the key of sender ${typeof o.sender === "string" && /^[0-9a-f]{64}$/.test(o.sender) ? o.sender : describeValue(o.sender)}: sign the transaction with that key (Ed25519 over its canonical JSON without "signature" and "id"), or omit "sender" to send from the node's wallet ${node.wallet.address}`,
        );
      }
      if ("type" in o) {
        fail(
          "bad-schema",
          'the transaction has no "signature": sign it (Ed25519 over its canonical JSON without "signature" and "id"), or send {recipient, amount[, fee]} to send from the node\'s wallet',
        );
      }
      for (const k of Object.keys(o)) {
        if (!WALLET_FIELDS.includes(k)) fail("bad-schema", `unknown field "${k}": send {recipient, amount[, fee]} or a signed transaction`);
      }
      await operator(req);
      accepted = await node.sendFromWallet({ recipient: o.recipient, amount: o.amount, fee: o.fee });
    }
    void reply.status(201);
    return acceptedAnswer(accepted);
  };
  app.post("/transactions/new", newTx, handler);
  app.post("/transaction/new", { schema: { ...newTx.schema, hide: true } }, handler);
}
