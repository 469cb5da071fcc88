/** Path and query problems in plain words (src/http/validation-message.ts), from the real route schemas and ajv. */
import { Ajv } from "ajv";
import { describe, expect, it } from "vitest";
import { AddressParam, HistoryQuery, RangeQuery, SearchQuery } from "../../src/api/contract.js";
import { TokenAllowanceParam } from "../../src/api/tokens.js";
import { type AjvIssue, validationMessage } from "../../src/http/validation-message.js";

const ajv = new Ajv({ coerceTypes: "array", useDefaults: true, strict: false, verbose: true });

function messageFor(schema: object, value: Record<string, unknown>, context = "params"): string {
  const check = ajv.compile(schema);
  expect(check(value)).toBe(false);
  return validationMessage(context, check.errors as AjvIssue[]);
}

describe("validationMessage", () => {
  it("an address that is not 64 hex characters says what an address is and what was sent", () => {
    expect(messageFor(AddressParam, { address: "bob" })).toBe(
      'address must be 64 lowercase hexadecimal characters (an address: an Ed25519 public key), not "bob"',
    );
  });

  it("names the parameter that is wrong among several", () => {
    const good = "a".repeat(64);
    expect(messageFor(TokenAllowanceParam, { id: good, owner: good, spender: "B".repeat(64) })).toMatch(
      /^spender must be 64 lowercase hexadecimal characters \(an address/,
    );
  });

  it("numbers: a whole number, and the bounds", () => {
    expect(messageFor(RangeQuery(100, 100), { limit: "1.5" }, "querystring")).toBe('limit must be a whole number, not "1.5"');
    expect(messageFor(HistoryQuery, { limit: "0" }, "querystring")).toBe("limit must be at least 1, not 0");
    expect(messageFor(HistoryQuery, { limit: "501" }, "querystring")).toBe("limit must be at most 500, not 501");
  });

  it("a cursor, a missing parameter, a long value cut short", () => {
    expect(messageFor(HistoryQuery, { before: "1:2:3" }, "querystring")).toBe(
      'before must be a cursor HEIGHT:POSITION (two numbers), as a page\'s `next` gives it, not "1:2:3"',
    );
    expect(messageFor(SearchQuery, {}, "querystring")).toBe("q is missing in the query string");
    expect(messageFor(SearchQuery, { q: "x".repeat(201) }, "querystring")).toBe(
      `q must be at most 200 characters long, not "${"x".repeat(80)}…"`,
    );
  });

  it("never says 'must match pattern'", () => {
    expect(messageFor(AddressParam, { address: "0".repeat(63) })).not.toMatch(/must match|pattern|params\//);
  });
});
