/** The block page's Merkle tree: its transaction ids up to the root, recomputed here and held against tx_root. */
import type { Block } from "../api.js";
import { badge, h, section } from "../dom.js";
import { layout, type MerkleNode, merkleRoot, merkleTree, type Placed } from "../merkle.js";

const NS = "http://www.w3.org/2000/svg";
const SLOT = 84; // px per bottom box
const BOX_W = 74;
const BOX_H = 22;
const ROW = 50;
const PAD = 6;

function svg(tag: string, attrs: Record<string, string | number>, ...children: Array<Element | string>): SVGElement {
  const el = document.createElementNS(NS, tag);
  for (const [k, v] of Object.entries(attrs)) el.setAttribute(k, String(v));
  for (const c of children) el.append(c);
  return el;
}

const shortHash = (hex: string) => hex.slice(0, 8);
const cx = (p: Placed) => PAD + p.x * SLOT + BOX_W / 2;
const cy = (row: number) => PAD + row * ROW;

/** One node: a box with its hash's first 8 digits, the whole hash as its tooltip. */
function box(p: Placed, isRoot: boolean, ok: boolean): SVGElement {
  const n = p.node;
  const what =
    p.kind === "leaf"
      ? `leaf ${n.start} = SHA-256(0x00 ‖ id)`
      : `${isRoot ? "root" : "node"} over transactions ${n.start}–${n.end - 1} = SHA-256(0x01 ‖ left ‖ right)`;
  const cls = isRoot ? (ok ? "node root good" : "node root bad") : `node ${p.kind}`;
  return svg(
    "g",
    { class: cls, "data-hash": n.hash },
    svg("title", {}, `${what}\n${n.hash}`),
    svg("rect", { x: cx(p) - BOX_W / 2, y: cy(p.y), width: BOX_W, height: BOX_H, rx: 4 }),
    svg("text", { x: cx(p), y: cy(p.y) + 15, "text-anchor": "middle" }, shortHash(n.hash)),
  );
}

/** Under each bottom box: the transaction id it hashes (a link), or the range a folded box stands for. */
function below(p: Placed, ids: readonly string[], row: number): SVGElement {
  const n = p.node;
  const y = cy(row) + 14;
  if (p.kind === "folded") {
    return svg("text", { x: cx(p), y, "text-anchor": "middle", class: "muted" }, `txs ${n.start}–${n.end - 1}`);
  }
  const id = ids[n.start] ?? "";
  return svg(
    "a",
    { href: `#/tx/${id}`, class: "leaf-id" },
    svg("title", {}, `transaction ${n.start}: ${id}`),
    svg("text", { x: cx(p), y, "text-anchor": "middle" }, `${n.start}: ${shortHash(id)}`),
  );
}

function drawing(tree: MerkleNode, ids: readonly string[], ok: boolean): { el: SVGElement; fold: number; rootX: number } {
  const { placed, slots, rows, fold } = layout(tree);
  const edges: SVGElement[] = [];
  const texts: SVGElement[] = [];
  for (const p of placed) {
    if (p.parent) {
      edges.push(svg("line", { x1: cx(p.parent), y1: cy(p.parent.y) + BOX_H, x2: cx(p), y2: cy(p.y) }));
    }
    if (p.kind !== "inner") {
      edges.push(svg("line", { class: "to-id", x1: cx(p), y1: cy(p.y) + BOX_H, x2: cx(p), y2: cy(rows) }));
      texts.push(below(p, ids, rows));
    }
  }
  const boxes = placed.map((p) => box(p, p.parent === undefined, ok));
  const width = PAD * 2 + (slots - 1) * SLOT + BOX_W;
  const height = cy(rows) + 22;
  const el = svg(
    "svg",
    { id: "merkle-tree", width, height, viewBox: `0 0 ${width} ${height}`, role: "img", "aria-label": "Merkle tree" },
    ...edges,
    ...boxes,
    ...texts,
  );
  const top = placed.find((p) => p.parent === undefined);
  return { el, fold, rootX: top === undefined ? 0 : cx(top) };
}

/** The section; says so where this browser offers no Web Crypto (plain http off localhost). */
export async function merkleSection(b: Block): Promise<HTMLElement> {
  const title = "Merkle tree";
  const subtle = globalThis.crypto?.subtle;
  if (subtle === undefined) {
    return section(title, h("p", { class: "small muted" }, "(Your browser offers no Web Crypto here, so the tree is not recomputed.)"));
  }
  const ids = b.transactions.map((tx) => tx.id);
  let tree: MerkleNode | undefined;
  let root: string;
  try {
    tree = await merkleTree(subtle, ids);
    root = await merkleRoot(subtle, ids);
  } catch (err) {
    return section(title, h("p", { class: "error" }, `The tree cannot be built: ${err instanceof Error ? err.message : String(err)}.`));
  }
  const ok = root === b.tx_root;
  const picture = tree === undefined ? undefined : drawing(tree, ids, ok);
  const frame = picture === undefined ? undefined : h("div", { class: "merkle" }, picture.el);
  const folded =
    picture !== undefined && picture.fold > 1
      ? h(
          "p",
          { class: "small muted" },
          `${ids.length} transactions: subtrees of up to ${picture.fold} are drawn as one box (their hash), to keep the picture readable.`,
        )
      : null;
  // a tree wider than the page opens with its root in view (once the page has placed it)
  if (frame !== undefined && picture !== undefined) {
    setTimeout(() => {
      frame.scrollLeft = Math.max(0, picture.rootX - frame.clientWidth / 2);
    }, 0);
  }
  return section(
    title,
    h(
      "p",
      { class: "small" },
      "The header commits to every transaction through tx_root, the root of this tree (RFC 6962): each leaf is SHA-256(0x00 ‖ transaction id), each node SHA-256(0x01 ‖ left ‖ right), and n transactions split into the largest power of two below n and the rest, so the tree need not be full. Hover a box for its whole hash; changing any transaction changes its id, its leaf, and every node up to the root.",
    ),
    frame ?? h("p", {}, "No transactions: the root of an empty tree is SHA-256 of nothing."),
    folded,
    h(
      "p",
      { id: "merkle-root" },
      ok ? badge("root matches tx_root ✓", "good") : badge("root differs from tx_root ✗", "bad"),
      " computed in your browser: ",
      h("code", { class: "wrap" }, root),
      ok ? "" : ` — the header says ${b.tx_root}: these are not the transactions it committed to.`,
    ),
  );
}
