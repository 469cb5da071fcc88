/**
 * Transfers signed outside the project: an Ed25519 key made by `openssl genpkey`, the signing
 * bytes built here by hand (docs/protocol.md §3), the signature made by `openssl pkeyutl`. Then the ways a
 * signed transfer is refused: tampered, replayed, overspent, used nonce, someone else's key,
 * wrong network; and two consecutive nonces mined in one block.
 */
import { execFileSync } from "node:child_process";
import { readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { key2, testKey } from "../helpers/keys.js";
import { http, type NodeProc, removeDir, startNode, tempDir } from "../helpers/node-process.js";
import { canonicalFlat, expectChainValidAt, expectErrorBody, idsOf, mine, mineN, sendFromNode, sha256Hex } from "./support.js";

const DIFFICULTY = 16;

let node: NodeProc;
let keyDir: string;
let keyPem: string;
/** The openssl key's address: its raw 32-byte public key, hex. */
let address: string;
let network: string;

function openssl(args: string[]): Buffer {
  return execFileSync("openssl", args, { timeout: 10_000, stdio: ["ignore", "pipe", "pipe"] });
}

let msgCount = 0;
/** Signs `bytes` with the openssl key, by openssl (OpenSSL 3 `pkeyutl -rawin`). */
function opensslSign(bytes: string): string {
  const msg = join(keyDir, `msg-${msgCount++}.bin`);
  writeFileSync(msg, bytes);
  const sig = openssl(["pkeyutl", "-sign", "-rawin", "-inkey", keyPem, "-in", msg]);
  expect(sig.length).toBe(64);
  return sig.toString("hex");
}

interface Transfer {
  type: "transfer";
  network: string;
  sender: string;
  recipient: string;
  amount: number;
  fee: number;
  nonce: number;
  signature: string;
}

function signedTransfer(fields: { recipient: string; amount: number; fee: number; nonce: number; network?: string }): Transfer {
  const unsigned = {
    type: "transfer" as const,
    network: fields.network ?? network,
    sender: address,
    recipient: fields.recipient,
    amount: fields.amount,
    fee: fields.fee,
    nonce: fields.nonce,
  };
  return { ...unsigned, signature: opensslSign(canonicalFlat(unsigned)) };
}

const idOf = (tx: Transfer): string => sha256Hex(canonicalFlat({ ...tx }));

beforeAll(async () => {
  keyDir = tempDir("tc-openssl-");
  keyPem = join(keyDir, "key.pem");
  openssl(["genpkey", "-algorithm", "ed25519", "-out", keyPem]);
  const der = openssl(["pkey", "-in", keyPem, "-pubout", "-outform", "DER"]);
  address = der.subarray(der.length - 32).toString("hex");
  expect(address).toMatch(/^[0-9a-f]{64}$/);
  expect(readFileSync(keyPem, "utf8")).toContain("-----BEGIN PRIVATE KEY-----");
  node = await startNode({ difficulty: DIFFICULTY });
  network = (await http(`${node.url}/status`)).body.network;
});

afterAll(async () => {
  await node?.stop();
  if (node) removeDir(node.dataDir);
  if (keyDir) removeDir(keyDir);
});

describe("a transfer signed with openssl", () => {
  let first: Transfer;

  it("is accepted with the id of docs/protocol.md §3 and confirmed by /mine", async () => {
    await mineN(node.url, 12);
    await sendFromNode(node.url, address, 10);
    await mine(node.url);
    const funded = await http(`${node.url}/accounts/${address}`);
    expect(funded.body).toMatchObject({ balance: 10, nonce: 0 });

    first = signedTransfer({ recipient: key2.address, amount: 3, fee: 1, nonce: 0 });
    const r = await http(`${node.url}/transactions/new`, { body: first });
    expect(r.status, r.text).toBe(201);
    expect(r.body.id).toBe(idOf(first));
    expect(r.body.message).toMatch(/^Transaction will be added to Block \d+$/);

    const pending = await http(`${node.url}/transactions/${r.body.id}`);
    expect(pending.body).toMatchObject({ status: "pending", transaction: { ...first, id: r.body.id } });

    const b = await mine(node.url);
    expect(idsOf(b.transactions)).toContain(r.body.id);
    expect(b.transactions[0]?.amount).toBe(1 + 1); // reward + the fee
    const confirmed = await http(`${node.url}/transactions/${r.body.id}`);
    expect(confirmed.body).toMatchObject({ status: "confirmed", block_index: b.index, confirmations: 1 });

    expect((await http(`${node.url}/accounts/${address}`)).body).toMatchObject({ balance: 6, nonce: 1 });
    expect((await http(`${node.url}/accounts/${key2.address}`)).body).toMatchObject({ balance: 3, nonce: 0 });
  });

  it("tampered (amount changed) → 400 bad-signature", async () => {
    for (const tampered of [
      { ...first, amount: 4 },
      { ...first, nonce: 1 },
      { ...first, recipient: testKey("thief").address, nonce: 1 },
    ]) {
      const r = await http(`${node.url}/transactions/new`, { body: tampered });
      expect(r.status, r.text).toBe(400);
      expectErrorBody(r.body, "bad-signature");
    }
  });

  it("replayed after confirmation → 409", async () => {
    for (const route of ["/transactions/new", "/transactions"]) {
      const r = await http(`${node.url}${route}`, { body: first });
      expect(r.status, r.text).toBe(409);
      expectErrorBody(r.body, "already-confirmed");
    }
  });

  it("overspending → 400 insufficient-funds", async () => {
    const r = await http(`${node.url}/transactions`, { body: signedTransfer({ recipient: key2.address, amount: 6, fee: 1, nonce: 1 }) });
    expect(r.status, r.text).toBe(400);
    expectErrorBody(r.body, "insufficient-funds");
    const huge = await http(`${node.url}/transactions`, {
      body: signedTransfer({ recipient: key2.address, amount: Number.MAX_SAFE_INTEGER, fee: Number.MAX_SAFE_INTEGER, nonce: 1 }),
    });
    expect(huge.status, huge.text).toBe(400);
    expectErrorBody(huge.body);
  });

  it("a used nonce → 409 nonce-too-low", async () => {
    const r = await http(`${node.url}/transactions/new`, {
      body: signedTransfer({ recipient: key2.address, amount: 1, fee: 0, nonce: 0 }),
    });
    expect(r.status, r.text).toBe(409);
    expectErrorBody(r.body, "nonce-too-low");
  });

  it("an unsigned tutorial-style transfer from another address → 400: the node does not hold that key", async () => {
    const r = await http(`${node.url}/transactions/new`, { body: { sender: address, recipient: key2.address, amount: 1 } });
    expect(r.status, r.text).toBe(400);
    expectErrorBody(r.body);
    expect(r.body.error).toMatch(/does not hold the key/);
    expect((await http(`${node.url}/accounts/${address}`)).body.pending.transactions).toBe(0);
  });

  it("another network → 400 bad-network", async () => {
    const r = await http(`${node.url}/transactions/new`, {
      body: signedTransfer({ recipient: key2.address, amount: 1, fee: 0, nonce: 1, network: "othernet" }),
    });
    expect(r.status, r.text).toBe(400);
    expectErrorBody(r.body, "bad-network");
  });

  it("a wrong id → 400", async () => {
    const tx = signedTransfer({ recipient: key2.address, amount: 1, fee: 0, nonce: 1 });
    const wrong = await http(`${node.url}/transactions`, { body: { ...tx, id: "0".repeat(64) } });
    expect(wrong.status, wrong.text).toBe(400);
    expectErrorBody(wrong.body);
    expect((await http(`${node.url}/transactions/pending`)).body.transactions).toEqual([]);
  });

  it("two pending transfers with consecutive nonces are both accepted and mined in one block", async () => {
    const a = signedTransfer({ recipient: key2.address, amount: 1, fee: 0, nonce: 1 });
    const b = signedTransfer({ recipient: testKey("other").address, amount: 2, fee: 2, nonce: 2 });
    const ra = await http(`${node.url}/transactions`, { body: { ...a, id: idOf(a) } }); // the right id may be given
    expect(ra.status, ra.text).toBe(201);
    const rb = await http(`${node.url}/transactions/new`, { body: b });
    expect(rb.status, rb.text).toBe(201);
    expect([ra.body.id, rb.body.id]).toEqual([idOf(a), idOf(b)]);

    const again = await http(`${node.url}/transactions`, { body: a });
    expect(again.status, again.text).toBe(409);
    expectErrorBody(again.body);

    const pending = await http(`${node.url}/transactions/pending`);
    expect(idsOf(pending.body.transactions).sort()).toEqual([idOf(a), idOf(b)].sort());
    const acct = await http(`${node.url}/accounts/${address}`);
    expect(acct.body).toMatchObject({ balance: 6, nonce: 1, pending: { balance: 1, nonce: 3, transactions: 2 } });

    const block = await mine(node.url);
    const ids = idsOf(block.transactions);
    expect(ids).toContain(idOf(a));
    expect(ids).toContain(idOf(b));
    expect(ids.indexOf(idOf(a))).toBeLessThan(ids.indexOf(idOf(b))); // nonce order within a sender
    expect(block.transactions[0]?.amount).toBe(1 + 2);
    for (const id of [idOf(a), idOf(b)]) {
      expect((await http(`${node.url}/transactions/${id}`)).body).toMatchObject({ status: "confirmed", block_index: block.index });
    }
    expect((await http(`${node.url}/accounts/${address}`)).body).toMatchObject({ balance: 1, nonce: 3 });
    expect((await http(`${node.url}/transactions/pending`)).body.transactions).toEqual([]);
    await expectChainValidAt(node.url, DIFFICULTY);
  });
});
