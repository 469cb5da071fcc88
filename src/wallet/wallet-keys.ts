/**
 * The wallet's key, as the CLI uses it: make one, import an OpenSSL PEM, read the address
 * (from public.key, no passphrase needed), and load the signing key (asking for the
 * passphrase of an encrypted private.key). Failures are WalletErrors saying what to do.
 */
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { generateKeyPair, KeyError, type KeyPair, keyPairFromPem, privateKeyPem } from "../crypto/keys.js";
import { noWallet, passphraseNeeded, WalletError, walletAlreadyExists, wrongPassphrase } from "./errors.js";
import { isEncryptedPem, PRIVATE_KEY_FILE, readPrivatePem, readPublicAddress, savePem, saveWallet, walletExists } from "./keyfile.js";
import { getPassphrase } from "./passphrase.js";

export interface WalletInfo {
  address: string;
  wallet: string;
  encrypted: boolean;
}

function privatePath(dir: string): string {
  return join(dir, PRIVATE_KEY_FILE);
}

function refuseExisting(dir: string): void {
  if (!walletExists(dir)) return;
  let address: string | undefined;
  try {
    address = readPublicAddress(dir);
  } catch {
    address = undefined;
  }
  throw walletAlreadyExists(dir, address);
}

/** Parses a PEM private key, asking for a passphrase if it is encrypted. */
async function pairFromPem(pem: string, file: string): Promise<KeyPair> {
  let passphrase: string | undefined;
  if (isEncryptedPem(pem)) {
    passphrase = await getPassphrase(file);
    if (passphrase === undefined) throw passphraseNeeded(file);
  }
  try {
    return keyPairFromPem(pem, passphrase);
  } catch (err) {
    if (err instanceof KeyError && /wrong passphrase/.test(err.message)) throw wrongPassphrase(file);
    if (err instanceof KeyError && /passphrase is needed/.test(err.message)) throw passphraseNeeded(file);
    if (err instanceof KeyError) {
      throw new WalletError(
        `${file} is not an Ed25519 private key in PEM (${err.message}); make one with \`tinychain wallet new\` or \`openssl genpkey -algorithm ed25519\``,
        "bad-key",
      );
    }
    throw err;
  }
}

async function newPassphrase(dir: string): Promise<string> {
  const p = await getPassphrase(privatePath(dir), { confirm: true });
  if (p === undefined) throw passphraseNeeded(privatePath(dir));
  return p;
}

/** `wallet new`: a fresh key pair in `dir`, encrypted with a passphrase when `encrypt`. */
export async function createWallet(dir: string, encrypt: boolean): Promise<WalletInfo> {
  refuseExisting(dir);
  const pair = generateKeyPair();
  const passphrase = encrypt ? await newPassphrase(dir) : undefined;
  try {
    saveWallet(dir, pair, passphrase);
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === "EEXIST") throw walletAlreadyExists(dir, undefined);
    throw cannotWrite(dir, err);
  }
  return { address: pair.address, wallet: dir, encrypted: encrypt };
}

/**
 * `wallet import FILE`: copies an OpenSSL PEM private key into `dir` (byte for byte, so an
 * encrypted one stays encrypted) and writes public.key. With `encrypt`, a plain key is
 * stored encrypted with a new passphrase.
 */
export async function importWallet(dir: string, file: string, encrypt: boolean): Promise<WalletInfo> {
  refuseExisting(dir);
  let pem: string;
  try {
    pem = readFileSync(file, "utf8");
  } catch (err) {
    throw new WalletError(`cannot read ${file}: ${(err as Error).message}; give the path of a PEM private key file`, "bad-key");
  }
  const pair = await pairFromPem(pem, file);
  const encrypted = isEncryptedPem(pem);
  const out = encrypt && !encrypted ? privateKeyPem(pair, await newPassphrase(dir)) : pem;
  try {
    savePem(dir, pair, out);
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === "EEXIST") throw walletAlreadyExists(dir, undefined);
    throw cannotWrite(dir, err);
  }
  return { address: pair.address, wallet: dir, encrypted: encrypted || encrypt };
}

function cannotWrite(dir: string, err: unknown): WalletError {
  return new WalletError(`cannot write the wallet in ${dir}: ${(err as Error).message}`, "io-error");
}

/** The wallet's address: from public.key, or from private.key if public.key is missing. */
export async function walletAddress(dir: string): Promise<string> {
  if (!walletExists(dir)) throw noWallet(dir);
  try {
    const a = readPublicAddress(dir);
    if (a !== undefined) return a;
  } catch {
    // a damaged public.key: fall back to the private key
  }
  return (await loadSigningKey(dir)).address;
}

/** The signing key pair, asking for the passphrase when private.key is encrypted. */
export async function loadSigningKey(dir: string): Promise<KeyPair> {
  let pem: string;
  try {
    pem = readPrivatePem(dir);
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === "ENOENT") throw noWallet(dir);
    throw new WalletError(`cannot read ${privatePath(dir)}: ${(err as Error).message}`, "io-error");
  }
  return pairFromPem(pem, privatePath(dir));
}
