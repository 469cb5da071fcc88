/**
 * Which way a transaction moves an address's coins or tokens, and with whom, as the account
 * page shows it. A transfer_from moves the owner's tokens, not the spender's: out of the owner's
 * balance to the recipient, into the recipient's from the owner, and for the spender who signed
 * it neither in nor out ("moved for" the owner).
 */
import type { Tx } from "./api.js";

export interface Direction {
  /** "in", "out", "self", "moved for", "approval", "created". */
  label: string;
  /** The other party shown next to it (undefined: none). */
  other: string | undefined;
}

export function directionOf(tx: Tx, address: string): Direction {
  switch (tx.type) {
    case "coinbase":
      return { label: "in", other: tx.sender };
    case "token_create":
      return { label: "created", other: undefined };
    case "token_approve":
      return { label: "approval", other: tx.sender === address ? tx.spender : tx.sender };
    case "token_transfer_from":
      if (tx.owner === address)
        return tx.recipient === address ? { label: "self", other: undefined } : { label: "out", other: tx.recipient };
      if (tx.recipient === address) return { label: "in", other: tx.owner };
      return { label: "moved for", other: tx.owner };
    default:
      if (tx.sender === address)
        return tx.recipient === address ? { label: "self", other: undefined } : { label: "out", other: tx.recipient };
      return { label: "in", other: tx.sender };
  }
}
