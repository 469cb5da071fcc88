/**
 * The block explorer at / in a real browser (Debian Chromium via playwright-core) against real
 * nodes: live updates over /events, search, the console's forms, the proof-of-work view, tokens,
 * a reorganisation; screenshots of every page go to test-output/screenshots/. No console errors.
 */
import type { Page } from "playwright-core";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { txId as txIdOf } from "../../src/core/encoding.js";
import { fingerprintColours } from "../../web/src/fingerprint.js";
import { signTx } from "../helpers/factory.js";
import { key1, key2, testKey } from "../helpers/keys.js";
import { http, type NodeProc, removeDir, startNode, waitFor } from "../helpers/node-process.js";
import { openBrowser, type Session } from "./browser.js";

const DIFFICULTY = 16;
const TARGET_16 = ((2n ** 256n - 1n) / 16n).toString(16).padStart(64, "0");

let node: NodeProc;
let s: Session;
let page: Page;
let nodeAddress: string;
/** The token the tokens test creates (ETC, 2 decimals, held by key1). */
let etc: string;

const mine = async (n: NodeProc = node) => {
  const r = await http(`${n.url}/mine`, { method: "POST" });
  expect(r.status, r.text).toBe(200);
  return r.body as { index: number; hash: string; transactions: Array<{ id: string; type: string }> };
};
const text = async (selector: string) => ((await page.locator(selector).first().textContent()) ?? "").trim();
const go = async (hash: string) => {
  await page.goto(`${node.url}/${hash}`);
};
async function search(q: string): Promise<void> {
  await page.fill("#q", q);
  await page.press("#q", "Enter");
}

beforeAll(async () => {
  node = await startNode({ difficulty: DIFFICULTY });
  nodeAddress = (await http(`${node.url}/status`)).body.address;
  s = await openBrowser();
  page = s.page;
});

afterAll(async () => {
  await s?.close();
  await node?.stop();
  if (node) removeDir(node.dataDir);
});

afterEach(() => {
  expect(s.takeErrors(), "console errors in the browser").toEqual([]);
});

describe("block explorer", () => {
  it("the overview shows a block within seconds of it being mined, without a reload", async () => {
    await page.goto(`${node.url}/`);
    await page.waitForSelector("#st-height");
    expect(await text("#st-height")).toBe("1");
    expect(await text("#st-network")).toBe("devnet");
    await expect.poll(() => page.locator("#live").getAttribute("data-state")).toBe("live");
    await page.evaluate("window.marker = 'same page'"); // gone if the page reloads

    const started = Date.now();
    const b = await mine();
    await expect.poll(() => text("#st-height"), { timeout: 5000, interval: 50 }).toBe("2");
    expect(Date.now() - started).toBeLessThan(5000);
    await expect.poll(() => text("#latest-blocks")).toContain(b.hash.slice(0, 8));
    expect(await page.evaluate("window.marker")).toBe("same page");
    await s.screenshot("overview");
  });

  it("the block page shows every header field, and the hash against its target", async () => {
    const b = (await http(`${node.url}/blocks/2`)).body;
    await go(`#/block/2`);
    await page.waitForSelector("#pow-hash");
    expect(await text("h1")).toBe("Block #2");
    expect(await text("#block-hash")).toBe(b.hash);
    expect(await text("#pow-hash")).toBe(b.hash);
    expect(await text("#pow-target")).toBe(TARGET_16);
    expect(await text("#pow-verdict")).toContain("valid proof of work");
    expect(await text("#hash-recomputed")).toContain("matches");
    const header = await text("main");
    for (const v of [b.tx_root, b.previous_hash, String(b.proof), String(b.timestamp)]) expect(header).toContain(v);
    await s.screenshot("block");
    await page.click("text=← previous #1");
    await expect.poll(() => text("h1")).toBe("Block #1");
  });

  it("search finds a block by height and hash, a transaction and an address", async () => {
    const b = (await http(`${node.url}/blocks/2`)).body;
    await go("#/");
    await search("2");
    await expect.poll(() => page.url()).toBe(`${node.url}/#/block/${b.hash}`);
    await page.waitForSelector("#pow-hash");

    await search(b.hash.toUpperCase());
    await expect.poll(() => page.url()).toBe(`${node.url}/#/block/${b.hash}`); // this search has landed before the next
    await expect.poll(() => text("h1")).toBe("Block #2");

    const coinbase = b.transactions[0].id as string;
    await search(coinbase);
    await expect.poll(() => page.url()).toBe(`${node.url}/#/tx/${coinbase}`);
    await page.waitForSelector("#tx-status");
    expect(await text("#tx-status")).toBe("confirmed");
    expect(await text("main")).toContain(coinbase);
    await s.screenshot("transaction-coinbase");

    await search(nodeAddress);
    await page.waitForSelector("#acct-balance");
    expect(await text("#address")).toBe(nodeAddress);
    expect(await text("#acct-balance")).toBe("1 coin");
    expect(await text("#history")).toContain(coinbase.slice(0, 8));
    await s.screenshot("account");

    await search("999999");
    await page.waitForSelector(".error");
    expect(await text(".error")).toContain("Nothing found");
    await s.screenshot("search-nothing");
  });

  it("the console mines a block and sends from the node wallet; the transaction shows pending, then confirmed", async () => {
    await go("#/console");
    await page.waitForSelector("#mine");
    await page.click("#mine");
    await expect.poll(() => text("#mine-result"), { timeout: 10_000 }).toContain("Forged new block.");

    await page.fill("#recipient", key2.address);
    await page.fill("#amount", "5000");
    await page.click("#send");
    await expect.poll(() => text("#send-result")).toContain("needs 5000");
    // The only console entry allowed: Chromium's own log line for the refused request.
    expect(s.takeErrors()).toEqual([expect.stringMatching(/status of 400 .*\/transactions\/new/)]);

    await page.fill("#recipient", key2.address);
    await page.fill("#amount", "1");
    await page.fill("#fee", "0");
    await page.click("#send");
    await expect.poll(() => text("#send-result")).toContain("Transaction will be added to Block");
    const href = (await page.locator("#send-result a").first().getAttribute("href")) as string;
    const id = href.replace("#/tx/", "");
    expect(id).toMatch(/^[0-9a-f]{64}$/);
    await expect.poll(() => text("#sent")).toContain("pending");
    await s.screenshot("console");

    await page.click("#send-result a");
    await page.waitForSelector("#tx-status");
    expect(await text("#tx-status")).toBe("pending");
    expect(await text("#sig-check")).toContain("valid");
    await s.screenshot("transaction-pending");

    const b = await mine();
    expect(b.transactions.map((t) => t.id)).toContain(id);
    await expect.poll(() => text("#tx-status"), { timeout: 5000 }).toBe("confirmed");
    expect(await text("#tx-confirmations")).toBe("1");
    await s.screenshot("transaction-confirmed");

    const acct = await http(`${node.url}/accounts/${key2.address}`);
    expect(acct.body.balance).toBe(1);
    await go(`#/address/${key2.address}`);
    await page.waitForSelector("#acct-balance");
    expect(await text("#acct-balance")).toBe("1 coin");
    expect(await text("#history")).toContain(id.slice(0, 8));
    await s.screenshot("account-recipient");
  });

  it("tokens: list, info, holders and events", async () => {
    const create = signTx(key1, {
      type: "token_create",
      network: "devnet",
      name: "Explorer Test Coin",
      symbol: "ETC",
      decimals: 2,
      supply: 100_000,
    });
    const token = txIdOf(create);
    // the transfer first: it waits for nonce 0 (the creation), and the pool and its page say so
    const send = signTx(key1, { type: "token_transfer", network: "devnet", nonce: 1, token, recipient: key2.address, amount: 2_550 });
    const q = await http(`${node.url}/transactions`, { body: send });
    expect(q.body).toMatchObject({ status: "queued", waiting_for_nonce: 0 });
    await go("#/pool");
    await expect.poll(() => text("main")).toContain("Pool (1 pending, 1 queued)");
    expect(await text("main")).toContain("queued — waits for nonce 0");
    await go(`#/tx/${q.body.id}`);
    await expect.poll(() => text("#tx-status")).toBe("pending queued — waits for nonce 0 of its sender");
    await s.screenshot("transaction-queued");
    await go(`#/address/${key1.address}`);
    await expect.poll(() => text("main")).toContain("queued — waits for nonce 0");
    const r = await http(`${node.url}/transactions`, { body: create });
    expect(r.status, r.text).toBe(201);
    expect(r.body.id).toBe(token);
    etc = token;
    await go("#/pool");
    await expect.poll(() => text("main")).toContain("Pool (2 pending)");
    // the account page (and its live re-render when the creation arrived) asked for the queued
    // transfer's token before any block made it: those 404s, and nothing else, are expected
    const missing = s.takeErrors();
    expect(missing.length).toBeGreaterThan(0);
    for (const e of missing) expect(e).toMatch(new RegExp(`status of 404 .*/tokens/${token}`));
    await s.screenshot("pool");
    await mine();

    await go("#/tokens");
    await expect.poll(() => text("main")).toContain("Explorer Test Coin");
    await s.screenshot("tokens");
    await search(token);
    await page.waitForSelector("main ul a"); // a token id is also its token_create transaction's id
    await page.click("main ul a:has-text('Token')");
    await expect.poll(() => text("h1")).toBe("Explorer Test Coin (ETC)");
    const main = await text("main");
    expect(main).toContain("1,000 ETC");
    expect(main).toContain("25.5 ETC");
    expect(main).toContain("974.5 ETC");
    await s.screenshot("token");
    await go(`#/address/${key2.address}`);
    await expect.poll(() => text("main")).toContain("25.5");
  });

  it("account history: a transfer_from is out for the owner, in for the recipient, moved for the spender; amounts in ETC", async () => {
    const carol = testKey("explorer carol");
    const approve = signTx(key1, { type: "token_approve", network: "devnet", nonce: 2, token: etc, spender: key2.address, amount: 1_000 });
    expect((await http(`${node.url}/transactions`, { body: approve })).status).toBe(201);
    await mine();
    const from = signTx(key2, {
      type: "token_transfer_from",
      network: "devnet",
      nonce: 0,
      token: etc,
      owner: key1.address,
      recipient: carol.address,
      amount: 500,
    });
    const r = await http(`${node.url}/transactions`, { body: from });
    expect(r.status, r.text).toBe(201);
    const id = r.body.id as string;
    await mine();
    const row = async (address: string) => {
      await go(`#/address/${address}`);
      const tr = page.locator(`#history tr:has(a[href="#/tx/${id}"])`);
      await tr.waitFor();
      return (await tr.locator("td").allTextContents()).join(" | ");
    };
    const owner = await row(key1.address);
    expect(owner).toMatch(/\bout\b/);
    expect(owner).toContain("5 ETC");
    expect(owner).not.toContain("base units");
    expect(owner).toContain(carol.address.slice(0, 8));
    const recipient = await row(carol.address);
    expect(recipient).toMatch(/\bin\b/);
    expect(recipient).toContain(key1.address.slice(0, 8));
    const spender = await row(key2.address);
    expect(spender).toContain("moved for");
    expect(spender).toContain(key1.address.slice(0, 8));
    expect(spender).not.toMatch(/\b(in|out)\b/);
    await s.screenshot("account-spender");
    // each address carries its fingerprint (four blocks), its own on the heading and the owner's on the link
    const fills = async (selector: string) =>
      page
        .locator(selector)
        .first()
        .locator("rect")
        .evaluateAll((rs) => rs.map((r) => r.getAttribute("fill")));
    expect(await fills("#address svg.addr-mark")).toEqual(fingerprintColours(key2.address));
    expect(await fills(`#history a[href="#/address/${key1.address}"] svg`)).toEqual(fingerprintColours(key1.address));
    expect(fingerprintColours(key1.address)).not.toEqual(fingerprintColours(key2.address));
  });

  it("peers and the chain view render; pages are readable at phone width", async () => {
    await go("#/peers");
    await expect.poll(() => text("h1")).toBe("Peers (0)");
    await s.screenshot("peers");
    await go("#/chain");
    await page.waitForSelector(".chain .blk.tip");
    await s.screenshot("chain");

    const phone = await s.context.newPage();
    const errors: string[] = [];
    phone.on("console", (m) => (m.type() === "error" ? errors.push(m.text()) : undefined));
    await phone.setViewportSize({ width: 390, height: 844 });
    for (const [name, hash, ready] of [
      ["overview-phone", "#/", "#st-height"],
      ["block-phone", "#/block/2", "#pow-hash"],
      ["console-phone", "#/console", "#send-form"],
    ] as const) {
      await phone.goto(`${node.url}/${hash}`);
      await phone.waitForSelector(ready);
      const overflow = await phone.evaluate("document.documentElement.scrollWidth - window.innerWidth");
      expect(overflow, `${name} scrolls sideways`).toBeLessThanOrEqual(0);
      await s.screenshot(name, phone);
    }
    await phone.close();
    expect(errors).toEqual([]);
  });

  it("a reorganisation shows which blocks were replaced, live", async () => {
    await go("#/chain");
    await page.waitForSelector(".chain .blk.tip");
    expect(await text("main")).toContain("No reorganisation");
    const height = (await http(`${node.url}/status`)).body.height as number;
    const other = await startNode({ difficulty: DIFFICULTY });
    try {
      for (let i = 0; i < height; i++) await mine(other);
      const reg = await http(`${node.url}/nodes/register`, { body: { nodes: [other.url] } });
      expect(reg.status, reg.text).toBe(201);
      await http(`${node.url}/nodes/resolve`, { method: "POST" });
      const last = await waitFor(async () => (await http(`${node.url}/reorg`)).body.last);
      expect(last.replaced.map((b: { index: number }) => b.index)).toEqual(Array.from({ length: height - 1 }, (_, i) => i + 2));
      await expect.poll(() => page.locator(".reorg .blk.replaced").count(), { timeout: 5000 }).toBe(height - 1);
      expect(await page.locator(".reorg .blk.joined").count()).toBe(height);
      await s.screenshot("chain-reorg");
      await page.click(".reorg .blk.replaced a >> nth=0");
      await expect.poll(() => text("main")).toContain("not on the main chain");
      await s.screenshot("block-replaced");
      await go("#/peers");
      await expect.poll(() => text("h1")).toBe("Peers (1)");
      expect(await text("main")).toContain(other.url.replace("http://", ""));
      await s.screenshot("peers-one");
    } finally {
      await go("#/chain");
      await other.stop();
      removeDir(other.dataDir);
    }
  });
});

describe("the console while a block is being searched for", () => {
  it("shows the search's progress (tries against the expected), and the node's answer when it stops", async () => {
    const slow = await startNode({ difficulty: 1_000_000_000_000 });
    try {
      await page.goto(`${slow.url}/#/console`);
      await page.waitForSelector("#mine");
      await page.click("#mine");
      await expect
        .poll(() => text("#mine-progress"), { timeout: 10_000 })
        .toMatch(/^Searching for block 2: [\d.]+ [kMG]? ?proofs tried, 1\.0 T expected on average \(\d+ %/);
      slow.proc.kill("SIGINT");
      await expect.poll(() => text("#mine-result"), { timeout: 10_000 }).toContain("shutting down");
      expect(s.takeErrors()).toEqual([expect.stringMatching(/status of 503/)]);
    } finally {
      await slow.stop();
      removeDir(slow.dataDir);
    }
  });
});
