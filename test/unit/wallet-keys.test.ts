/** The wallet directory: new, import (plain, encrypted, re-encrypted), address without the passphrase. */
import { readFileSync, statSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { afterAll, afterEach, describe, expect, it } from "vitest";
import { privateKeyPem, publicKeyPem } from "../../src/crypto/keys.js";
import { PASSPHRASE_ENV } from "../../src/wallet/passphrase.js";
import { createWallet, importWallet, loadSigningKey, walletAddress } from "../../src/wallet/wallet-keys.js";
import { key1, key2 } from "../helpers/keys.js";
import { removeDir, tempDir } from "../helpers/node-process.js";

const dirs: string[] = [];
const saved = process.env[PASSPHRASE_ENV];

function dir(): string {
  const d = tempDir("tc-wallet-keys-");
  dirs.push(d);
  return d;
}

afterEach(() => {
  if (saved === undefined) delete process.env[PASSPHRASE_ENV];
  else process.env[PASSPHRASE_ENV] = saved;
});

afterAll(() => {
  for (const d of dirs) removeDir(d);
});

describe("wallet keys", () => {
  it("new: private.key 0600 (PKCS#8 PEM) and public.key (SPKI PEM)", async () => {
    const d = join(dir(), "w");
    const w = await createWallet(d, false);
    expect(w.encrypted).toBe(false);
    expect(statSync(join(d, "private.key")).mode & 0o777).toBe(0o600);
    expect(readFileSync(join(d, "private.key"), "utf8")).toMatch(/^-----BEGIN PRIVATE KEY-----/);
    expect(readFileSync(join(d, "public.key"), "utf8")).toMatch(/^-----BEGIN PUBLIC KEY-----/);
    expect(await walletAddress(d)).toBe(w.address);
  });

  it("new --encrypt: encrypted PKCS#8 with the passphrase from the environment", async () => {
    const d = dir();
    process.env[PASSPHRASE_ENV] = "pw";
    const w = await createWallet(d, true);
    expect(readFileSync(join(d, "private.key"), "utf8")).toMatch(/^-----BEGIN ENCRYPTED PRIVATE KEY-----/);
    expect((await loadSigningKey(d)).address).toBe(w.address);
    process.env[PASSPHRASE_ENV] = "";
    await expect(createWallet(dir(), true)).rejects.toThrow(/empty/);
  });

  it("import copies a plain PEM byte for byte and writes public.key", async () => {
    const src = join(dir(), "key.pem");
    writeFileSync(src, privateKeyPem(key1));
    const d = dir();
    const w = await importWallet(d, src, false);
    expect(w).toMatchObject({ address: key1.address, encrypted: false });
    expect(readFileSync(join(d, "private.key"), "utf8")).toBe(readFileSync(src, "utf8"));
    expect(readFileSync(join(d, "public.key"), "utf8")).toBe(publicKeyPem(key1));
    expect(statSync(join(d, "private.key")).mode & 0o777).toBe(0o600);
  });

  it("import keeps an encrypted key encrypted, and --encrypt encrypts a plain one", async () => {
    const enc = join(dir(), "enc.pem");
    writeFileSync(enc, privateKeyPem(key2, "s3cret"));
    process.env[PASSPHRASE_ENV] = "s3cret";
    const d1 = dir();
    expect(await importWallet(d1, enc, false)).toMatchObject({ address: key2.address, encrypted: true });
    expect(readFileSync(join(d1, "private.key"), "utf8")).toBe(readFileSync(enc, "utf8"));

    const plain = join(dir(), "plain.pem");
    writeFileSync(plain, privateKeyPem(key1));
    const d2 = dir();
    expect(await importWallet(d2, plain, true)).toMatchObject({ address: key1.address, encrypted: true });
    expect(readFileSync(join(d2, "private.key"), "utf8")).toMatch(/ENCRYPTED/);
    expect((await loadSigningKey(d2)).address).toBe(key1.address);
  });

  it("import refuses what is not an Ed25519 private key, saying how to make one", async () => {
    const pub = join(dir(), "pub.pem");
    writeFileSync(pub, publicKeyPem(key1));
    await expect(importWallet(dir(), pub, false)).rejects.toThrow(/not an Ed25519 private key.*openssl genpkey -algorithm ed25519/);
    await expect(importWallet(dir(), join(dir(), "missing.pem"), false)).rejects.toThrow(/cannot read/);
  });
});
