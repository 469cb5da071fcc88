/**
 * Nobody in:
 * - operator routes (/mine, sending from the node's wallet, /nodes/register, /nodes/resolve and
 *   their aliases) from a real non-loopback address: 401 without the token or with a wrong
 *   one, success with the right one. The non-loopback client is a network namespace joined to
 *   this one by a veth pair on 10.200.X.0/30 (addresses of this test only, inside the sandbox);
 *   skipped, with the reason, when `ip netns` is not available;
 * - the API token and the wallet's private key are 0600 and never appear in the node's output
 *   (log level trace) or in any answer of a crawl of the GET routes;
 * - peer addresses: only http and https, no credentials (what p2p-register.test.ts does not
 *   already cover), and redirects are not followed — a 3xx is a failure.
 */
import { execFile, execFileSync, spawnSync } from "node:child_process";
import { readFileSync, statSync } from "node:fs";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { devnetAt, genesisBlock, keyFor, signTransfer } from "../harness/chains.js";
import { type FakePeer, type Handler, serveChain, startFakePeer } from "../harness/fake-peer.js";
import { inspectNode } from "../harness/inspect.js";
import { type RunningNode, removeDir, request, startNode, tempDir } from "../harness/proc.js";

const DIFFICULTY = 16;
const PARAMS = devnetAt(DIFFICULTY);

// --- a network namespace as a non-loopback client ---------------------------------------

const tag = process.pid % 100_000;
const NS = `tcrobust${tag}`;
const VETH_HOST = `tcr${tag}h`;
const VETH_NS = `tcr${tag}n`;
/** A 10.200.X.0/30 not in use on this host (another run of this test may hold one). */
function freeSubnet(): number {
  const used = spawnSync("ip", ["-o", "addr", "show"], { encoding: "utf8" }).stdout ?? "";
  for (let i = 0; i < 250; i++) {
    const x = ((tag + i) % 250) + 1;
    if (!used.includes(`10.200.${x}.`)) return x;
  }
  return (tag % 250) + 1;
}
const SUBNET = freeSubnet();
const HOST_IP = `10.200.${SUBNET}.1`;
const NS_IP = `10.200.${SUBNET}.2`;

function ip(args: string[]): void {
  execFileSync("ip", args, { stdio: "pipe", timeout: 10_000 });
}

function cleanupNamespace(): void {
  spawnSync("ip", ["netns", "delete", NS], { stdio: "ignore", timeout: 10_000 });
  spawnSync("ip", ["link", "delete", VETH_HOST], { stdio: "ignore", timeout: 10_000 });
}

/** Creates the namespace and the veth pair; returns why it could not, or undefined. */
function setUpNamespace(): string | undefined {
  if (typeof process.getuid === "function" && process.getuid() !== 0) return "not running as root (ip netns needs it)";
  if (spawnSync("ip", ["-V"], { stdio: "ignore" }).status !== 0) return "the `ip` command is not available";
  if (spawnSync("curl", ["--version"], { stdio: "ignore" }).status !== 0) return "curl is not available";
  try {
    cleanupNamespace();
    ip(["netns", "add", NS]);
    ip(["link", "add", VETH_HOST, "type", "veth", "peer", "name", VETH_NS]);
    ip(["link", "set", VETH_NS, "netns", NS]);
    ip(["addr", "add", `${HOST_IP}/30`, "dev", VETH_HOST]);
    ip(["link", "set", VETH_HOST, "up"]);
    ip(["netns", "exec", NS, "ip", "addr", "add", `${NS_IP}/30`, "dev", VETH_NS]);
    ip(["netns", "exec", NS, "ip", "link", "set", VETH_NS, "up"]);
    ip(["netns", "exec", NS, "ip", "link", "set", "lo", "up"]);
    return undefined;
  } catch (err) {
    cleanupNamespace();
    return `network namespaces are not available here: ${(err as Error).message.split("\n")[0]}`;
  }
}

const nsUnavailable = setUpNamespace();
if (nsUnavailable !== undefined) console.warn(`skipping the non-loopback operator tests: ${nsUnavailable}`);

/**
 * curl from inside the namespace (source address NS_IP); only ever to HOST_IP. Asynchronous,
 * so the scripted peers served by this process keep answering meanwhile.
 */
function curlFromNamespace(
  method: string,
  url: string,
  opts: { headers?: Record<string, string>; json?: unknown } = {},
): Promise<{ status: number; text: string; body: Record<string, unknown> | undefined }> {
  if (!url.startsWith(`http://${HOST_IP}:`)) throw new Error(`refusing to send test traffic to ${url}`);
  const args = ["netns", "exec", NS, "curl", "-sS", "-m", "60", "-X", method, "-w", "\n%{http_code}"];
  for (const [k, v] of Object.entries(opts.headers ?? {})) args.push("-H", `${k}: ${v}`);
  if (opts.json !== undefined) args.push("-H", "content-type: application/json", "--data-binary", JSON.stringify(opts.json));
  args.push(url);
  return new Promise((resolve, reject) => {
    execFile("ip", args, { encoding: "utf8", timeout: 90_000 }, (err, stdout) => {
      if (err && !stdout) return reject(err);
      const out = stdout ?? "";
      const cut = out.lastIndexOf("\n");
      const text = out.slice(0, cut);
      let body: Record<string, unknown> | undefined;
      try {
        body = JSON.parse(text);
      } catch {
        body = undefined;
      }
      resolve({ status: Number(out.slice(cut + 1)), text, body });
    });
  });
}

const started: RunningNode[] = [];
const fakes: FakePeer[] = [];
const dirs: string[] = [];

afterAll(async () => {
  await Promise.allSettled(started.map((n) => n.stop()));
  await Promise.allSettled(fakes.map((p) => p.close()));
  for (const d of dirs) removeDir(d);
  if (nsUnavailable === undefined) cleanupNamespace();
});

async function node(opts: { host?: string; args?: string[] } = {}): Promise<RunningNode> {
  const dir = tempDir("tc-security-");
  dirs.push(dir);
  const n = await startNode({ dataDir: dir, difficulty: DIFFICULTY, ...(opts.host ? { host: opts.host } : {}), args: opts.args ?? [] });
  started.push(n);
  return n;
}

describe.skipIf(nsUnavailable !== undefined)(
  `operator routes from a non-loopback address (${nsUnavailable ?? `${NS_IP} → ${HOST_IP}`})`,
  () => {
    let n: RunningNode;
    let token: string;
    let peer: FakePeer;

    beforeAll(async () => {
      n = await node({ host: HOST_IP, args: ["--sync-interval", "0"] });
      token = readFileSync(join(n.dataDir, "api.token"), "utf8").trim();
      peer = await startFakePeer(serveChain([genesisBlock(PARAMS)]));
      fakes.push(peer);
    });

    const operatorCalls = (): Array<[string, string, unknown]> => [
      ["GET", "/mine", undefined],
      ["POST", "/mine", undefined],
      ["POST", "/transactions/new", { recipient: keyFor("security r").address, amount: 1 }],
      ["POST", "/transaction/new", { recipient: keyFor("security r").address, amount: 1 }],
      ["POST", "/nodes/register", { nodes: [peer.url] }],
      ["POST", "/miner/register", { nodes: [peer.url] }],
      ["GET", "/nodes/resolve", undefined],
      ["POST", "/nodes/resolve", undefined],
      ["GET", "/miner/nodes/resolve", undefined],
      ["POST", "/miner/nodes/resolve", undefined],
    ];

    it("the client really is non-loopback: public routes answer it, and the node sees it as no operator", { timeout: 60_000 }, async () => {
      const s = await curlFromNamespace("GET", `http://${HOST_IP}:${n.port}/status`);
      expect(s.status, s.text).toBe(200);
      expect(s.body?.height).toBe(1);
      // a signed transaction is public: refused for what it is (no coins), not for a token
      const tx = signTransfer(keyFor("security unfunded"), {
        recipient: keyFor("security r").address,
        amount: 1,
        nonce: 0,
        network: PARAMS.name,
      });
      const t = await curlFromNamespace("POST", `http://${HOST_IP}:${n.port}/transactions/new`, { json: tx });
      expect(t.status, t.text).toBe(400);
      expect(t.body?.code).toBe("insufficient-funds");
      // listening beyond loopback, the node said at start what that means
      expect(n.output()).toMatch(/listening on 10\.200\.\d+\.1, not only loopback: operator routes need the token/);
    });

    it("without a token, or with a wrong one, every operator route answers 401 and does nothing", { timeout: 180_000 }, async () => {
      const wrong: Array<Record<string, string>> = [
        {},
        { authorization: "Bearer wrong" },
        { authorization: `Bearer ${token}x` },
        { authorization: `Bearer ${token.slice(0, -1)}` },
        { authorization: `Basic ${Buffer.from(`x:${token}`).toString("base64")}` },
        { authorization: token },
        { authorization: "Bearer" },
        { "x-api-token": token },
      ];
      for (const [method, path, body] of operatorCalls()) {
        for (const headers of wrong) {
          const r = await curlFromNamespace(method, `http://${HOST_IP}:${n.port}${path}`, {
            headers,
            ...(body !== undefined ? { json: body } : {}),
          });
          expect(r.status, `${method} ${path} ${JSON.stringify(headers).slice(0, 40)}: ${r.text.slice(0, 200)}`).toBe(401);
          expect(typeof r.body?.error).toBe("string");
          expect(r.text).not.toContain(token);
        }
        // the token in the query string is not a token either
        const q = await curlFromNamespace(
          method,
          `http://${HOST_IP}:${n.port}${path}?token=${token}`,
          body !== undefined ? { json: body } : {},
        );
        expect(q.status, `${method} ${path}?token=`).toBe(401);
      }
      const s = (await request(`http://${HOST_IP}:${n.port}/status`)).body;
      expect(s.height, "nothing was mined").toBe(1);
      expect(s.pending, "nothing was sent").toBe(0);
      expect(s.peers, "no peer was registered").toBe(0);
    });

    it("with the right token, each operator route succeeds", { timeout: 180_000 }, async () => {
      const auth = { authorization: `Bearer ${token}` };
      for (const [method, path, body] of operatorCalls()) {
        const r = await curlFromNamespace(method, `http://${HOST_IP}:${n.port}${path}`, {
          headers: auth,
          ...(body !== undefined ? { json: body } : {}),
        });
        const want = path.endsWith("register") || path.endsWith("/new") ? 201 : 200;
        expect(r.status, `${method} ${path}: ${r.text.slice(0, 300)}`).toBe(want);
      }
      // the scheme is case-insensitive, spaces around the token are tolerated
      const lower = await curlFromNamespace("GET", `http://${HOST_IP}:${n.port}/mine`, { headers: { authorization: `bearer   ${token}` } });
      expect(lower.status, lower.text).toBe(200);
      const s = (await request(`http://${HOST_IP}:${n.port}/status`)).body;
      expect(s.height).toBe(4);
      expect(s.peers).toBe(1);
      expect((await inspectNode(`http://${HOST_IP}:${n.port}`, { difficulty: DIFFICULTY, reward: 1 })).problems).toEqual([]);
    });
  },
);

// --- secrets ---------------------------------------------------------------------------------

/** Every string in `text` that is a form of a secret. */
function leaks(text: string, secrets: Record<string, string>): string[] {
  return Object.entries(secrets)
    .filter(([, v]) => v.length >= 16 && text.includes(v))
    .map(([k]) => k);
}

describe("secrets", () => {
  it("api.token and wallet/private.key are 0600 and appear in no log line and no GET answer", { timeout: 180_000 }, async () => {
    const n = await node({ args: ["--log-level", "trace", "--sync-interval", "1"] });
    const mode = (p: string) => statSync(p).mode & 0o777;
    expect(mode(join(n.dataDir, "api.token"))).toBe(0o600);
    expect(mode(join(n.dataDir, "wallet", "private.key"))).toBe(0o600);
    const token = readFileSync(join(n.dataDir, "api.token"), "utf8").trim();
    const pem = readFileSync(join(n.dataDir, "wallet", "private.key"), "utf8");
    const body = pem.replace(/-----[A-Z ]+-----/g, "").replace(/\s+/g, "");
    const der = Buffer.from(body, "base64");
    const seed = der.subarray(der.length - 32);
    const secrets = {
      "the API token": token,
      "the private key PEM body": body,
      "the private key PEM's first line of base64": (pem.split("\n")[1] ?? "").trim(),
      "the private key seed (hex)": seed.toString("hex"),
      "the private key seed (base64)": seed.toString("base64").replace(/=+$/, ""),
      "the private key seed (base64url)": seed.toString("base64url"),
    };
    // work that logs: mining, sending from the wallet, a peer, requests carrying the token (right and wrong)
    const peer = await startFakePeer(serveChain([genesisBlock(PARAMS)]));
    fakes.push(peer);
    for (let i = 0; i < 3; i++)
      expect((await request(`${n.url}/mine`, { headers: { authorization: `Bearer ${token}` }, timeoutMs: 60_000 })).status).toBe(200);
    const sent = await request(`${n.url}/transactions/new`, {
      json: { recipient: keyFor("security r").address, amount: 1 },
      headers: { authorization: `Bearer ${token}` },
    });
    expect(sent.status).toBe(201);
    expect(
      (await request(`${n.url}/nodes/register`, { json: { nodes: [peer.url] }, headers: { authorization: `Bearer ${token}x` } })).status,
    ).toBe(201);
    expect((await request(`${n.url}/nodes/resolve`, { headers: { authorization: `Bearer ${token}` }, timeoutMs: 60_000 })).status).toBe(
      200,
    );
    expect((await request(`${n.url}/blocks`, { json: { junk: token }, headers: { authorization: `Bearer ${token}` } })).status).toBe(400);
    const status = (await request(`${n.url}/status`)).body;

    // a crawl of the GET routes, and of the pages and assets they link
    const paths = new Set([
      "/",
      "/docs",
      "/docs/",
      "/docs/json",
      "/openapi.json",
      "/status",
      "/chain",
      "/blocks",
      "/blocks/1",
      "/blocks/2",
      `/blocks/${status.tip}`,
      "/nodes",
      "/transactions/pending",
      `/transactions/${sent.body.id}`,
      `/accounts/${status.address}`,
      `/accounts/${status.address}/transactions`,
      "/tokens",
      "/reorg",
      "/reorgs",
      "/chain/tips",
      `/search?q=${status.address}`,
      `/search?q=${sent.body.id}`,
      "/nodes/resolve",
      "/mine",
    ]);
    const seen = new Set<string>();
    const found: string[] = [];
    for (let round = 0; round < 3; round++) {
      for (const p of [...paths]) {
        if (seen.has(p)) continue;
        seen.add(p);
        const r = await request(`${n.url}${p}`, { timeoutMs: 60_000 });
        expect(r.status, `GET ${p}`).toBeLessThan(500);
        const all = `${JSON.stringify(r.headers)}\n${r.text}`;
        for (const what of leaks(all, secrets)) found.push(`GET ${p} shows ${what}`);
        for (const m of r.text.matchAll(/(?:src|href)="(\/[^"#?]*)"/g)) if (seen.size < 200) paths.add(m[1] as string);
        for (const m of r.text.matchAll(/(?:src|href)="\.\/([^"#?]*)"/g))
          if (seen.size < 200) paths.add(`${p.replace(/[^/]*$/, "")}${m[1]}`);
      }
    }
    const events = await request(`${n.url}/events`, { headOnly: true });
    expect(events.status).toBe(200);
    expect(seen.size).toBeGreaterThan(20);
    await n.stop();
    for (const what of leaks(n.output(), secrets)) found.push(`the node's output shows ${what}`);
    expect(found).toEqual([]);
    expect(n.output().length, "the trace log was captured").toBeGreaterThan(1000);
  });
});

// --- peer addresses and redirects -----------------------------------------------------------

describe("peer addresses", () => {
  it("only http and https, without credentials (cases beyond p2p-register.test.ts)", { timeout: 60_000 }, async () => {
    const n = await node({ args: ["--sync-interval", "0"] });
    for (const url of [
      "file:///etc/passwd",
      "javascript:alert(1)",
      "data:text/plain,hello",
      "ws://127.0.0.1:1",
      "wss://127.0.0.1:1",
      "gopher://127.0.0.1:70",
      "HTTP://user@127.0.0.1:1",
      "https://:secret@127.0.0.1:1",
      "http://user:pw@[::1]:1",
      "user:pw@127.0.0.1:1",
      "http:/127.0.0.1:1",
      "http://127.0.0.1:1#frag",
    ]) {
      const r = await request(`${n.url}/nodes/register`, { json: { nodes: [url] } });
      expect(r.status, `${url}: ${r.text}`).toBe(400);
      expect(typeof r.body.error).toBe("string");
    }
    expect((await request(`${n.url}/nodes`)).body.nodes).toEqual([]);
  });

  it("a peer answering 3xx is a failure: the redirect is not followed, at registration or later", { timeout: 120_000 }, async () => {
    const n = await node({ args: ["--sync-interval", "1"] });
    const genesis = genesisBlock(PARAMS);
    const target = await startFakePeer(serveChain([genesis], { status: { total_work: 10 ** 9, height: 1000 } }));
    fakes.push(target);
    const redirect =
      (status: number): Handler =>
      (req, res, path, query) => {
        res.writeHead(status, { location: `${target.url}${path}${query.size ? `?${query}` : ""}`, "content-length": "0" });
        res.end();
        void req;
      };
    for (const code of [301, 302, 303, 307, 308]) {
      const p = await startFakePeer(redirect(code));
      fakes.push(p);
      const r = await request(`${n.url}/nodes/register`, { json: { nodes: [p.url] }, timeoutMs: 60_000 });
      expect(r.status, `${code}: ${r.text}`).toBe(400);
      expect(r.body.error).toMatch(new RegExp(`${code}`));
    }
    expect(target.hits, "the redirect target was never asked").toEqual([]);
    // a registered peer that starts redirecting: resolve does not follow it, the peer is marked failing
    const honest = serveChain([genesis]);
    const turncoat = await startFakePeer(honest);
    fakes.push(turncoat);
    expect((await request(`${n.url}/nodes/register`, { json: { nodes: [turncoat.url] } })).status).toBe(201);
    turncoat.setHandler(redirect(302));
    const before = (await request(`${n.url}/status`)).body.tip;
    const r = await request(`${n.url}/nodes/resolve`, { timeoutMs: 60_000 });
    expect(r.status).toBe(200);
    expect(r.body.message).toBe("Our chain is authoritative");
    await new Promise((res) => setTimeout(res, 2500)); // background syncs meet the redirect too
    expect(target.hits, "the redirect target was never asked").toEqual([]);
    expect((await request(`${n.url}/status`)).body.tip).toBe(before);
    const listed = (await request(`${n.url}/nodes`)).body.peers as Array<{ node: string; failures: number; last_error?: string }>;
    const t = listed.find((p) => p.node === `127.0.0.1:${turncoat.port}`);
    expect(t?.failures, JSON.stringify(listed)).toBeGreaterThanOrEqual(1);
    expect(t?.last_error).toMatch(/302/);
  });
});
