/**
 * What is signed, rechecked in a real browser (Debian Chromium via playwright-core) against a
 * real node: a transaction's signing bytes, its id and Ed25519 signature verified with Web
 * Crypto, and the same check failing when the node's answer is tampered with on the way.
 */
import type { Page } from "playwright-core";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { signingText, txId } from "../../src/core/encoding.js";
import { signTx } from "../helpers/factory.js";
import { key1, testKey } from "../helpers/keys.js";
import { http, type NodeProc, removeDir, startNode } from "../helpers/node-process.js";
import { openBrowser, type Session } from "./browser.js";

let node: NodeProc;
let s: Session;
let page: Page;
/** Four signed token_create transactions by key 1, then mined: block 2 has 5 transactions. */
const created: ReturnType<typeof make>[] = [];
let block: { index: number; hash: string; tx_root: string; transactions: Array<{ id: string; type: string }> };

const make = (nonce: number) =>
  signTx(key1, {
    type: "token_create",
    network: "devnet",
    nonce,
    name: `Signé ✓ coin ${nonce}`,
    symbol: `SIG${nonce}`,
    decimals: 0,
    supply: 1000,
  });
const text = async (selector: string) => ((await page.locator(selector).first().textContent()) ?? "").trim();

beforeAll(async () => {
  node = await startNode({ difficulty: 16 });
  for (let nonce = 0; nonce < 4; nonce++) {
    const tx = make(nonce);
    const r = await http(`${node.url}/transactions`, { body: tx });
    expect(r.status, r.text).toBe(201);
    created.push(tx);
  }
  const r = await http(`${node.url}/mine`, { method: "POST" });
  expect(r.status, r.text).toBe(200);
  block = r.body;
  expect(block.transactions).toHaveLength(5);
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

describe("what was signed, checked in the browser", () => {
  it("a signed transaction's page shows its signing bytes and verifies its id and signature", async () => {
    const tx = created[0] as ReturnType<typeof make>;
    const id = txId(tx);
    await page.goto(`${node.url}/#/tx/${id}`);
    await page.waitForSelector("#sig-browser");
    expect(await text("#sig-browser")).toContain("signature valid ✓");
    expect(await text("#id-browser")).toContain("id matches ✓");
    expect(await text("#id-browser")).toContain(id);
    // the browser's canonical JSON is the node's, byte for byte (non-ASCII name included)
    const signing = signingText(tx);
    expect(await text("#signing-text")).toBe(signing);
    expect((await text("#signing-hex")).replace(/\s/g, "")).toBe(Buffer.from(signing).toString("hex"));
    expect(await text("main")).toContain(`The same ${Buffer.byteLength(signing)} bytes in hex`);
    expect(await text("#id-preimage")).toContain(`"signature":"${tx.signature}"`);
    await s.screenshot("transaction-signed");
  });

  it("an answer changed on the way (supply 1000 → 9000) fails both checks", async () => {
    const id = txId(created[1] as object);
    const pattern = `**/transactions/${id}`;
    await page.route(pattern, async (route) => {
      const res = await route.fetch();
      const body = await res.json();
      body.transaction.supply = 9000;
      await route.fulfill({ response: res, json: body });
    });
    try {
      await page.goto(`${node.url}/#/tx/${id}`);
      await page.waitForSelector("#sig-browser");
      expect(await text("#sig-browser")).toContain("signature invalid ✗");
      expect(await text("#id-browser")).toContain("id differs ✗");
      expect(await text("#signing-text")).toContain('"supply":9000');
      await s.screenshot("transaction-tampered");
    } finally {
      await page.unroute(pattern);
    }
  });

  it("a coinbase says it is not signed, and why; its id still checks", async () => {
    const coinbase = block.transactions[0] as { id: string };
    await page.goto(`${node.url}/#/tx/${coinbase.id}`);
    await page.waitForSelector("#sig-browser");
    expect(await text("#sig-browser")).toContain("not signed");
    expect(await text("main")).toContain("a coinbase is not signed");
    expect(await text("#id-browser")).toContain("id matches ✓");
    await s.screenshot("transaction-coinbase-signed");
  });

  it("a block with 5 transactions draws its Merkle tree, and the root computed here is tx_root", async () => {
    await page.goto(`${node.url}/#/block/${block.hash}`);
    await page.waitForSelector("#merkle-root");
    expect(await text("#merkle-root")).toContain("root matches tx_root ✓");
    expect(await text("#merkle-root")).toContain(block.tx_root);
    expect(await page.locator("#merkle-tree .node.leaf").count()).toBe(5);
    expect(await page.locator("#merkle-tree .node").count()).toBe(9); // 2n − 1
    expect(await page.locator("#merkle-tree .root").getAttribute("data-hash")).toBe(block.tx_root);
    expect(await page.locator("#merkle-tree .root.good").count()).toBe(1);
    const ids = await page.locator("#merkle-tree .leaf-id").evaluateAll((els) => els.map((e) => e.getAttribute("href")));
    expect(ids).toEqual(block.transactions.map((t) => `#/tx/${t.id}`));
    await s.screenshot("block-merkle");

    await page.click("#merkle-tree .leaf-id >> nth=1");
    await page.waitForSelector("#sig-browser");
    expect(await text("#sig-browser")).toContain("signature valid ✓");
  });

  it("transactions swapped on the way give another root: the check says it differs", async () => {
    const pattern = `**/blocks/${block.hash}`;
    await page.route(pattern, async (route) => {
      const res = await route.fetch();
      const body = await res.json();
      [body.transactions[1], body.transactions[2]] = [body.transactions[2], body.transactions[1]];
      await route.fulfill({ response: res, json: body });
    });
    try {
      await page.goto(`${node.url}/#/block/${block.hash}`);
      await page.waitForSelector("#merkle-root");
      expect(await text("#merkle-root")).toContain("root differs from tx_root ✗");
      expect(await page.locator("#merkle-tree .root.bad").count()).toBe(1);
    } finally {
      await page.unroute(pattern);
    }
  });

  it("the tree scrolls inside its box at phone width, not the page", async () => {
    const phone = await s.context.newPage();
    try {
      await phone.setViewportSize({ width: 390, height: 844 });
      await phone.goto(`${node.url}/#/block/${block.hash}`);
      await phone.waitForSelector("#merkle-tree");
      expect(await phone.evaluate("document.documentElement.scrollWidth - window.innerWidth")).toBeLessThanOrEqual(0);
      await s.screenshot("block-merkle-phone", phone);
    } finally {
      await phone.close();
    }
  });

  it("a block of 71 transactions folds pairs into one box, and its root still matches", async () => {
    for (let i = 0; i < 70; i++) {
      const key = testKey(`merkle ${i}`);
      const tx = signTx(key, { type: "token_create", network: "devnet", name: `Fold ${i}`, symbol: `F${i}`, decimals: 0, supply: 1 });
      const r = await http(`${node.url}/transactions`, { body: tx });
      expect(r.status, r.text).toBe(201);
    }
    const r = await http(`${node.url}/mine`, { method: "POST" });
    expect(r.status, r.text).toBe(200);
    const big = r.body as typeof block;
    expect(big.transactions).toHaveLength(71);
    await page.goto(`${node.url}/#/block/${big.hash}`);
    await page.waitForSelector("#merkle-root");
    expect(await text("#merkle-root")).toContain("root matches tx_root ✓");
    expect(await text("main")).toContain("71 transactions: subtrees of up to 2 are drawn as one box");
    // 64 + 4 + 2 + 1 leaves: 32 + 2 + 1 folded pairs, and the last transaction as a leaf of its own
    expect(await page.locator("#merkle-tree .node.folded").count()).toBe(35);
    expect(await page.locator("#merkle-tree .node.leaf").count()).toBe(1);
    // wider than the page: it opens scrolled so that the root is in view
    const rootInView = `(() => {
      const r = document.querySelector("#merkle-tree .root").getBoundingClientRect();
      const frame = document.querySelector(".merkle");
      const f = frame.getBoundingClientRect();
      return frame.scrollLeft > 0 && r.left >= f.left && r.right <= f.right;
    })()`;
    await expect.poll(() => page.evaluate(rootInView)).toBe(true);
    await s.screenshot("block-merkle-folded");
  });
});
