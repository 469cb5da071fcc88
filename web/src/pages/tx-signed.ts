/** The transaction page's "What was signed": the exact bytes, and the id and signature rechecked in this browser. */
import type { Tx } from "../api.js";
import { badge, h, section } from "../dom.js";
import { checkTx, hexDump, type TxCheck, utf8 } from "../signed.js";

const bytesBox = (id: string, text: string) => h("pre", { class: "signed-bytes wrap", id }, text);

function idVerdict(c: TxCheck, given: string): HTMLElement {
  return h(
    "p",
    { id: "id-browser" },
    c.idMatches ? badge("id matches ✓", "good") : badge("id differs ✗", "bad"),
    " SHA-256 of the bytes above, computed in your browser: ",
    h("code", { class: "wrap" }, c.id),
    c.idMatches ? "" : ` — the node says ${given}: these fields are not the ones that id was made from.`,
  );
}

function signatureVerdict(c: TxCheck): HTMLElement {
  const say = {
    valid: [
      badge("signature valid ✓", "good"),
      " Ed25519 verified in your browser: the sender's key signed exactly the signing bytes above.",
    ],
    invalid: [
      badge("signature invalid ✗", "bad"),
      " the signature does not verify against the sender's key over these bytes: a field was changed after signing, or another key signed.",
    ],
    malformed: [badge("signature invalid ✗", "bad"), ` ${c.why ?? ""}.`],
    unsupported: [badge("not checked", "muted"), ` ${c.why ?? ""}; the node's own check is under Status.`],
    unsigned: [badge("not signed", "muted"), " a coinbase has no sender key to sign with."],
  }[c.signature];
  return h("p", { id: "sig-browser" }, ...say);
}

/** The section; where the browser offers no Web Crypto (plain http off localhost) it says so. */
export async function signedSection(tx: Tx): Promise<HTMLElement> {
  const subtle = globalThis.crypto?.subtle;
  const title = "What was signed";
  if (subtle === undefined) {
    return section(title, h("p", { class: "small muted" }, "(Your browser offers no Web Crypto here, so nothing is rechecked.)"));
  }
  const c = await checkTx(subtle, tx as unknown as Record<string, unknown>);
  const signingBytes = utf8(c.signing);
  const preimageBytes = utf8(c.preimage);
  if (c.signature === "unsigned") {
    return section(
      title,
      h(
        "p",
        {},
        'Nothing: a coinbase is not signed. It has no sender ("0") whose key could sign; it mints new coins, and every node accepts it only as the first transaction of a block, paying exactly the block reward plus the block\'s fees to the miner (§3, §4).',
      ),
      h("p", { class: "small" }, `Its id is still the SHA-256 of its canonical JSON without id (${preimageBytes.length} bytes):`),
      bytesBox("id-preimage", c.preimage),
      idVerdict(c, tx.id),
      signatureVerdict(c),
    );
  }
  return section(
    title,
    h(
      "p",
      { class: "small" },
      "The sender's wallet signed these bytes: the transaction's canonical JSON (RFC 8785: keys sorted, no white space, UTF-8) without signature and id.",
    ),
    bytesBox("signing-text", c.signing),
    h("p", { class: "small" }, `The same ${signingBytes.length} bytes in hex:`),
    bytesBox("signing-hex", hexDump(signingBytes)),
    h(
      "p",
      { class: "small" },
      "Signed with Ed25519 by the key whose 32-byte public key is the sender address; the 64-byte signature is the signature field.",
    ),
    signatureVerdict(c),
    h(
      "p",
      { class: "small" },
      `The id is the SHA-256 of the canonical JSON without id only, so it covers the signature too (${preimageBytes.length} bytes):`,
    ),
    bytesBox("id-preimage", c.preimage),
    idVerdict(c, tx.id),
  );
}
