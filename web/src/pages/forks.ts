/**
 * Forks: the block tree around the tip (the main chain's last blocks and every side branch
 * forking within them, each with its length and work) and the reorganisations this node went
 * through, with the transactions that went back to the pool. Live on tip changes and side blocks.
 */
import "../forks.css";
import { type Block, type ChainTip, enc, get, getOptional, type ReorgEntry, type ReorgPage, type Status } from "../api.js";
import { blockRow } from "../chainview.js";
import { type Child, clear, h, section, txLink } from "../dom.js";
import { type Branch, forkTree } from "../forktree.js";
import { ago, int, utc } from "../format.js";
import { coalesce } from "../live.js";
import type { Ctx, Page } from "../page.js";

/** Main-chain blocks drawn. */
export const WINDOW = 20;
/** Side branches drawn at most (the highest tips). */
const MAX_BRANCHES = 12;
/** Reorganisations per page. */
const REORGS_PER_PAGE = 10;
/** Transaction ids shown per reorganisation. */
const RETURNED_SHOWN = 20;

/** Blocks never change: those fetched by hash are kept (a bounded number) between renders. */
const blocks = new Map<string, Block>();
async function blockByHash(hash: string): Promise<Block | undefined> {
  let b = blocks.get(hash);
  if (b === undefined) {
    b = await getOptional<Block>(`/blocks/${enc(hash)}`); // undefined: an invalid block (not served)
    if (b === undefined) return undefined;
    if (blocks.size >= 2000) blocks.clear();
    blocks.set(hash, b);
  }
  return b;
}

/** A side branch's blocks, oldest first: from its tip back `branch_length` blocks. */
async function branchOf(tip: ChainTip): Promise<Branch> {
  const out: Block[] = [];
  if (tip.status === "invalid") return { tip, blocks: out }; // not served (404): drawn without a link
  let hash = tip.hash;
  for (let i = 0; i < Math.min(tip.branch_length, WINDOW + 1); i++) {
    const b = await blockByHash(hash);
    if (b === undefined) break; // found invalid since
    out.unshift(b);
    hash = b.previous_hash;
  }
  return { tip, blocks: out };
}

function reorgEntry(r: ReorgEntry): HTMLElement {
  const joined = r.height_after - r.fork_height;
  const returned: Child =
    r.returned_count === 0
      ? h("p", { class: "small" }, "No transaction went back to the pool: the new branch holds every one of them (or there were none).")
      : h(
          "div",
          { class: "returned" },
          h(
            "p",
            { class: "small" },
            `${int(r.returned_count)} transaction${r.returned_count === 1 ? "" : "s"} went back to the pool ` +
              "(those still valid wait for a block of the new chain):",
          ),
          h("ul", {}, ...r.returned_to_pool.slice(0, RETURNED_SHOWN).map((id) => h("li", {}, txLink(id)))),
          r.returned_count > RETURNED_SHOWN ? h("p", { class: "small" }, `and ${int(r.returned_count - RETURNED_SHOWN)} more`) : null,
        );
  return h(
    "div",
    { class: "reorg-entry reorg" },
    h(
      "p",
      {},
      h("strong", {}, utc(r.at / 1000)),
      ` (${ago(r.at / 1000)}): the chain forked after block #${r.fork_height}; `,
      h("strong", {}, `${r.depth} block${r.depth === 1 ? "" : "s"} left`),
      ` the main chain for ${joined} block${joined === 1 ? "" : "s"} of a branch with more work (${int(r.left_work)} < ${int(r.joined_work)}). `,
      `Tip #${r.height_before} → #${r.height_after}.`,
    ),
    h("p", { class: "small" }, "Left the main chain (now a side branch):"),
    blockRow(r.left, "replaced"),
    h("p", { class: "small" }, "Joined it:"),
    blockRow(r.joined, "joined"),
    returned,
  );
}

async function render(ctx: Ctx): Promise<void> {
  const [status, { tips }, page] = await Promise.all([
    get<Status>("/status"),
    get<{ tips: ChainTip[] }>("/chain/tips?limit=100"),
    get<ReorgPage>(`/reorgs?limit=${REORGS_PER_PAGE}`),
  ]);
  const from = Math.max(1, status.height - WINDOW + 1);
  const { blocks: main } = await get<{ blocks: Block[] }>(`/blocks?from=${from}&limit=${WINDOW}`);
  const near = tips.filter((t) => t.status !== "active" && t.height - t.branch_length + 1 >= from).slice(0, MAX_BRANCHES);
  const branches = await Promise.all(near.map(branchOf));
  if (!ctx.alive()) return;
  const older = tips.length - 1 - near.length;
  const list = h("div", { id: "reorg-list" }, ...page.reorgs.map(reorgEntry));
  const more = (next: number | null): Child =>
    next === null
      ? null
      : h(
          "button",
          {
            type: "button",
            id: "reorgs-older",
            onclick: async (ev: Event) => {
              const button = ev.currentTarget as HTMLButtonElement;
              button.disabled = true;
              const p = await get<ReorgPage>(`/reorgs?limit=${REORGS_PER_PAGE}&before=${next}`);
              if (!ctx.alive()) return;
              list.append(...p.reorgs.map(reorgEntry));
              const again = more(p.next);
              button.replaceWith(again instanceof Node ? again : document.createTextNode(""));
            },
          },
          "Older reorganisations",
        );
  const tree = forkTree(main, branches, status.total_work);
  clear(
    ctx.root,
    h("h1", {}, "Forks"),
    h(
      "p",
      { class: "small" },
      "Two miners can find a block at the same height: the chain forks. Every node keeps both blocks and follows the branch ",
      "with the most total work; the other becomes a side branch, its blocks stale. When a side branch overtakes the main chain, ",
      "the node reorganises: the main chain's blocks after the fork leave it, the branch's blocks join it, and the transactions ",
      "only the leaving blocks held go back to the pool.",
    ),
    section(
      `The last ${main.length} blocks and the branches forking among them`,
      tree,
      h(
        "p",
        { class: "small" },
        branches.length === 0
          ? "No side branch forks within these blocks."
          : "Dashed blocks are stale: valid, but off the main chain. The work of a branch is the sum of its blocks' difficulties.",
        older > 0 ? ` ${older} older side tip${older === 1 ? "" : "s"} not drawn (GET /chain/tips lists them).` : "",
      ),
    ),
    section(
      "Reorganisations",
      page.reorgs.length === 0 ? h("p", { class: "muted" }, "This node has not reorganised its chain.") : list,
      more(page.next),
    ),
  );
  tree.scrollLeft = tree.scrollWidth; // on a narrow screen, the tip's end of the tree in view
}

export const forksPage: Page = async (ctx) => {
  ctx.title("Forks");
  await render(ctx);
  const refresh = coalesce(() => render(ctx).catch(() => {}));
  return { tip: refresh, side: refresh };
};
