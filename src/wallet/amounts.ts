/**
 * Amounts on the command line (docs/protocol.md §8). Coins are whole numbers. Token amounts are whole
 * tokens with up to the token's `decimals` places ("12.50" of a 2-decimal token is 1250 base
 * units, "12" is 1200), or base units with --raw. Decimal strings and BigInt only, never
 * floating point; every result is an integer the protocol can carry (0 … 2^53−1).
 */
import { WalletError } from "./errors.js";

export const MAX_UNITS = BigInt(Number.MAX_SAFE_INTEGER);

const WHOLE = /^[0-9]+$/;
const DECIMAL = /^([0-9]*)(?:\.([0-9]*))?$/;

function tooLarge(text: string, what: string): never {
  throw new WalletError(`${what} ${text} is too large: amounts on the chain are at most 2^53-1 (${MAX_UNITS}) base units`);
}

/** A whole number of coins (or a fee), at least `min`. */
export function parseCoinAmount(text: string, what = "amount", min = 1): number {
  const t = text.trim();
  if (!WHOLE.test(t)) {
    throw new WalletError(`${what} must be a whole number of coins (coins have no decimals), got "${text}"`);
  }
  const n = BigInt(t);
  if (n > MAX_UNITS) tooLarge(text, what);
  if (n < BigInt(min)) throw new WalletError(`${what} must be at least ${min}, got ${text}`);
  return Number(n);
}

export interface TokenAmountOptions {
  /** The amount is in base units, not whole tokens. */
  raw?: boolean;
  /** For messages: the token's symbol. */
  symbol?: string;
  what?: string;
}

/** Base units of a token amount written as whole tokens with up to `decimals` places (or base units with `raw`). */
export function parseTokenAmount(text: string, decimals: number, opts: TokenAmountOptions = {}): number {
  const what = opts.what ?? "amount";
  const unit = opts.symbol ? `${opts.symbol} ` : "the token ";
  const t = text.trim();
  if (opts.raw) {
    if (!WHOLE.test(t)) throw new WalletError(`with --raw, ${what} is a whole number of base units, got "${text}"`);
    const n = BigInt(t);
    if (n > MAX_UNITS) tooLarge(text, what);
    return Number(n);
  }
  const m = DECIMAL.exec(t);
  if (m === null || t === "" || t === ".") {
    throw new WalletError(`${what} must be a number of tokens such as 12 or 12.50 (no sign, no exponent), got "${text}"`);
  }
  const int = m[1] ?? "";
  const frac = m[2] ?? "";
  if (frac.length > decimals) {
    throw new WalletError(
      decimals === 0
        ? `${unit}has no decimals: ${what} must be a whole number, got ${text} (or pass --raw to give base units)`
        : `${unit}has ${decimals} decimals: ${text} has ${frac.length} places; write at most ${decimals} (or pass --raw to give base units)`,
    );
  }
  const scale = 10n ** BigInt(decimals);
  const units = BigInt(int === "" ? "0" : int) * scale + BigInt(frac.padEnd(decimals, "0") || "0");
  if (units > MAX_UNITS) tooLarge(text, what);
  return Number(units);
}

/** Base units as whole tokens with exactly `decimals` places: 1250 with 2 decimals is "12.50". */
export function formatUnits(units: number | bigint | string, decimals: number): string {
  const n = BigInt(units);
  const neg = n < 0n;
  const digits = (neg ? -n : n).toString();
  if (decimals === 0) return (neg ? "-" : "") + digits;
  const padded = digits.padStart(decimals + 1, "0");
  const int = padded.slice(0, padded.length - decimals);
  return `${neg ? "-" : ""}${int}.${padded.slice(padded.length - decimals)}`;
}

/** Base units as an amount with the token's symbol: "12.50 BAR". */
export function formatTokenAmount(units: number | bigint | string, token: { decimals: number; symbol: string }): string {
  return `${formatUnits(units, token.decimals)} ${token.symbol}`;
}

/** As formatTokenAmount, with the base units when they differ from the whole amount: "12.50 BAR (1250 base units)". */
export function formatTokenAmountWithUnits(units: number | bigint | string, token: { decimals: number; symbol: string }): string {
  return token.decimals === 0 ? formatTokenAmount(units, token) : `${formatTokenAmount(units, token)} (${BigInt(units)} base units)`;
}
