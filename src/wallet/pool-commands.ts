/**
 * `tinychain wallet replace ID --fee F` and `tinychain wallet drop ID` (issue 19): what a
 * wallet can do about one of its transactions still waiting in a node's pool.
 */
import { readFile } from "node:fs/promises";
import type { TxWithId } from "../api/contract.js";
import { txId } from "../core/encoding.js";
import { signatureValid } from "../core/verify.js";
import { ApiError, WalletError } from "./errors.js";
import type { Output, SendOptions, WalletSession } from "./session.js";
import type { TxBody } from "./sign.js";

const HEX64 = /^[0-9a-f]{64}$/;

function txIdArg(id: string): string {
  if (!HEX64.test(id)) {
    const shown = id.length > 80 ? `${id.slice(0, 80)}…` : id;
    throw new WalletError(
      `"${shown}" is not a transaction id: 64 lowercase hex characters (\`tinychain wallet history\` lists this wallet's)`,
      "bad-tx-id",
    );
  }
  return id;
}

/** The type-specific fields of a transaction: what a replacement keeps. */
function bodyOf(tx: Exclude<TxWithId, { type: "coinbase" }>): TxBody {
  const { network: _n, sender: _s, fee: _f, nonce: _o, signature: _g, id: _i, ...body } = tx;
  return body as TxBody;
}

/**
 * Signs again a pending transaction of this wallet with the same nonce and a higher fee, so it
 * takes the pending one's place (a node takes it at 10 % more fee, at least 1 more). The
 * transaction is read from the node, and re-signed only if its id and signature show it is
 * the one this wallet signed: a node cannot make the wallet sign something else.
 */
export async function replaceCommand(s: WalletSession, id: string, opts: SendOptions): Promise<Output> {
  txIdArg(id);
  const pair = await s.signingKey();
  const found = await s.client.transaction(id);
  if (found === undefined) {
    throw new WalletError(
      `the node at ${s.client.url} has no transaction ${id}: it may have left its pool; check the id`,
      "unknown-transaction",
    );
  }
  if (found.status !== "pending") {
    throw new WalletError(
      `transaction ${id} is already confirmed in block ${found.block_index}: it cannot be replaced`,
      "already-confirmed",
    );
  }
  const tx = found.transaction;
  if (tx.type === "coinbase" || tx.sender !== pair.address) {
    throw new WalletError(
      `transaction ${id} was not sent by this wallet (${pair.address}): only its sender can replace it`,
      "not-this-wallet",
    );
  }
  if (txId(tx) !== id || !signatureValid(tx)) {
    throw new WalletError(
      `the node at ${s.client.url} serves transaction ${id} with other content than this wallet signed; use another --node`,
      "id-mismatch",
    );
  }
  if (opts.fee === undefined || opts.fee <= tx.fee) {
    throw new WalletError(
      `transaction ${id} pays fee ${tx.fee}: give a higher --fee (at least 10 % more, and at least 1 more)`,
      "fee-too-low",
    );
  }
  const sent = await s.send(bodyOf(tx), opts, { network: tx.network, nonce: tx.nonce });
  return s.sentOutput(sent, `replaced ${id} (nonce ${tx.nonce}, fee ${tx.fee}) with fee ${opts.fee}`, {
    replaced: id,
    nonce: tx.nonce,
    fee: opts.fee,
  });
}

/**
 * Drops a pending transaction from the pool of the node the wallet talks to (an operator
 * route: open from loopback, elsewhere with the node's API token).
 */
export async function dropCommand(s: WalletSession, id: string, opts: { apiTokenFile?: string }): Promise<Output> {
  txIdArg(id);
  let token: string | undefined;
  if (opts.apiTokenFile !== undefined) {
    try {
      token = (await readFile(opts.apiTokenFile, "utf8")).trim();
    } catch (err) {
      throw new WalletError(`cannot read --api-token-file ${opts.apiTokenFile}: ${(err as Error).message}`, "no-token");
    }
  }
  let r: Awaited<ReturnType<typeof s.client.drop>>;
  try {
    r = await s.client.drop(id, token);
  } catch (err) {
    if (err instanceof ApiError && (err.status === 401 || err.status === 403)) {
      throw new WalletError(
        `the node at ${s.client.url} refuses to drop from its pool for this wallet: ${err.nodeMessage}. ` +
          "Dropping is an operator route: run the wallet on the node's machine (--node http://127.0.0.1:PORT), or pass --api-token-file <data-dir>/api.token",
        err.code,
      );
    }
    throw err;
  }
  const lines = [
    `${r.message}.`,
    ...r.dropped.map((d) => `dropped  ${d}`),
    ...r.queued.map((q) => `queued   ${q}`),
    "Only this node's pool: a peer that holds it may still get it mined. To make sure it never is, replace it (`tinychain wallet replace ID --fee F`) with a transfer to yourself.",
  ];
  return { json: { ...r }, text: lines.join("\n") };
}
