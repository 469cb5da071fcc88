/**
 * `tinychain wallet token create | transfer | approve | transfer-from | balance | allowance | info`
 * (docs/protocol.md §8): ERC-20 over the node's API. Amounts are whole tokens with up to the token's
 * decimals, or base units with --raw.
 */
import { checkRecipient, type NewAddressOptions } from "./address-check.js";
import { formatTokenAmount, formatTokenAmountWithUnits, formatUnits, parseTokenAmount } from "./amounts.js";
import { WalletError } from "./errors.js";
import type { Output, SendOptions, Sent, WalletSession } from "./session.js";
import { inUserUnits, type RefusalContext } from "./token-refusal.js";

export interface AmountOptions extends SendOptions, NewAddressOptions {
  raw?: boolean;
}

export interface CreateOptions extends AmountOptions {
  name: string;
  symbol: string;
  decimals: string;
  supply: string;
}

const SYMBOL = /^[A-Z0-9]{1,12}$/;

/** Sends, and retells a refusal about amounts in the units the user typed. */
async function sendTokens(sending: Promise<Sent>, ctx: RefusalContext): Promise<Sent> {
  try {
    return await sending;
  } catch (err) {
    throw inUserUnits(err, ctx);
  }
}

export async function tokenCreateCommand(s: WalletSession, o: CreateOptions): Promise<Output> {
  const len = [...o.name].length;
  if (len < 1 || len > 64) throw new WalletError(`--name must be 1 to 64 characters, got ${len}`, "bad-name");
  if (!SYMBOL.test(o.symbol)) {
    throw new WalletError(`--symbol must be 1 to 12 characters of A-Z and 0-9 (e.g. BAR), got "${o.symbol}"`, "bad-symbol");
  }
  if (!/^[0-9]{1,2}$/.test(o.decimals) || Number(o.decimals) > 18) {
    throw new WalletError(`--decimals must be a whole number from 0 to 18, got "${o.decimals}"`, "bad-decimals");
  }
  const decimals = Number(o.decimals);
  const supply = parseTokenAmount(o.supply, decimals, { raw: o.raw === true, symbol: o.symbol, what: "--supply" });
  const sent = await s.send({ type: "token_create", name: o.name, symbol: o.symbol, decimals, supply }, o);
  const r = s.sentOutput(
    sent,
    `created ${o.name} (${o.symbol}): ${formatTokenAmountWithUnits(supply, { decimals, symbol: o.symbol })} to this wallet`,
    {
      token: sent.id,
    },
  );
  return { ...r, text: `${r.text}\ntoken id ${sent.id}` };
}

export async function tokenTransferCommand(s: WalletSession, token: string, to: string, amount: string, o: AmountOptions): Promise<Output> {
  const recipient = s.addressArg("recipient", to);
  const t = await s.token(token);
  const units = parseTokenAmount(amount, t.decimals, { raw: o.raw === true, symbol: t.symbol });
  await checkRecipient(s.client, "recipient", recipient, o);
  const sent = await sendTokens(s.send({ type: "token_transfer", token: t.id, recipient, amount: units }, o), {
    token: t,
    units,
    raw: o.raw === true,
    holder: "this wallet",
  });
  return s.sentOutput(sent, `sent ${formatTokenAmountWithUnits(units, t)} to ${recipient}`);
}

export async function tokenApproveCommand(
  s: WalletSession,
  token: string,
  spender: string,
  amount: string,
  o: AmountOptions,
): Promise<Output> {
  const sp = s.addressArg("spender", spender);
  const t = await s.token(token);
  const units = parseTokenAmount(amount, t.decimals, { raw: o.raw === true, symbol: t.symbol });
  const sent = await s.send({ type: "token_approve", token: t.id, spender: sp, amount: units }, o);
  return s.sentOutput(
    sent,
    `allowed ${sp} to spend ${formatTokenAmountWithUnits(units, t)} of this wallet's (replacing any earlier allowance)`,
  );
}

export async function tokenTransferFromCommand(
  s: WalletSession,
  token: string,
  owner: string,
  to: string,
  amount: string,
  o: AmountOptions,
): Promise<Output> {
  const ow = s.addressArg("owner", owner);
  const recipient = s.addressArg("recipient", to);
  const t = await s.token(token);
  const units = parseTokenAmount(amount, t.decimals, { raw: o.raw === true, symbol: t.symbol });
  await checkRecipient(s.client, "recipient", recipient, o);
  const sent = await sendTokens(s.send({ type: "token_transfer_from", token: t.id, owner: ow, recipient, amount: units }, o), {
    token: t,
    units,
    raw: o.raw === true,
    holder: ow,
  });
  return s.sentOutput(sent, `moved ${formatTokenAmountWithUnits(units, t)} of ${ow}'s to ${recipient}`);
}

export async function tokenBalanceCommand(s: WalletSession, token: string, address: string | undefined): Promise<Output> {
  const who = address === undefined ? await s.address() : s.addressArg("address", address);
  const t = await s.token(token);
  const balance = await s.client.tokenBalance(t.id, who);
  return {
    json: { token: t.id, address: who, balance, amount: formatUnits(balance, t.decimals), symbol: t.symbol, decimals: t.decimals },
    text: formatTokenAmount(balance, t),
  };
}

export async function tokenAllowanceCommand(s: WalletSession, token: string, owner: string, spender: string): Promise<Output> {
  const ow = s.addressArg("owner", owner);
  const sp = s.addressArg("spender", spender);
  const t = await s.token(token);
  const allowance = await s.client.allowance(t.id, ow, sp);
  return {
    json: {
      token: t.id,
      owner: ow,
      spender: sp,
      allowance,
      amount: formatUnits(allowance, t.decimals),
      symbol: t.symbol,
      decimals: t.decimals,
    },
    text: formatTokenAmount(allowance, t),
  };
}

export async function tokenInfoCommand(s: WalletSession, token: string): Promise<Output> {
  const t = await s.token(token);
  return {
    json: { ...t },
    text: [
      `token         ${t.id}`,
      `name          ${t.name}`,
      `symbol        ${t.symbol}`,
      `decimals      ${t.decimals}`,
      `total supply  ${formatTokenAmount(t.total_supply, t)} (${t.total_supply} base units)`,
      `creator       ${t.creator}`,
      ...(t.block_index != null ? [`created in    block ${t.block_index}`] : []),
    ].join("\n"),
  };
}
