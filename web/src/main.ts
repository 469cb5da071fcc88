/** The block explorer: hash routes (#/block/…), one page at a time, live updates from GET /events. */
import "./style.css";
import "./widgets.css";
import { clear, errorBox, h } from "./dom.js";
import { connect, type Handlers, subscribe } from "./live.js";
import type { Page } from "./page.js";
import { accountPage } from "./pages/account.js";
import { blockPage } from "./pages/block.js";
import { chainPage } from "./pages/chain.js";
import { consolePage } from "./pages/console.js";
import { forksPage } from "./pages/forks.js";
import { overviewPage } from "./pages/overview.js";
import { peersPage, poolPage } from "./pages/peers-pool.js";
import { searchPage } from "./pages/search.js";
import { tokenPage, tokensPage } from "./pages/tokens.js";
import { txPage } from "./pages/tx.js";

const ROUTES: Record<string, Page> = {
  "": overviewPage,
  chain: chainPage,
  forks: forksPage,
  block: blockPage,
  tx: txPage,
  address: accountPage,
  tokens: tokensPage,
  token: tokenPage,
  pool: poolPage,
  peers: peersPage,
  console: consolePage,
  search: searchPage,
};

const root = document.getElementById("app") as HTMLElement;
let generation = 0;
let unsubscribe: (() => void) | undefined;

async function route(): Promise<void> {
  const [name = "", ...rest] = location.hash.replace(/^#\/?/, "").split("/");
  const arg = decodeURIComponent(rest.join("/"));
  const page = ROUTES[name];
  const mine = ++generation;
  unsubscribe?.();
  unsubscribe = undefined;
  for (const a of document.querySelectorAll("header nav a")) {
    if (a.getAttribute("href") === `#/${name}`) a.setAttribute("aria-current", "page");
    else a.removeAttribute("aria-current");
  }
  clear(root, h("p", { class: "muted" }, "Loading…"));
  window.scrollTo(0, 0);
  // a page is stale once another route started, or once the address changed and its route has not run yet
  const at = location.hash;
  const ctx = {
    root,
    alive: () => mine === generation && location.hash === at,
    title: (t: string) => {
      if (mine === generation) document.title = `${t} · tinychain explorer`;
    },
  };
  try {
    if (page === undefined) throw new Error(`no page "${name}": try the links above`);
    const handlers: Handlers | undefined = await page(ctx, arg);
    if (handlers && ctx.alive()) unsubscribe = subscribe(handlers);
  } catch (err) {
    if (ctx.alive()) clear(root, h("h1", {}, "Not found"), errorBox(err instanceof Error ? err.message : String(err)));
  }
  if (ctx.alive()) root.focus({ preventScroll: true });
}

const liveLabel = document.getElementById("live") as HTMLElement;
connect((state) => {
  liveLabel.dataset.state = state;
  liveLabel.textContent = state === "live" ? "● live" : state === "connecting" ? "○ connecting…" : "○ offline: reload to retry";
});

const search = document.getElementById("search") as HTMLFormElement;
const input = document.getElementById("q") as HTMLInputElement;
search.addEventListener("submit", (ev) => {
  ev.preventDefault();
  const q = input.value.trim();
  if (q === "") return;
  const target = `#/search/${encodeURIComponent(q)}`;
  if (location.hash === target) void route();
  else location.hash = target;
  input.blur();
});

window.addEventListener("hashchange", () => void route());
void route();
