import { describe, expect, it } from "vitest";
import { signingBytes, txId } from "../../src/core/encoding.js";
import { RuleError } from "../../src/core/errors.js";
import type { SignedTx, TransferTx } from "../../src/core/types.js";
import { requireSignature, signatureValid } from "../../src/core/verify.js";
import { signHex, verifyHex } from "../../src/crypto/keys.js";
import { codeOf, signTx } from "../helpers/factory.js";
import { key1, key2, testKey } from "../helpers/keys.js";

const P = 2n ** 255n - 19n;
const D = (-121665n * modpow(121666n, P - 2n)) % P;
/** Ed25519 group order L. */
const L = 2n ** 252n + 27742317777372353535851937790883648493n;

function modpow(b: bigint, e: bigint): bigint {
  let r = 1n;
  let x = ((b % P) + P) % P;
  for (let k = e; k > 0n; k >>= 1n) {
    if (k & 1n) r = (r * x) % P;
    x = (x * x) % P;
  }
  return r;
}

/** True when the 32-byte little-endian encoding `hex` decodes to a point (x² = (y²−1)/(d·y²+1) has a root). */
function onCurve(hex: string): boolean {
  const bytes = Buffer.from(hex, "hex");
  bytes[31] = (bytes[31] as number) & 0x7f;
  const y = BigInt(`0x${Buffer.from(bytes).reverse().toString("hex")}`);
  if (y >= P) return false;
  const u = (((y * y - 1n) % P) + P) % P;
  const v = (D * y * y + 1n) % P;
  const x2 = (u * modpow(v, P - 2n)) % P;
  return x2 === 0n || modpow(x2, (P - 1n) / 2n) === 1n;
}

const transfer: TransferTx = signTx(key1, { type: "transfer", recipient: key2.address, amount: 5, fee: 1 });

function flipHex(h: string, at = 0): string {
  const c = h[at] === "0" ? "1" : "0";
  return h.slice(0, at) + c + h.slice(at + 1);
}

describe("transaction signatures", () => {
  it("a correctly signed transaction of every type verifies", () => {
    const token = "ab".repeat(32);
    const txs: SignedTx[] = [
      transfer,
      signTx(key1, { type: "token_create", name: "Gold ✨", symbol: "GLD", decimals: 2, supply: 1 }),
      signTx(key1, { type: "token_transfer", token, recipient: key2.address, amount: 0 }),
      signTx(key1, { type: "token_approve", token, spender: key2.address, amount: 1 }),
      signTx(key1, { type: "token_transfer_from", token, owner: key2.address, recipient: key1.address, amount: 1 }),
    ];
    for (const tx of txs) {
      expect(signatureValid(tx)).toBe(true);
      expect(() => requireSignature(tx)).not.toThrow();
    }
  });

  it("the id field does not take part in the signature", () => {
    expect(signatureValid({ ...transfer, id: txId(transfer) } as SignedTx)).toBe(true);
    expect(signatureValid({ ...transfer, id: "anything" } as SignedTx)).toBe(true);
  });

  it.each([
    ["amount", { amount: 6 }],
    ["fee", { fee: 0 }],
    ["nonce", { nonce: 1 }],
    ["network", { network: "devnet" }],
    ["recipient", { recipient: testKey("mallory").address }],
  ])("a tampered %s fails with bad-signature", (_field, patch) => {
    const tx = { ...transfer, ...patch } as SignedTx;
    expect(signatureValid(tx)).toBe(false);
    expect(codeOf(() => requireSignature(tx))).toBe("bad-signature");
  });

  it("a tampered type fails (token_transfer with the same fields is another message)", () => {
    const tx = { ...transfer, type: "token_transfer", token: "ab".repeat(32) } as unknown as SignedTx;
    expect(signatureValid(tx)).toBe(false);
  });

  it("signed by the wrong key: sender A, signature by B", () => {
    const unsigned = {
      type: "transfer" as const,
      network: "testnet",
      sender: key1.address,
      recipient: key2.address,
      amount: 5,
      fee: 1,
      nonce: 0,
    };
    const tx: TransferTx = { ...unsigned, signature: signHex(key2, signingBytes(unsigned)) };
    expect(signatureValid(tx)).toBe(false);
    // and claiming to be B does not help either: sender is part of the signed bytes
    expect(signatureValid({ ...tx, sender: key2.address })).toBe(false);
  });

  it("the signature of another transaction by the same key fails", () => {
    const other = signTx(key1, { type: "transfer", recipient: key2.address, amount: 5, fee: 1, nonce: 1 });
    expect(signatureValid({ ...transfer, signature: other.signature })).toBe(false);
    expect(codeOf(() => requireSignature({ ...transfer, signature: other.signature }))).toBe("bad-signature");
  });

  it.each([
    ["one bit flipped in R", flipHex(transfer.signature, 0)],
    ["one bit flipped in S", flipHex(transfer.signature, 70)],
    ["uppercase hex", transfer.signature.toUpperCase()],
    ["too short", transfer.signature.slice(2)],
    ["too long", `${transfer.signature}00`],
    ["not hex", `zz${transfer.signature.slice(2)}`],
    ["empty", ""],
    ["all zeros", "0".repeat(128)],
  ])("a malformed signature (%s) fails without throwing", (_label, signature) => {
    const tx = { ...transfer, signature };
    expect(signatureValid(tx)).toBe(false);
    expect(codeOf(() => requireSignature(tx))).toBe("bad-signature");
  });

  it("a non-canonical S (S + L, same point equation) is rejected: no signature malleability", () => {
    const sig = Buffer.from(transfer.signature, "hex");
    const s = BigInt(`0x${Buffer.from(sig.subarray(32)).reverse().toString("hex")}`);
    const s2 = s + L;
    expect(s2 < 2n ** 256n).toBe(true);
    const s2le = Buffer.from(s2.toString(16).padStart(64, "0"), "hex").reverse();
    const malleated = Buffer.concat([sig.subarray(0, 32), s2le]).toString("hex");
    expect(malleated).not.toBe(transfer.signature);
    expect(signatureValid({ ...transfer, signature: malleated })).toBe(false);
  });

  it("a sender address that is not a point on the curve fails without throwing", () => {
    // find the first y (little-endian, small) that is not on the curve
    let bad = "";
    for (let i = 2; i < 256 && bad === ""; i++) {
      const hex = i.toString(16).padStart(2, "0") + "00".repeat(31);
      if (!onCurve(hex)) bad = hex;
    }
    expect(bad).not.toBe("");
    // the check itself: real public keys and the identity point (y = 1) are on the curve
    for (let i = 0; i < 20; i++) expect(onCurve(testKey(`curve ${i}`).address)).toBe(true);
    expect(onCurve(`01${"00".repeat(31)}`)).toBe(true);
    const tx = { ...transfer, sender: bad };
    expect(signatureValid(tx)).toBe(false);
    expect(codeOf(() => requireSignature(tx))).toBe("bad-signature");
    // twice, to go through the public key cache
    expect(signatureValid(tx)).toBe(false);
    // an encoding with y ≥ p is not a point either
    expect(onCurve("ff".repeat(31) + "7f")).toBe(false);
    expect(signatureValid({ ...transfer, sender: `${"ff".repeat(31)}7f` })).toBe(false);
  });

  it.each([
    ["uppercase", key1.address.toUpperCase()],
    ["short", key1.address.slice(2)],
    ["the coinbase sender", "0"],
    ["empty", ""],
  ])("a malformed sender (%s) fails", (_label, sender) => {
    expect(signatureValid({ ...transfer, sender })).toBe(false);
  });

  it("requireSignature throws a RuleError whose message says what to sign", () => {
    try {
      requireSignature({ ...transfer, amount: 6 }, "relayed transaction");
      expect.unreachable();
    } catch (err) {
      expect(err).toBeInstanceOf(RuleError);
      expect((err as RuleError).kind).toBe("invalid");
      expect((err as Error).message).toMatch(/^relayed transaction signature does not verify/);
    }
  });

  it("verifyHex never throws on junk input", () => {
    const junk: unknown[] = [undefined, null, 5, {}, "0", "g".repeat(64)];
    for (const a of junk) {
      for (const s of junk) expect(verifyHex(a as string, Buffer.from("x"), s as string)).toBe(false);
    }
  });
});
