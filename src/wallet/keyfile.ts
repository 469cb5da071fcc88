/**
 * A wallet directory: `private.key` (PKCS#8 PEM, mode 0600) and `public.key` (SPKI PEM),
 * as OpenSSL writes them (docs/protocol.md §2).
 */
import { chmodSync, existsSync, mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { addressFromPublicPem, generateKeyPair, type KeyPair, keyPairFromPem, privateKeyPem, publicKeyPem } from "../crypto/keys.js";

export const PRIVATE_KEY_FILE = "private.key";
export const PUBLIC_KEY_FILE = "public.key";

export function walletExists(dir: string): boolean {
  return existsSync(join(dir, PRIVATE_KEY_FILE));
}

/** True when a PEM private key is encrypted PKCS#8 (it needs a passphrase). */
export function isEncryptedPem(pem: string): boolean {
  return pem.includes("-----BEGIN ENCRYPTED PRIVATE KEY-----");
}

/** Writes a key pair into `dir`; refuses to overwrite an existing private key. */
export function saveWallet(dir: string, pair: KeyPair, passphrase?: string): void {
  savePem(dir, pair, privateKeyPem(pair, passphrase));
}

/**
 * Writes `pem` (the private key of `pair`, e.g. as OpenSSL wrote it, kept byte for byte) as
 * `private.key` (0600) and the public key as `public.key`; refuses to overwrite a private key.
 */
export function savePem(dir: string, pair: KeyPair, pem: string): void {
  mkdirSync(dir, { recursive: true, mode: 0o700 });
  const priv = join(dir, PRIVATE_KEY_FILE);
  writeFileSync(priv, pem, { mode: 0o600, flag: "wx" });
  chmodSync(priv, 0o600);
  writeFileSync(join(dir, PUBLIC_KEY_FILE), publicKeyPem(pair), { mode: 0o644 });
}

/** The private key PEM text in `dir`. */
export function readPrivatePem(dir: string): string {
  return readFileSync(join(dir, PRIVATE_KEY_FILE), "utf8");
}

/** The address in `dir`/public.key, or undefined when there is no public.key. */
export function readPublicAddress(dir: string): string | undefined {
  const path = join(dir, PUBLIC_KEY_FILE);
  if (!existsSync(path)) return undefined;
  return addressFromPublicPem(readFileSync(path, "utf8"));
}

/** Loads the key pair in `dir`. */
export function loadWallet(dir: string, passphrase?: string): KeyPair {
  return keyPairFromPem(readPrivatePem(dir), passphrase);
}

/** Loads the wallet in `dir`, making a new one first if there is none. */
export function loadOrCreateWallet(dir: string): { pair: KeyPair; created: boolean } {
  if (walletExists(dir)) return { pair: loadWallet(dir), created: false };
  const pair = generateKeyPair();
  saveWallet(dir, pair);
  return { pair, created: true };
}
