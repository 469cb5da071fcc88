/**
 * The block tree around the tip: the main chain's last blocks in one row and each side branch
 * that forks within them in a row of its own, every block in the column of its height, so a
 * branch sits under the main-chain blocks it competed with.
 */
import type { Block, ChainTip } from "./api.js";
import { append, type Child, h } from "./dom.js";
import { int } from "./format.js";

/** A side branch: its tip (GET /chain/tips) and the blocks of it this node serves, oldest first (not invalid ones). */
export interface Branch {
  tip: ChainTip;
  blocks: Block[];
}

const sumDifficulty = (blocks: readonly Block[]) => blocks.reduce((w, b) => w + BigInt(b.difficulty), 0n);

/** Puts an element in a grid cell (through the CSSOM: the page's CSP forbids style attributes). */
function place<E extends HTMLElement>(el: E, row: number, column: number): E {
  el.style.gridRow = String(row);
  el.style.gridColumn = String(column);
  return el;
}

/** `main`: the main chain's last blocks, oldest first; `branches`: side branches forking within them. */
export function forkTree(main: Block[], branches: Branch[], mainWork: number | string): HTMLElement {
  const from = main[0]?.index ?? 1;
  const to = Math.max(main.at(-1)?.index ?? from, ...branches.map((b) => b.tip.height));
  const column = (height: number) => height - from + 2;
  const cell = (b: Block, row: number, cls: string, what: string) =>
    place(
      h(
        "a",
        { class: `blk-cell ${cls}`, href: `#/block/${b.hash}`, title: `${what} #${b.index}: ${b.hash}` },
        h("strong", {}, `#${b.index}`),
        h("span", { class: "mono" }, b.hash.slice(0, 6)),
      ),
      row,
      column(b.index),
    );
  const label = (row: number, ...children: Child[]) => place(h("div", { class: "fork-label" }, ...children), row, 1);
  const grid = h("div", { class: "fork-grid", "aria-label": "the block tree: one row per branch, one column per height" });
  grid.style.gridTemplateColumns = `minmax(8rem, 13rem) repeat(${to - from + 1}, 4.6rem)`;
  grid.append(
    label(1, h("strong", {}, "Main chain"), h("span", { class: "small" }, `total work ${int(mainWork)}`)),
    ...main.map((b, i) => cell(b, 1, i === main.length - 1 ? "main tip" : "main", "main-chain block")),
  );
  let row = 1;
  for (const br of branches) {
    row++;
    const fork = br.tip.height - br.tip.branch_length;
    const n = br.tip.branch_length;
    const invalid = br.tip.status === "invalid";
    const length = h("span", { class: "small" }, `${n} block${n === 1 ? "" : "s"} after #${fork}`);
    const work = invalid
      ? [h("span", { class: "small" }, "found invalid: it never joins the main chain")]
      : [
          h("span", { class: "small" }, `its work ${int(sumDifficulty(br.blocks).toString())}`),
          h(
            "span",
            { class: "small" },
            `main chain after #${fork}: work ${int(sumDifficulty(main.filter((b) => b.index > fork)).toString())}`,
          ),
        ];
    // an invalid block is not served (GET /blocks/{hash} is 404): its tip is drawn without a link
    const top = br.blocks.at(-1);
    const placeholder =
      top?.hash === br.tip.hash
        ? null
        : place(
            h(
              "span",
              { class: "blk-cell invalid", title: `invalid block #${br.tip.height}: ${br.tip.hash}` },
              h("strong", {}, `#${br.tip.height}`),
              h("span", { class: "mono" }, br.tip.hash.slice(0, 6)),
            ),
            row,
            column(br.tip.height),
          );
    append(grid, [
      label(row, h("strong", {}, invalid ? "Invalid branch" : "Side branch"), length, ...work),
      fork >= from
        ? place(
            h("span", { class: "fork-joint", "aria-hidden": "true", title: `forks from main-chain block #${fork}` }, "↳"),
            row,
            column(fork),
          )
        : null,
      ...br.blocks.map((b) => cell(b, row, invalid ? "invalid" : "stale", invalid ? "invalid block" : "stale block")),
      placeholder,
    ]);
  }
  return h("div", { class: "scroll fork-tree" }, grid);
}
