/** Builds and signs a transaction locally (docs/protocol.md §3): the key never leaves the wallet. */
import { signingBytes, txId } from "../core/encoding.js";
import { parseTransaction } from "../core/schema.js";
import type { SignedTx, UnsignedTx } from "../core/types.js";
import { type KeyPair, signHex } from "../crypto/keys.js";

/** What a command decides: the type-specific fields (no network, sender, fee, nonce). */
export type TxBody = { [T in UnsignedTx as T["type"]]: Omit<T, "network" | "sender" | "fee" | "nonce"> }[UnsignedTx["type"]];

export interface TxContext {
  network: string;
  nonce: number;
  fee: number;
}

/**
 * Signs `body` with `pair` for `ctx.network`. The result is checked with the protocol's
 * schema before it leaves (so a mistake shows here, not as a refusal), and has its id.
 */
export function signTransaction(pair: KeyPair, body: TxBody, ctx: TxContext): { tx: SignedTx; id: string } {
  const unsigned = { ...body, network: ctx.network, sender: pair.address, fee: ctx.fee, nonce: ctx.nonce };
  const signed = { ...unsigned, signature: signHex(pair, signingBytes(unsigned)) };
  const tx = parseTransaction(signed) as SignedTx;
  return { tx, id: txId(tx) };
}
