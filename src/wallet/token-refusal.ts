/**
 * The node's refusals about token amounts, retold in the units the user typed: the node counts
 * in base units ("may spend 7000 base units … not 8000"), the user typed whole tokens ("80"), so
 * the wallet says "may spend 70.00 ALC … not 80.00 ALC" (and base units, labelled, with --raw).
 */
import { formatTokenAmount } from "./amounts.js";
import { ApiError, refused } from "./errors.js";

export interface RefusalContext {
  token: { decimals: number; symbol: string };
  /** The amount sent, in base units. */
  units: number;
  /** The user typed base units (--raw). */
  raw: boolean;
  /** Whose tokens: "this wallet" or the owner's address. */
  holder: string;
}

/** `err` unchanged, or, for an allowance or token balance refusal, the same refusal in the user's units. */
export function inUserUnits(err: unknown, ctx: RefusalContext): unknown {
  if (!(err instanceof ApiError)) return err;
  const amount = (n: number | string) => (ctx.raw ? `${n} base units` : formatTokenAmount(n, ctx.token));
  if (err.code === "insufficient-allowance") {
    const have = /may spend ([0-9]+)/.exec(err.nodeMessage)?.[1];
    const words =
      have === undefined
        ? `this wallet's allowance from ${ctx.holder} is less than ${amount(ctx.units)}`
        : `this wallet may spend ${amount(have)} of ${ctx.holder}'s tokens, not ${amount(ctx.units)}`;
    return refused(err.status, words, err.code);
  }
  if (err.code === "insufficient-token-balance") {
    const have = /holds ([0-9]+)/.exec(err.nodeMessage)?.[1];
    const words =
      have === undefined
        ? `${ctx.holder} holds less than ${amount(ctx.units)}`
        : `${ctx.holder} holds ${amount(have)}, not ${amount(ctx.units)}`;
    return refused(err.status, words, err.code);
  }
  return err;
}
