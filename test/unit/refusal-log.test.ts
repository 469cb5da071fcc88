import pino from "pino";
import { describe, expect, it } from "vitest";
import { RuleError } from "../../src/core/errors.js";
import { REFUSALS_PER_MINUTE, RefusalLog } from "../../src/node/refusal-log.js";
import { VirtualClock } from "../../src/sim/virtual-clock.js";

function logged() {
  const lines: Array<{ level: number; msg: string; code?: string }> = [];
  const log = pino({ level: "debug" }, { write: (s: string) => lines.push(JSON.parse(s)) });
  const clock = new VirtualClock(1_000_000);
  return { lines, clock, refusals: new RefusalLog(log, clock) };
}

describe("refused transactions in the log", () => {
  it("says which and why, at info for the first few a minute, then at debug, then how many were quiet", () => {
    const { lines, clock, refusals } = logged();
    const err = new RuleError("nonce-too-low", "nonce 0 is already used: the sender's next nonce is 1");
    refusals.refused({ id: "ab".repeat(32) }, err);
    expect(lines[0]).toMatchObject({
      level: 30,
      code: "nonce-too-low",
      msg: "refused a transaction abababababab…: nonce 0 is already used: the sender's next nonce is 1",
    });
    for (let i = 0; i < REFUSALS_PER_MINUTE + 4; i++) refusals.refused({}, err);
    expect(lines.filter((l) => l.level === 30)).toHaveLength(REFUSALS_PER_MINUTE);
    expect(lines.filter((l) => l.level === 20)).toHaveLength(5);
    clock.advance(60_000);
    refusals.refused({}, err);
    expect(lines.at(-2)).toMatchObject({ level: 30, msg: "refused 5 more transactions in that minute (logged at debug level)" });
    expect(lines.at(-1)?.level).toBe(30);
  });

  it("copies already held or confirmed only at debug; other errors not at all", () => {
    const { lines, refusals } = logged();
    refusals.refused({}, new RuleError("already-known", "transaction x is already pending"));
    refusals.refused({}, new Error("the store failed"));
    expect(lines.map((l) => l.level)).toEqual([20]);
  });
});
