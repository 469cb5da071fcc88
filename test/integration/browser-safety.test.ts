/**
 * docs/protocol.md §7 browser safety, against real node processes: a request to an operator route counts
 * as from loopback only if its peer address is loopback, its Host is a loopback name (or one
 * given with --allow-host), its Origin, if any, is the node's own and its Sec-Fetch-Site, if
 * any, is same-origin or none. Every refused request changes nothing (height, pool, peers).
 * Requests go through node:http, which sends the Host header given (fetch would not).
 */

import { readFileSync } from "node:fs";
import { request } from "node:http";
import { connect } from "node:net";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { key1 } from "../helpers/keys.js";
import { http, type NodeProc, removeDir, startNode } from "../helpers/node-process.js";

const DIFFICULTY = 16;
const nodes: NodeProc[] = [];
let node: NodeProc;
let allowing: NodeProc;
let strict: NodeProc;

async function start(args: string[] = []): Promise<NodeProc> {
  const n = await startNode({ difficulty: DIFFICULTY, args });
  nodes.push(n);
  return n;
}

beforeAll(async () => {
  [node, allowing, strict] = await Promise.all([start(), start(["--allow-host", "mynode.test,Other.Test"]), start(["--require-token"])]);
});

afterAll(async () => {
  for (const n of nodes) {
    await n.stop();
    removeDir(n.dataDir);
  }
});

interface Answer {
  status: number;
  body: { error?: string; code?: string } & Record<string, unknown>;
  headers: Record<string, string | string[] | undefined>;
}

/** One request to 127.0.0.1:port with exactly these headers (Host included). */
function call(port: number, method: string, path: string, headers: Record<string, string>, body?: unknown): Promise<Answer> {
  const data = body === undefined ? undefined : JSON.stringify(body);
  return new Promise((resolve, reject) => {
    const req = request(
      {
        host: "127.0.0.1",
        port,
        method,
        path,
        headers: {
          ...headers,
          ...(data === undefined ? {} : { "content-type": "application/json", "content-length": Buffer.byteLength(data) }),
        },
        setHost: headers.host === undefined,
        timeout: 30_000,
      },
      (res) => {
        let text = "";
        res.on("data", (d) => {
          text += d;
        });
        res.on("end", () => {
          let parsed: Answer["body"] = {};
          try {
            parsed = JSON.parse(text);
          } catch {
            // not JSON
          }
          resolve({ status: res.statusCode ?? 0, body: parsed, headers: res.headers });
        });
      },
    );
    req.on("timeout", () => req.destroy(new Error("timed out")));
    req.on("error", reject);
    req.end(data);
  });
}

/** Raw bytes to 127.0.0.1:port; the whole answer once the server closes. */
function rawRequest(port: number, text: string): Promise<string> {
  return new Promise((resolve, reject) => {
    const socket = connect(port, "127.0.0.1", () => socket.end(text));
    let out = "";
    socket.setEncoding("utf8");
    socket.on("data", (d: string) => {
      out += d;
    });
    socket.setTimeout(10_000, () => socket.destroy(new Error("timed out")));
    socket.on("error", reject);
    socket.on("close", () => resolve(out));
  });
}

/** Every operator route, and what a call of it sends. */
function operatorCalls(): Array<{ name: string; method: string; path: string; body?: unknown }> {
  const peer = "http://127.0.0.1:9"; // nothing listens there: a registration would keep it as an unreachable peer
  return [
    { name: "GET /mine", method: "GET", path: "/mine" },
    { name: "POST /mine", method: "POST", path: "/mine" },
    {
      name: "POST /transactions/new (node wallet)",
      method: "POST",
      path: "/transactions/new",
      body: { recipient: key1.address, amount: 1 },
    },
    { name: "POST /transaction/new (node wallet)", method: "POST", path: "/transaction/new", body: { recipient: key1.address, amount: 1 } },
    { name: "POST /nodes/register", method: "POST", path: "/nodes/register", body: { nodes: [peer] } },
    { name: "POST /miner/register", method: "POST", path: "/miner/register", body: { nodes: [peer] } },
    { name: "GET /nodes/resolve", method: "GET", path: "/nodes/resolve" },
    { name: "POST /nodes/resolve", method: "POST", path: "/nodes/resolve" },
    { name: "GET /miner/nodes/resolve", method: "GET", path: "/miner/nodes/resolve" },
    // the guard answers before the route looks the transaction up
    { name: "DELETE /transactions/{id}", method: "DELETE", path: `/transactions/${"ab".repeat(32)}` },
  ];
}

async function state(n: NodeProc) {
  const s = (await http(`${n.url}/status`)).body;
  const peers = (await http(`${n.url}/nodes`)).body.nodes;
  return { height: s.height, pending: s.pending, peers };
}

/** Each operator route with `headers` is refused with `status`, and the node is unchanged. */
async function expectRefused(n: NodeProc, headers: Record<string, string>, status: 401 | 403, code: string) {
  const before = await state(n);
  for (const c of operatorCalls()) {
    const r = await call(n.port, c.method, c.path, headers, c.body);
    expect(r.status, `${c.name} with ${JSON.stringify(headers)}: ${JSON.stringify(r.body)}`).toBe(status);
    expect(r.body.code).toBe(code);
    expect(r.body.error).toMatch(status === 403 ? /--allow-host|Authorization: Bearer/ : /Authorization: Bearer <token>/);
  }
  expect(await state(n)).toEqual(before);
}

describe("operator routes refuse what a web page could send", () => {
  const evil = "attacker.example";
  it.each([
    [
      "a rebinding page (Host and Origin of the attacker's name)",
      (p: number) => ({ host: `${evil}:${p}`, origin: `http://${evil}:${p}`, "sec-fetch-site": "same-origin" }),
    ],
    ["a rebinding <img> (the attacker's Host, no Origin)", (p: number) => ({ host: `${evil}:${p}`, "sec-fetch-site": "same-origin" })],
    ["a foreign Origin", (p: number) => ({ host: `127.0.0.1:${p}`, origin: "http://evil.example" })],
    ["Origin: null (a sandboxed frame, a file)", (p: number) => ({ host: `127.0.0.1:${p}`, origin: "null" })],
    [
      "another loopback origin (another port)",
      (p: number) => ({ host: `127.0.0.1:${p}`, origin: `http://127.0.0.1:${p + 1}`, "sec-fetch-site": "same-site" }),
    ],
    ["localhost for 127.0.0.1 (another origin)", (p: number) => ({ host: `127.0.0.1:${p}`, origin: `http://localhost:${p}` })],
    [
      "Sec-Fetch-Site: cross-site (an <img> or form of another site)",
      (p: number) => ({ host: `127.0.0.1:${p}`, "sec-fetch-site": "cross-site" }),
    ],
    ["Sec-Fetch-Site: same-site", (p: number) => ({ host: `localhost:${p}`, "sec-fetch-site": "same-site" })],
    ["two Origins, the first one right", (p: number) => ({ host: `127.0.0.1:${p}`, origin: `http://127.0.0.1:${p}, http://evil.example` })],
  ])("%s: 403, nothing changes", async (_what, headers) => {
    await expectRefused(node, headers(node.port), 403, "browser-refused");
  });

  it("two Host headers are a bad request (RFC 9112), whatever their order", async () => {
    const before = await state(node);
    for (const hosts of [
      ["localhost", "evil.example"],
      ["evil.example", "localhost"],
    ]) {
      const answer = await rawRequest(
        node.port,
        `GET /mine HTTP/1.1\r\n${hosts.map((h) => `Host: ${h}\r\n`).join("")}Connection: close\r\n\r\n`,
      );
      expect(answer.split("\r\n")[0]).toBe("HTTP/1.1 400 Bad Request");
    }
    expect(await state(node)).toEqual(before);
  });

  it("a foreign Host from a program (no browser headers) needs the token: 401, nothing changes", async () => {
    await expectRefused(node, { host: `${evil}:${node.port}` }, 401, "token-required");
    await expectRefused(node, { host: "" }, 401, "token-required");
  });

  it("with the token the same requests pass (a program of the user's)", async () => {
    const token = readFileSync(join(node.dataDir, "api.token"), "utf8").trim();
    const r = await call(node.port, "GET", "/mine", {
      host: `${evil}:${node.port}`,
      authorization: `Bearer ${token}`,
      origin: "http://evil.example",
    });
    expect(r.status, JSON.stringify(r.body)).toBe(200);
  });

  it("public routes stay open to anyone: reads, signed transactions, announcements", async () => {
    const headers = { host: `${evil}:${node.port}`, origin: "http://evil.example", "sec-fetch-site": "cross-site" };
    expect((await call(node.port, "GET", "/status", headers)).status).toBe(200);
    expect((await call(node.port, "GET", "/chain", headers)).status).toBe(200);
    const garbage = await call(node.port, "POST", "/transactions/new", headers, { type: "transfer", signature: "00" });
    expect(garbage.status).toBe(400); // judged as a transaction, not refused as an operator call
  });
});

describe("operator routes from this machine's own pages and programs", () => {
  it.each([
    ["no Host quirks, no browser headers", (_p: number) => ({})],
    ["Host localhost:PORT", (p: number) => ({ host: `localhost:${p}` })],
    ["Host 127.0.0.1:PORT", (p: number) => ({ host: `127.0.0.1:${p}` })],
    ["Host [::1]:PORT", (p: number) => ({ host: `[::1]:${p}` })],
    ["Host LOCALHOST without a port", (_p: number) => ({ host: "LOCALHOST" })],
    [
      "the explorer at http://127.0.0.1:PORT",
      (p: number) => ({ host: `127.0.0.1:${p}`, origin: `http://127.0.0.1:${p}`, "sec-fetch-site": "same-origin" }),
    ],
    [
      "the explorer at http://localhost:PORT",
      (p: number) => ({ host: `localhost:${p}`, origin: `http://localhost:${p}`, "sec-fetch-site": "same-origin" }),
    ],
    ["a typed URL (Sec-Fetch-Site: none)", (p: number) => ({ host: `localhost:${p}`, "sec-fetch-site": "none" })],
  ])("%s: /mine works", async (_what, headers) => {
    const r = await call(node.port, "GET", "/mine", headers(node.port));
    expect(r.status, JSON.stringify(r.body)).toBe(200);
  });

  it("the event stream tells the explorer whether its console may operate", async () => {
    const hello = async (headers: Record<string, string>) => {
      const controller = new AbortController();
      const res = await fetch(`${node.url}/events`, { headers, signal: controller.signal });
      const reader = (res.body as ReadableStream<Uint8Array>).getReader();
      let text = "";
      while (!text.includes("\n\n", text.indexOf("event: hello"))) text += new TextDecoder().decode((await reader.read()).value);
      controller.abort();
      return JSON.parse(/data: (.*)\n/.exec(text.slice(text.indexOf("event: hello")))?.[1] ?? "{}").operator;
    };
    expect(await hello({})).toBe(true);
    expect(await hello({ origin: "http://evil.example" })).toBe(false);
  });
});

describe("--allow-host and --require-token", () => {
  it("--allow-host admits exactly the names given (any case, any port), with their own origin", async () => {
    for (const host of ["mynode.test", `mynode.test:${allowing.port}`, `OTHER.test:${allowing.port}`]) {
      const r = await call(allowing.port, "GET", "/mine", { host });
      expect(r.status, `${host}: ${JSON.stringify(r.body)}`).toBe(200);
    }
    const own = await call(allowing.port, "POST", "/mine", {
      host: `mynode.test:${allowing.port}`,
      origin: `http://mynode.test:${allowing.port}`,
      "sec-fetch-site": "same-origin",
    });
    expect(own.status).toBe(200);
    await expectRefused(allowing, { host: `mynode.test.evil:${allowing.port}`, "sec-fetch-site": "same-origin" }, 403, "browser-refused");
    await expectRefused(allowing, { host: `sub.mynode.test:${allowing.port}` }, 401, "token-required");
    await expectRefused(allowing, { host: `mynode.test:${allowing.port}`, origin: "http://evil.example" }, 403, "browser-refused");
  });

  it("--require-token: loopback needs the token too, and the token works", async () => {
    await expectRefused(strict, {}, 401, "token-required");
    const token = readFileSync(join(strict.dataDir, "api.token"), "utf8").trim();
    const r = await call(strict.port, "GET", "/mine", { authorization: `Bearer ${token}` });
    expect(r.status).toBe(200);
  });

  it("refuses a malformed --allow-host at start", async () => {
    await expect(start(["--allow-host", "evil.example:80"])).rejects.toThrow(/not a host name/);
  });
});

describe("security headers on every answer", () => {
  const CSP = "default-src 'self'; frame-ancestors 'none'; base-uri 'none'; form-action 'self'";
  it.each(["/", "/docs", "/docs/static/index.html", "/status", "/openapi.json", "/no-such-route", "/blocks/zz"])("%s", async (path) => {
    const r = await call(node.port, "GET", path, {});
    // Swagger UI (/docs) also needs data: images and inline styles, and gets nothing more
    const csp = path.startsWith("/docs") ? `${CSP}; img-src 'self' data:; style-src 'self' 'unsafe-inline'` : CSP;
    expect(r.headers["content-security-policy"]).toBe(csp);
    expect(r.headers["x-frame-options"]).toBe("DENY");
    expect(r.headers["x-content-type-options"]).toBe("nosniff");
    expect(r.headers["access-control-allow-origin"]).toBeUndefined();
  });

  it("on refused operator calls and on the event stream too", async () => {
    const refused = await call(node.port, "GET", "/mine", { origin: "http://evil.example" });
    expect(refused.headers["x-frame-options"]).toBe("DENY");
    const res = await fetch(`${node.url}/events`, { signal: AbortSignal.timeout(5000) });
    expect(res.headers.get("x-frame-options")).toBe("DENY");
    expect(res.headers.get("content-security-policy")).toMatch(/frame-ancestors 'none'/);
    await res.body?.cancel();
  });

  it("no CORS preflight is granted", async () => {
    const r = await call(node.port, "OPTIONS", "/mine", {
      origin: "http://evil.example",
      "access-control-request-method": "POST",
      "access-control-request-headers": "content-type",
    });
    expect(r.headers["access-control-allow-origin"]).toBeUndefined();
    expect(r.headers["access-control-allow-methods"]).toBeUndefined();
  });
});
