/**
 * The native proof-of-work addon against node:crypto: its SHA-256 (padding at every length
 * around the block boundaries) and its search (the same first proof a plain loop finds, for
 * headers split at every offset, across changes in the proof's digit count), on the SHA-NI
 * path when this CPU has it and on the portable C path (a child process with
 * TINYCHAIN_NO_SHANI=1). The JavaScript fallback is covered end to end in
 * test/integration/mining.test.ts. Skipped only where the addon is not built (no compiler).
 */
import { execFileSync } from "node:child_process";
import { createHash } from "node:crypto";
import { existsSync } from "node:fs";
import { join } from "node:path";
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { loadNativePow, type NativePow } from "../../src/node/pow-native.js";
import { ROOT } from "../helpers/node-process.js";

const ADDON = join(ROOT, "native", "build", "Release", "tinychain_pow.node");
const native = loadNativePow();

/** The first proof in [start, start + count) whose SHA-256(prefix ‖ proof ‖ suffix) ≤ target, or -1. */
function searchJs(prefix: string, suffix: string, target: Buffer, start: number, count: number): number {
  for (let p = start; p < start + count; p++) {
    if (Buffer.compare(createHash("sha256").update(`${prefix}${p}${suffix}`).digest(), target) <= 0) return p;
  }
  return -1;
}

/** A target that about one try in `odds` meets. */
function easyTarget(odds: number): Buffer {
  const t = Buffer.alloc(32, 0xff);
  t.writeUInt32BE(Math.floor(0xffffffff / odds), 0);
  return t;
}

const header = fc.string({ unit: fc.constantFrom(...'{}":,0123456789abcdefxyz_ '), maxLength: 200 });
/** Starts near powers of ten, so a range crosses a change in the number of digits. */
const start = fc.oneof(
  fc.integer({ min: 0, max: 1_000_000 }),
  fc.integer({ min: 1, max: 15 }).chain((d) => fc.integer({ min: 0, max: 40 }).map((back) => Math.max(0, 10 ** d - back))),
);

function checkAgainstJs(pow: NativePow): void {
  for (let len = 0; len <= 200; len++) {
    const data = Buffer.alloc(len, len % 251);
    for (let i = 0; i < len; i++) data[i] = (i * 31 + len) & 0xff;
    expect(pow.sha256(data).toString("hex"), `length ${len}`).toBe(createHash("sha256").update(data).digest("hex"));
  }
  fc.assert(
    fc.property(header, header, start, fc.integer({ min: 2, max: 64 }), (prefix, suffix, from, odds) => {
      const target = easyTarget(odds);
      const count = 200;
      expect(pow.search(Buffer.from(prefix), Buffer.from(suffix), target, from, count)).toBe(searchJs(prefix, suffix, target, from, count));
    }),
    { numRuns: 300 },
  );
}

describe.skipIf(native === undefined)(`native proof of work (${native?.implementation ?? "not built"})`, () => {
  it("hashes and searches exactly as node:crypto does", () => {
    checkAgainstJs(native as NativePow);
  });

  it("counts a hash equal to the target as meeting it, and finds nothing below an impossible target", () => {
    const pow = native as NativePow;
    const prefix = '{"difficulty":1,"index":7,"previous_hash":"00ab","proof":';
    const suffix = ',"timestamp":1700000000,"tx_root":"ff"}';
    const exact = createHash("sha256").update(`${prefix}123456${suffix}`).digest();
    const first = searchJs(prefix, suffix, exact, 123_400, 57);
    expect(first).toBeGreaterThanOrEqual(123_400);
    expect(first).toBeLessThanOrEqual(123_456);
    expect(pow.search(Buffer.from(prefix), Buffer.from(suffix), exact, 123_400, 57)).toBe(first);
    expect(pow.search(Buffer.from(prefix), Buffer.from(suffix), Buffer.alloc(32), 0, 50_000)).toBe(-1);
    expect(pow.search(Buffer.from(prefix), Buffer.from(suffix), Buffer.alloc(32, 0xff), 5, 0)).toBe(-1);
  });

  it("refuses bad arguments with a TypeError instead of crashing", () => {
    const pow = native as NativePow;
    const b = Buffer.from("x");
    expect(() => pow.search(b, b, Buffer.alloc(31), 0, 1)).toThrow(TypeError);
    expect(() => pow.search(b, b, Buffer.alloc(32), -1, 1)).toThrow(TypeError);
    expect(() => pow.search("x" as unknown as Buffer, b, Buffer.alloc(32), 0, 1)).toThrow(TypeError);
    expect(() => pow.search(b, Buffer.alloc(2000), Buffer.alloc(32), 0, 1)).toThrow(TypeError); // a tail past the 1 KiB buffer
    expect(pow.search(Buffer.alloc(2000, 0x61), b, Buffer.alloc(32, 0xff), 0, 1)).toBe(0); // a long prefix is only a midstate
    expect(() => pow.sha256("x" as unknown as Buffer)).toThrow(TypeError);
  });

  it("gives the same answers on the portable C path (as on a CPU without SHA extensions)", () => {
    expect(existsSync(ADDON)).toBe(true);
    // the choice is made when the addon loads, from the process environment: a child process
    const script = `
      const { createHash } = require("node:crypto");
      const pow = require(${JSON.stringify(ADDON)});
      const bad = [];
      for (let len = 0; len <= 200; len++) {
        const data = Buffer.alloc(len);
        for (let i = 0; i < len; i++) data[i] = (i * 31 + len) & 0xff;
        if (pow.sha256(data).toString("hex") !== createHash("sha256").update(data).digest("hex")) bad.push("sha256 length " + len);
      }
      const target = Buffer.alloc(32, 0xff); target.writeUInt32BE(Math.floor(0xffffffff / 16), 0);
      for (let cut = 0; cut <= 140; cut += 3) {
        const prefix = "p".repeat(cut), suffix = "s".repeat(140 - cut);
        for (const from of [0, 95, 999990, 123456789]) {
          let want = -1;
          for (let p = from; p < from + 100; p++) {
            if (Buffer.compare(createHash("sha256").update(prefix + p + suffix).digest(), target) <= 0) { want = p; break; }
          }
          const got = pow.search(Buffer.from(prefix), Buffer.from(suffix), target, from, 100);
          if (got !== want) bad.push("search cut " + cut + " from " + from + ": " + got + " != " + want);
        }
      }
      console.log(JSON.stringify({ implementation: pow.implementation, bad }));`;
    const out = execFileSync(process.execPath, ["-e", script], {
      env: { ...process.env, TINYCHAIN_NO_SHANI: "1" },
      encoding: "utf8",
      timeout: 30_000,
    });
    const r = JSON.parse(out) as { implementation: string; bad: string[] };
    expect(r.implementation).toBe("portable");
    expect(r.bad).toEqual([]);
  });
});
