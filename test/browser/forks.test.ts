/**
 * The explorer's Forks page in a real browser against real nodes: a side branch drawn in the
 * block tree, then the reorganisation that makes the old tip stale, with the payment it held
 * listed as returned to the pool; from the stale block, its transaction's page names that block
 * by hash (not the main chain's block of the same height). No console errors.
 */
import type { Page } from "playwright-core";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { key2 } from "../helpers/keys.js";
import { http, type NodeProc, removeDir, startNode } from "../helpers/node-process.js";
import { openBrowser, type Session } from "./browser.js";

const DIFFICULTY = 16;
let a: NodeProc;
let b: NodeProc;
let s: Session;
let page: Page;

type Mined = { index: number; hash: string; transactions: Array<{ id: string; type: string }> };
const mine = async (n: NodeProc): Promise<Mined> => {
  const r = await http(`${n.url}/mine`, { method: "POST" });
  expect(r.status, r.text).toBe(200);
  return r.body as Mined;
};
/** Sends `block` (mined on the other node) to `to` as a peer would. */
const announce = async (to: NodeProc, block: Mined, outcome: string) => {
  const full = (await http(`${(to === a ? b : a).url}/blocks/${block.hash}`)).body;
  const r = await http(`${to.url}/blocks`, { body: full });
  expect(r.status, r.text).toBeLessThan(300);
  expect(r.body.outcome).toBe(outcome);
};
const text = async (selector: string) => ((await page.locator(selector).first().textContent()) ?? "").trim();

beforeAll(async () => {
  a = await startNode({ difficulty: DIFFICULTY });
  b = await startNode({ difficulty: DIFFICULTY });
  s = await openBrowser();
  page = s.page;
});

afterAll(async () => {
  await s?.close();
  for (const n of [a, b]) {
    await n?.stop();
    if (n) removeDir(n.dataDir);
  }
});

afterEach(() => {
  expect(s.takeErrors(), "console errors in the browser").toEqual([]);
});

describe("the Forks page", () => {
  it("draws a side branch, then the reorganisation and the payment returned to the pool", { timeout: 60_000 }, async () => {
    // shared block 2; then A's block 3 holds a payment, B's block 3 competes with it
    await announce(b, await mine(a), "connected");
    const sent = await http(`${a.url}/transactions/new`, { body: { recipient: key2.address, amount: 1 } });
    expect(sent.status, sent.text).toBe(201);
    const a3 = await mine(a);
    expect(a3.transactions.map((t) => t.id)).toContain(sent.body.id);
    const b3 = await mine(b);
    await announce(a, b3, "side");

    await page.goto(`${a.url}/#/forks`);
    await page.waitForSelector(".fork-grid");
    expect(await text("h1")).toBe("Forks");
    expect(await page.locator("header nav a[href='#/forks']").getAttribute("aria-current")).toBe("page");
    expect(await page.locator(".blk-cell.stale").count()).toBe(1);
    expect(await page.locator(".blk-cell.stale").getAttribute("href")).toBe(`#/block/${b3.hash}`);
    expect(await text(".fork-grid")).toContain("1 block after #2");
    expect(await text("main")).toContain("has not reorganised");
    await s.screenshot("forks-side");

    // B's block 4 gives its branch more work: A reorganises, live, and its block 3 is now the stale one
    const b4 = await mine(b);
    await announce(a, b4, "reorganized");
    await expect.poll(() => page.locator(".reorg-entry").count(), { timeout: 5000 }).toBe(1);
    expect(await page.locator(".blk-cell.stale").getAttribute("href")).toBe(`#/block/${a3.hash}`);
    const entry = await text(".reorg-entry");
    expect(entry).toContain("forked after block #2");
    expect(entry).toContain("1 block left");
    expect(entry).toContain("1 transaction went back to the pool");
    expect(await page.locator(`.reorg-entry a[href='#/tx/${sent.body.id}']`).count()).toBe(1);
    await s.screenshot("forks-reorg");
    // at phone width the tree scrolls in its own box, the page does not scroll sideways
    const phone = await s.context.newPage();
    await phone.setViewportSize({ width: 390, height: 844 });
    await phone.goto(`${a.url}/#/forks`);
    await phone.waitForSelector(".reorg-entry");
    expect(await phone.evaluate("document.documentElement.scrollWidth - window.innerWidth")).toBeLessThanOrEqual(0);
    await s.screenshot("forks-phone", phone);
    await phone.close();

    // the stale block's page: its payment links to the transaction as seen in that block
    await page.click(".blk-cell.stale");
    await expect.poll(() => text("main")).toContain("not on the main chain");
    const txHref = `#/tx/${sent.body.id}/${a3.hash}`;
    expect(await page.locator(`a[href='${txHref}']`).count()).toBe(1);
    expect(await page.locator(`a[href='#/block/${a3.hash}']`).count()).toBeGreaterThan(0); // the Block column, by hash
    expect(await page.locator("a[href='#/block/3']").count()).toBe(0);
    await page.click(`a[href='${txHref}']`);
    await page.waitForSelector("#tx-side-block");
    expect(await page.locator("#tx-side-block a").getAttribute("href")).toBe(`#/block/${a3.hash}`);
    expect(await text("#tx-now")).toContain("back in the pool");
    await s.screenshot("tx-side-branch");
  });
});
