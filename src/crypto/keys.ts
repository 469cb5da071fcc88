import { createPrivateKey, createPublicKey, generateKeyPairSync, type KeyObject, sign, verify } from "node:crypto";

/** DER prefix of an Ed25519 SubjectPublicKeyInfo; the raw 32-byte key follows it. */
const SPKI_PREFIX = Buffer.from("302a300506032b6570032100", "hex");
/** DER prefix of an Ed25519 PKCS#8 private key; the 32-byte seed follows it. */
const PKCS8_PREFIX = Buffer.from("302e020100300506032b657004220420", "hex");

const ADDRESS_RE = /^[0-9a-f]{64}$/;
const SIGNATURE_RE = /^[0-9a-f]{128}$/;

/** An Ed25519 key pair with the node's address (the raw public key in hex). */
export interface KeyPair {
  readonly privateKey: KeyObject;
  readonly publicKey: KeyObject;
  readonly address: string;
}

export class KeyError extends Error {
  override name = "KeyError";
}

export function isAddress(value: unknown): value is string {
  return typeof value === "string" && ADDRESS_RE.test(value);
}

export function isSignatureHex(value: unknown): value is string {
  return typeof value === "string" && SIGNATURE_RE.test(value);
}

function keyPairFromPrivate(privateKey: KeyObject): KeyPair {
  if (privateKey.asymmetricKeyType !== "ed25519") {
    throw new KeyError(`expected an Ed25519 key, got ${privateKey.asymmetricKeyType ?? "unknown"}`);
  }
  const publicKey = createPublicKey(privateKey);
  return { privateKey, publicKey, address: addressOf(publicKey) };
}

/** A fresh random key pair. */
export function generateKeyPair(): KeyPair {
  const { privateKey } = generateKeyPairSync("ed25519");
  return keyPairFromPrivate(privateKey);
}

/** The key pair whose RFC 8032 32-byte seed is `seed` (as used by the test vectors of docs/protocol.md §9). */
export function keyPairFromSeed(seed: Uint8Array): KeyPair {
  if (seed.length !== 32) throw new KeyError("an Ed25519 seed is 32 bytes");
  const der = Buffer.concat([PKCS8_PREFIX, seed]);
  return keyPairFromPrivate(createPrivateKey({ key: der, format: "der", type: "pkcs8" }));
}

/**
 * Loads a PKCS#8 PEM private key (as `openssl genpkey -algorithm ed25519` writes it).
 * An encrypted PEM needs `passphrase`.
 */
export function keyPairFromPem(pem: string, passphrase?: string): KeyPair {
  let key: KeyObject;
  try {
    key = createPrivateKey(passphrase === undefined ? { key: pem, format: "pem" } : { key: pem, format: "pem", passphrase });
  } catch (err) {
    const msg = (err as Error).message;
    // OpenSSL 3 reports a missing passphrase as "interrupted or cancelled", so also look at the PEM.
    if (
      /passphrase|decrypt|bad decrypt/i.test(msg) ||
      (passphrase === undefined && pem.includes("-----BEGIN ENCRYPTED PRIVATE KEY-----"))
    ) {
      throw new KeyError(
        passphrase === undefined ? "the private key is encrypted: a passphrase is needed" : "wrong passphrase for the private key",
      );
    }
    throw new KeyError(`not a PEM private key: ${msg}`);
  }
  return keyPairFromPrivate(key);
}

/** PKCS#8 PEM of the private key; with a passphrase, encrypted PKCS#8 (PBES2: PBKDF2 and AES-256-CBC). */
export function privateKeyPem(pair: KeyPair, passphrase?: string): string {
  if (passphrase === undefined) {
    return pair.privateKey.export({ format: "pem", type: "pkcs8" }).toString();
  }
  return pair.privateKey.export({ format: "pem", type: "pkcs8", cipher: "aes-256-cbc", passphrase }).toString();
}

/** SubjectPublicKeyInfo PEM of the public key. */
export function publicKeyPem(pair: KeyPair): string {
  return pair.publicKey.export({ format: "pem", type: "spki" }).toString();
}

/** The address (raw public key, hex) of an Ed25519 public key object. */
export function addressOf(publicKey: KeyObject): string {
  const der = publicKey.export({ format: "der", type: "spki" });
  return der.subarray(der.length - 32).toString("hex");
}

/** The address in a SubjectPublicKeyInfo PEM. */
export function addressFromPublicPem(pem: string): string {
  let key: KeyObject;
  try {
    key = createPublicKey({ key: pem, format: "pem" });
  } catch (err) {
    throw new KeyError(`not a PEM public key: ${(err as Error).message}`);
  }
  if (key.asymmetricKeyType !== "ed25519") throw new KeyError("expected an Ed25519 public key");
  return addressOf(key);
}

/** Ed25519 signature of `message`, as 128 hex characters. */
export function signHex(pair: KeyPair, message: Uint8Array): string {
  return sign(null, message, pair.privateKey).toString("hex");
}

/**
 * Parsed public keys by address. Parsing costs about as much as a verification,
 * so it is done once per address; the cache is bounded and drops its oldest half when full.
 */
const keyCache = new Map<string, KeyObject | null>();
const KEY_CACHE_MAX = 100_000;

function publicKeyFor(address: string): KeyObject | null {
  const hit = keyCache.get(address);
  if (hit !== undefined) return hit;
  let key: KeyObject | null;
  try {
    key = createPublicKey({
      key: Buffer.concat([SPKI_PREFIX, Buffer.from(address, "hex")]),
      format: "der",
      type: "spki",
    });
  } catch {
    key = null; // not a point on the curve
  }
  if (keyCache.size >= KEY_CACHE_MAX) {
    let drop = KEY_CACHE_MAX / 2;
    for (const k of keyCache.keys()) {
      keyCache.delete(k);
      if (--drop <= 0) break;
    }
  }
  keyCache.set(address, key);
  return key;
}

/**
 * True when `signatureHex` is a valid Ed25519 signature of `message` by `address`. Never throws.
 *
 * A signature whose public key or R (its first 32 bytes) is a point of small order is invalid
 * here on every Node.js. RFC 8032 does not forbid them and OpenSSL's check as Node.js 20 and 22
 * call it accepts them (the identity key "signs" anything with R = identity, S = 0), but
 * Node.js 24 refuses them: left to the runtime, nodes on different Node.js versions would
 * disagree about a block holding one, and split the chain. Refusing them everywhere is a
 * strict subset all versions agree on (as Bitcoin's BIP 66 made DER signatures strict after
 * OpenSSL versions parsed them differently); no honest signer makes one.
 */
export function verifyHex(address: string, message: Uint8Array, signatureHex: string): boolean {
  if (!isAddress(address) || !isSignatureHex(signatureHex)) return false;
  if (SMALL_ORDER.has(address) || SMALL_ORDER.has(signatureHex.slice(0, 64))) return false;
  const key = publicKeyFor(address);
  if (key === null) return false;
  try {
    return verify(null, message, key, Buffer.from(signatureHex, "hex"));
  } catch {
    return false;
  }
}

/**
 * Encodings of the Ed25519 points of small order (and their non-canonical forms: every
 * 32 bytes that decode to one). For such a "public key" a signature can be made without any
 * private key. No signature by one, or with one as R, is valid (`verifyHex`); the pool also
 * refuses them as senders and recipients, with a reason of their own (coins sent to one can
 * never be spent).
 */
const SMALL_ORDER = new Set([
  "0100000000000000000000000000000000000000000000000000000000000000",
  "0100000000000000000000000000000000000000000000000000000000000080",
  "0000000000000000000000000000000000000000000000000000000000000000",
  "0000000000000000000000000000000000000000000000000000000000000080",
  "ecffffffffffffffffffffffffffffffffffffffffffffffffffffffffffff7f",
  "ecffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffff",
  "edffffffffffffffffffffffffffffffffffffffffffffffffffffffffffff7f",
  "edffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffff",
  "eeffffffffffffffffffffffffffffffffffffffffffffffffffffffffffff7f",
  "eeffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffff",
  "26e8958fc2b227b045c3f489f2ef98f0d5dfac05d3c63339b13802886d53fc05",
  "26e8958fc2b227b045c3f489f2ef98f0d5dfac05d3c63339b13802886d53fc85",
  "c7176a703d4dd84fba3c0b760d10670f2a2053fa2c39ccc64ec7fd7792ac037a",
  "c7176a703d4dd84fba3c0b760d10670f2a2053fa2c39ccc64ec7fd7792ac03fa",
]);

export function isWeakAddress(address: string): boolean {
  return SMALL_ORDER.has(address);
}
