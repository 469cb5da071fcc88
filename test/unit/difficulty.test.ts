import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { isRetargetHeight, requiredDifficulty, retargetAncestorIndex, timestampMs } from "../../src/core/difficulty.js";
import { meetsDifficulty, TWO_256, targetFor, targetHex } from "../../src/core/pow.js";
import type { BlockHeader, NetworkParams } from "../../src/core/types.js";
import { addWork, isBetterChain, workFromHex, workToHex, workToJson } from "../../src/core/work.js";
import { NET } from "../helpers/factory.js";

const MAX = Number.MAX_SAFE_INTEGER;
const hex = (n: bigint) => n.toString(16).padStart(64, "0");

describe("proof of work: H × d < 2^256", () => {
  const DIFFS = [1, 2, 3, 7, 16, 256, 65536, 1_000_003, 2 ** 32, 2 ** 52 + 1, MAX];

  it.each(DIFFS)("difficulty %d: the target meets it, target + 1 does not", (d) => {
    const t = targetFor(d);
    expect(t * BigInt(d) < TWO_256).toBe(true);
    expect((t + 1n) * BigInt(d) >= TWO_256).toBe(true);
    expect(meetsDifficulty(hex(t), d)).toBe(true);
    expect(meetsDifficulty(hex(t - 1n), d)).toBe(true);
    expect(meetsDifficulty(hex(t + 1n), d)).toBe(false);
    expect(targetHex(d)).toBe(hex(t));
    expect(targetHex(d)).toMatch(/^[0-9a-f]{64}$/);
  });

  it("hand-checked edges", () => {
    // difficulty 1: every hash, even 2^256 − 1
    expect(meetsDifficulty("f".repeat(64), 1)).toBe(true);
    // difficulty 2: 2^255 − 1 passes, 2^255 fails (2^255 × 2 = 2^256 is not < 2^256)
    expect(meetsDifficulty(`7${"f".repeat(63)}`, 2)).toBe(true);
    expect(meetsDifficulty(`8${"0".repeat(63)}`, 2)).toBe(false);
    // difficulty 3: 2^256 − 1 = 3 × 0x5555…55 exactly
    expect(targetHex(3)).toBe("5".repeat(64));
    expect(meetsDifficulty("5".repeat(64), 3)).toBe(true);
    expect(meetsDifficulty(`${"5".repeat(63)}6`, 3)).toBe(false);
    // difficulty 256 and 65536: one and two leading zero bytes
    expect(meetsDifficulty(`00${"f".repeat(62)}`, 256)).toBe(true);
    expect(meetsDifficulty(`01${"0".repeat(62)}`, 256)).toBe(false);
    expect(targetHex(65536)).toBe(`0000${"f".repeat(60)}`);
    expect(meetsDifficulty(`0000${"f".repeat(60)}`, 65536)).toBe(true);
    expect(meetsDifficulty(`0001${"0".repeat(60)}`, 65536)).toBe(false);
    // the zero hash meets any difficulty
    expect(meetsDifficulty("0".repeat(64), MAX)).toBe(true);
  });

  it("meetsDifficulty ⇔ H × d < 2^256 ⇔ H ≤ targetFor(d), for random H and d", () => {
    fc.assert(
      fc.property(fc.bigInt({ min: 0n, max: TWO_256 - 1n }), fc.integer({ min: 1, max: MAX }), (h, d) => {
        const exact = h * BigInt(d) < TWO_256;
        expect(meetsDifficulty(hex(h), d)).toBe(exact);
        expect(h <= targetFor(d)).toBe(exact);
      }),
      { numRuns: 200 },
    );
  });
});

const RT: NetworkParams = { ...NET, difficulty: 1000, retarget: { interval: 10, block_time: 60 } };
const EXPECTED_MS = 10 * 60 * 1000;

const hdr = (index: number, timestamp: number, difficulty: number): BlockHeader => ({
  index,
  timestamp,
  difficulty,
  previous_hash: "00".repeat(32),
  tx_root: "00".repeat(32),
  proof: 0,
});

/** requiredDifficulty for block 21 (a retarget height with interval 10): parent block 20, ancestor block 10. */
function retargetAfter(parentDifficulty: number, actualMs: number, params = RT, t0 = 1_700_000_000): number {
  const ancestor = hdr(10, t0, 5);
  const parent = hdr(20, (t0 * 1000 + actualMs) / 1000, parentDifficulty);
  return requiredDifficulty(params, parent, ancestor);
}

describe("difficulty retarget", () => {
  it("retarget null: every block gets the network difficulty, whatever its parent carries", () => {
    const params = { ...NET, difficulty: 65536 };
    for (const index of [1, 2, 11, 21, 1000]) {
      expect(requiredDifficulty(params, hdr(index, 1, 7), undefined)).toBe(65536);
      expect(isRetargetHeight(params, index + 1)).toBe(false);
      expect(retargetAncestorIndex(params, index)).toBeUndefined();
    }
  });

  it("retarget heights: index − 1 a multiple of the interval, > 1, with an ancestor at index ≥ 1", () => {
    const heights = (params: NetworkParams) => [...Array(40).keys()].map((i) => i + 1).filter((i) => isRetargetHeight(params, i));
    expect(heights(RT)).toEqual([21, 31]);
    // index 11 (index − 1 = 10 = interval) is skipped: the block `interval` before its parent would be index 0,
    // which does not exist (docs/protocol.md §4 read literally; see difficulty.ts)
    expect(isRetargetHeight(RT, 11)).toBe(false);
    expect(heights({ ...NET, retarget: { interval: 1, block_time: 1 } })).toEqual([...Array(38).keys()].map((i) => i + 3));
    expect(heights({ ...NET, retarget: { interval: 2, block_time: 1 } })).toEqual([
      5, 7, 9, 11, 13, 15, 17, 19, 21, 23, 25, 27, 29, 31, 33, 35, 37, 39,
    ]);
    expect(retargetAncestorIndex(RT, 20)).toBe(10);
    expect(retargetAncestorIndex(RT, 30)).toBe(20);
    expect(retargetAncestorIndex(RT, 10)).toBeUndefined();
    expect(retargetAncestorIndex(RT, 21)).toBeUndefined();
  });

  it("non-retarget heights keep the parent's difficulty (not the network's)", () => {
    for (const parentIndex of [1, 2, 9, 10, 11, 19, 21, 25, 29]) {
      expect(requiredDifficulty(RT, hdr(parentIndex, 5, 777), undefined)).toBe(777);
    }
  });

  it("on time keeps the difficulty; twice as fast doubles it; twice as slow halves it", () => {
    expect(retargetAfter(1000, EXPECTED_MS)).toBe(1000);
    expect(retargetAfter(1000, EXPECTED_MS / 2)).toBe(2000);
    expect(retargetAfter(1000, EXPECTED_MS * 2)).toBe(500);
  });

  it("floor(parent × expected / actual)", () => {
    expect(retargetAfter(1000, 700_000)).toBe(Math.floor((1000 * 600_000) / 700_000)); // 857
    expect(retargetAfter(1000, 700_000)).toBe(857);
    expect(retargetAfter(7, 599_999)).toBe(7); // 7.0000117 → 7
    expect(retargetAfter(1, 599_999)).toBe(1);
    expect(retargetAfter(3, 400_000)).toBe(4); // 4.5 → 4
  });

  it("clamps a fast interval at expected / 4 (at most ×4)", () => {
    expect(retargetAfter(1000, EXPECTED_MS / 4)).toBe(4000);
    expect(retargetAfter(1000, EXPECTED_MS / 4 - 1)).toBe(4000);
    expect(retargetAfter(1000, 1)).toBe(4000);
    expect(retargetAfter(1000, 0)).toBe(4000);
    expect(retargetAfter(1000, EXPECTED_MS / 4 + 1)).toBe(Math.floor((1000 * EXPECTED_MS) / (EXPECTED_MS / 4 + 1)));
  });

  it("clamps a slow interval at expected × 4 (at least ÷4)", () => {
    expect(retargetAfter(1000, EXPECTED_MS * 4)).toBe(250);
    expect(retargetAfter(1000, EXPECTED_MS * 4 + 1)).toBe(250);
    expect(retargetAfter(1000, EXPECTED_MS * 1000)).toBe(250);
    expect(retargetAfter(1001, EXPECTED_MS * 100)).toBe(250); // floor(1001 / 4)
  });

  it("never goes below 1", () => {
    for (const d of [1, 2, 3]) expect(retargetAfter(d, EXPECTED_MS * 4)).toBe(1);
    expect(retargetAfter(4, EXPECTED_MS * 4)).toBe(1);
    expect(retargetAfter(8, EXPECTED_MS * 4)).toBe(2);
  });

  it("stays exact beyond 2^53 in the intermediate product and caps at 2^53 − 1", () => {
    const d = 2 ** 50 + 3;
    const want = (BigInt(d) * BigInt(EXPECTED_MS)) / 599_999n;
    expect(BigInt(retargetAfter(d, 599_999))).toBe(want);
    expect(retargetAfter(MAX, EXPECTED_MS / 4)).toBe(MAX);
  });

  it("measures milliseconds as round(timestamp × 1000) of each block", () => {
    expect(timestampMs(1506280650.771)).toBe(1506280650771);
    expect(timestampMs(0.001)).toBe(1);
    expect(timestampMs(1700000000.999)).toBe(1700000000999);
    // ancestor at .771, parent 300.5 s later: actual = 300 500 ms → floor(1000 × 600000 / 300500) = 1996
    const ancestor = hdr(10, 1506280650.771, 1);
    const parent = hdr(20, 1506280951.271, 1000);
    expect(requiredDifficulty(RT, parent, ancestor)).toBe(1996);
  });

  it("throws when the ancestor a retarget needs is missing or the wrong block", () => {
    const parent = hdr(20, 2000, 1000);
    expect(() => requiredDifficulty(RT, parent, undefined)).toThrow();
    expect(() => requiredDifficulty(RT, parent, hdr(11, 1000, 1000))).toThrow();
    expect(() => requiredDifficulty(RT, parent, hdr(10, 1000, 1000))).not.toThrow();
  });

  it("matches a BigInt reference for random parameters", () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 1, max: 50 }),
        fc.integer({ min: 1, max: 3600 }),
        fc.integer({ min: 2, max: 20 }),
        fc.integer({ min: 1, max: 2 ** 40 }),
        fc.integer({ min: 0, max: 10 ** 9 }),
        fc.integer({ min: 0, max: 2_000_000_000_000 }),
        (interval, blockTime, k, d, actualMs, t0ms) => {
          const params: NetworkParams = { ...NET, retarget: { interval, block_time: blockTime } };
          const parentIndex = k * interval; // a multiple of interval, ≥ 2 × interval
          const ancestor = hdr(parentIndex - interval, t0ms / 1000, 1);
          const parent = hdr(parentIndex, (t0ms + actualMs) / 1000, d);
          const expected = BigInt(interval * blockTime * 1000);
          let actual = BigInt(actualMs);
          if (actual * 4n < expected) actual = expected / 4n;
          if (actual > expected * 4n) actual = expected * 4n;
          let want = (BigInt(d) * expected) / actual;
          if (want < 1n) want = 1n;
          expect(isRetargetHeight(params, parentIndex + 1)).toBe(true);
          expect(retargetAncestorIndex(params, parentIndex)).toBe(ancestor.index);
          expect(BigInt(requiredDifficulty(params, parent, ancestor))).toBe(want);
        },
      ),
      { numRuns: 200 },
    );
  });
});

describe("cumulative work", () => {
  it("adds difficulties, prefers strictly more work, and serialises", () => {
    expect(addWork(0n, 1)).toBe(1n);
    expect(addWork(BigInt(MAX), MAX)).toBe(2n * BigInt(MAX));
    expect(isBetterChain(11n, 10n)).toBe(true);
    expect(isBetterChain(10n, 10n)).toBe(false); // a tie keeps ours
    expect(isBetterChain(9n, 10n)).toBe(false);
    const w = 2n ** 70n + 5n;
    expect(workToHex(w)).toHaveLength(64);
    expect(workFromHex(workToHex(w))).toBe(w);
    expect(workToHex(1n) < workToHex(16n)).toBe(true);
    expect(workToJson(BigInt(MAX))).toBe(MAX);
    expect(workToJson(BigInt(MAX) + 1n)).toBe("9007199254740992");
  });
});
