/** A block: every header field, why its proof of work is valid, its place in the chain, its transactions. */
import { type Block, enc, get, type Status } from "../api.js";
import { badge, blockLink, clear, fields, h, section, table } from "../dom.js";
import { ago, int, utc } from "../format.js";
import type { Ctx, Page } from "../page.js";
import { canonicalHeader, firstDifference, leadingZeros, meetsTarget, sha256Hex, targetHex } from "../pow.js";
import { merkleSection } from "./merkle-view.js";
import { txRows } from "./overview.js";

/** The hash over the target, digit by digit, with where they first differ marked. */
function powBox(b: Block): HTMLElement {
  const target = targetHex(b.difficulty);
  const ok = meetsTarget(b.hash, b.difficulty);
  const d = firstDifference(b.hash, target);
  const digits = (hex: string, id: string) =>
    h(
      "code",
      { class: "hexline", id },
      h("span", { class: "same" }, hex.slice(0, d)),
      h("mark", {}, hex.slice(d, d + 1)),
      h("span", {}, hex.slice(d + 1)),
    );
  const genesis = b.index === 1;
  return h(
    "div",
    { class: "pow" },
    h(
      "div",
      { class: "hexpair" },
      h("span", { class: "label" }, "hash"),
      digits(b.hash, "pow-hash"),
      h("span", { class: "label" }, "target"),
      digits(target, "pow-target"),
    ),
    h(
      "p",
      { id: "pow-verdict" },
      genesis
        ? badge("genesis: fixed by the network, not checked for work", "muted")
        : ok
          ? badge("valid proof of work", "good")
          : badge("hash above target: invalid", "bad"),
      " ",
      genesis
        ? ""
        : ok
          ? `Read as a 256-bit number the hash is below the target: at the first digit where they differ (marked), the hash has ${b.hash[d]} and the target ${target[d]}.`
          : "The hash is above the target.",
    ),
    h(
      "p",
      { class: "small" },
      `target = ⌊(2^256 − 1) / difficulty⌋ with difficulty ${int(b.difficulty)}, so a random hash meets it with probability 1 in ${int(b.difficulty)}`,
      genesis ? ". " : `: the miner tried proofs until one worked, about ${int(b.difficulty)} tries on average. `,
      `This hash starts with ${leadingZeros(b.hash)} zero hex digit${leadingZeros(b.hash) === 1 ? "" : "s"}, the target with ${leadingZeros(target)}.`,
    ),
  );
}

async function headerCheck(b: Block): Promise<HTMLElement> {
  const header = canonicalHeader(b);
  const again = await sha256Hex(header);
  return h(
    "div",
    {},
    h(
      "p",
      { class: "small" },
      "The block hash is the SHA-256 of the header's canonical JSON (keys sorted, no spaces), which commits to every transaction through tx_root:",
    ),
    h("pre", { class: "wrap" }, header),
    again === undefined
      ? h("p", { class: "small muted" }, "(Your browser offers no Web Crypto here, so the hash is not recomputed.)")
      : h(
          "p",
          { id: "hash-recomputed" },
          again === b.hash ? badge("matches", "good") : badge("differs", "bad"),
          ` SHA-256 recomputed in your browser: `,
          h("code", { class: "wrap" }, again),
        ),
  );
}

export const blockPage: Page = async (ctx: Ctx, id: string) => {
  const b = await get<Block>(`/blocks/${enc(id)}`);
  const status = await get<Status>("/status");
  const onMain = b.index <= status.height && (await get<Block>(`/blocks/${b.index}`)).hash === b.hash;
  const check = await headerCheck(b);
  const merkle = await merkleSection(b);
  if (!ctx.alive()) return undefined;
  ctx.title(`Block ${b.index}`);
  const coinbase = b.transactions[0];
  clear(
    ctx.root,
    h("h1", {}, `Block #${b.index}`),
    h(
      "nav",
      { class: "pager", "aria-label": "neighbouring blocks" },
      b.index > 1
        ? h("a", { href: `#/block/${b.previous_hash}` }, `← previous #${b.index - 1}`)
        : h("span", { class: "muted" }, "genesis: no parent"),
      onMain && b.index < status.height
        ? h("a", { href: `#/block/${b.index + 1}` }, `next #${b.index + 1} →`)
        : h("span", { class: "muted" }, onMain ? "the tip" : ""),
    ),
    onMain
      ? null
      : h(
          "p",
          { class: "error", role: "status" },
          "This block is not on the main chain: a branch with more work replaced it (or has not included it).",
        ),
    section(
      "Header",
      fields([
        ["Hash", h("code", { class: "wrap", id: "block-hash" }, b.hash)],
        ["Index (height)", int(b.index)],
        ["Previous hash", b.index > 1 ? blockLink(b.previous_hash, b.previous_hash) : h("code", {}, b.previous_hash)],
        ["Timestamp", `${b.timestamp} (${utc(b.timestamp)}, ${ago(b.timestamp)})`],
        ["Difficulty", `${int(b.difficulty)} (expected hashes per block)`],
        ["Proof", `${int(b.proof)}${b.index === 1 ? "" : " (the number the miner varied until the hash met the target)"}`],
        ["Transaction root", h("code", { class: "wrap" }, b.tx_root)],
        ["Status", onMain ? `main chain, ${int(status.height - b.index + 1)} confirmation(s)` : "side branch"],
        [
          "Reward paid to",
          coinbase?.type === "coinbase"
            ? h("a", { href: `#/address/${coinbase.recipient}`, class: "mono" }, coinbase.recipient ?? "")
            : "—",
        ],
      ]),
    ),
    section("Proof of work", powBox(b), check),
    section(
      `Transactions (${b.transactions.length})`,
      table(
        ["Id", "Type", "From", "To", "Amount", "Block"],
        txRows(b.transactions.map((tx) => ({ tx, block: b.index, ...(onMain ? {} : { side: b.hash }) }))),
        "No transactions.",
      ),
    ),
    merkle,
  );
  return undefined;
};
