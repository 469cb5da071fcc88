/** Search: a height, block hash, transaction id, token id or address, resolved by the node's GET /search. */
import { enc, get, type SearchMatch } from "../api.js";
import { clear, h, short } from "../dom.js";
import type { Page } from "../page.js";

const ROUTE: Record<SearchMatch["kind"], string> = { block: "block", transaction: "tx", token: "token", address: "address" };
const NAME: Record<SearchMatch["kind"], string> = { block: "Block", transaction: "Transaction", token: "Token", address: "Address" };

export const hrefOf = (m: SearchMatch) => `#/${ROUTE[m.kind]}/${m.id}`;

/** Where a query leads: the one match, or undefined when there are none or several to choose from. */
export async function resolve(query: string): Promise<SearchMatch[]> {
  const q = query.trim();
  if (q === "") return [];
  return (await get<{ matches: SearchMatch[] }>(`/search?q=${enc(q)}`)).matches;
}

export const searchPage: Page = async (ctx, query) => {
  ctx.title("Search");
  const matches = await resolve(query);
  if (!ctx.alive()) return undefined;
  if (matches.length === 1) {
    location.replace(hrefOf(matches[0] as SearchMatch));
    return undefined;
  }
  clear(
    ctx.root,
    h("h1", {}, "Search"),
    matches.length === 0
      ? h(
          "p",
          { class: "error", role: "alert" },
          `Nothing found for "${query.slice(0, 80)}". Search takes a block height (digits), or 64 hex characters: a block hash, transaction id, token id or address.`,
        )
      : h(
          "ul",
          {},
          ...matches.map((m) =>
            h(
              "li",
              {},
              h("a", { href: hrefOf(m) }, `${NAME[m.kind]} ${m.index !== undefined ? `#${m.index} ` : ""}${short(m.id)}`),
              m.status ? ` (${m.status})` : "",
              m.main === false ? " (side branch)" : "",
            ),
          ),
        ),
  );
  return undefined;
};
