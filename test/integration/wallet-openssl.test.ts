/**
 * Keys and signatures from outside the project: an `openssl genpkey` key imported as a
 * wallet, a token transaction signed by `openssl pkeyutl` over canonical JSON written by hand,
 * an encrypted wallet, and token balances that survive a node restart.
 */
import { execFileSync, spawnSync } from "node:child_process";
import { createHash } from "node:crypto";
import { readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { http, type NodeProc, removeDir, startNode, tempDir } from "../helpers/node-process.js";
import { type CliOptions, fund, mine, wallet, walletOk } from "../helpers/wallet-cli.js";

const hasOpenssl = spawnSync("openssl", ["version"]).status === 0;

let node: NodeProc;
let dir: string;
let keyFile: string;
let address: string;
let network: string;
let token: string;
const opts = (name: string, env?: Record<string, string>): CliOptions => ({
  node: node.url,
  wallet: join(dir, name),
  ...(env ? { env } : {}),
});

function openssl(args: string[]): Buffer {
  return execFileSync("openssl", args, { stdio: ["ignore", "pipe", "pipe"], timeout: 10_000 });
}

/** Signs `message` with the OpenSSL key file: Ed25519 over the raw bytes. */
function opensslSign(message: string): string {
  const msg = join(dir, "msg.bin");
  const sig = join(dir, "sig.bin");
  writeFileSync(msg, message, "utf8");
  openssl(["pkeyutl", "-sign", "-inkey", keyFile, "-rawin", "-in", msg, "-out", sig]);
  return readFileSync(sig).toString("hex");
}

const sha256 = (s: string) => createHash("sha256").update(s, "utf8").digest("hex");

beforeAll(async () => {
  dir = tempDir("tc-openssl-");
  node = await startNode({ difficulty: 16 });
  network = (await http(`${node.url}/status`)).body.network;
});

afterAll(async () => {
  await node?.stop();
  if (node) removeDir(node.dataDir);
  if (dir) removeDir(dir);
});

describe.skipIf(!hasOpenssl)("keys and signatures made by OpenSSL", () => {
  it("imports an `openssl genpkey -algorithm ed25519` key; its address is the raw public key", async () => {
    keyFile = join(dir, "openssl.pem");
    openssl(["genpkey", "-algorithm", "ed25519", "-out", keyFile]);
    const raw = openssl(["pkey", "-in", keyFile, "-pubout", "-outform", "DER"]).subarray(-32).toString("hex");
    const imported = await walletOk(["import", keyFile], opts("imported"));
    address = imported.address;
    expect(address).toBe(raw);
    expect(readFileSync(join(dir, "imported", "private.key"), "utf8")).toBe(readFileSync(keyFile, "utf8"));
    const pub = openssl(["pkey", "-in", keyFile, "-pubout"]).toString();
    expect(readFileSync(join(dir, "imported", "public.key"), "utf8")).toBe(pub);
  });

  it("the imported key works as a wallet", async () => {
    await fund(node.url, address, 3);
    const other = (await walletOk(["new"], opts("other"))).address;
    await walletOk(["send", other, "2", "--yes"], opts("imported"));
    await mine(node.url);
    expect((await walletOk(["balance"], opts("imported"))).balance).toBe(1);
    expect((await walletOk(["balance"], opts("other"))).balance).toBe(2);
  });

  it("accepts a token_create and a token_transfer signed with openssl over hand-written canonical JSON", async () => {
    const nonce = (await http(`${node.url}/accounts/${address}`)).body.pending.nonce as number;
    // RFC 8785: keys sorted, no white space
    const create = `{"decimals":0,"fee":0,"name":"Outside","network":"${network}","nonce":${nonce},"sender":"${address}","supply":500,"symbol":"OUT","type":"token_create"}`;
    const sig = opensslSign(create);
    const withSig = `${create.slice(0, create.indexOf(',"supply"'))},"signature":"${sig}"${create.slice(create.indexOf(',"supply"'))}`;
    token = sha256(withSig);
    const posted = await http(`${node.url}/transactions`, { raw: withSig, headers: { "content-type": "application/json" } });
    expect(posted.status).toBe(201);
    expect(posted.body.id).toBe(token);

    const other = (await walletOk(["address"], opts("other"))).address;
    const transfer = `{"amount":120,"fee":0,"network":"${network}","nonce":${nonce + 1},"recipient":"${other}","sender":"${address}","token":"${token}","type":"token_transfer"}`;
    const tsig = opensslSign(transfer);
    const tx = { ...JSON.parse(transfer), signature: tsig };
    // the transfer needs the token, which exists once the creation is mined
    await mine(node.url);
    const r = await http(`${node.url}/transactions`, { body: tx });
    expect(r.status).toBe(201);
    const tamper = await http(`${node.url}/transactions`, { body: { ...tx, amount: 121, nonce: nonce + 2 } });
    expect(tamper.status).toBe(400);
    expect(tamper.body.code).toBe("bad-signature");
    await mine(node.url);
    expect((await http(`${node.url}/transactions/${r.body.id}`)).body.status).toBe("confirmed");
    expect((await walletOk(["token", "balance", token], opts("imported"))).balance).toBe(380);
    expect((await walletOk(["token", "balance", token], opts("other"))).balance).toBe(120);
    expect((await walletOk(["token", "info", token], opts("other"))).creator).toBe(address);
  });

  it("keeps token balances, allowances and events across a node restart", async () => {
    const other = (await walletOk(["address"], opts("other"))).address;
    await walletOk(["token", "approve", token, other, "7"], opts("imported"));
    await mine(node.url);
    const events = (await http(`${node.url}/tokens/${token}/events`)).body.events;
    expect(events).toHaveLength(3);
    const dataDir = node.dataDir;
    expect(await node.stop()).toBe(0);
    node = await startNode({ dataDir, difficulty: 16 });
    expect((await http(`${node.url}/tokens/${token}/balances/${address}`)).body.balance).toBe(380);
    expect((await http(`${node.url}/tokens/${token}/allowances/${address}/${other}`)).body.allowance).toBe(7);
    expect((await http(`${node.url}/tokens/${token}/events`)).body.events).toEqual(events);
    const acct = (await http(`${node.url}/accounts/${other}`)).body;
    expect(acct.tokens).toEqual([{ token, name: "Outside", symbol: "OUT", decimals: 0, balance: 120 }]);
    expect((await walletOk(["token", "balance", token], opts("other"))).balance).toBe(120);
  });
});

describe("encrypted wallet", () => {
  it("encrypts private.key with the passphrase, and refuses a wrong or missing one", async () => {
    const env = { TINYCHAIN_PASSPHRASE: "correct horse" };
    const made = await walletOk(["new", "--encrypt"], opts("locked", env));
    expect(made.encrypted).toBe(true);
    expect(readFileSync(join(dir, "locked", "private.key"), "utf8")).toContain("-----BEGIN ENCRYPTED PRIVATE KEY-----");
    // reading the address needs no passphrase
    expect((await walletOk(["address"], opts("locked"))).address).toBe(made.address);
    const to = made.address;
    const wrong = await wallet(["send", to, "1", "--yes"], opts("locked", { TINYCHAIN_PASSPHRASE: "wrong" }));
    expect(wrong.code).not.toBe(0);
    expect(wrong.json.code).toBe("wrong-passphrase");
    expect(wrong.stderr).toMatch(/wrong passphrase/);
    const missing = await wallet(["send", to, "1", "--yes"], opts("locked"));
    expect(missing.code).not.toBe(0);
    expect(missing.stderr).toMatch(/TINYCHAIN_PASSPHRASE/);
    // the right passphrase gets as far as the node, which refuses for lack of funds
    const right = await wallet(["send", to, "1", "--yes"], opts("locked", env));
    expect(right.json.code).toBe("insufficient-funds");
  });

  it.skipIf(!hasOpenssl)("OpenSSL reads the encrypted key with the same passphrase", () => {
    const out = openssl(["pkey", "-in", join(dir, "locked", "private.key"), "-passin", "pass:correct horse", "-pubout"]).toString();
    expect(out).toContain("-----BEGIN PUBLIC KEY-----");
  });
});
