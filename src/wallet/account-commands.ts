/** `tinychain wallet new | import | address | balance | send | history` (docs/protocol.md §8). */

import type { TokenInfo, TxWithId } from "../api/contract.js";
import { checkRecipient, type NewAddressOptions } from "./address-check.js";
import { formatTokenAmount, formatUnits, parseCoinAmount } from "./amounts.js";
import { WalletError } from "./errors.js";
import type { Output, SendOptions, WalletSession } from "./session.js";
import { createWallet, importWallet } from "./wallet-keys.js";

export async function newCommand(s: WalletSession, opts: { encrypt?: boolean }): Promise<Output> {
  const w = await createWallet(s.dir, opts.encrypt === true);
  return {
    json: { ...w },
    text: `made a new wallet in ${w.wallet}${w.encrypted ? " (private key encrypted)" : ""}\naddress ${w.address}`,
  };
}

export async function importCommand(s: WalletSession, file: string, opts: { encrypt?: boolean }): Promise<Output> {
  const w = await importWallet(s.dir, file, opts.encrypt === true);
  return {
    json: { ...w },
    text: `imported ${file} into ${w.wallet}${w.encrypted ? " (private key encrypted)" : ""}\naddress ${w.address}`,
  };
}

export async function addressCommand(s: WalletSession): Promise<Output> {
  const address = await s.address();
  return { json: { address }, text: address };
}

export async function balanceCommand(s: WalletSession): Promise<Output> {
  const address = await s.address();
  const a = await s.client.account(address);
  const tokens = (a.tokens ?? []).map((t) => ({ ...t, amount: formatUnits(t.balance, t.decimals) }));
  const lines = [
    `address  ${address}`,
    `balance  ${a.balance} coins${a.pending.transactions > 0 ? ` (${a.pending.balance} once ${a.pending.transactions} pending transaction(s) are confirmed)` : ""}`,
  ];
  const queued = a.pending.queued ?? 0;
  if (queued > 0) {
    lines.push(
      `queued   ${queued} transaction(s) wait for an earlier nonce and are not counted (\`tinychain wallet history\` shows which)`,
    );
  }
  if (tokens.length > 0) {
    lines.push("tokens");
    const width = Math.max(...tokens.map((t) => formatTokenAmount(t.balance, t).length));
    for (const t of tokens) lines.push(`  ${formatTokenAmount(t.balance, t).padStart(width)}  ${t.name}  ${t.token}`);
  }
  return {
    json: { address, balance: a.balance, nonce: a.nonce, pending: a.pending, tokens },
    text: lines.join("\n"),
  };
}

export async function sendCommand(s: WalletSession, to: string, amount: string, opts: SendOptions & NewAddressOptions): Promise<Output> {
  const recipient = s.addressArg("recipient", to);
  const coins = parseCoinAmount(amount, "amount", 1);
  await checkRecipient(s.client, "recipient", recipient, opts);
  const sent = await s.send({ type: "transfer", recipient, amount: coins }, opts);
  return s.sentOutput(sent, `sent ${coins} coin(s) to ${recipient}`);
}

const short = (a: string) => `${a.slice(0, 8)}…`;

/** One line describing a transaction from `me`'s side. */
function describe(tx: TxWithId, me: string, token: (id: string) => TokenInfo | undefined): string {
  const text = describeKind(tx, me, token);
  // what the sender paid the miner on top (a coinbase's amount already counts the fees)
  return tx.type !== "coinbase" && tx.sender === me && tx.fee > 0 ? `${text}, fee ${tx.fee} coins` : text;
}

function describeKind(tx: TxWithId, me: string, token: (id: string) => TokenInfo | undefined): string {
  const amt = (units: number, id: string) => {
    const t = token(id);
    return t ? formatTokenAmount(units, t) : `${units} base units of ${short(id)}`;
  };
  switch (tx.type) {
    case "coinbase":
      return `mined   +${tx.amount} coins`;
    case "transfer":
      return tx.sender === me
        ? `sent    -${tx.amount} coins to ${short(tx.recipient)}`
        : `recv    +${tx.amount} coins from ${short(tx.sender)}`;
    case "token_create":
      return `create  ${tx.name} (${tx.symbol}), supply ${formatUnits(tx.supply, tx.decimals)} ${tx.symbol}, token ${short(tx.id)}`;
    case "token_transfer":
      return tx.sender === me
        ? `tsend   -${amt(tx.amount, tx.token)} to ${short(tx.recipient)}`
        : `trecv   +${amt(tx.amount, tx.token)} from ${short(tx.sender)}`;
    case "token_approve":
      return tx.sender === me
        ? `approve ${short(tx.spender)} may spend ${amt(tx.amount, tx.token)}`
        : `approve ${short(tx.sender)} lets you spend ${amt(tx.amount, tx.token)}`;
    case "token_transfer_from":
      return `tfrom   ${amt(tx.amount, tx.token)} of ${short(tx.owner)} to ${short(tx.recipient)} by ${short(tx.sender)}`;
  }
}

function involves(tx: TxWithId, me: string): boolean {
  return [tx.sender, "recipient" in tx ? tx.recipient : "", "owner" in tx ? tx.owner : "", "spender" in tx ? tx.spender : ""].includes(me);
}

function unchecked(err: unknown): undefined {
  if (err instanceof WalletError) return undefined;
  throw err;
}

export async function historyCommand(s: WalletSession, opts: { limit?: number }): Promise<Output> {
  const address = await s.address();
  const limit = opts.limit ?? 20;
  const [page, pool] = await Promise.all([s.client.history(address, limit), s.client.pool()]);
  const pending = pool.transactions.filter((tx) => involves(tx, address));
  // a queued transaction waits for an earlier nonce of its sender: no block is due to hold it yet
  const queued = Object.fromEntries(pending.flatMap((tx) => (tx.id in pool.queued ? [[tx.id, pool.queued[tx.id] as number]] : [])));
  const state = (tx: TxWithId) => (tx.id in queued ? `queued (waits for nonce ${queued[tx.id]})` : "pending  ");
  const tokenIds = new Set<string>();
  for (const tx of [...pending, ...page.transactions.map((r) => r.transaction)]) if ("token" in tx) tokenIds.add(tx.token);
  // decimals as the wallet checks them (from each token's token_create); a token it cannot check shows base units
  const tokens = new Map<string, TokenInfo | undefined>();
  await Promise.all([...tokenIds].map(async (id) => tokens.set(id, await s.token(id).catch(unchecked))));
  const lookup = (id: string) => tokens.get(id);
  const lines = [
    ...pending.map((tx) => `${state(tx)} ${describe(tx, address, lookup)}  ${tx.id}`),
    ...page.transactions.map(
      (r) => `block ${String(r.block_index).padEnd(4)} ${describe(r.transaction, address, lookup)}  ${r.transaction.id}`,
    ),
  ];
  return {
    json: {
      address,
      pending,
      queued,
      transactions: page.transactions,
      next: page.next,
    },
    text: lines.length > 0 ? lines.join("\n") : `no transactions for ${address} yet`,
  };
}
