/** Tokens: the list, and one token's info, holders and events. Degrades when the node has no token routes. */
import { enc, getOptional, type Token, type TokenEventEntry } from "../api.js";
import { addrLink, blockLink, clear, fields, h, section, table, tokenLink, userText } from "../dom.js";
import { int, tokenAmount } from "../format.js";
import { coalesce } from "../live.js";
import type { Ctx, Page } from "../page.js";
import { eventRows } from "./tx.js";

const noTokens = () => h("p", { class: "muted" }, "This node does not serve token information (no /tokens routes).");

async function renderList(ctx: Ctx): Promise<void> {
  const list = await getOptional<{ tokens: Token[]; total?: number }>("/tokens?limit=200");
  if (!ctx.alive()) return;
  if (list === undefined) {
    clear(ctx.root, h("h1", {}, "Tokens"), noTokens());
    return;
  }
  clear(
    ctx.root,
    h("h1", {}, "Tokens"),
    h("p", { class: "small" }, "ERC-20-style tokens: created by a token_create transaction, whose id is the token's id."),
    table(
      ["Name", "Symbol", "Decimals", "Total supply", "Creator", "Created in"],
      list.tokens.map((t) => [
        tokenLink(t.id, t.name),
        t.symbol,
        int(t.decimals),
        tokenAmount(t.total_supply, t.decimals),
        addrLink(t.creator),
        t.block_index ? blockLink(String(t.block_index), t.block_index) : "—",
      ]),
      "No tokens yet: create one with `tinychain wallet token create`.",
    ),
    list.total !== undefined && list.total > list.tokens.length
      ? h("p", { class: "small" }, `${list.tokens.length} of ${list.total} shown.`)
      : null,
  );
}

export const tokensPage: Page = async (ctx) => {
  ctx.title("Tokens");
  await renderList(ctx);
  return { tip: coalesce(() => renderList(ctx).catch(() => {})) };
};

async function renderToken(ctx: Ctx, id: string): Promise<void> {
  const t = await getOptional<Token>(`/tokens/${enc(id)}`);
  if (t === undefined) {
    if (ctx.alive())
      clear(ctx.root, h("h1", {}, "Token"), h("p", { class: "error", role: "alert" }, `No token ${id} on this node.`), noTokens());
    return;
  }
  const [holders, events] = await Promise.all([
    getOptional<{ holders: Array<{ address: string; balance: number }>; total?: number }>(`/tokens/${enc(id)}/holders?limit=100`),
    getOptional<{ events: TokenEventEntry[] }>(`/tokens/${enc(id)}/events?limit=200`),
  ]);
  if (!ctx.alive()) return;
  const amount = (v: number) => `${tokenAmount(v, t.decimals)} ${t.symbol}`;
  clear(
    ctx.root,
    h("h1", {}, userText(t.name), ` (${t.symbol})`),
    section(
      "Token",
      fields([
        ["Id", h("code", { class: "wrap" }, t.id)],
        ["Name", userText(t.name)],
        ["Symbol", t.symbol],
        ["Decimals", `${int(t.decimals)} (1 ${t.symbol} = 10^${t.decimals} base units)`],
        ["Total supply", amount(t.total_supply)],
        ["Creator", addrLink(t.creator)],
        ["Created by", h("a", { href: `#/tx/${t.id}`, class: "mono" }, "its token_create transaction")],
        ["Created in block", t.block_index ? blockLink(String(t.block_index), t.block_index) : undefined],
      ]),
    ),
    section(
      "Holders",
      holders === undefined
        ? h("p", { class: "muted" }, "This node does not list holders.")
        : table(
            ["Address", "Balance", "Share"],
            holders.holders.map((x) => [
              addrLink(x.address),
              amount(x.balance),
              t.total_supply > 0 ? `${((100 * x.balance) / t.total_supply).toFixed(2)} %` : "—",
            ]),
            "No holders.",
          ),
    ),
    section(
      "Events (chain order)",
      events === undefined
        ? h("p", { class: "muted" }, "This node does not list token events.")
        : table(["Event", "Token", "From / owner", "To / spender", "Value", "Tx"], eventRows(events.events, amount), "No events."),
    ),
  );
}

export const tokenPage: Page = async (ctx, id) => {
  ctx.title("Token");
  await renderToken(ctx, id);
  return { tip: coalesce(() => renderToken(ctx, id).catch(() => {})) };
};
