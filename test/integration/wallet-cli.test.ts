/**
 * The wallet CLI end to end against a real node: coins, then an ERC-20 token's whole life
 * (create, transfer, approve, transferFrom within and beyond the allowance, a zero-value
 * transfer, approve overwriting), checked against balances, allowances and the event list.
 */
import { statSync } from "node:fs";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { http, type NodeProc, removeDir, startNode, tempDir } from "../helpers/node-process.js";
import { type CliOptions, fund, mine, mineWhenPending, wallet, walletOk } from "../helpers/wallet-cli.js";

let node: NodeProc;
let dir: string;
const opts = (name: string): CliOptions => ({ node: node.url, wallet: join(dir, name) });
const addr: Record<string, string> = {};
let token = "";

beforeAll(async () => {
  dir = tempDir("tc-wallet-");
  node = await startNode({ difficulty: 16 });
  const names = ["alice", "bob", "carol", "dave"];
  const made = await Promise.all(names.map((name) => walletOk(["new"], opts(name))));
  names.forEach((name, i) => {
    addr[name] = made[i].address;
  });
});

afterAll(async () => {
  await node?.stop();
  if (node) removeDir(node.dataDir);
  if (dir) removeDir(dir);
});

async function tokenBalance(who: string): Promise<number> {
  return (await walletOk(["token", "balance", token, addr[who] as string], opts("alice"))).balance;
}

/** Token balances of several wallets at once. */
function tokenBalances(...who: string[]): Promise<number[]> {
  return Promise.all(who.map(tokenBalance));
}

async function allowance(owner: string, spender: string): Promise<number> {
  return (await walletOk(["token", "allowance", token, addr[owner] as string, addr[spender] as string], opts("alice"))).allowance;
}

describe("wallet keys", () => {
  it("makes a key pair with a 0600 private key and refuses to overwrite it", async () => {
    expect(addr.alice).toMatch(/^[0-9a-f]{64}$/);
    expect(statSync(join(dir, "alice", "private.key")).mode & 0o777).toBe(0o600);
    const again = await wallet(["new"], opts("alice"));
    expect(again.code).not.toBe(0);
    expect(again.json.error).toMatch(/already exists/);
    expect((await walletOk(["address"], opts("alice"))).address).toBe(addr.alice);
  });
});

describe("coins", () => {
  it("refuses to send to an address the chain has never seen, unless --yes or --new-address", async () => {
    const pendingBefore = (await http(`${node.url}/status`)).body.pending;
    const r = await wallet(["send", addr.bob as string, "1"], { ...opts("alice"), json: false });
    expect(r.code).not.toBe(0);
    expect(r.stderr).toContain("this address has never been seen on the chain: check it, or pass --yes to send anyway");
    expect(r.stderr).toContain(addr.bob);
    const j = await wallet(["send", addr.bob as string, "1"], opts("alice"));
    expect(j.json.code).toBe("unseen-address");
    expect((await http(`${node.url}/status`)).body.pending).toBe(pendingBefore);
    // with either flag the wallet goes on, to the node (which refuses: alice has no coins yet)
    for (const flag of ["--yes", "--new-address"]) {
      const past = await wallet(["send", addr.bob as string, "1", flag], opts("alice"));
      expect(past.json.code, flag).toBe("insufficient-funds");
    }
  });

  it("an address with a payment still pending counts as seen: the next send to it needs no --yes", async () => {
    // a wallet of its own, so the others' nonces and balances stay as the later tests expect
    await walletOk(["new"], opts("erin"));
    const erin = (await walletOk(["address"], opts("erin"))).address as string;
    await fund(node.url, erin, 2);
    await mine(node.url);
    const fresh = "7".repeat(64);
    expect((await wallet(["send", fresh, "1"], opts("erin"))).json.code).toBe("unseen-address");
    await walletOk(["send", fresh, "1", "--yes"], opts("erin"));
    await walletOk(["send", fresh, "1"], opts("erin")); // the first is pending: seen
    await mine(node.url);
    expect((await http(`${node.url}/accounts/${fresh}`)).body.balance).toBe(2);
  });

  it("funds the wallet, sends, and several sends in a row all land", async () => {
    await fund(node.url, addr.alice as string, 6);
    const before = await walletOk(["balance"], opts("alice"));
    expect(before.balance).toBe(6);
    const ids: string[] = [];
    for (const amount of ["1", "2", "3"]) ids.push((await walletOk(["send", addr.bob as string, amount, "--yes"], opts("alice"))).id);
    const pending = await walletOk(["balance"], opts("alice"));
    expect(pending.pending).toMatchObject({ balance: 0, nonce: 3, transactions: 3 });
    await mine(node.url);
    for (const id of ids) expect((await http(`${node.url}/transactions/${id}`)).body.status).toBe("confirmed");
    expect((await walletOk(["balance"], opts("bob"))).balance).toBe(6);
    const history = await walletOk(["history"], opts("alice"));
    expect(history.transactions.map((t: { transaction: { id: string } }) => t.transaction.id)).toEqual(expect.arrayContaining(ids));
  });

  it("history shows what was sent, received and paid in fees", async () => {
    await fund(node.url, addr.alice as string, 5);
    const sent = await walletOk(["send", addr.bob as string, "2", "--fee", "1"], opts("alice"));
    await mine(node.url);
    const text = await wallet(["history"], { ...opts("alice"), json: false });
    expect(text.code, text.stderr).toBe(0);
    const line = text.stdout.split("\n").find((l) => l.includes(sent.id));
    expect(line).toMatch(/sent\s+-2 coins to [0-9a-f]{8}…, fee 1 coins/);
    const bobs = await wallet(["history"], { ...opts("bob"), json: false });
    const received = bobs.stdout.split("\n").find((l) => l.includes(sent.id));
    expect(received).toMatch(/recv\s+\+2 coins from/);
    expect(received).not.toMatch(/, fee /); // the payer's fee is not the recipient's (and a hex id may end in "fee")
  });

  it("--wait returns once the transaction is confirmed", async () => {
    const [sent, index] = await Promise.all([
      walletOk(["send", addr.alice as string, "1", "--wait", "--timeout", "20"], opts("bob")),
      mineWhenPending(node.url),
    ]);
    expect(sent).toMatchObject({ status: "confirmed", block_index: index });
    expect(sent.id).toMatch(/^[0-9a-f]{64}$/);
  });

  it("refuses more than the balance with the node's message", async () => {
    const r = await wallet(["send", addr.bob as string, "1000"], opts("carol"));
    expect(r.code).not.toBe(0);
    expect(r.json.code).toBe("insufficient-funds");
    expect(r.stderr).toMatch(/sender has 0 and this transaction needs 1000/);
  });

  it("refuses a coin amount with decimals and a bad address before sending", async () => {
    const [dec, bad] = await Promise.all([
      wallet(["send", addr.bob as string, "1.5"], opts("alice")),
      wallet(["send", "ABC", "1"], opts("alice")),
    ]);
    expect(dec.code).not.toBe(0);
    expect(dec.json.error).toMatch(/whole number of coins/);
    expect(bad.code).not.toBe(0);
    expect(bad.json.error).toMatch(/64 lowercase hex characters, the Ed25519 public key/);
  });
});

describe("ERC-20 token", () => {
  it("creates a token: the whole supply to the creator, its id the transaction's id", async () => {
    const created = await walletOk(
      ["token", "create", "--name", "Bar Token", "--symbol", "BAR", "--decimals", "2", "--supply", "1000"],
      opts("alice"),
    );
    token = created.id;
    expect(created.token).toBe(token);
    await mine(node.url);
    const info = await walletOk(["token", "info", token], opts("bob"));
    expect(info).toMatchObject({ id: token, name: "Bar Token", symbol: "BAR", decimals: 2, total_supply: 100_000, creator: addr.alice });
    expect(await tokenBalance("alice")).toBe(100_000);
    const list = (await http(`${node.url}/tokens`)).body;
    expect(list.tokens.map((t: { id: string }) => t.id)).toContain(token);
  });

  it("transfers whole tokens with decimals, and refuses more decimals than the token has", async () => {
    const sent = await walletOk(["token", "transfer", token, addr.bob as string, "12.50"], opts("alice"));
    expect(Object.keys(sent)).toEqual(["id"]);
    const tooPrecise = await wallet(["token", "transfer", token, addr.bob as string, "0.001"], opts("alice"));
    expect(tooPrecise.code).not.toBe(0);
    expect(tooPrecise.json.error).toMatch(/BAR has 2 decimals/);
    await mine(node.url);
    expect(await tokenBalances("alice", "bob")).toEqual([98_750, 1_250]);
    const text = await wallet(["token", "balance", token], { ...opts("bob"), json: false });
    expect(text.stdout.trim()).toBe("12.50 BAR");
  });

  it("approve sets the allowance, and a second approve overwrites it", async () => {
    await walletOk(["token", "approve", token, addr.carol as string, "5"], opts("alice"));
    await mine(node.url);
    expect(await allowance("alice", "carol")).toBe(500);
    await walletOk(["token", "approve", token, addr.carol as string, "3"], opts("alice"));
    await mine(node.url);
    expect(await allowance("alice", "carol")).toBe(300);
  });

  it("transferFrom moves the owner's tokens within the allowance and lowers it", async () => {
    // dave has never been seen on the chain: a token transfer to him needs --yes too
    const unseen = await wallet(["token", "transfer-from", token, addr.alice as string, addr.dave as string, "2"], opts("carol"));
    expect(unseen.json.code).toBe("unseen-address");
    await walletOk(["token", "transfer-from", token, addr.alice as string, addr.dave as string, "2", "--yes"], opts("carol"));
    await mine(node.url);
    expect(await allowance("alice", "carol")).toBe(100);
    expect(await tokenBalances("alice", "dave", "carol")).toEqual([98_550, 200, 0]);
  });

  it("transferFrom beyond the allowance is refused (insufficient-allowance)", async () => {
    const r = await wallet(["token", "transfer-from", token, addr.alice as string, addr.dave as string, "1.01"], opts("carol"));
    expect(r.code).not.toBe(0);
    expect(r.json.code).toBe("insufficient-allowance");
    expect(r.stderr).toContain(`this wallet may spend 1.00 BAR of ${addr.alice}'s tokens, not 1.01 BAR`);
    const raw = await wallet(["token", "transfer-from", token, addr.alice as string, addr.dave as string, "101", "--raw"], opts("carol"));
    expect(raw.json.code).toBe("insufficient-allowance");
    expect(raw.json.error).toContain("may spend 100 base units of");
    expect(raw.json.error).toContain("not 101 base units");
    expect(await allowance("alice", "carol")).toBe(100);
  });

  it("a zero-value transfer is valid and emits Transfer", async () => {
    const [zero] = await Promise.all([
      walletOk(["token", "transfer", token, addr.dave as string, "0", "--wait", "--timeout", "20"], opts("bob")),
      mineWhenPending(node.url),
    ]);
    expect(zero.status).toBe("confirmed");
    expect(await tokenBalances("bob", "dave")).toEqual([1_250, 200]);
  });

  it("lists the events in chain order, as ERC-20 prescribes", async () => {
    const r = await http(`${node.url}/tokens/${token}/events`);
    expect(r.status).toBe(200);
    const events = r.body.events.map((e: Record<string, unknown>) => {
      const { tx_id, block_index, position, token: t, ...rest } = e;
      expect(t).toBe(token);
      expect(tx_id).toMatch(/^[0-9a-f]{64}$/);
      expect(block_index).toBeGreaterThan(1);
      expect(typeof position).toBe("number");
      return rest;
    });
    expect(events).toEqual([
      { event: "Transfer", from: "0", to: addr.alice, value: 100_000 },
      { event: "Transfer", from: addr.alice, to: addr.bob, value: 1_250 },
      { event: "Approval", owner: addr.alice, spender: addr.carol, value: 500 },
      { event: "Approval", owner: addr.alice, spender: addr.carol, value: 300 },
      { event: "Transfer", from: addr.alice, to: addr.dave, value: 200 },
      { event: "Transfer", from: addr.bob, to: addr.dave, value: 0 },
    ]);
    expect(r.body.events[0].tx_id).toBe(token);
    const page1 = (await http(`${node.url}/tokens/${token}/events?limit=4`)).body;
    expect(page1.events).toHaveLength(4);
    const page2 = (await http(`${node.url}/tokens/${token}/events?limit=4&after=${page1.next}`)).body;
    expect(page2.events).toHaveLength(2);
    expect(page2.next).toBeNull();
  });

  it("shows holdings with the account and in the wallet's balance", async () => {
    const account = (await http(`${node.url}/accounts/${addr.alice}`)).body;
    expect(account.tokens).toEqual([{ token, name: "Bar Token", symbol: "BAR", decimals: 2, balance: 98_550 }]);
    const text = await wallet(["balance"], { ...opts("alice"), json: false });
    expect(text.stdout).toContain("985.50 BAR");
    const holders = (await http(`${node.url}/tokens/${token}/holders`)).body;
    expect(holders.holders).toEqual([
      { address: addr.alice, balance: 98_550 },
      { address: addr.bob, balance: 1_250 },
      { address: addr.dave, balance: 200 },
    ]);
    const total = holders.holders.reduce((s: number, h: { balance: number }) => s + h.balance, 0);
    expect(total).toBe(100_000);
  });

  it("answers 404 for an unknown token, in the API and the wallet", async () => {
    const unknown = "ab".repeat(32);
    expect((await http(`${node.url}/tokens/${unknown}`)).status).toBe(404);
    const r = await wallet(["token", "info", unknown], opts("alice"));
    expect(r.code).not.toBe(0);
    expect(r.json.code).toBe("unknown-token");
  });
});
