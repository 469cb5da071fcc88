import { describe, expect, it } from "vitest";
import { minePaceWarning } from "../../src/cli/mine-pace.js";

describe("the --mine pace warning", () => {
  it("warns at a low fixed difficulty with no interval, with the rate and what to do", () => {
    const w = minePaceWarning({ difficulty: 1000, threads: 2, retargets: false });
    expect(w).toContain("difficulty 1,000");
    expect(w).toContain("up to 20,000 blocks a second");
    expect(w).toContain("--mine-interval SECONDS");
    expect(minePaceWarning({ difficulty: 5_000_000, threads: 1, retargets: false })).toContain("about 2 blocks a second");
  });
  it("is quiet with an interval, a retargeting network, or a difficulty of a second or more a block", () => {
    expect(minePaceWarning({ difficulty: 1000, threads: 2, retargets: false, mineIntervalS: 0 })).toBeUndefined();
    expect(minePaceWarning({ difficulty: 1000, threads: 2, retargets: true })).toBeUndefined();
    expect(minePaceWarning({ difficulty: 20_000_001, threads: 2, retargets: false })).toBeUndefined();
  });
});
