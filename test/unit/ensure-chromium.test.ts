/** `npm test`'s first step (test/ensure-chromium.mjs): Chromium there → nothing to do; a wrong CHROMIUM_PATH → stops, saying why. */
import { spawnSync } from "node:child_process";
import { join } from "node:path";
import { describe, expect, it } from "vitest";

const SCRIPT = join(import.meta.dirname, "..", "ensure-chromium.mjs");
const run = (chromium: string) =>
  spawnSync(process.execPath, [SCRIPT], { env: { ...process.env, CHROMIUM_PATH: chromium }, encoding: "utf8", timeout: 30_000 });

describe("ensure-chromium", () => {
  it("does nothing when the Chromium it is pointed at is there", () => {
    const r = run(process.execPath);
    expect(r.status).toBe(0);
    expect(r.stdout + r.stderr).toBe("");
  });

  it("stops the tests with what to do when CHROMIUM_PATH names nothing (and installs nothing)", () => {
    const r = run("/nonexistent/chromium");
    expect(r.status).toBe(1);
    expect(r.stderr).toMatch(/CHROMIUM_PATH is \/nonexistent\/chromium, and there is no file there/);
    expect(r.stdout).not.toMatch(/installing/);
  });
});
