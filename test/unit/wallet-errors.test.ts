/**
 * The wallet's failures say what to do: node unreachable, refusals with the node's message,
 * bad addresses, no wallet, wrong or missing passphrase, --wait timing out. Also: local
 * signing matches the docs/protocol.md §9 vector. Servers here listen on 127.0.0.1 only.
 */
import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { NodeClient, nodeUrl } from "../../src/wallet/client.js";
import { ApiError, WalletError } from "../../src/wallet/errors.js";
import { saveWallet } from "../../src/wallet/keyfile.js";
import { PASSPHRASE_ENV } from "../../src/wallet/passphrase.js";
import { WalletSession } from "../../src/wallet/session.js";
import { signTransaction } from "../../src/wallet/sign.js";
import { inUserUnits } from "../../src/wallet/token-refusal.js";
import { waitForConfirmation } from "../../src/wallet/wait.js";
import { createWallet, loadSigningKey, walletAddress } from "../../src/wallet/wallet-keys.js";
import { key1, key2 } from "../helpers/keys.js";
import { removeDir, tempDir } from "../helpers/node-process.js";

async function failure(p: Promise<unknown> | (() => unknown)): Promise<WalletError> {
  try {
    await (typeof p === "function" ? p() : p);
  } catch (err) {
    expect(err).toBeInstanceOf(WalletError);
    return err as WalletError;
  }
  throw new Error("expected a WalletError");
}

/** A stand-in node on 127.0.0.1 answering every request with `status` and `body`. */
async function fakeNode(status: number, body: unknown): Promise<{ url: string; server: Server }> {
  const server = createServer((_req, res) => {
    res.writeHead(status, { "content-type": "application/json" }).end(typeof body === "string" ? body : JSON.stringify(body));
  });
  await new Promise<void>((r) => server.listen(0, "127.0.0.1", r));
  return { url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`, server };
}

const servers: Server[] = [];
const dirs: string[] = [];
const savedPassphrase = process.env[PASSPHRASE_ENV];

function dir(): string {
  const d = tempDir("tc-wallet-unit-");
  dirs.push(d);
  return d;
}

afterEach(() => {
  if (savedPassphrase === undefined) delete process.env[PASSPHRASE_ENV];
  else process.env[PASSPHRASE_ENV] = savedPassphrase;
});

afterAll(async () => {
  for (const s of servers) await new Promise((r) => s.close(r));
  for (const d of dirs) removeDir(d);
});

describe("node unreachable", () => {
  let closedUrl: string;
  beforeAll(async () => {
    const { url, server } = await fakeNode(200, {});
    await new Promise((r) => server.close(r));
    closedUrl = url;
  });

  it("names the URL and says how to start a node", async () => {
    const e = await failure(new NodeClient(closedUrl).status());
    expect(e.code).toBe("node-unreachable");
    expect(e.message).toContain(closedUrl);
    expect(e.message).toMatch(/connection refused/);
    expect(e.message).toMatch(/`tinychain node`/);
    expect(e.message).toMatch(/--node URL/);
  });

  it("says when a URL answers but is not a tinychain node", async () => {
    const { url, server } = await fakeNode(200, "<html>hello</html>");
    servers.push(server);
    const e = await failure(new NodeClient(url).status());
    expect(e.code).toBe("not-a-node");
    expect(e.message).toContain(url);
  });

  it("refuses a --node that is not an http URL", async () => {
    expect((await failure(() => nodeUrl("ftp://example.org"))).message).toMatch(/http:\/\/ or https:\/\//);
    expect((await failure(() => nodeUrl("localhost 5000"))).message).toMatch(/not a URL/);
    expect(nodeUrl("http://127.0.0.1:5000/")).toBe("http://127.0.0.1:5000");
  });
});

describe("refusals", () => {
  it("insufficient funds: shows the node's message and what to do", async () => {
    const nodeMessage = "sender has 0 and this transaction needs 5 (amount 5 + fee 0)";
    const { url, server } = await fakeNode(400, { error: nodeMessage, code: "insufficient-funds" });
    servers.push(server);
    const { tx } = signTransaction(key1, { type: "transfer", recipient: key2.address, amount: 5 }, { network: "devnet", nonce: 0, fee: 0 });
    const e = await failure(new NodeClient(url).submit(tx));
    expect(e.code).toBe("insufficient-funds");
    expect(e.message).toContain(nodeMessage);
    expect(e.message).toMatch(/send coins to this wallet's address first/);
  });

  it("insufficient allowance: points at approve", async () => {
    const { url, server } = await fakeNode(400, {
      error: "x may spend 100 base units of y's token z, not 101",
      code: "insufficient-allowance",
    });
    servers.push(server);
    const { tx } = signTransaction(
      key1,
      { type: "token_transfer_from", token: "ab".repeat(32), owner: key2.address, recipient: key2.address, amount: 101 },
      { network: "devnet", nonce: 0, fee: 0 },
    );
    const e = await failure(new NodeClient(url).submit(tx));
    expect(e.message).toMatch(/may spend 100/);
    expect(e.message).toMatch(/token approve/);
  });
});

describe("token refusals in the units the user typed", () => {
  const ALC = { decimals: 2, symbol: "ALC" };
  const nodeSays = (code: string, message: string) => new ApiError(400, message, code, `refused: ${message}`);

  it("an allowance of 7000 base units against 80 ALC typed: whole tokens with the symbol", () => {
    const err = nodeSays("insufficient-allowance", `${key2.address} may spend 7000 base units of ${key1.address}'s token t, not 8000`);
    const e = inUserUnits(err, { token: ALC, units: 8000, raw: false, holder: key1.address }) as ApiError;
    expect(e.code).toBe("insufficient-allowance");
    expect(e.message).toContain(`this wallet may spend 70.00 ALC of ${key1.address}'s tokens, not 80.00 ALC`);
    expect(e.message).not.toMatch(/\b7000\b|\b8000\b/);
    expect(e.message).toMatch(/token approve/);
  });

  it("a token balance, and with --raw base units labelled as such", () => {
    const err = nodeSays("insufficient-token-balance", `${key1.address} holds 500 base units of token t, not 900`);
    const whole = inUserUnits(err, { token: ALC, units: 900, raw: false, holder: "this wallet" }) as ApiError;
    expect(whole.message).toContain("this wallet holds 5.00 ALC, not 9.00 ALC");
    const raw = inUserUnits(err, { token: ALC, units: 900, raw: true, holder: "this wallet" }) as ApiError;
    expect(raw.message).toContain("this wallet holds 500 base units, not 900 base units");
  });

  it("a message it cannot read still speaks in tokens; other errors pass unchanged", () => {
    const e = inUserUnits(nodeSays("insufficient-allowance", "no"), { token: ALC, units: 8000, raw: false, holder: "o" }) as ApiError;
    expect(e.message).toContain("this wallet's allowance from o is less than 80.00 ALC");
    const other = nodeSays("fee-too-low", "fee");
    expect(inUserUnits(other, { token: ALC, units: 1, raw: false, holder: "o" })).toBe(other);
  });
});

describe("arguments", () => {
  it("a bad address: a valid one is 64 lowercase hex characters, the Ed25519 public key", async () => {
    const s = new WalletSession({ wallet: dir(), node: "http://127.0.0.1:1" });
    for (const bad of ["abc", "0", key1.address.toUpperCase(), `${key1.address}00`, "zz".repeat(32)]) {
      const e = await failure(() => s.addressArg("recipient", bad));
      expect(e.code).toBe("bad-address");
      expect(e.message).toMatch(/64 lowercase hex characters, the Ed25519 public key/);
    }
    expect((await failure(() => s.addressArg("recipient", key1.address.toUpperCase()))).message).toMatch(/lowercase/);
    expect(s.addressArg("recipient", key1.address)).toBe(key1.address);
  });

  it("a bad token id says what a token id is", async () => {
    const s = new WalletSession({ wallet: dir(), node: "http://127.0.0.1:1" });
    const e = await failure(s.token("BAR"));
    expect(e.code).toBe("bad-token");
    expect(e.message).toMatch(/id of its token_create transaction/);
  });
});

describe("wallet files", () => {
  it("no wallet: says to run `tinychain wallet new`", async () => {
    const d = dir();
    for (const p of [loadSigningKey(d), walletAddress(d)]) {
      const e = await failure(p);
      expect(e.code).toBe("no-wallet");
      expect(e.message).toContain(d);
      expect(e.message).toMatch(/run `tinychain wallet new`/);
    }
  });

  it("refuses to overwrite an existing wallet", async () => {
    const d = dir();
    const made = await createWallet(d, false);
    const e = await failure(createWallet(d, false));
    expect(e.code).toBe("wallet-exists");
    expect(e.message).toContain(made.address);
    expect((await loadSigningKey(d)).address).toBe(made.address);
  });

  it("wrong passphrase: says so, and where the passphrase comes from", async () => {
    const d = dir();
    saveWallet(d, key1, "right one");
    process.env[PASSPHRASE_ENV] = "wrong one";
    const e = await failure(loadSigningKey(d));
    expect(e.code).toBe("wrong-passphrase");
    expect(e.message).toMatch(/wrong passphrase/);
    expect(e.message).toContain(PASSPHRASE_ENV);
    process.env[PASSPHRASE_ENV] = "right one";
    expect((await loadSigningKey(d)).address).toBe(key1.address);
  });

  it.skipIf(process.stdin.isTTY === true)("missing passphrase (no terminal): says how to give one", async () => {
    const d = dir();
    saveWallet(d, key2, "secret");
    delete process.env[PASSPHRASE_ENV];
    const e = await failure(loadSigningKey(d));
    expect(e.code).toBe("passphrase-needed");
    expect(e.message).toContain(PASSPHRASE_ENV);
    // the address needs no passphrase: it is read from public.key
    expect(await walletAddress(d)).toBe(key2.address);
  });
});

describe("--wait", () => {
  it("gives up after the timeout and says how to get the transaction mined", async () => {
    const id = "cd".repeat(32);
    const pending = { status: "pending", block_index: null, confirmations: 0 };
    const client = { url: "http://127.0.0.1:5000", transaction: async () => pending } as unknown as NodeClient;
    const e = await failure(waitForConfirmation(client, id, { timeoutSeconds: 0, sleep: async () => {} }));
    expect(e.code).toBe("wait-timeout");
    expect(e.message).toMatch(/still pending/);
    expect(e.message).toMatch(/--mine/);
  });

  it("says when the node dropped the transaction", async () => {
    const client = { url: "http://127.0.0.1:5000", transaction: async () => undefined } as unknown as NodeClient;
    const e = await failure(waitForConfirmation(client, "cd".repeat(32), { timeoutSeconds: 60, sleep: async () => {} }));
    expect(e.code).toBe("tx-dropped");
  });
});

describe("local signing", () => {
  it("matches the docs/protocol.md §9 transfer vector", () => {
    const { tx, id } = signTransaction(
      key1,
      { type: "transfer", recipient: key2.address, amount: 5 },
      { network: "devnet", nonce: 0, fee: 1 },
    );
    expect(tx.signature).toBe(
      "db31feb732f1194c5b2c499f79cae06f61377f174cd17d01a151a716d24b496eb215d27cf018daf35e4db80534220d8770d794a9dcdc0529409dbc5804735f09",
    );
    expect(id).toBe("a943745caf48a302a96937b8027c01dc5f2b86ef38bb112c1e5d999f2b6d1420");
  });
});
