/** An address: balance, nonce, what is pending, token holdings, confirmed history (paged); live. */
import { type Account, enc, get, type HistoryPage, type Token, type Tx } from "../api.js";
import { directionOf } from "../direction.js";
import { addrLink, addrMark, blockLink, clear, fields, h, section, table, tokenLink, txLink } from "../dom.js";
import { coins, int, type TokenUnits, tokenAmount, txAmount, txType } from "../format.js";
import { coalesce } from "../live.js";
import type { Ctx, Page } from "../page.js";

const PAGE = 25;

/** Decimals and symbols of the tokens seen on the page, fetched once each (GET /tokens/{id}). */
const tokenUnits = new Map<string, Promise<TokenUnits | undefined>>();

function unitsOf(id: string): Promise<TokenUnits | undefined> {
  let p = tokenUnits.get(id);
  if (p === undefined) {
    p = get<Token>(`/tokens/${enc(id)}`).then(
      (t) => ({ decimals: t.decimals, symbol: t.symbol }),
      () => {
        tokenUnits.delete(id);
        return undefined;
      },
    );
    tokenUnits.set(id, p);
  }
  return p;
}

async function unitsFor(txs: Tx[]): Promise<Map<string, TokenUnits | undefined>> {
  const ids = [...new Set(txs.flatMap((t) => (t.token === undefined ? [] : [t.token])))];
  return new Map(await Promise.all(ids.map(async (id) => [id, await unitsOf(id)] as const)));
}

function historyRows(
  address: string,
  txs: Array<{ tx: Tx; block?: number; waitsFor?: number }>,
  units: Map<string, TokenUnits | undefined>,
) {
  return txs.map(({ tx, block, waitsFor }) => {
    const { label, other } = directionOf(tx, address);
    return [
      txLink(tx.id),
      txType(tx),
      label,
      addrLink(other),
      txAmount(tx, tx.token === undefined ? undefined : units.get(tx.token)),
      tx.fee === undefined ? "—" : int(tx.fee),
      block !== undefined ? blockLink(String(block), block) : waitsFor !== undefined ? `queued — waits for nonce ${waitsFor}` : "pending",
    ];
  });
}

/** The history page shown: the cursors of the pages before it (none: the newest page). */
interface View {
  cursors: string[];
}

async function render(ctx: Ctx, address: string, view: View): Promise<void> {
  const cursor = view.cursors.at(-1);
  const [acct, history, pool] = await Promise.all([
    get<Account>(`/accounts/${enc(address)}`),
    get<HistoryPage>(`/accounts/${enc(address)}/transactions?limit=${PAGE}${cursor ? `&before=${enc(cursor)}` : ""}`),
    get<{ transactions: Tx[]; queued?: Record<string, number> }>("/transactions/pending"),
  ]);
  const mine = pool.transactions.filter(
    (t) => t.sender === address || t.recipient === address || t.spender === address || t.owner === address,
  );
  const units = await unitsFor([...mine, ...history.transactions.map((r) => r.transaction)]);
  const queued = pool.queued ?? {};
  if (!ctx.alive()) return;
  const go = (cursors: string[]) => {
    view.cursors = cursors;
    void render(ctx, address, view).catch(() => {});
  };
  const head = ["Id", "Type", "Direction", "Counterparty", "Amount", "Fee", "Block"];
  const pager = h(
    "nav",
    { class: "pager", "aria-label": "history pages" },
    view.cursors.length > 0 ? h("button", { type: "button", onclick: () => go(view.cursors.slice(0, -1)) }, "← newer") : h("span", {}),
    history.next ? h("button", { type: "button", onclick: () => go([...view.cursors, history.next ?? ""]) }, "older →") : h("span", {}),
  );
  clear(
    ctx.root,
    h("h1", {}, "Address"),
    h("p", { class: "mono wrap addr", id: "address" }, addrMark(address, 24), address),
    section(
      "Balance",
      fields([
        ["Balance (confirmed)", h("span", { id: "acct-balance" }, coins(acct.balance))],
        ["Nonce (confirmed transactions sent)", int(acct.nonce)],
        ["Balance once pending confirm", acct.pending ? coins(acct.pending.balance) : undefined],
        ["Next nonce", acct.pending ? int(acct.pending.nonce) : undefined],
        ["Pending transactions", acct.pending ? int(acct.pending.transactions) : undefined],
        ["Queued (wait for an earlier nonce; not counted above)", acct.pending?.queued ? int(acct.pending.queued) : undefined],
      ]),
    ),
    section(
      "Token holdings",
      table(
        ["Token", "Symbol", "Balance", "Token id"],
        (acct.tokens ?? []).map((t) => [
          tokenLink(t.token, t.name || "(unnamed)"),
          t.symbol,
          tokenAmount(t.balance, t.decimals),
          tokenLink(t.token),
        ]),
        "No tokens.",
      ),
    ),
    section(
      "Pending",
      table(
        head,
        historyRows(
          address,
          mine.map((tx) => ({ tx, waitsFor: queued[tx.id] })),
          units,
        ),
        "Nothing pending.",
      ),
    ),
    h(
      "div",
      { id: "history" },
      section(
        "History (confirmed, newest first)",
        table(
          head,
          historyRows(
            address,
            history.transactions.map((r) => ({ tx: r.transaction, block: r.block_index })),
            units,
          ),
          "No confirmed transactions.",
        ),
        pager,
      ),
    ),
  );
}

export const accountPage: Page = async (ctx, address) => {
  if (!/^[0-9a-f]{64}$/.test(address)) throw new Error(`"${address}" is not an address: addresses are 64 lowercase hex characters`);
  ctx.title(`Address ${address.slice(0, 8)}`);
  const view: View = { cursors: [] };
  await render(ctx, address, view);
  const refresh = coalesce(() => render(ctx, address, view).catch(() => {}));
  return { tip: refresh, tx: (e) => (e.sender === address || e.recipient === address ? refresh() : undefined) };
};
