/** A transaction: status, confirmations, every field, the signature check, token events; live while pending. */
import { enc, get, type TokenEvent, type TokenEventEntry, type TxInfo } from "../api.js";
import { addrLink, badge, blockLink, type Child, clear, fields, h, section, table, tokenLink, userText } from "../dom.js";
import { int, txType } from "../format.js";
import { coalesce } from "../live.js";
import type { Ctx, Page } from "../page.js";
import { sideTxPage } from "./tx-side.js";
import { signedSection } from "./tx-signed.js";

const ADDRESS_FIELDS = new Set(["sender", "recipient", "spender", "owner"]);

function value(key: string, v: unknown): Child {
  if (typeof v === "string" && ADDRESS_FIELDS.has(key)) return addrLink(v);
  if (key === "token" && typeof v === "string") return tokenLink(v, v);
  if (typeof v === "number" && key !== "timestamp") return int(v);
  if (typeof v === "string" && v.length >= 64) return h("code", { class: "wrap" }, v);
  return typeof v === "string" ? userText(v) : String(v);
}

function signature(info: TxInfo): Child {
  const s = info.signature_valid;
  if (info.transaction.type === "coinbase" || s === null) return "none: a coinbase mints new coins and is not signed";
  if (s === undefined) return h("span", { class: "muted" }, "not reported by this node");
  return s
    ? h("span", { id: "sig-check" }, badge("valid", "good"), " Ed25519 signature by the sender's key over the transaction's canonical JSON")
    : h("span", { id: "sig-check" }, badge("invalid", "bad"), " the signature does not verify against the sender");
}

/** Token events as table rows; values in whole tokens when `amount` formats them, else in base units. */
export function eventRows(events: Array<TokenEvent | TokenEventEntry>, amount: (v: number) => string = int): Child[][] {
  return events.map((e) => [
    e.event,
    tokenLink(e.token),
    addrLink(e.event === "Transfer" ? e.from : e.owner),
    addrLink(e.event === "Transfer" ? e.to : e.spender),
    amount(e.value),
    "tx_id" in e ? h("a", { href: `#/tx/${e.tx_id}`, class: "mono" }, e.tx_id.slice(0, 8)) : "",
  ]);
}

async function render(ctx: Ctx, id: string): Promise<TxInfo | undefined> {
  const info = await get<TxInfo>(`/transactions/${enc(id)}`);
  const signed = await signedSection(info.transaction);
  if (!ctx.alive()) return undefined;
  const tx = info.transaction;
  const pending = info.status === "pending";
  clear(
    ctx.root,
    h("h1", {}, `Transaction`),
    h("p", { class: "mono wrap" }, tx.id),
    section(
      "Status",
      fields([
        [
          "Status",
          h(
            "span",
            { id: "tx-status" },
            pending ? badge("pending", "warn") : badge("confirmed", "good"),
            info.queued ? ` queued — waits for nonce ${info.waiting_for_nonce} of its sender` : "",
          ),
        ],
        [
          "Block",
          info.block_index === null
            ? info.queued
              ? `not yet in a block: no block can take it before the sender's nonce ${info.waiting_for_nonce} arrives`
              : "not yet in a block: waiting in the pool"
            : blockLink(info.block_hash ?? String(info.block_index), `#${info.block_index}`),
        ],
        ["Confirmations", h("span", { id: "tx-confirmations" }, int(info.confirmations))],
        ["Signature", signature(info)],
      ]),
    ),
    section(
      `Fields (${txType(tx)})`,
      fields(Object.entries(tx).map(([k, v]) => [k, value(k, v)] as [string, Child])),
      h(
        "p",
        { class: "small" },
        "The id is the SHA-256 of the canonical JSON of these fields without id; the signature covers them all but id and signature.",
      ),
    ),
    signed,
    info.events && info.events.length > 0
      ? section(
          "Token events",
          table(["Event", "Token", "From / owner", "To / spender", "Value (base units)", "Tx"], eventRows(info.events)),
        )
      : null,
  );
  return info;
}

export const txPage: Page = async (ctx, arg) => {
  ctx.title("Transaction");
  const [id = "", inBlock] = arg.split("/"); // #/tx/{id}/{hash}: as seen in that block (a side branch's: tx-side.ts)
  if (inBlock !== undefined && (await sideTxPage(ctx, id, inBlock, value))) return undefined;
  await render(ctx, id);
  // Confirmations change with every block, and a pending transaction gets confirmed (or drops out);
  // a queued one becomes ready when a transaction fills its sender's gap.
  const refresh = coalesce(async () => {
    await render(ctx, id).catch(() => {});
  });
  return { tip: refresh, tx: refresh };
};
