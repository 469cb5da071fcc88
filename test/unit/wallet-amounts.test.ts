/** Amounts on the wallet's command line (docs/protocol.md §8): whole coins; tokens with up to `decimals` places. */
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { formatTokenAmount, formatUnits, parseCoinAmount, parseTokenAmount } from "../../src/wallet/amounts.js";
import { WalletError } from "../../src/wallet/errors.js";

const MAX = Number.MAX_SAFE_INTEGER;

function message(fn: () => unknown): string {
  try {
    fn();
  } catch (err) {
    expect(err).toBeInstanceOf(WalletError);
    return (err as Error).message;
  }
  throw new Error("expected a WalletError");
}

describe("token amounts", () => {
  it("reads whole tokens with up to the token's decimals (docs/protocol.md §8 example)", () => {
    expect(parseTokenAmount("12.50", 2)).toBe(1250);
    expect(parseTokenAmount("12", 2)).toBe(1200);
    expect(parseTokenAmount("12.5", 2)).toBe(1250);
    expect(parseTokenAmount("0.01", 2)).toBe(1);
    expect(parseTokenAmount("0", 2)).toBe(0);
    expect(parseTokenAmount("0.00", 2)).toBe(0);
    expect(parseTokenAmount(".5", 1)).toBe(5);
    expect(parseTokenAmount("7", 0)).toBe(7);
    expect(parseTokenAmount("007.10", 3)).toBe(7100);
  });

  it("is exact where floating point is not", () => {
    expect(parseTokenAmount("0.29", 2)).toBe(29); // 0.29 * 100 = 28.999999999999996
    expect(parseTokenAmount("1.005", 3)).toBe(1005);
    expect(parseTokenAmount("0.000000000000000001", 18)).toBe(1);
    expect(parseTokenAmount("9007.199254740991", 12)).toBe(MAX);
  });

  it("refuses more decimals than the token has, and says how many it has", () => {
    expect(message(() => parseTokenAmount("12.505", 2, { symbol: "BAR" }))).toMatch(/BAR has 2 decimals: 12.505 has 3 places/);
    expect(message(() => parseTokenAmount("1.0", 0, { symbol: "WHOLE" }))).toMatch(/WHOLE has no decimals/);
    expect(message(() => parseTokenAmount("12.500", 2))).toMatch(/--raw/);
  });

  it("refuses what is not a plain decimal number", () => {
    for (const bad of ["", ".", "-1", "+1", "1e3", "0x10", "1,5", "abc", "1.2.3", " ", "Infinity", "NaN"]) {
      expect(message(() => parseTokenAmount(bad, 2))).toMatch(/number of tokens/);
    }
  });

  it("refuses amounts beyond 2^53-1 base units", () => {
    expect(message(() => parseTokenAmount("9007199254740992", 0))).toMatch(/too large/);
    expect(message(() => parseTokenAmount("90071992547409.92", 2))).toMatch(/too large/);
    expect(parseTokenAmount("90071992547409.91", 2)).toBe(MAX);
    expect(message(() => parseTokenAmount("10000", 18))).toMatch(/too large/);
  });

  it("--raw takes base units, whole numbers only", () => {
    expect(parseTokenAmount("1250", 2, { raw: true })).toBe(1250);
    expect(parseTokenAmount(String(MAX), 18, { raw: true })).toBe(MAX);
    expect(message(() => parseTokenAmount("12.5", 2, { raw: true }))).toMatch(/base units/);
    expect(message(() => parseTokenAmount(String(MAX + 1), 2, { raw: true }))).toMatch(/too large/);
  });

  it("formats base units with exactly `decimals` places", () => {
    expect(formatUnits(1250, 2)).toBe("12.50");
    expect(formatUnits(1, 2)).toBe("0.01");
    expect(formatUnits(0, 2)).toBe("0.00");
    expect(formatUnits(7, 0)).toBe("7");
    expect(formatUnits(MAX, 18)).toBe("0.009007199254740991");
    expect(formatTokenAmount(98_550, { decimals: 2, symbol: "BAR" })).toBe("985.50 BAR");
  });

  it("parse(format(x)) = x for every amount and every decimals", () => {
    fc.assert(
      fc.property(fc.integer({ min: 0, max: MAX }), fc.integer({ min: 0, max: 18 }), (units, decimals) => {
        expect(parseTokenAmount(formatUnits(units, decimals), decimals)).toBe(units);
      }),
      { numRuns: 500 },
    );
  });
});

describe("coin amounts", () => {
  it("are whole numbers", () => {
    expect(parseCoinAmount("5")).toBe(5);
    expect(parseCoinAmount(String(MAX))).toBe(MAX);
    expect(parseCoinAmount("0", "--fee", 0)).toBe(0);
  });

  it("refuse decimals, signs, zero where at least 1 is needed, and overflow", () => {
    expect(message(() => parseCoinAmount("1.5"))).toMatch(/whole number of coins/);
    expect(message(() => parseCoinAmount("-1"))).toMatch(/whole number of coins/);
    expect(message(() => parseCoinAmount("0"))).toMatch(/at least 1/);
    expect(message(() => parseCoinAmount(String(MAX + 1)))).toMatch(/too large/);
  });
});
