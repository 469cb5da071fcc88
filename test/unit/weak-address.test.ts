/**
 * Small-order Ed25519 points. Node.js 20 and 22 (OpenSSL's check as they call it) accept a
 * forged signature for the identity key, and a signature whose R is the identity; Node.js 24
 * refuses both. tinychain refuses them on every version, so nodes on different Node.js
 * versions agree about every block (a version-dependent verdict would split the chain).
 */
import { createHash, createPrivateKey, createPublicKey, verify } from "node:crypto";
import { describe, expect, it } from "vitest";
import { isWeakAddress, signHex, verifyHex } from "../../src/crypto/keys.js";
import { testKey } from "../helpers/keys.js";

const IDENTITY = `01${"00".repeat(31)}`;
const L = 2n ** 252n + 27742317777372353535851937790883648493n;
const SPKI = Buffer.from("302a300506032b6570032100", "hex");
const leInt = (b: Uint8Array) => b.reduceRight((x, byte) => (x << 8n) | BigInt(byte), 0n);
const leHex = (x: bigint) => Buffer.from(Array.from({ length: 32 }, (_, i) => Number((x >> BigInt(8 * i)) & 0xffn))).toString("hex");
const nodeMajor = Number(process.versions.node.split(".")[0]);

/** What the runtime's own check says (no tinychain rule in between). */
function runtimeVerdict(address: string, message: Buffer, signature: string): boolean {
  const key = createPublicKey({ key: Buffer.concat([SPKI, Buffer.from(address, "hex")]), format: "der", type: "spki" });
  return verify(null, message, key, Buffer.from(signature, "hex"));
}

/** A real key's signature made with nonce r = 0, so R is the identity: S = H(R ‖ A ‖ M)·a mod L. */
function identityNonceSignature(seed: Buffer, address: string, message: Buffer): string {
  const h = createHash("sha512").update(seed).digest();
  const a = Buffer.from(h.subarray(0, 32));
  a[0] = (a[0] as number) & 248;
  a[31] = ((a[31] as number) & 127) | 64;
  const k =
    leInt(createHash("sha512").update(Buffer.from(IDENTITY, "hex")).update(Buffer.from(address, "hex")).update(message).digest()) % L;
  return IDENTITY + leHex((k * leInt(a)) % L);
}

describe("small-order points", () => {
  const message = Buffer.from("anything at all");

  it("the identity key's forged signature (R = identity, S = 0) is refused on every Node.js, whatever the runtime says", () => {
    const forged = `01${"00".repeat(63)}`;
    expect(runtimeVerdict(IDENTITY, message, forged)).toBe(nodeMajor < 24);
    expect(verifyHex(IDENTITY, message, forged)).toBe(false);
    expect(isWeakAddress(IDENTITY)).toBe(true);
  });

  it("a real key's signature with R = identity is refused on every Node.js, whatever the runtime says", () => {
    const seed = Buffer.alloc(32, 7);
    const pkcs8 = Buffer.concat([Buffer.from("302e020100300506032b657004220420", "hex"), seed]);
    const key = createPublicKey(createPrivateKey({ key: pkcs8, format: "der", type: "pkcs8" }));
    const address = key.export({ format: "der", type: "spki" }).subarray(12).toString("hex");
    const sig = identityNonceSignature(seed, address, message);
    expect(runtimeVerdict(address, message, sig)).toBe(nodeMajor < 24);
    expect(verifyHex(address, message, sig)).toBe(false);
  });

  it("ordinary keys are not weak and their signatures verify", () => {
    const key = testKey("weak test");
    expect(isWeakAddress(key.address)).toBe(false);
    expect(isWeakAddress("9645f2870e3d091a8e8868345698cbd6154fc192d983acb2f5931c88d8eb2ef7")).toBe(false);
    expect(verifyHex(key.address, message, signHex(key, message))).toBe(true);
  });
});
