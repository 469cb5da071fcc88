/** The node console (operator routes, open to loopback visitors): mine a block, send from the node's wallet. */
import { type Accepted, type Account, ApiError, get, type Mined, post, type Status, type TxInfo } from "../api.js";
import { addrLink, badge, blockLink, clear, errorBox, h, okBox, section, table, txLink } from "../dom.js";
import { coins, int, searchProgress } from "../format.js";
import { coalesce, greeting } from "../live.js";
import type { Page } from "../page.js";

const message = (err: unknown) => (err instanceof ApiError || err instanceof Error ? err.message : String(err));

function field(label: string, input: HTMLInputElement, hint?: string): HTMLElement {
  return h("div", { class: "field" }, h("label", { for: input.id }, label), input, hint ? h("span", { class: "small" }, hint) : null);
}

export const consolePage: Page = async (ctx) => {
  ctx.title("Console");
  const [hello, status] = await Promise.all([greeting(), get<Status>("/status")]);
  const wallet = h("p", { id: "wallet" });
  const showWallet = async () => {
    const a = await get<Account>(`/accounts/${status.address}`);
    clear(
      wallet,
      "Node wallet ",
      addrLink(status.address),
      `: ${coins(a.balance)}`,
      a.pending && a.pending.balance !== a.balance ? ` (${coins(a.pending.balance)} once pending transactions confirm)` : "",
    );
  };
  await showWallet();
  if (!ctx.alive()) return undefined;

  const mineResult = h("div", { id: "mine-result", "aria-live": "polite" });
  const mineButton = h("button", { type: "submit", id: "mine" }, "Mine a block");
  const mineForm = h(
    "form",
    {
      onsubmit: async (ev: Event) => {
        ev.preventDefault();
        mineButton.disabled = true;
        const progress = h("p", { class: "muted", id: "mine-progress" }, "Mining…");
        clear(mineResult, progress);
        // the search's progress, from /status, until the block is found
        let searching = true;
        void (async () => {
          for (let i = 0; i < 100_000 && searching && ctx.alive(); i++) {
            await new Promise((r) => setTimeout(r, 300));
            const s = await get<Status>("/status").catch(() => undefined);
            if (searching && s?.search) progress.textContent = searchProgress(s.search, s.hashrate);
          }
        })();
        try {
          const b = await post<Mined>("/mine");
          searching = false;
          clear(
            mineResult,
            okBox(
              `${b.message} Block `,
              blockLink(b.hash, `#${b.index}`),
              ` with ${b.transactions.length} transaction(s), hash `,
              blockLink(b.hash),
            ),
          );
        } catch (err) {
          clear(mineResult, errorBox(message(err)));
        } finally {
          searching = false;
          mineButton.disabled = false;
        }
      },
    },
    h("p", { class: "small" }, "Mines one block with the pending transactions; the reward goes to the node's wallet."),
    mineButton,
  );

  const recipient = h("input", {
    id: "recipient",
    name: "recipient",
    required: true,
    pattern: "[0-9a-f]{64}",
    autocomplete: "off",
    spellcheck: "false",
    placeholder: "64 hex characters",
  });
  const amount = h("input", { id: "amount", name: "amount", type: "number", min: 1, step: 1, required: true, inputmode: "numeric" });
  const fee = h("input", { id: "fee", name: "fee", type: "number", min: 0, step: 1, inputmode: "numeric", placeholder: "network minimum" });
  const sendResult = h("div", { id: "send-result", "aria-live": "polite" });
  const sent: string[] = [];
  const sentList = h("div", { id: "sent" });
  const showSent = async () => {
    const infos = await Promise.all(sent.map((id) => get<TxInfo>(`/transactions/${id}`).catch(() => undefined)));
    clear(
      sentList,
      table(
        ["Id", "To", "Amount", "Status", "Confirmations"],
        infos.flatMap((i) =>
          i
            ? [
                [
                  txLink(i.transaction.id),
                  addrLink(i.transaction.recipient),
                  coins(i.transaction.amount),
                  i.status === "pending" ? badge("pending", "warn") : badge("confirmed", "good"),
                  int(i.confirmations),
                ],
              ]
            : [],
        ),
        "Nothing sent from this page yet.",
      ),
    );
  };
  const sendForm = h(
    "form",
    {
      id: "send-form",
      onsubmit: async (ev: Event) => {
        ev.preventDefault();
        const body: Record<string, unknown> = { recipient: recipient.value.trim(), amount: Number(amount.value) };
        if (fee.value !== "") body.fee = Number(fee.value);
        try {
          const r = await post<Accepted>("/transactions/new", body);
          sent.unshift(r.id);
          clear(sendResult, okBox(`${r.message}. Transaction `, txLink(r.id))); // a queued one's message says what it waits for
          amount.value = "";
          await Promise.all([showSent(), showWallet()]);
        } catch (err) {
          clear(sendResult, errorBox(message(err)));
        }
      },
    },
    field("Recipient address", recipient),
    field("Amount (whole coins)", amount),
    field("Fee", fee, "optional; leave empty for the network's minimum"),
    h("button", { type: "submit", id: "send" }, "Send"),
  );

  clear(
    ctx.root,
    h("h1", {}, "Node console"),
    hello?.operator === false
      ? h(
          "p",
          { class: "error", role: "status" },
          "This node does not take operator calls from this page: mining and sending from the node's wallet are open only to the node's own machine, " +
            "with the page opened as http://localhost:PORT/ or http://127.0.0.1:PORT/ (or under a name the node was started with --allow-host for); " +
            "from elsewhere, or with --require-token, they need the bearer token in <data-dir>/api.token. The forms below will be refused.",
        )
      : h("p", { class: "small" }, "You are on the node's own machine (loopback), so you may use its operator routes."),
    wallet,
    section("Mine", mineForm, mineResult),
    section("Send from the node wallet", sendForm, sendResult, h("h3", {}, "Sent from this page"), sentList),
  );
  await showSent();
  const refresh = coalesce(async () => {
    await Promise.all([showSent(), showWallet()]).catch(() => {});
  });
  return { tip: refresh, tx: refresh };
};
