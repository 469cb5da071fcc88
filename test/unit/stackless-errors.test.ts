/** Refusals are answers, not faults: made by the thousand, they carry no stack trace (src/core/errors.ts). */
import { describe, expect, it } from "vitest";
import { isRuleError, RuleError, StacklessError } from "../../src/core/errors.js";
import { PeerRequestError } from "../../src/p2p/http-client.js";

describe("errors that are answers", () => {
  it("carry their name, message and fields but no stack frames, and leave the stack limit as it was", () => {
    const before = Error.stackTraceLimit;
    const rule = new RuleError("already-known", "transaction t is already pending");
    const peer = new PeerRequestError("http://127.0.0.1:1/blocks: HTTP 409", "status", 409);
    expect(rule.stack).toBe("RuleError: transaction t is already pending");
    expect(peer.stack).toBe("PeerRequestError: http://127.0.0.1:1/blocks: HTTP 409");
    expect([rule.code, rule.kind, peer.kind, peer.status]).toEqual(["already-known", "conflict", "status", 409]);
    expect(rule).toBeInstanceOf(StacklessError);
    expect(peer).toBeInstanceOf(Error);
    expect(isRuleError(rule) && !isRuleError(peer)).toBe(true);
    expect(Error.stackTraceLimit).toBe(before);
    // a fault still has its frames
    expect((new Error("fault").stack ?? "").split("\n").length).toBeGreaterThan(1);
  });
});
