import { execFileSync } from "node:child_process";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import {
  addressFromPublicPem,
  generateKeyPair,
  isAddress,
  KeyError,
  keyPairFromPem,
  keyPairFromSeed,
  privateKeyPem,
  publicKeyPem,
  signHex,
  verifyHex,
} from "../../src/crypto/keys.js";
import { key1 } from "../helpers/keys.js";

const dir = fs.mkdtempSync(path.join(os.tmpdir(), "tinychain-keys-"));
afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));

function openssl(...args: string[]): Buffer {
  return execFileSync("openssl", args, { stdio: ["ignore", "pipe", "pipe"] });
}

let hasOpenssl = true;
try {
  openssl("version");
} catch {
  hasOpenssl = false;
}

function file(name: string): string {
  return path.join(dir, name);
}

/** The KeyError thrown by `fn` (fails if it throws something else or nothing). */
function keyErrorOf(fn: () => unknown): KeyError {
  try {
    fn();
  } catch (err) {
    expect(err).toBeInstanceOf(KeyError);
    return err as KeyError;
  }
  throw new Error("expected a KeyError");
}

describe.skipIf(!hasOpenssl)("keys made by OpenSSL", () => {
  const priv = file("private.key");
  openssl("genpkey", "-algorithm", "ed25519", "-out", priv);
  const pem = fs.readFileSync(priv, "utf8");
  const der = openssl("pkey", "-in", priv, "-pubout", "-outform", "DER");
  const rawPublic = der.subarray(der.length - 32).toString("hex");

  it("openssl genpkey -algorithm ed25519 loads, and its address is the raw public key", () => {
    expect(pem).toMatch(/^-----BEGIN PRIVATE KEY-----\n/);
    expect(der).toHaveLength(44);
    const pair = keyPairFromPem(pem);
    expect(pair.address).toBe(rawPublic);
    expect(isAddress(pair.address)).toBe(true);
  });

  it("the public.key PEM OpenSSL writes gives the same address, and ours is identical to it", () => {
    const pub = openssl("pkey", "-in", priv, "-pubout").toString();
    expect(pub).toMatch(/^-----BEGIN PUBLIC KEY-----\n/);
    expect(addressFromPublicPem(pub)).toBe(rawPublic);
    expect(publicKeyPem(keyPairFromPem(pem))).toBe(pub);
  });

  it("our private.key is what OpenSSL writes, and OpenSSL reads it back", () => {
    const pair = keyPairFromPem(pem);
    expect(privateKeyPem(pair)).toBe(pem);
    const ours = file("ours.key");
    fs.writeFileSync(ours, privateKeyPem(keyPairFromSeed(Buffer.alloc(32, 7))));
    const der2 = openssl("pkey", "-in", ours, "-pubout", "-outform", "DER");
    expect(der2.subarray(12).toString("hex")).toBe(keyPairFromSeed(Buffer.alloc(32, 7)).address);
  });

  it("the PKCS#8 seed gives the same key pair through keyPairFromSeed", () => {
    const pkcs8 = openssl("pkey", "-in", priv, "-outform", "DER");
    expect(keyPairFromSeed(pkcs8.subarray(pkcs8.length - 32)).address).toBe(rawPublic);
  });

  it("a signature made with the loaded key verifies against its address, and OpenSSL agrees", () => {
    const pair = keyPairFromPem(pem);
    const msg = Buffer.from('{"hello":"world"}');
    const sig = signHex(pair, msg);
    expect(verifyHex(rawPublic, msg, sig)).toBe(true);
    fs.writeFileSync(file("msg"), msg);
    fs.writeFileSync(file("sig"), Buffer.from(sig, "hex"));
    fs.writeFileSync(file("pub.pem"), publicKeyPem(pair));
    const out = openssl("pkeyutl", "-verify", "-pubin", "-inkey", file("pub.pem"), "-rawin", "-in", file("msg"), "-sigfile", file("sig"));
    expect(out.toString()).toMatch(/Signature Verified Successfully/);
  });

  it("an OpenSSL-encrypted PEM loads with its passphrase", () => {
    const enc = file("enc.key");
    openssl("pkey", "-in", priv, "-aes-256-cbc", "-passout", "pass:correct horse", "-out", enc);
    const encPem = fs.readFileSync(enc, "utf8");
    expect(encPem).toMatch(/^-----BEGIN ENCRYPTED PRIVATE KEY-----\n/);
    expect(keyPairFromPem(encPem, "correct horse").address).toBe(rawPublic);
    expect(keyErrorOf(() => keyPairFromPem(encPem, "battery staple")).message).toMatch(/wrong passphrase/);
    expect(keyErrorOf(() => keyPairFromPem(encPem)).message).toMatch(/passphrase/);
  });

  it("our encrypted PEM is readable by OpenSSL with the passphrase", () => {
    const pair = keyPairFromPem(pem);
    const enc = file("ours-enc.key");
    fs.writeFileSync(enc, privateKeyPem(pair, "s3cret"));
    const der3 = openssl("pkey", "-in", enc, "-passin", "pass:s3cret", "-pubout", "-outform", "DER");
    expect(der3.subarray(12).toString("hex")).toBe(rawPublic);
  });

  it("a key of another algorithm is refused with a KeyError", () => {
    const ed448 = file("ed448.key");
    openssl("genpkey", "-algorithm", "ed448", "-out", ed448);
    const otherPem = fs.readFileSync(ed448, "utf8");
    expect(keyErrorOf(() => keyPairFromPem(otherPem)).message).toMatch(/Ed25519/);
    const pub = openssl("pkey", "-in", ed448, "-pubout").toString();
    expect(keyErrorOf(() => addressFromPublicPem(pub)).message).toMatch(/Ed25519/);
  });
});

describe("key files", () => {
  it("encrypted PEM round trip with a passphrase", () => {
    const pair = keyPairFromSeed(Buffer.alloc(32, 1));
    const enc = privateKeyPem(pair, "pass phrase ✓");
    expect(enc).toMatch(/^-----BEGIN ENCRYPTED PRIVATE KEY-----\n/);
    expect(enc).not.toBe(privateKeyPem(pair));
    expect(keyPairFromPem(enc, "pass phrase ✓").address).toBe(pair.address);
  });

  it("a wrong passphrase gives a KeyError saying so", () => {
    const enc = privateKeyPem(key1, "right");
    const err = keyErrorOf(() => keyPairFromPem(enc, "wrong"));
    expect(err.name).toBe("KeyError");
    expect(err.message).toMatch(/wrong passphrase/);
  });

  it("an encrypted PEM without a passphrase gives a KeyError asking for one", () => {
    const enc = privateKeyPem(key1, "right");
    expect(keyErrorOf(() => keyPairFromPem(enc)).message).toMatch(/passphrase is needed/);
  });

  it("a plain PEM round trips, with or without a (ignored) passphrase", () => {
    const pair = generateKeyPair();
    const pem = privateKeyPem(pair);
    expect(pem).toMatch(/^-----BEGIN PRIVATE KEY-----\n/);
    expect(keyPairFromPem(pem).address).toBe(pair.address);
    expect(addressFromPublicPem(publicKeyPem(pair))).toBe(pair.address);
  });

  it.each([
    ["garbage", "not a key"],
    ["an empty string", ""],
    ["a public key", publicKeyPem(key1)],
    ["a truncated PEM", privateKeyPem(key1).slice(0, 50)],
  ])("keyPairFromPem of %s gives a KeyError", (_label, pem) => {
    keyErrorOf(() => keyPairFromPem(pem));
  });

  it("addressFromPublicPem: garbage is a KeyError; a private key PEM yields its public key", () => {
    keyErrorOf(() => addressFromPublicPem("nope"));
    // a private key PEM yields its public key through createPublicKey: same address
    expect(addressFromPublicPem(privateKeyPem(key1))).toBe(key1.address);
  });

  it("keyPairFromSeed wants exactly 32 bytes and is deterministic", () => {
    keyErrorOf(() => keyPairFromSeed(Buffer.alloc(31)));
    keyErrorOf(() => keyPairFromSeed(Buffer.alloc(33)));
    expect(keyPairFromSeed(Buffer.alloc(32, 9)).address).toBe(keyPairFromSeed(Buffer.alloc(32, 9)).address);
    expect(keyPairFromSeed(Buffer.alloc(32, 9)).address).not.toBe(keyPairFromSeed(Buffer.alloc(32, 8)).address);
  });

  it("RFC 8032 test 1: the seed 9d61b1… gives the public key d75a98…", () => {
    const pair = keyPairFromSeed(Buffer.from("9d61b19deffd5a60ba844af492ec2cc44449c5697b326919703bac031cae7f60", "hex"));
    expect(pair.address).toBe("d75a980182b10ab7d54bfed3c964073a0ee172f3daa62325af021a68f707511a");
    expect(signHex(pair, Buffer.alloc(0))).toBe(
      "e5564300c360ac729086e2cc806e828a84877f1eb8e5d974d873e065224901555fb8821590a33bacc61e39701cf9b46bd25bf5f0595bbe24655141438e7a100b",
    );
  });

  it("generateKeyPair makes distinct working keys", () => {
    const a = generateKeyPair();
    const b = generateKeyPair();
    expect(a.address).not.toBe(b.address);
    const msg = Buffer.from("m");
    expect(verifyHex(a.address, msg, signHex(a, msg))).toBe(true);
    expect(verifyHex(b.address, msg, signHex(a, msg))).toBe(false);
  });
});
