import { describe, expect, it } from "vitest";
import { isWeakAddress, verifyHex } from "../../src/crypto/keys.js";

describe("small-order addresses", () => {
  it("the identity point verifies a forged signature for any message (why the pool refuses it)", () => {
    const identity = `01${"00".repeat(31)}`;
    const forged = `01${"00".repeat(63)}`;
    expect(verifyHex(identity, Buffer.from("anything at all"), forged)).toBe(true);
    expect(isWeakAddress(identity)).toBe(true);
  });

  it("ordinary keys are not weak", () => {
    expect(isWeakAddress("9645f2870e3d091a8e8868345698cbd6154fc192d983acb2f5931c88d8eb2ef7")).toBe(false);
  });
});
