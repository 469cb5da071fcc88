/**
 * Before coins or tokens go to an address: has the chain ever seen it? An address is any 64 hex
 * characters, with no checksum (docs/protocol.md §2), so a one-character typo is a valid address
 * whose key nobody holds, and what is sent there is lost. The wallet refuses, unless told --yes
 * (or --new-address), to send to an address with no balance, no nonce, no token and no confirmed
 * transaction to or from it.
 */

import type { NodeClient } from "./client.js";
import { WalletError } from "./errors.js";

export interface NewAddressOptions {
  /** Send even to an address the chain has never seen. */
  yes?: boolean;
  newAddress?: boolean;
}

/** Whether the node knows anything of `address`: a balance, a nonce, tokens, or a confirmed transaction. */
export async function seenOnChain(client: NodeClient, address: string): Promise<boolean> {
  await client.status(); // the wallet's network pin first: another chain's silence says nothing
  const a = await client.account(address);
  if (a.balance > 0 || a.nonce > 0 || (a.tokens ?? []).length > 0) return true;
  // a payment to it still pending (sent with --yes a moment ago): the address is known to the sender by now
  if ((a.pending?.transactions ?? 0) + (a.pending?.queued ?? 0) > 0) return true;
  const h = await client.history(address, 1);
  return h.transactions.length > 0;
}

/** Refuses an address never seen on the chain, unless the options say to send anyway. */
export async function checkRecipient(client: NodeClient, what: string, address: string, opts: NewAddressOptions): Promise<void> {
  if (opts.yes === true || opts.newAddress === true) return;
  if (await seenOnChain(client, address)) return;
  throw new WalletError(
    `this address has never been seen on the chain: check it, or pass --yes to send anyway (${what} ${address} has no balance ` +
      "and no transaction to or from it, confirmed or pending; an address has no checksum, so a typo is a valid address nobody holds the key of)",
    "unseen-address",
  );
}
