import { describe, expect, it } from "vitest";
import { HashRate } from "../../src/node/hashrate.js";

/** Two threads each reporting 2.5 M tries every 250 ms (20 M tries/s in all) from `start` to `end` ms. */
function mine(h: HashRate, start: number, end: number): void {
  h.active(start);
  for (let t = start + 250; t <= end; t += 250) {
    h.record(2_500_000, t);
    h.record(2_500_000, t + 1);
  }
}

/** The rate lies strictly between `low` and `high` tries per second. */
function expectBetween(rate: number, low: number, high: number): void {
  expect(rate).toBeGreaterThan(low);
  expect(rate).toBeLessThan(high);
}

describe("hash rate in /status", () => {
  it("is 0 before any report", () => {
    const h = new HashRate();
    expect(h.rate(1000)).toBe(0);
    h.active(1000);
    expect(h.rate(1100)).toBe(0);
  });

  it("shows the real rate in the first second, not one diluted by a minimum span", () => {
    const h = new HashRate();
    mine(h, 10_000, 10_500);
    expectBetween(h.rate(10_510), 19_000_000, 21_000_000);
  });

  it("averages the last five seconds once mining has run longer", () => {
    const h = new HashRate();
    mine(h, 0, 60_000);
    expectBetween(h.rate(60_010), 19_500_000, 21_000_000);
  });

  it("follows a change of speed within the window", () => {
    const h = new HashRate();
    mine(h, 0, 30_000);
    for (let t = 30_250; t <= 40_000; t += 250) h.record(1_250_000, t); // one thread left, at 5 M tries/s
    expectBetween(h.rate(40_010), 4_500_000, 5_500_000);
  });

  it("starts a new window after a pause, but not between two blocks", () => {
    const h = new HashRate();
    mine(h, 0, 10_000);
    // a 3 s rest (as with --mine-interval), then mining again at half the speed
    h.active(13_000);
    for (let t = 13_250; t <= 14_000; t += 250) h.record(2_500_000, t);
    expectBetween(h.rate(14_010), 9_000_000, 11_000_000);
    // a new block's job 100 ms after the last report keeps the window
    h.active(14_100);
    expect(h.rate(14_110)).toBeGreaterThan(9_000_000);
  });

  it("over the last minute: the rate while mining ran, kept after it stopped, gone a minute later", () => {
    const h = new HashRate();
    expect(h.lastMinute(0)).toBe(0);
    mine(h, 10_000, 20_000); // 10 s at 20 M/s
    mine(h, 40_000, 45_000); // 5 s more after a pause
    expectBetween(h.lastMinute(50_000), 19_000_000, 21_000_000); // the pause does not dilute it
    expect(h.rate(51_000)).toBe(0); // the 5-s view sees none
    expectBetween(h.lastMinute(75_000), 19_000_000, 21_000_000); // only the second span is left
    expect(h.lastMinute(106_000)).toBe(0);
  });
});
