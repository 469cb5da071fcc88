/** Numbers, times and amounts for display. */
import type { Tx } from "./api.js";

export function int(n: number | string | bigint): string {
  try {
    return BigInt(n).toLocaleString("en-US");
  } catch {
    return String(n);
  }
}

/** "2024-05-01 12:00:00 UTC". */
export function utc(seconds: number): string {
  return `${new Date(seconds * 1000).toISOString().replace("T", " ").slice(0, 19)} UTC`;
}

export function ago(seconds: number, now = Date.now() / 1000): string {
  const d = Math.max(0, Math.round(now - seconds));
  if (d < 60) return `${d} s ago`;
  if (d < 3600) return `${Math.floor(d / 60)} min ago`;
  if (d < 86400) return `${Math.floor(d / 3600)} h ago`;
  return `${Math.floor(d / 86400)} days ago`;
}

/** A large count, short: 950, 12.3 k, 20.0 M. */
export function count(n: number): string {
  if (n < 1000) return String(Math.round(n));
  const units = ["k", "M", "G", "T"];
  let v = n;
  let i = -1;
  while (v >= 1000 && i < units.length - 1) {
    v /= 1000;
    i++;
  }
  return `${v.toFixed(1)} ${units[i]}`;
}

/** How far a proof-of-work search has come (GET /status `search`). */
export function searchProgress(s: { height: number; tries: number; expected_tries: number; seconds: number }, rate: number): string {
  const pct = Math.round((100 * s.tries) / Math.max(1, s.expected_tries));
  return (
    `Searching for block ${s.height}: ${count(s.tries)} proofs tried, ${count(s.expected_tries)} expected on average ` +
    `(${pct} %; a lottery, it may take more), ${s.seconds.toFixed(1)} s at ${hashrate(rate)}`
  );
}

export function hashrate(perSecond: number): string {
  const units = ["H/s", "kH/s", "MH/s", "GH/s", "TH/s"];
  let v = perSecond;
  let i = 0;
  while (v >= 1000 && i < units.length - 1) {
    v /= 1000;
    i++;
  }
  return `${v < 10 ? v.toFixed(2) : Math.round(v)} ${units[i]}`;
}

/** Base units of a token with `decimals` places, as a decimal string ("12.5"). */
export function tokenAmount(value: number | string, decimals: number): string {
  const s = BigInt(value).toString();
  if (decimals === 0) return int(s);
  const padded = s.padStart(decimals + 1, "0");
  const whole = padded.slice(0, -decimals);
  const frac = padded.slice(-decimals).replace(/0+$/, "");
  return frac ? `${int(whole)}.${frac}` : int(whole);
}

export function coins(n: number | undefined): string {
  return n === undefined ? "—" : `${int(n)} coin${n === 1 ? "" : "s"}`;
}

const TYPE_NAMES: Record<string, string> = {
  coinbase: "coinbase",
  transfer: "transfer",
  token_create: "token create",
  token_transfer: "token transfer",
  token_approve: "token approve",
  token_transfer_from: "token transfer-from",
};

export const txType = (tx: Tx) => TYPE_NAMES[tx.type] ?? tx.type;

/** The other party of a transaction, whatever its type. */
export const counterparty = (tx: Tx): string | undefined => tx.recipient ?? tx.spender;

/** What the explorer knows of a token to show its amounts: from GET /tokens/{id}. */
export interface TokenUnits {
  decimals: number;
  symbol: string;
}

/** What a transaction moves, in words: token amounts in whole tokens when the token is known, else labelled base units. */
export function txAmount(tx: Tx, token?: TokenUnits): string {
  switch (tx.type) {
    case "coinbase":
    case "transfer":
      return coins(tx.amount);
    case "token_create":
      return tx.decimals === undefined
        ? `${tx.symbol ?? ""} supply ${int(tx.supply ?? 0)} (base units)`
        : `supply ${tokenAmount(tx.supply ?? 0, tx.decimals)} ${tx.symbol ?? ""}`;
    default:
      return token === undefined ? `${int(tx.amount ?? 0)} base units` : `${tokenAmount(tx.amount ?? 0, token.decimals)} ${token.symbol}`;
  }
}
