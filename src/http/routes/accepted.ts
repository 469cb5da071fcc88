/**
 * The answer to an accepted transaction (POST /transactions/new, /transaction/new,
 * /transactions): a ready one is "will be added to Block N" as the tutorial says; a queued one
 * says what it waits for and has `block_index` null, since no block is due to hold it.
 */
import type { TxAccepted } from "../../node/node.js";

export function acceptedItem(a: TxAccepted) {
  return a.status === "queued"
    ? { id: a.id, block_index: null, status: a.status, waiting_for_nonce: a.waitingFor ?? null }
    : { id: a.id, block_index: a.blockIndex, status: a.status };
}

export function acceptedAnswer(a: TxAccepted) {
  const message =
    a.status === "queued"
      ? `Transaction queued: it waits for nonce ${a.waitingFor} of this sender before it can go into a block`
      : `Transaction will be added to Block ${a.blockIndex}`;
  return { message, ...acceptedItem(a) };
}
