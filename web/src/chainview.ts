/** The last blocks drawn as boxes linked by their previous_hash, and the last reorganisation. */
import type { Block, Reorg } from "./api.js";
import { type Child, h, short } from "./dom.js";
import { ago, utc } from "./format.js";

/** A block's box; from the second on, an arrow to its parent travels with it when the row wraps. */
function box(b: Block, tip: boolean, first: boolean): HTMLElement {
  return h(
    "li",
    { class: tip ? "blk tip" : "blk" },
    first ? null : h("span", { class: "link", "aria-hidden": "true" }, "←"),
    h(
      "a",
      { href: `#/block/${b.hash}`, title: `block ${b.index}: ${b.hash}` },
      h("strong", {}, `#${b.index}`),
      h("span", { class: "mono" }, short(b.hash)),
      h("span", { class: "small" }, `prev ${b.index === 1 ? "—" : b.previous_hash.slice(0, 8)}`),
      h("span", { class: "small" }, `${b.transactions.length} tx · ${ago(b.timestamp)}`),
    ),
  );
}

/** Blocks in height order, oldest first; each box's `prev` is the hash of the box before it. */
export function chainView(blocks: Block[]): HTMLElement {
  const items: Child[] = blocks.map((b, i) => box(b, i === blocks.length - 1, i === 0));
  return h(
    "div",
    { class: "chainview" },
    h("ol", { class: "chain", "aria-label": "the last blocks, oldest first; each points back to its parent" }, ...items),
  );
}

/** Blocks that left or joined the main chain, as a row of linked boxes (`cls`: replaced or joined). */
export function blockRow(refs: ReadonlyArray<{ index: number; hash: string; txs: number }>, cls: string): HTMLElement {
  return h(
    "ol",
    { class: `chain ${cls}` },
    ...refs.map((b) =>
      h(
        "li",
        { class: `blk ${cls}` },
        h(
          "a",
          { href: `#/block/${b.hash}`, title: b.hash },
          h("strong", {}, `#${b.index}`),
          h("span", { class: "mono" }, short(b.hash)),
          h("span", { class: "small" }, `${b.txs} tx`),
        ),
      ),
    ),
  );
}

/** The last reorganisation: the blocks that left the main chain and those that replaced them. */
export function reorgView(r: Reorg | null): HTMLElement {
  if (r === null) return h("p", { class: "muted" }, "No reorganisation recorded by this node.");
  return h(
    "div",
    { class: "reorg" },
    h(
      "p",
      {},
      `At ${utc(r.at / 1000)} (${ago(r.at / 1000)}) this node switched to a chain with more work: `,
      h("strong", {}, `${r.replaced.length} block${r.replaced.length === 1 ? "" : "s"} replaced`),
      ` by ${r.connected.length}, new tip #${r.height}. Transactions of replaced blocks that are still valid went back to the pool.`,
    ),
    h("p", { class: "small" }, "Replaced (now on a side branch):"),
    blockRow(r.replaced, "replaced"),
    h("p", { class: "small" }, "Replaced by:"),
    blockRow(r.connected, "joined"),
  );
}
