/**
 * What a web page can do to a node through the visitor's browser (docs/protocol.md §7 browser safety), in
 * real Chromium: a page of another origin on this machine tries an <img> of /mine, a
 * text/plain form post, fetch posts (no-cors and JSON) and framing the explorer's console; a
 * DNS-rebinding page (a name of the attacker's resolving to 127.0.0.1, as Chromium's
 * --host-resolver-rules makes it) runs same-origin script against the node. The node's
 * height, pool and peers stay as they were. The explorer's console keeps working when opened
 * as http://localhost:PORT/, and a token named with a bidi override is shown escaped.
 */
import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import type { Page } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { signTx } from "../helpers/factory.js";
import { key1, key2 } from "../helpers/keys.js";
import { http, type NodeProc, removeDir, startNode } from "../helpers/node-process.js";
import { openBrowser, type Session } from "./browser.js";

const REBOUND = "rebind.attacker.test";
let node: NodeProc;
let evil: Server;
let evilUrl: string;
let s: Session;
let page: Page;

/** The attacker's page: every cross-origin way a page can reach the node without help. */
function attackPage(target: string): string {
  const body = JSON.stringify({ recipient: key2.address, amount: 1 });
  const half = body.slice(0, -1); // a text/plain form sends name=value: the JSON is split around "="
  return `<!doctype html><html><body>
<img src="${target}/mine">
<img src="${target}/nodes/resolve">
<iframe name="sink" style="display:none"></iframe>
<form id="f" method="POST" enctype="text/plain" action="${target}/transactions/new" target="sink">
  <input type="hidden" name='${half},"x":"' value='"}'>
</form>
<iframe id="framed" src="${target}/#/console" width="600" height="400"></iframe>
<script>
  document.getElementById("f").submit();
  const posts = [
    fetch("${target}/mine", { method: "POST", mode: "no-cors" }),
    fetch("${target}/transactions/new", { method: "POST", mode: "no-cors", headers: { "content-type": "text/plain" }, body: ${JSON.stringify(body)} }),
    fetch("${target}/nodes/register", { method: "POST", mode: "no-cors", headers: { "content-type": "text/plain" }, body: '{"nodes":["http://127.0.0.1:9"]}' }),
    fetch("${target}/transactions/new", { method: "POST", headers: { "content-type": "application/json" }, body: ${JSON.stringify(body)} }),
  ];
  Promise.allSettled(posts).then((r) => { document.title = "done " + r.map((x) => x.status).join(","); });
</script></body></html>`;
}

async function state() {
  const st = (await http(`${node.url}/status`)).body;
  const peers = (await http(`${node.url}/nodes`)).body.nodes;
  return { height: st.height, pending: st.pending, peers };
}

beforeAll(async () => {
  node = await startNode({ difficulty: 16 });
  evil = createServer((_req, res) => {
    res.writeHead(200, { "content-type": "text/html; charset=utf-8" });
    res.end(attackPage(`http://127.0.0.1:${node.port}`));
  });
  await new Promise<void>((r) => evil.listen(0, "127.0.0.1", r));
  evilUrl = `http://127.0.0.1:${(evil.address() as AddressInfo).port}/`;
  s = await openBrowser([`--host-resolver-rules=MAP ${REBOUND} 127.0.0.1`]);
  page = s.page;
});

afterAll(async () => {
  await s?.close();
  await new Promise((r) => evil?.close(r));
  await node?.stop();
  if (node) removeDir(node.dataDir);
});

describe("a web page cannot drive the node", () => {
  it("another origin on this machine: <img>, a text/plain form, no-cors and JSON fetches, a frame — nothing changes", async () => {
    const before = await state();
    await page.goto(evilUrl);
    await expect.poll(() => page.title(), { timeout: 15_000 }).toMatch(/^done /);
    await page.waitForTimeout(1000); // the images and the form's navigation have had their answers
    expect(await state()).toEqual(before);
    // the console did not load in the frame (frame-ancestors 'none', X-Frame-Options: DENY)
    const framed = page.frames().find((f) => f !== page.mainFrame());
    const consoleButtons = framed ? await framed.locator("#mine").count() : 0;
    expect(consoleButtons).toBe(0);
    s.takeErrors(); // the refusals show up as console errors of the attacker's page
  });

  it("DNS rebinding: same-origin script under the attacker's name is refused (403; 401 without browser headers)", async () => {
    const before = await state();
    await page.goto(`http://${REBOUND}:${node.port}/`);
    const answers = await page.evaluate(async () => {
      const post = (path: string, body?: unknown) =>
        fetch(path, {
          method: "POST",
          ...(body ? { headers: { "content-type": "application/json" }, body: JSON.stringify(body) } : {}),
        }).then(async (r) => [r.status, ((await r.json()) as { code?: string }).code]);
      return [
        await post("/mine"),
        await post("/transactions/new", { recipient: "9645f2870e3d091a8e8868345698cbd6154fc192d983acb2f5931c88d8eb2ef7", amount: 1 }),
        await post("/nodes/register", { nodes: ["http://127.0.0.1:9"] }),
        await fetch("/mine").then((r) => r.status),
      ];
    });
    // a same-origin GET over plain http to a name that is not localhost carries neither Origin nor
    // Sec-Fetch-Site (Chromium sends those to trustworthy origins only): refused as any program's, 401
    expect(answers).toEqual([[403, "browser-refused"], [403, "browser-refused"], [403, "browser-refused"], 401]);
    expect(await state()).toEqual(before);
    s.takeErrors();
  });
});

describe("the node's own pages", () => {
  it("the explorer's console works when opened as http://localhost:PORT/", async () => {
    await page.goto(`http://localhost:${node.port}/#/console`);
    await page.waitForSelector("#mine");
    const height = (await state()).height;
    await page.click("#mine");
    await expect.poll(async () => (await state()).height, { timeout: 10_000 }).toBe(height + 1);
    expect(s.takeErrors()).toEqual([]);
  });

  it("/docs (Swagger UI) renders every route under its Content-Security-Policy, with no console error", async () => {
    await page.goto(`${node.url}/docs`);
    await expect.poll(() => page.locator(".opblock").count(), { timeout: 10_000 }).toBeGreaterThan(20);
    expect(s.takeErrors()).toEqual([]);
  });

  it("a token named with a bidi override shows it escaped, isolated from the text around it", async () => {
    const name = "\u202Egnp.exe";
    const create = signTx(key1, { type: "token_create", network: "devnet", name, symbol: "SPOOF", decimals: 0, supply: 5 });
    const r = await http(`${node.url}/transactions`, { body: create });
    expect(r.status, r.text).toBe(201);
    await http(`${node.url}/mine`, { method: "POST" });
    await page.goto(`${node.url}/#/token/${r.body.id}`);
    await expect.poll(async () => (await page.locator("h1").textContent()) ?? "").toBe("\\u202Egnp.exe (SPOOF)");
    expect(await page.locator("h1 bdi").count()).toBe(1);
    const shown = (await page.locator("main").textContent()) ?? "";
    expect(shown).not.toContain("\u202E");
    await page.goto(`${node.url}/#/tokens`);
    await expect.poll(async () => (await page.locator("main").textContent()) ?? "").toContain("\\u202Egnp.exe");
    expect(s.takeErrors()).toEqual([]);
  });
});
