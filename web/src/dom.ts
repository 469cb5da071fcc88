/** A few DOM helpers: elements are built with text nodes only, never from HTML strings. */
import { fingerprintColours } from "./fingerprint.js";

export type Child = Node | string | number | null | undefined | false;
type Attrs = Record<string, string | number | boolean | undefined | ((ev: Event) => void)>;

export function h<K extends keyof HTMLElementTagNameMap>(tag: K, attrs: Attrs = {}, ...children: Child[]): HTMLElementTagNameMap[K] {
  const el = document.createElement(tag);
  for (const [k, v] of Object.entries(attrs)) {
    if (v === undefined || v === false) continue;
    if (typeof v === "function") el.addEventListener(k.replace(/^on/, ""), v);
    else if (k === "class") el.className = String(v);
    else el.setAttribute(k, v === true ? "" : String(v));
  }
  append(el, children);
  return el;
}

export function append(el: Node, children: Child[]): void {
  for (const c of children) {
    if (c === null || c === undefined || c === false) continue;
    el.appendChild(typeof c === "object" ? c : document.createTextNode(String(c)));
  }
}

export function clear(el: Element, ...children: Child[]): void {
  el.replaceChildren();
  append(el, children);
}

export const link = (href: string, ...children: Child[]) => h("a", { href }, ...children);

/** Control and format characters (bidi overrides, zero-width and invisible ones, line separators). */
const HIDDEN = /[\p{Cc}\p{Cf}\p{Zl}\p{Zp}]/gu;

/** `s` with its control and format characters written out as \uXXXX, so none is hidden or reorders the text. */
export function visible(s: string): string {
  return s.replace(HIDDEN, (c) => {
    const cp = c.codePointAt(0) as number;
    return cp > 0xffff ? `\\u{${cp.toString(16).toUpperCase()}}` : `\\u${cp.toString(16).toUpperCase().padStart(4, "0")}`;
  });
}

/**
 * Text that anyone can put on the chain (a token's name): isolated from the text around it
 * (`<bdi>`, so a right-to-left name cannot reorder what follows), its hidden characters shown
 * (a name "\u202Egnp.exe" shows as that, not as "exe.png").
 */
export const userText = (s: string) => h("bdi", { class: "user-text" }, visible(s));

/** The first 8 and last 6 characters of a hash, the whole in a tooltip. */
export function short(hash: string): string {
  return hash.length > 18 ? `${hash.slice(0, 8)}…${hash.slice(-6)}` : hash;
}

export const blockLink = (hash: string, text?: string | number) =>
  h("a", { href: `#/block/${hash}`, class: "mono", title: hash }, text ?? short(hash));
export const txLink = (id: string) => h("a", { href: `#/tx/${id}`, class: "mono", title: id }, short(id));
/** A link to a token, showing its name (chain-supplied text, shown as `userText`) or its short id. */
export const tokenLink = (id: string, name?: string) =>
  h("a", { href: `#/token/${id}`, class: name ? "" : "mono", title: id }, name ? userText(name) : short(id));

const SVG = "http://www.w3.org/2000/svg";

/** An address's fingerprint (fingerprint.ts): four coloured blocks, 2 x 2, `size` pixels wide. */
export function addrMark(address: string, size = 14): SVGSVGElement {
  const svg = document.createElementNS(SVG, "svg");
  for (const [k, v] of Object.entries({ width: size, height: size, viewBox: "0 0 2 2", class: "addr-mark", "aria-hidden": "true" })) {
    svg.setAttribute(k, String(v));
  }
  fingerprintColours(address).forEach((colour, i) => {
    const rect = document.createElementNS(SVG, "rect");
    for (const [k, v] of Object.entries({ x: i % 2, y: i >> 1, width: 1, height: 1, fill: colour })) rect.setAttribute(k, String(v));
    svg.appendChild(rect);
  });
  return svg;
}

/** A link to an address: its fingerprint, then its first and last characters (the whole in a tooltip). */
export function addrLink(address: string | undefined): Child {
  if (address === undefined) return "—";
  if (address === "0") return h("span", { class: "muted", title: "the coinbase: newly minted coins" }, "coinbase");
  return h("a", { href: `#/address/${address}`, class: "mono addr", title: address }, addrMark(address), short(address));
}

/** A section with a heading. */
export const section = (title: string, ...children: Child[]) => h("section", {}, h("h2", {}, title), ...children);

/** A definition list of label → value pairs (skips undefined values). */
export function fields(pairs: Array<[string, Child | Child[]]>): HTMLElement {
  const dl = h("dl", { class: "fields" });
  for (const [label, value] of pairs) {
    if (value === undefined) continue;
    const dd = h("dd", {});
    append(dd, Array.isArray(value) ? value : [value]);
    dl.append(h("dt", {}, label), dd);
  }
  return dl;
}

/** A table that scrolls sideways on narrow screens. */
export function table(head: string[], rows: Child[][], empty = "Nothing here yet."): HTMLElement {
  if (rows.length === 0) return h("p", { class: "muted" }, empty);
  const thead = h("thead", {}, h("tr", {}, ...head.map((t) => h("th", { scope: "col" }, t))));
  const tbody = h("tbody", {}, ...rows.map((r) => h("tr", {}, ...r.map((c) => h("td", {}, c)))));
  return h("div", { class: "scroll" }, h("table", {}, thead, tbody));
}

export const errorBox = (message: string) => h("p", { class: "error", role: "alert" }, message);
export const okBox = (...children: Child[]) => h("p", { class: "ok", role: "status" }, ...children);
export const badge = (text: string, kind: string) => h("span", { class: `badge ${kind}` }, text);
