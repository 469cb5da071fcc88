/**
 * A wallet directory: `private.key` (PKCS#8 PEM, mode 0600) and `public.key` (SPKI PEM),
 * as OpenSSL writes them (SPEC §2).
 */
import { chmodSync, existsSync, mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { generateKeyPair, type KeyPair, keyPairFromPem, privateKeyPem, publicKeyPem } from "../crypto/keys.js";

export const PRIVATE_KEY_FILE = "private.key";
export const PUBLIC_KEY_FILE = "public.key";

export function walletExists(dir: string): boolean {
  return existsSync(join(dir, PRIVATE_KEY_FILE));
}

/** Writes a key pair into `dir`; refuses to overwrite an existing private key. */
export function saveWallet(dir: string, pair: KeyPair, passphrase?: string): void {
  mkdirSync(dir, { recursive: true, mode: 0o700 });
  const priv = join(dir, PRIVATE_KEY_FILE);
  writeFileSync(priv, privateKeyPem(pair, passphrase), { mode: 0o600, flag: "wx" });
  chmodSync(priv, 0o600);
  writeFileSync(join(dir, PUBLIC_KEY_FILE), publicKeyPem(pair), { mode: 0o644 });
}

/** Loads the key pair in `dir`. */
export function loadWallet(dir: string, passphrase?: string): KeyPair {
  return keyPairFromPem(readFileSync(join(dir, PRIVATE_KEY_FILE), "utf8"), passphrase);
}

/** Loads the wallet in `dir`, making a new one first if there is none. */
export function loadOrCreateWallet(dir: string): { pair: KeyPair; created: boolean } {
  if (walletExists(dir)) return { pair: loadWallet(dir), created: false };
  const pair = generateKeyPair();
  saveWallet(dir, pair);
  return { pair, created: true };
}
