/** The pool (pending transactions) and the peers; both live. */
import { get, type Peer, type Tx } from "../api.js";
import { addrLink, blockLink, clear, h, table, txLink } from "../dom.js";
import { ago, counterparty, int, txAmount, txType } from "../format.js";
import { coalesce } from "../live.js";
import type { Ctx, Page } from "../page.js";

async function renderPool(ctx: Ctx): Promise<void> {
  const { transactions, queued = {} } = await get<{ transactions: Tx[]; queued?: Record<string, number> }>("/transactions/pending");
  if (!ctx.alive()) return;
  const waiting = transactions.filter((tx) => tx.id in queued).length;
  clear(
    ctx.root,
    h("h1", {}, `Pool (${transactions.length} pending${waiting > 0 ? `, ${waiting} queued` : ""})`),
    h(
      "p",
      { class: "small" },
      "Signed transactions waiting for a block, highest fee first. A miner takes the ready ones into its next block; " +
        "a queued one waits for an earlier nonce of its sender, and no block can take it before that one arrives.",
    ),
    table(
      ["Id", "Status", "Type", "From", "To", "Amount", "Fee", "Nonce"],
      transactions.map((tx) => [
        txLink(tx.id),
        tx.id in queued ? h("span", { class: "queued" }, `queued — waits for nonce ${queued[tx.id]}`) : "ready",
        txType(tx),
        addrLink(tx.sender),
        addrLink(counterparty(tx)),
        txAmount(tx),
        int(tx.fee ?? 0),
        int(tx.nonce ?? 0),
      ]),
      "The pool is empty.",
    ),
  );
}

export const poolPage: Page = async (ctx) => {
  ctx.title("Pool");
  await renderPool(ctx);
  const refresh = coalesce(() => renderPool(ctx).catch(() => {}));
  return { tip: refresh, tx: refresh };
};

async function renderPeers(ctx: Ctx): Promise<void> {
  const { peers } = await get<{ nodes: string[]; peers?: Peer[] }>("/nodes");
  if (!ctx.alive()) return;
  clear(
    ctx.root,
    h("h1", {}, `Peers (${(peers ?? []).length})`),
    h("p", { class: "small" }, "Nodes this one talks to: it learns their tips from GET /status and fetches what has more work."),
    table(
      ["Peer", "Height", "Tip", "Last seen", "Failures", "Last error"],
      (peers ?? []).map((p) => [
        h("a", { href: p.url, rel: "noopener" }, p.node),
        p.height === undefined ? "—" : int(p.height),
        p.tip ? blockLink(p.tip) : "—",
        p.last_seen ? ago(p.last_seen / 1000) : "never",
        int(p.failures),
        p.last_error ?? "",
      ]),
      "No peers: register some with POST /nodes/register or start the node with --peers.",
    ),
  );
}

export const peersPage: Page = async (ctx) => {
  ctx.title("Peers");
  await renderPeers(ctx);
  const refresh = coalesce(() => renderPeers(ctx).catch(() => {}), 1000);
  return { tip: refresh };
};
