/** The lab command restarts itself with a larger young generation unless one was given (src/cli/lab-heap.ts). */
import { describe, expect, it } from "vitest";
import { exitCodeOf, hasSemiSpaceFlag } from "../../src/cli/lab-heap.js";

describe("the lab's heap flag", () => {
  it("is seen in either spelling, and only as itself", () => {
    const saved = process.env.NODE_OPTIONS;
    delete process.env.NODE_OPTIONS;
    try {
      expect(hasSemiSpaceFlag(["--max-semi-space-size=64"])).toBe(true);
      expect(hasSemiSpaceFlag(["--max-semi-space-size", "32"])).toBe(true);
      expect(hasSemiSpaceFlag([])).toBe(false);
      expect(hasSemiSpaceFlag(["--max-old-space-size=4096", "--enable-source-maps"])).toBe(false);
      process.env.NODE_OPTIONS = "--max-semi-space-size=16";
      expect(hasSemiSpaceFlag([])).toBe(true);
    } finally {
      if (saved === undefined) delete process.env.NODE_OPTIONS;
      else process.env.NODE_OPTIONS = saved;
    }
  });

  it("passes on the child's exit: its code, or 128 + its signal's number", () => {
    expect([exitCodeOf(0, null), exitCodeOf(1, null), exitCodeOf(null, "SIGINT"), exitCodeOf(null, "SIGTERM")]).toEqual([0, 1, 130, 143]);
    expect(exitCodeOf(null, null)).toBe(1);
  });
});
