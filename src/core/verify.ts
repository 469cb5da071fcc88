import { verifyHex } from "../crypto/keys.js";
import { signingBytes } from "./encoding.js";
import { fail } from "./errors.js";
import type { SignedTx } from "./types.js";

/** True when the transaction's signature verifies against its sender over the signing bytes of docs/protocol.md §3. */
export function signatureValid(tx: SignedTx): boolean {
  return verifyHex(tx.sender, signingBytes(tx), tx.signature);
}

export function requireSignature(tx: SignedTx, what = "transaction"): void {
  if (!signatureValid(tx)) {
    fail(
      "bad-signature",
      `${what} signature does not verify: sign the canonical JSON of the transaction without "signature" and "id" with the sender's Ed25519 key`,
    );
  }
}
