/** Overview: the network at a glance, the last blocks as a chain, latest and pending transactions; live. */
import { type Block, get, type Reorg, type Status, type Tx } from "../api.js";
import { chainView, reorgView } from "../chainview.js";
import { addrLink, blockLink, clear, h, section, short, table, txLink } from "../dom.js";
import { ago, counterparty, hashrate, int, txAmount, txType } from "../format.js";
import { coalesce } from "../live.js";
import type { Ctx, Page } from "../page.js";

const LATEST = 10;

const stat = (label: string, value: string, id: string) => h("div", { class: "stat" }, h("dt", {}, label), h("dd", { id }, value));

/** Network hash rate estimated from the blocks shown (not genesis, whose time is fixed): work done over the time it took. */
function networkRate(shown: Block[]): string {
  const blocks = shown.filter((b) => b.index > 1);
  if (blocks.length < 3) return "—";
  const first = blocks[0] as Block;
  const last = blocks.at(-1) as Block;
  const seconds = last.timestamp - first.timestamp;
  if (seconds <= 0) return "—";
  const work = blocks.slice(1).reduce((w, b) => w + b.difficulty, 0);
  return `≈ ${hashrate(work / seconds)}`;
}

/**
 * Table rows of transactions. `block`: the height of the block holding them; `side`: that
 * block's hash when it is off the main chain, so the links name it by hash (the height alone
 * is the main chain's block there) and the transaction's page is told which block it is in.
 */
export function txRows(txs: Array<{ tx: Tx; block?: number; side?: string }>) {
  return txs.map(({ tx, block, side }) => [
    side === undefined ? txLink(tx.id) : h("a", { href: `#/tx/${tx.id}/${side}`, class: "mono", title: tx.id }, short(tx.id)),
    txType(tx),
    addrLink(tx.sender),
    addrLink(counterparty(tx)),
    txAmount(tx),
    block === undefined ? "pending" : side === undefined ? blockLink(String(block), block) : blockLink(side, `${block} (side)`),
  ]);
}

async function render(ctx: Ctx): Promise<void> {
  const [status, reorg, pending] = await Promise.all([
    get<Status>("/status"),
    get<{ last: Reorg | null }>("/reorg"),
    get<{ transactions: Tx[] }>("/transactions/pending"),
  ]);
  const from = Math.max(1, status.height - LATEST + 1);
  const { blocks } = await get<{ blocks: Block[] }>(`/blocks?from=${from}&limit=${LATEST}`);
  if (!ctx.alive()) return;
  const newest = [...blocks].reverse();
  const latestTxs = newest.flatMap((b) => b.transactions.map((tx) => ({ tx, block: b.index }))).slice(0, LATEST);

  clear(
    ctx.root,
    h("h1", {}, "Overview"),
    h(
      "dl",
      { class: "stats", "aria-label": "network summary" },
      stat("Network", status.network, "st-network"),
      stat("Height", int(status.height), "st-height"),
      stat("Total work", int(status.total_work), "st-work"),
      stat("Difficulty (next block)", int(status.difficulty), "st-difficulty"),
      stat("Network hash rate (est.)", networkRate(blocks), "st-rate"),
      stat(
        "This node's miner",
        status.mining
          ? `mining, ${hashrate(status.hashrate ?? 0)}`
          : status.hashrate_last_minute > 0
            ? `idle (${hashrate(status.hashrate_last_minute)} while it mined in the last minute)`
            : "idle",
        "st-miner",
      ),
      stat("Peers", int(status.peers), "st-peers"),
      stat("Pending transactions", int(status.pending), "st-pending"),
    ),
    section(
      "Chain",
      h(
        "p",
        { class: "small" },
        `The last ${blocks.length === 1 ? "block" : `${blocks.length} blocks`} of the main chain; each box points back to its parent by previous_hash.`,
      ),
      chainView(blocks),
    ),
    section("Last reorganisation", reorgView(reorg.last)),
    h(
      "div",
      { id: "latest-blocks" },
      section(
        "Latest blocks",
        table(
          ["Height", "Hash", "Time", "Transactions", "Miner"],
          newest.map((b) => [
            blockLink(b.hash, b.index),
            blockLink(b.hash),
            ago(b.timestamp),
            int(b.transactions.length),
            addrLink(b.transactions[0]?.type === "coinbase" ? b.transactions[0].recipient : undefined),
          ]),
        ),
      ),
    ),
    h(
      "div",
      { id: "latest-txs" },
      section("Latest transactions", table(["Id", "Type", "From", "To", "Amount", "Block"], txRows(latestTxs), "No transactions yet.")),
    ),
    h(
      "div",
      { id: "pending-txs" },
      section(
        `Pending (${pending.transactions.length})`,
        table(
          ["Id", "Type", "From", "To", "Amount", "Block"],
          txRows(pending.transactions.slice(0, LATEST).map((tx) => ({ tx }))),
          "The pool is empty.",
        ),
        pending.transactions.length > LATEST ? h("p", {}, h("a", { href: "#/pool" }, "All pending transactions")) : null,
      ),
    ),
    h("p", { class: "small" }, `Node wallet: `, addrLink(status.address), ` · genesis `, blockLink(status.genesis_hash)),
  );
}

export const overviewPage: Page = async (ctx) => {
  ctx.title("Overview");
  await render(ctx);
  const refresh = coalesce(() => render(ctx).catch(() => {}));
  return { tip: refresh, tx: refresh };
};
