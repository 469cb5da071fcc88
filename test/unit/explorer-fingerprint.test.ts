/** The explorer's address fingerprint (web/src/fingerprint.ts): stable, and different for a one-character typo. */
import { describe, expect, it } from "vitest";
import { sha256 } from "../../src/crypto/hash.js";
import { fingerprintColours } from "../../web/src/fingerprint.js";

const hex = "0123456789abcdef";
const address = (i: number) => Buffer.from(sha256(`fingerprint ${i}`)).toString("hex");

describe("fingerprintColours", () => {
  it("is four CSS colours, the same for the same address", () => {
    const a = address(1);
    expect(fingerprintColours(a)).toHaveLength(4);
    for (const c of fingerprintColours(a)) expect(c).toMatch(/^hsl\(\d{1,3} 65% (38|62)%\)$/);
    expect(fingerprintColours(a)).toEqual(fingerprintColours(`${a}`));
  });

  it("differs for every one-character change of 200 addresses (64 positions x 15 other digits each)", () => {
    let compared = 0;
    for (let n = 0; n < 200; n++) {
      const a = address(n);
      const mine = fingerprintColours(a).join();
      for (let pos = 0; pos < 64; pos++) {
        for (const d of hex) {
          if (d === a[pos]) continue;
          const typo = a.slice(0, pos) + d + a.slice(pos + 1);
          expect(fingerprintColours(typo).join(), `${a} vs ${typo}`).not.toBe(mine);
          compared++;
        }
      }
    }
    expect(compared).toBe(200 * 64 * 15);
  });

  it("a typo changes most blocks, not just one shade", () => {
    let changedBlocks = 0;
    let total = 0;
    for (let n = 0; n < 100; n++) {
      const a = address(n);
      const typo = `${a.slice(0, 63)}${a[63] === "0" ? "1" : "0"}`;
      const x = fingerprintColours(a);
      const y = fingerprintColours(typo);
      changedBlocks += x.filter((c, i) => c !== y[i]).length;
      total += 4;
    }
    expect(changedBlocks / total).toBeGreaterThan(0.9);
  });
});
