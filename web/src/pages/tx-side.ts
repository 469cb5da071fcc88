/**
 * A transaction seen in a block off the main chain (#/tx/{id}/{block hash}, linked from a
 * side-branch block's page): GET /transactions/{id} knows only the pool and the main chain,
 * so this page reads the block by hash and says where the transaction stands now.
 */
import { type Block, enc, get, getOptional, type Status, type TxInfo } from "../api.js";
import { badge, blockLink, type Child, clear, fields, h, section } from "../dom.js";
import { int, txType } from "../format.js";
import type { Ctx } from "../page.js";

/**
 * Renders the transaction `id` as found in block `blockHash` when that block is off the main
 * chain, and answers true; false when the block is on the main chain (the usual page applies).
 */
export async function sideTxPage(ctx: Ctx, id: string, blockHash: string, value: (k: string, v: unknown) => Child): Promise<boolean> {
  const block = await get<Block>(`/blocks/${enc(blockHash)}`);
  const status = await get<Status>("/status");
  const onMain = block.index <= status.height && (await get<Block>(`/blocks/${block.index}`)).hash === block.hash;
  if (onMain) return false;
  const tx = block.transactions.find((t) => t.id === id);
  if (tx === undefined) throw new Error(`block ${blockHash} holds no transaction ${id}`);
  const now = await getOptional<TxInfo>(`/transactions/${enc(id)}`);
  if (!ctx.alive()) return true;
  const where: Child =
    now === undefined
      ? tx.type === "coinbase"
        ? "a coinbase belongs to its block: it pays nobody unless that block joins the main chain"
        : "neither in the main chain nor waiting in this node's pool"
      : now.status === "pending"
        ? h("span", {}, h("a", { href: `#/tx/${id}` }, "back in the pool"), ", waiting for a block of the main chain")
        : h("span", {}, "confirmed on the main chain in ", blockLink(now.block_hash ?? String(now.block_index), `#${now.block_index}`));
  clear(
    ctx.root,
    h("h1", {}, "Transaction"),
    h("p", { class: "mono wrap" }, id),
    h(
      "p",
      { class: "error", role: "status" },
      "Seen in a block that is not on the main chain: a branch with more work replaced it (or has not included it), so it confirms nothing.",
    ),
    section(
      "Status",
      fields([
        ["Status", h("span", { id: "tx-status" }, badge("side branch", "warn"))],
        ["Block", h("span", { id: "tx-side-block" }, blockLink(block.hash, `#${block.index} (side branch) ${block.hash.slice(0, 8)}…`))],
        ["Now", h("span", { id: "tx-now" }, where)],
      ]),
    ),
    section(`Fields (${txType(tx)})`, fields(Object.entries(tx).map(([k, v]) => [k, value(k, v)] as [string, Child]))),
    h("p", { class: "small" }, `The main chain's tip is block #${int(status.height)}.`),
  );
  return true;
}
