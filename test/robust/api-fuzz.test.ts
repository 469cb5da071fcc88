/**
 * Fuzzing every public route (test/harness/fuzz.ts, fast-check, fixed seed): a few thousand
 * random requests of every kind. No 5xx, no request left unanswered, every 4xx a docs/protocol.md §7
 * error body; afterwards the node is up, logged no error, and its chain passes the
 * independent checks. The long version (100,000 requests) is `npm run soak`.
 */
import { describe, expect, it } from "vitest";
import { apiFuzz } from "../harness/api-fuzz.js";

const REQUESTS = Number(process.env.ROBUST_FUZZ_REQUESTS ?? 3000);

describe("API fuzzing", () => {
  it(`${REQUESTS} fuzzed requests: no 5xx, no crash, a valid chain after`, { timeout: 300_000 }, async () => {
    const r = await apiFuzz({ requests: REQUESTS, seed: 20250101, concurrency: 6, timeLimitMs: 200_000 });
    const { report } = r;
    expect(report.failures, JSON.stringify(report.failures, null, 1)).toEqual([]);
    expect(report.stoppedEarly).toBeUndefined();
    expect(report.sent).toBe(REQUESTS);
    expect(report.fiveXX).toBe(0);
    expect(report.noAnswer).toBe(0);
    expect(report.badErrorBodies).toBe(0);
    expect(r.alive).toBe(true);
    expect(r.chainProblems).toEqual([]);
    expect(r.logErrors).toEqual([]);
    console.log(`api fuzz: ${report.sent} sent in ${report.ms} ms; statuses ${JSON.stringify(report.statuses)}`);
  });
});
