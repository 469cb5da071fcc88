/**
 * Every limit the node sets, each with a test (RELIABILITY.md lists them):
 * - request body size: 1 MiB, 413 beyond, on every route that takes a body, with or without Content-Length;
 * - pool size (--pool-size): a full pool refuses a low fee with 503 and evicts for a higher one;
 * - per-peer answer size and time at registration (during sync they are covered by
 *   test/integration/p2p-lying-peers.test.ts "(h, i)");
 * - number of peers: 64, the 65th refused with 400;
 * - requests per second per client on public POST routes (--rate-limit 5 --rate-limit-loopback): 429 with Retry-After;
 *   charged by the work done (each transaction checked, more for each refused), so batches of
 *   bad signatures run out after a bounded amount of work; loopback is exempt only when the
 *   Host is a loopback name (not for a DNS-rebinding page);
 * - blocks per GET /blocks page: 500.
 * Every network exchange stays on 127.0.0.1.
 */
import { request as httpRequest, type ServerResponse } from "node:http";
import { connect } from "node:net";
import { afterEach, describe, expect, it } from "vitest";
import { devnetAt, extendChain, genesisBlock, keyFor, signTransfer, toApi } from "../harness/chains.js";
import { type FakePeer, sendJson, serveChain, startFakePeer } from "../harness/fake-peer.js";
import { inspectNode } from "../harness/inspect.js";
import { type RunningNode, removeDir, request, sleep, startNode, tempDir } from "../harness/proc.js";
import { rawExchange } from "../harness/raw-socket.js";

const DIFFICULTY = 16;
const PARAMS = devnetAt(DIFFICULTY);
const BODY_LIMIT = 1024 * 1024;

const nodes: RunningNode[] = [];
const peers: FakePeer[] = [];
const dirs: string[] = [];

afterEach(async () => {
  await Promise.allSettled(nodes.splice(0).map((n) => n.stop()));
  await Promise.allSettled(peers.splice(0).map((p) => p.close()));
  for (const d of dirs.splice(0)) removeDir(d);
});

async function node(args: string[] = []): Promise<RunningNode> {
  const dir = tempDir("tc-limits-");
  dirs.push(dir);
  const n = await startNode({ dataDir: dir, difficulty: DIFFICULTY, args });
  nodes.push(n);
  return n;
}

function expectError(r: { status: number; body: unknown; text: string }, status: number, code?: string): void {
  expect(r.status, r.text.slice(0, 300)).toBe(status);
  const b = r.body as { error?: unknown; code?: unknown };
  expect(typeof b?.error, r.text.slice(0, 300)).toBe("string");
  if (code !== undefined) expect(b.code).toBe(code);
}

/** POST `body` as JSON from `localAddress` (one of 127/8) with `host` as the Host header (bounded). */
function post(
  port: number,
  path: string,
  body: unknown,
  opts: { localAddress?: string; host?: string } = {},
): Promise<{ status: number; text: string; headers: Record<string, unknown> }> {
  return new Promise((resolve, reject) => {
    const data = JSON.stringify(body);
    const req = httpRequest(
      {
        host: "127.0.0.1",
        port,
        path,
        method: "POST",
        agent: false,
        ...(opts.localAddress ? { localAddress: opts.localAddress } : {}),
        headers: {
          "content-type": "application/json",
          "content-length": Buffer.byteLength(data),
          ...(opts.host ? { host: opts.host } : {}),
        },
        timeout: 30_000,
      },
      (res) => {
        let text = "";
        res.setEncoding("utf8");
        res.on("data", (d: string) => {
          text += d;
        });
        res.on("end", () => resolve({ status: res.statusCode ?? 0, text, headers: res.headers }));
        res.on("error", reject);
      },
    );
    req.on("timeout", () => req.destroy(new Error(`POST ${path}: no answer within 30 s`)));
    req.on("error", reject);
    req.end(data);
  });
}

/** A raw request on a socket; resolves to what came back (bounded), as soon as an answer is complete. */
function raw(port: number, data: Buffer[], waitMs = 10_000): Promise<string> {
  return rawExchange(port, data, { waitMs, encoding: "latin1", until: /\r\n\r\n[\s\S]*\}/ });
}

describe("request body size", () => {
  it("a body of exactly 1 MiB is read; one byte more is refused with 413, on every route that takes a body", {
    timeout: 120_000,
  }, async () => {
    const n = await node();
    const body = (size: number) => {
      const prefix = '{"x":"';
      return Buffer.from(`${prefix}${"a".repeat(size - prefix.length - 2)}"}`);
    };
    expect(body(BODY_LIMIT).length).toBe(BODY_LIMIT);
    for (const path of ["/transactions", "/transactions/new", "/transaction/new", "/blocks", "/nodes/register", "/mine"]) {
      const at = await request(`${n.url}${path}`, {
        body: body(BODY_LIMIT),
        headers: { "content-type": "application/json" },
        timeoutMs: 60_000,
      });
      expect(at.status, `${path}, exactly the limit: ${at.text.slice(0, 200)}`).not.toBe(413);
      expect(at.status).toBeLessThan(500);
      if (path === "/mine") continue; // /mine ignores its body: it mines
      expectError(at, 400);
      const over = await request(`${n.url}${path}`, {
        body: body(BODY_LIMIT + 1),
        headers: { "content-type": "application/json" },
        timeoutMs: 60_000,
      });
      expectError(over, 413);
    }
    // without a Content-Length (chunked), the limit holds as the bytes arrive
    const chunk = Buffer.from("x".repeat(64 * 1024));
    const chunks = Array.from({ length: 20 }, () =>
      Buffer.concat([Buffer.from(`${chunk.length.toString(16)}\r\n`), chunk, Buffer.from("\r\n")]),
    );
    const head = Buffer.from(
      "POST /transactions HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nTransfer-Encoding: chunked\r\nConnection: close\r\n\r\n",
    );
    const answer = await raw(n.port, [head, ...chunks, Buffer.from("0\r\n\r\n")]);
    expect(answer).toMatch(/^HTTP\/1\.1 413 /);
    expect(answer).toMatch(/"error":"the request body is too large"/);
    expect(n.alive()).toBe(true);
    expect((await inspectNode(n.url, { difficulty: DIFFICULTY, reward: 1 })).problems).toEqual([]);
  });
});

describe("a body declared over the limit", () => {
  it("gets its 413 before it is read, is drained, and the connection serves the next request", { timeout: 60_000 }, async () => {
    const n = await node();
    const sock = connect(n.port, "127.0.0.1");
    await new Promise((r, j) => {
      sock.once("connect", r);
      sock.once("error", j);
    });
    let got = "";
    sock.on("data", (d) => {
      got += d.toString("latin1");
    });
    const until = async (re: RegExp) => {
      const deadline = Date.now() + 15_000;
      while (!re.test(got) && Date.now() < deadline && !sock.destroyed) await sleep(20);
      return re.test(got);
    };
    const size = 2 * BODY_LIMIT;
    sock.write(`POST /transactions HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nContent-Length: ${size}\r\n\r\n`);
    expect(await until(/"code":"body-too-large"\}/), got).toBe(true); // answered before a byte of the body
    expect(got).toMatch(/^HTTP\/1\.1 413 /);
    expect(got).not.toMatch(/connection: close/i);
    for (let sent = 0; sent < size; sent += 64 * 1024) {
      if (!sock.write(Buffer.alloc(64 * 1024, 0x78))) await new Promise((r) => sock.once("drain", r));
    }
    got = "";
    sock.write("GET /status HTTP/1.1\r\nHost: x\r\n\r\n");
    expect(await until(/"genesis_hash"/), got).toBe(true);
    expect(got).toMatch(/^HTTP\/1\.1 200 /);
    sock.destroy();

    // declared far beyond what is drained: 413 and the connection closes
    const huge = await raw(n.port, [
      Buffer.from("POST /transactions/new HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nContent-Length: 100000000\r\n\r\n"),
    ]);
    expect(huge).toMatch(/^HTTP\/1\.1 413 /);
    expect(huge).toMatch(/connection: close/i);
    expect(n.alive()).toBe(true);
  });
});

describe("pool size", () => {
  it("--pool-size 3: a full pool refuses a fee that is not higher with 503 pool-full, and evicts the cheapest for a higher fee", {
    timeout: 120_000,
  }, async () => {
    const n = await node(["--pool-size", "3", "--sync-interval", "0"]);
    const [a, b, c, d, e] = ["a", "b", "c", "d", "e"].map((x) => keyFor(`limits pool ${x}`));
    if (!a || !b || !c || !d || !e) throw new Error("keys");
    // funding: 3 coins each (d: 8), mined offline
    let chain = extendChain(PARAMS, 0, a.address);
    for (const k of [a, b, c, e]) chain = extendChain(PARAMS, 3, k.address, { base: chain });
    chain = extendChain(PARAMS, 8, d.address, { base: chain });
    for (const blk of chain.slice(1)) expect((await request(`${n.url}/blocks`, { json: toApi(blk) })).status).toBe(202);
    const to = keyFor("limits pool recipient").address;
    const tx = (k: typeof a, fee: number) => signTransfer(k, { recipient: to, amount: 1, fee, nonce: 0, network: PARAMS.name });
    const first = [tx(a, 1), tx(b, 1), tx(c, 1)];
    for (const t of first) expect((await request(`${n.url}/transactions`, { json: t })).status).toBe(201);
    expect((await request(`${n.url}/status`)).body.pending).toBe(3);
    // full: the same fee, or a lower one, is refused
    expectError(await request(`${n.url}/transactions`, { json: tx(e, 1) }), 503, "pool-full");
    expectError(await request(`${n.url}/transactions`, { json: tx(e, 0) }), 503, "pool-full");
    // a higher fee evicts the cheapest (on a tie, the latest arrival: c's)
    const rich = tx(d, 5);
    expect((await request(`${n.url}/transactions`, { json: rich })).status).toBe(201);
    const pending = ((await request(`${n.url}/transactions/pending`)).body.transactions as Array<{ id: string }>).map((t) => t.id).sort();
    expect(pending).toEqual([first[0]?.id, first[1]?.id, rich.id].sort());
    expect((await request(`${n.url}/transactions/${first[2]?.id}`)).status).toBe(404);
    // the evicted transaction can come back once there is room
    expect((await request(`${n.url}/mine`, { timeoutMs: 60_000 })).status).toBe(200);
    expect((await request(`${n.url}/status`)).body.pending).toBe(0);
    expect((await request(`${n.url}/transactions`, { json: first[2] })).status).toBe(201);
    expect((await inspectNode(n.url, { difficulty: DIFFICULTY, reward: 1 })).problems).toEqual([]);
  });
});

describe("peers: answers bounded in size and time at registration", () => {
  it("a /status over 64 KiB is refused; one that never comes costs at most the deadline and the peer is kept as unreachable", {
    timeout: 120_000,
  }, async () => {
    const n = await node(["--sync-interval", "0"]);
    const genesis = genesisBlock(PARAMS);
    const honest = serveChain([genesis]);
    const big = await startFakePeer((req, res, path, q) =>
      path === "/status" ? sendJson(res, 200, { network: "devnet", padding: "p".repeat(200 * 1024) }) : honest(req, res, path, q),
    );
    const open: ServerResponse[] = [];
    const silent = await startFakePeer((_req, res) => {
      open.push(res); // never answered
    });
    peers.push(big, silent);
    const r1 = await request(`${n.url}/nodes/register`, { json: { nodes: [big.url] }, timeoutMs: 60_000 });
    expectError(r1, 400);
    expect(r1.body.error).toMatch(/limit/);
    const t0 = Date.now();
    const r2 = await request(`${n.url}/nodes/register`, { json: { nodes: [silent.url] }, timeoutMs: 60_000 });
    const ms = Date.now() - t0;
    for (const res of open) res.destroy();
    expect(r2.status, r2.text).toBe(201);
    expect(ms, "registration waits at most the /status deadline (3 s) plus slack").toBeLessThan(15_000);
    const listed = (await request(`${n.url}/nodes`)).body.peers as Array<{ node: string; failures: number }>;
    expect(listed.map((p) => p.node)).toEqual([`127.0.0.1:${silent.port}`]);
    expect(listed[0]?.failures).toBeGreaterThanOrEqual(1);
  });
});

describe("number of peers", () => {
  it("keeps 64 peers; the 65th is refused with 400", { timeout: 180_000 }, async () => {
    const n = await node(["--sync-interval", "0"]);
    const handler = serveChain([genesisBlock(PARAMS)]);
    for (let i = 0; i < 65; i++) peers.push(await startFakePeer(handler));
    // in a few requests: 60, then one by one
    const first = await request(`${n.url}/nodes/register`, { json: { nodes: peers.slice(0, 60).map((p) => p.url) }, timeoutMs: 120_000 });
    expect(first.status, first.text.slice(0, 300)).toBe(201);
    for (const p of peers.slice(60, 64))
      expect((await request(`${n.url}/nodes/register`, { json: { nodes: [p.url] }, timeoutMs: 60_000 })).status).toBe(201);
    expect((await request(`${n.url}/nodes`)).body.nodes).toHaveLength(64);
    const r = await request(`${n.url}/nodes/register`, { json: { nodes: [peers[64]?.url] }, timeoutMs: 60_000 });
    expectError(r, 400);
    expect(r.body.error).toMatch(/64/);
    expect((await request(`${n.url}/nodes`)).body.nodes).toHaveLength(64);
    expect((await request(`${n.url}/status`)).body.peers).toBe(64);
    // registering one already known is not a new peer: still fine
    expect((await request(`${n.url}/nodes/register`, { json: { nodes: [peers[0]?.url] } })).status).toBe(201);
  });
});

describe("requests per second per client", () => {
  it("--rate-limit 5 --rate-limit-loopback: public POST routes answer 429 with Retry-After beyond the burst; reads are not limited", {
    timeout: 120_000,
  }, async () => {
    const n = await node(["--rate-limit", "5", "--rate-limit-loopback"]);
    const statuses: number[] = [];
    let limited: Awaited<ReturnType<typeof request>> | undefined;
    for (let i = 0; i < 40; i++) {
      const r = await request(`${n.url}${i % 2 ? "/transactions" : "/blocks"}`, { json: {} });
      statuses.push(r.status);
      if (r.status === 429) limited ??= r;
    }
    expect(statuses.filter((s) => s === 400).length, statuses.join(",")).toBeGreaterThanOrEqual(5);
    expect(statuses.filter((s) => s === 400).length, statuses.join(",")).toBeLessThanOrEqual(20);
    expect(statuses.filter((s) => s === 429).length, statuses.join(",")).toBeGreaterThanOrEqual(15);
    if (limited === undefined) throw new Error("never limited");
    expectError(limited, 429, "rate-limited");
    const retry = Number(limited.headers["retry-after"]);
    expect(Number.isInteger(retry) && retry >= 1, `Retry-After: ${limited.headers["retry-after"]}`).toBe(true);
    // reads are not limited
    for (let i = 0; i < 30; i++) expect((await request(`${n.url}/status`)).status).toBe(200);
    // after Retry-After, POSTs are taken again
    await sleep(retry * 1000 + 200);
    expect((await request(`${n.url}/transactions`, { json: {} })).status).toBe(400);
  });

  it("without --rate-limit-loopback, loopback clients are exempt", { timeout: 60_000 }, async () => {
    const n = await node(["--rate-limit", "5"]);
    for (let i = 0; i < 40; i++) expect((await request(`${n.url}/transactions`, { json: {} })).status).toBe(400);
  });

  it("loopback is not exempt for a request whose Host is not a loopback name (a DNS-rebinding page)", { timeout: 60_000 }, async () => {
    const n = await node(["--rate-limit", "5"]);
    const statuses: number[] = [];
    for (let i = 0; i < 40; i++) statuses.push((await post(n.port, "/transactions", {}, { host: `attacker.example:${n.port}` })).status);
    expect(statuses.filter((s) => s === 429).length, statuses.join(",")).toBeGreaterThanOrEqual(15);
    // the node's own names stay exempt
    for (const host of [`localhost:${n.port}`, `127.0.0.1:${n.port}`]) {
      for (let i = 0; i < 20; i++) expect((await post(n.port, "/transactions", {}, { host })).status).toBe(400);
    }
  });

  it("batches of badly signed transactions are charged by the work: 429 after a bounded number of checks; other clients go on", {
    timeout: 120_000,
  }, async () => {
    const n = await node(["--rate-limit-loopback"]); // 100 per second, burst 200
    const key = keyFor("limits bad signer");
    const recipient = keyFor("limits r").address;
    // one signature, made for nonce 0, on transfers of other nonces: well formed, so each check is a full one, and false
    const signature = signTransfer(key, { recipient, amount: 1, nonce: 0, network: PARAMS.name }).signature;
    let nonce = 1;
    const badBatch = () =>
      Array.from({ length: 1000 }, () => ({
        type: "transfer",
        network: PARAMS.name,
        sender: key.address,
        recipient,
        amount: 1,
        fee: 0,
        nonce: nonce++,
        signature,
      }));
    // one after the other
    let checked = 0;
    let limited: { status: number; text: string; headers: Record<string, unknown> } | undefined;
    for (let i = 0; i < 30 && limited === undefined; i++) {
      const r = await post(n.port, "/transactions", badBatch(), { localAddress: "127.0.0.2" });
      if (r.status === 429) limited = r;
      else {
        expect(r.status, r.text.slice(0, 200)).toBe(200);
        expect(JSON.parse(r.text).results.every((x: { code?: string }) => x.code === "bad-signature")).toBe(true);
        checked += 1000;
      }
    }
    console.log(`one client, batches of 1,000 bad signatures one after another: ${checked} checked before the first 429`);
    if (limited === undefined) throw new Error(`never limited after ${checked} bad signatures`);
    expect(checked).toBeLessThanOrEqual(1000);
    expect(JSON.parse(limited.text).code).toBe("rate-limited");
    expect(Number(limited.headers["retry-after"])).toBeGreaterThanOrEqual(5);
    // it stays limited until its debt is paid off, whatever it sends
    expect((await post(n.port, "/transactions", {}, { localAddress: "127.0.0.2" })).status).toBe(429);
    // at once, from a fresh address: the work is paid before it is done, so few batches get through
    const batches = Array.from({ length: 20 }, badBatch);
    const answers = await Promise.all(batches.map((b) => post(n.port, "/transactions", b, { localAddress: "127.0.0.3" })));
    const done = answers.filter((r) => r.status === 200).length;
    console.log(
      `one client, 20 batches of 1,000 bad signatures at once: ${done} checked, ${answers.filter((r) => r.status === 429).length} refused with 429`,
    );
    // the burst pays for 4 batches' checks (200 tokens, 50 a batch); a little more refills before the first refusals are charged
    expect(done).toBeGreaterThanOrEqual(1);
    expect(done).toBeLessThanOrEqual(8);
    // another client is not affected: its transaction is checked (and refused for what it is, not rate-limited)
    const honest = keyFor("limits honest");
    const ok = await post(
      n.port,
      "/transactions",
      signTransfer(honest, { recipient: key.address, amount: 1, nonce: 0, network: PARAMS.name }),
      {
        localAddress: "127.0.0.4",
      },
    );
    expect(JSON.parse(ok.text).code, ok.text).toBe("insufficient-funds");
  });
});

describe("blocks per page", () => {
  it("GET /blocks gives at most 500 blocks, whatever limit is asked", { timeout: 180_000 }, async () => {
    const n = await node(["--sync-interval", "0"]);
    const chain = extendChain(PARAMS, 505, keyFor("limits page miner").address);
    for (const blk of chain.slice(1)) expect((await request(`${n.url}/blocks`, { json: toApi(blk) })).status).toBe(202);
    for (const limit of [501, 1000, 9007199254740991]) {
      const page = (await request(`${n.url}/blocks?from=1&limit=${limit}`)).body.blocks as Array<{ index: number }>;
      expect(page).toHaveLength(500);
      expect(page.at(-1)?.index).toBe(500);
    }
    expect(((await request(`${n.url}/blocks?from=500&limit=500`)).body.blocks as unknown[]).length).toBe(7);
  });
});
