/**
 * Bad input never gives a 5xx, a crash or a hang (docs/protocol.md §7): a table of malformed requests,
 * raw-socket abuse, and random JSON from fast-check; afterwards the node still answers and its
 * chain is valid.
 */
import fc from "fast-check";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { key1, key2 } from "../helpers/keys.js";
import { http, type NodeProc, startNode, stopAndRemove } from "../helpers/node-process.js";
import { expectChainValidAt, expectErrorBody, mine, rawExchange } from "./support.js";

const DIFFICULTY = 16;
const MiB = 1024 * 1024;
const R = key1.address;
const SIG = "ab".repeat(64);

let node: NodeProc;

beforeAll(async () => {
  node = await startNode({ difficulty: DIFFICULTY });
});

afterAll(() => stopAndRemove(node));

/** A well-formed (badly signed) transfer, to be broken one field at a time. */
const transfer = (over: Record<string, unknown> = {}) => ({
  type: "transfer",
  network: "devnet",
  sender: key2.address,
  recipient: R,
  amount: 1,
  fee: 0,
  nonce: 0,
  signature: SIG,
  ...over,
});

/** A well-formed (badly signed) token_create; `undefined` fields are left out of the JSON. */
const tokenCreate = (over: Record<string, unknown> = {}) =>
  transfer({
    type: "token_create",
    recipient: undefined,
    amount: undefined,
    name: "Coin",
    symbol: "COIN",
    decimals: 0,
    supply: 1,
    ...over,
  });

const block = (over: Record<string, unknown> = {}) => ({
  index: 2,
  timestamp: 1506092460,
  transactions: [],
  proof: 0,
  previous_hash: "0".repeat(64),
  difficulty: DIFFICULTY,
  tx_root: "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855",
  ...over,
});

interface Case {
  name: string;
  method?: string;
  path: string;
  body?: unknown;
  raw?: string;
  headers?: Record<string, string>;
  /** The exact status expected; any 4xx when absent. */
  status?: number;
  /**
   * POST /transactions takes a batch (an array) as an extension: 200 with one result per item,
   * each of which must then be an error. The number of items expected.
   */
  batch?: number;
}

const JSON_CT = { "content-type": "application/json" };
const BODY_ROUTES = ["/transactions/new", "/transaction/new", "/transactions", "/blocks"];
const deepObject = (n: number) => `${'{"a":'.repeat(n)}1${"}".repeat(n)}`;

const cases: Case[] = [
  // malformed JSON
  ...BODY_ROUTES.flatMap((path): Case[] => [
    { name: "truncated JSON", path, raw: '{"recipient":', headers: JSON_CT, status: 400 },
    { name: "not JSON", path, raw: "{bad", headers: JSON_CT, status: 400 },
    { name: "single quotes", path, raw: "{'amount': 1}", headers: JSON_CT, status: 400 },
    { name: "trailing garbage", path, raw: '{"amount":1}}', headers: JSON_CT, status: 400 },
    { name: "NaN literal", path, raw: '{"amount":NaN}', headers: JSON_CT, status: 400 },
    { name: "empty body", path, raw: "", headers: JSON_CT, status: 400 },
    { name: "whitespace body", path, raw: "   ", headers: JSON_CT, status: 400 },
    { name: "no body, no content type", path, method: "POST" },
    { name: "text/plain", path, raw: "hello", headers: { "content-type": "text/plain" } },
    { name: "text/plain holding JSON", path, raw: JSON.stringify({ recipient: R, amount: 1 }), headers: { "content-type": "text/plain" } },
    { name: "form encoded", path, raw: "recipient=x&amount=1", headers: { "content-type": "application/x-www-form-urlencoded" } },
    { name: "xml", path, raw: "<a/>", headers: { "content-type": "application/xml" } },
    { name: "json, odd charset", path, raw: "{}", headers: { "content-type": "application/json; charset=utf-16" } },
    { name: "array body", path, body: [], ...(path === "/transactions" ? { batch: 0 } : {}) },
    { name: "array of objects", path, body: [{ recipient: R, amount: 1 }], ...(path === "/transactions" ? { batch: 1 } : {}) },
    { name: "string body", path, body: "hello" },
    { name: "number body", path, body: 42 },
    { name: "null body", path, body: null },
    { name: "true body", path, body: true },
    { name: "empty object", path, body: {} },
    { name: "__proto__ key", path, raw: '{"__proto__":{"amount":1},"recipient":"x"}', headers: JSON_CT, status: 400 },
    { name: "constructor.prototype", path, raw: '{"constructor":{"prototype":{"x":1}}}', headers: JSON_CT, status: 400 },
    {
      name: "deeply nested array",
      path,
      raw: `${"[".repeat(100_000)}${"]".repeat(100_000)}`,
      headers: JSON_CT,
      ...(path === "/transactions" ? { batch: 1 } : {}),
    },
    { name: "deeply nested object", path, raw: deepObject(50_000), headers: JSON_CT },
    { name: "body over 1 MiB", path, raw: JSON.stringify({ recipient: "x".repeat(MiB + 10), amount: 1 }), headers: JSON_CT, status: 413 },
    { name: "text body over 1 MiB", path, raw: "x".repeat(MiB + 10), headers: { "content-type": "text/plain" }, status: 413 },
  ]),
  { name: "batch over the limit", path: "/transactions", body: Array.from({ length: 1001 }, () => ({})), status: 400 },
  { name: "batch of garbage", path: "/transactions", body: [1, "x", null, [], { type: "transfer" }], batch: 5 },
  // the node-wallet form of /transactions/new: {recipient, amount[, fee][, sender]}
  ...[
    ["missing amount", { recipient: R }],
    ["missing recipient", { amount: 1 }],
    ["extra field", { recipient: R, amount: 1, memo: "hi" }],
    ["amount as string", { recipient: R, amount: "1" }],
    ["amount as array", { recipient: R, amount: [1] }],
    ["amount as object", { recipient: R, amount: { n: 1 } }],
    ["amount true", { recipient: R, amount: true }],
    ["amount null", { recipient: R, amount: null }],
    ["amount 1.5", { recipient: R, amount: 1.5 }],
    ["amount 0", { recipient: R, amount: 0 }],
    ["amount -1", { recipient: R, amount: -1 }],
    ["amount 1e300", { recipient: R, amount: 1e300 }],
    ["amount 2^53", { recipient: R, amount: 2 ** 53 }],
    ["amount 2^53-1 (no coins)", { recipient: R, amount: 2 ** 53 - 1 }],
    ["fee -1", { recipient: R, amount: 1, fee: -1 }],
    ["fee 0.5", { recipient: R, amount: 1, fee: 0.5 }],
    ["fee as string", { recipient: R, amount: 1, fee: "0" }],
    ["fee 2^53-1 (no coins)", { recipient: R, amount: 1, fee: 2 ** 53 - 1 }],
    ["recipient as number", { recipient: 123, amount: 1 }],
    ["recipient uppercase", { recipient: R.toUpperCase(), amount: 1 }],
    ["recipient too short", { recipient: R.slice(2), amount: 1 }],
    ["recipient with NUL and RTL override", { recipient: "\u0000\u202e", amount: 1 }],
    ["recipient emoji", { recipient: "😀".repeat(32), amount: 1 }],
    ["recipient lone surrogate", { recipient: "\ud800", amount: 1 }],
    ["recipient huge string", { recipient: "a".repeat(500_000), amount: 1 }],
    ["sender someone else", { sender: key2.address, recipient: R, amount: 1 }],
    ["sender null", { sender: null, recipient: R, amount: 1 }],
    ["sender object", { sender: { a: 1 }, recipient: R, amount: 1 }],
    ["type without signature", { type: "transfer", recipient: R, amount: 1 }],
  ].map(([name, body]): Case => ({ name: name as string, path: "/transactions/new", body, status: 400 })),
  { name: "amount -0", path: "/transactions/new", raw: `{"recipient":"${R}","amount":-0}`, headers: JSON_CT, status: 400 },
  { name: "amount 1e309 (Infinity)", path: "/transactions/new", raw: `{"recipient":"${R}","amount":1e309}`, headers: JSON_CT, status: 400 },
  { name: "amount of 400 digits", path: "/transactions/new", raw: `{"recipient":"${R}","amount":${"9".repeat(400)}}`, headers: JSON_CT },
  { name: "amount deeply nested", path: "/transactions/new", raw: `{"recipient":"${R}","amount":${deepObject(50_000)}}`, headers: JSON_CT },
  {
    name: "fee deeply nested",
    path: "/transactions/new",
    raw: `{"recipient":"${R}","amount":1,"fee":${deepObject(50_000)}}`,
    headers: JSON_CT,
  },
  {
    name: "sender deeply nested",
    path: "/transactions/new",
    raw: `{"recipient":"${R}","amount":1,"sender":${deepObject(50_000)}}`,
    headers: JSON_CT,
  },
  {
    name: "recipient with control chars",
    path: "/transactions/new",
    raw: `{"recipient":"\\u0001\\u001f\\u007f","amount":1}`,
    headers: JSON_CT,
  },
  // signed transactions, broken one field at a time
  ...["/transactions/new", "/transactions"].flatMap((path) =>
    [
      ["bad signature", transfer()],
      ["missing nonce", (({ nonce: _n, ...t }) => t)(transfer())],
      ["extra field", transfer({ memo: "x" })],
      ["unknown type", transfer({ type: "mint" })],
      ["coinbase", { type: "coinbase", sender: "0", recipient: R, amount: 1, height: 2 }],
      ["amount 1.5", transfer({ amount: 1.5 })],
      ["amount -1", transfer({ amount: -1 })],
      ["amount 2^53", transfer({ amount: 2 ** 53 })],
      ["nonce 0.1", transfer({ nonce: 0.1 })],
      ["fee string", transfer({ fee: "1" })],
      ["signature short", transfer({ signature: "ab" })],
      ["signature uppercase", transfer({ signature: SIG.toUpperCase() })],
      ["network empty", transfer({ network: "" })],
      ["network lone surrogate", transfer({ network: "\ud800" })],
      ["network huge", transfer({ network: "n".repeat(100_000) })],
      ["network control chars", transfer({ network: "dev\u0000net" })],
      ["id wrong", transfer({ id: "0".repeat(64) })],
      ["id not hex", transfer({ id: 5 })],
      ["token_create bad symbol", tokenCreate({ symbol: "ü" })],
      ["token_create name lone surrogate", tokenCreate({ name: "\udc00" })],
      ["token_create name of 65", tokenCreate({ name: "n".repeat(65) })],
      ["token_create decimals 19", tokenCreate({ decimals: 19 })],
    ].map(([name, body]): Case => ({ name: `signed: ${name}`, path, body })),
  ),
  // blocks
  ...[
    ["missing fields", { index: 2 }],
    ["extra field", block({ extra: 1 })],
    ["index 0", block({ index: 0 })],
    ["index 1.5", block({ index: 1.5 })],
    ["timestamp negative", block({ timestamp: -1 })],
    ["timestamp 4 decimals", block({ timestamp: 1506092460.1234 })],
    ["timestamp string", block({ timestamp: "now" })],
    ["transactions object", block({ transactions: {} })],
    ["transactions of garbage", block({ transactions: [1, "x", null] })],
    ["difficulty 0", block({ difficulty: 0 })],
    ["difficulty huge", block({ difficulty: 1e300 })],
    ["previous_hash garbage", block({ previous_hash: "zz" })],
    ["unknown parent", block()],
    ["wrong hash", block({ hash: "0".repeat(64) })],
    ["genesis again, altered", block({ index: 1, previous_hash: "1" })],
  ].map(([name, body]): Case => ({ name: `block: ${name}`, path: "/blocks", body })),
  // unknown routes and methods
  { name: "unknown route", path: "/nope", status: 404 },
  { name: "unknown POST route", path: "/nope", body: {}, status: 404 },
  { name: "under a known route", path: "/blocks/1/extra", status: 404 },
  { name: "below /chain", path: "/chain/x", status: 404 },
  { name: "GET on a POST route", path: "/transactions/new", method: "GET" },
  { name: "DELETE", path: "/chain", method: "DELETE" },
  { name: "PUT", path: "/transactions/new", method: "PUT", body: {} },
  { name: "PATCH", path: "/mine", method: "PATCH" },
  { name: "PROPFIND", path: "/status", method: "PROPFIND" },
  { name: "OPTIONS", path: "/status", method: "OPTIONS" },
  // paths and query strings
  { name: "bad percent-encoding", path: "/blocks/%ZZ", status: 400 },
  { name: "truncated UTF-8 escape", path: "/transactions/%E0%A4%A", status: 400 },
  { name: "very long path parameter", path: `/blocks/${"a".repeat(300)}` },
  { name: "NUL in path parameter", path: "/blocks/%00", status: 400 },
  { name: "from negative", path: "/blocks?from=-1", status: 400 },
  { name: "from huge", path: "/blocks?from=1e999", status: 400 },
  { name: "limit float", path: "/blocks?limit=1.5", status: 400 },
  { name: "limit array", path: "/blocks?limit=1&limit=2" },
  { name: "history limit 0", path: `/accounts/${R}/transactions?limit=0`, status: 400 },
  { name: "history cursor garbage", path: `/accounts/${R}/transactions?before=1:2:3`, status: 400 },
  { name: "account not hex", path: "/accounts/not-an-address", status: 400 },
  { name: "transaction id not hex", path: "/transactions/%F0%9F%98%80", status: 400 },
];

describe("bad input gets a 4xx with {error} (or, in a batch, an {error} per item)", () => {
  it.each(
    cases.map((c) => [
      `${c.method ?? (c.body !== undefined || c.raw !== undefined ? "POST" : "GET")} ${c.path.slice(0, 60)}: ${c.name}`,
      c,
    ]),
  )("%s", async (_label, c) => {
    const r = await http(`${node.url}${c.path}`, {
      ...(c.method !== undefined ? { method: c.method } : {}),
      ...(c.body !== undefined ? { body: c.body } : {}),
      ...(c.raw !== undefined ? { raw: c.raw } : {}),
      ...(c.headers !== undefined ? { headers: c.headers } : {}),
      timeoutMs: 10_000,
    });
    if (c.batch !== undefined) {
      expect(r.status, r.text.slice(0, 300)).toBe(200);
      expect(r.body.accepted).toBe(0);
      expect(r.body.results).toHaveLength(c.batch);
      for (const item of r.body.results) expectErrorBody(item);
      return;
    }
    if (c.status !== undefined) expect(r.status, r.text.slice(0, 300)).toBe(c.status);
    expect(r.status, r.text.slice(0, 300)).toBeGreaterThanOrEqual(400);
    expect(r.status, r.text.slice(0, 300)).toBeLessThan(500);
    expectErrorBody(r.body);
    expect(r.text.length, "error answers stay short").toBeLessThan(2000);
  });
});

describe("path and query problems in plain words", () => {
  it("names the parameter, says what it must be and what was sent, with code bad-request", async () => {
    const expectations: Array<[string, string]> = [
      ["/accounts/bob", 'address must be 64 lowercase hexadecimal characters (an address: an Ed25519 public key), not "bob"'],
      [`/tokens/${R}/balances/XYZ`, 'address must be 64 lowercase hexadecimal characters (an address: an Ed25519 public key), not "XYZ"'],
      ["/blocks?limit=1.5", 'limit must be a whole number, not "1.5"'],
      [`/accounts/${R}/transactions?limit=0`, "limit must be at least 1, not 0"],
    ];
    for (const [path, message] of expectations) {
      const r = await http(`${node.url}${path}`);
      expect(r.status, path).toBe(400);
      expect(r.body, path).toEqual({ error: message, code: "bad-request" });
    }
  });
});

describe("raw HTTP abuse", () => {
  it("survives garbage, truncated bodies and half-sent requests", async () => {
    expect(await rawExchange(node.port, "HELLO\r\n\r\n")).toMatch(/^HTTP\/1\.1 400/);
    expect(await rawExchange(node.port, Buffer.from([0, 1, 2, 255, 254, 13, 10, 13, 10]))).toMatch(/^HTTP\/1\.1 400/);
    // a body shorter than its Content-Length, then the client goes away
    await rawExchange(
      node.port,
      'POST /transactions/new HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nContent-Length: 1000\r\n\r\n{"recipient":',
      { endAfter: true, waitMs: 500 },
    );
    // headers never finished
    await rawExchange(node.port, "GET /status HTTP/1.1\r\nHost: x\r\nX-Slow: ", { waitMs: 300 });
    // a bad Content-Length
    expect(
      await rawExchange(
        node.port,
        "POST /transactions HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nContent-Length: -5\r\n\r\n{}",
      ),
    ).toMatch(/^HTTP\/1\.1 4\d\d/);
    // chunked JSON that is fine on the wire but wrong as a transaction
    const chunked = await rawExchange(
      node.port,
      "POST /transactions HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nTransfer-Encoding: chunked\r\nConnection: close\r\n\r\n2\r\n{}\r\n0\r\n\r\n",
    );
    expect(chunked).toMatch(/^HTTP\/1\.1 400/);
    expect((await http(`${node.url}/status`)).status).toBe(200);
  });
});

describe("random JSON (fast-check)", () => {
  it("never gets a 5xx from /transactions/new, /transactions or /blocks", async () => {
    const hex64 = fc.stringMatching(/^[0-9a-f]{64}$/);
    const anyNumber = fc.oneof(
      fc.integer(),
      fc.double({ noNaN: true, noDefaultInfinity: true }),
      fc.constantFrom(0, -0, 2 ** 53, 1e300, -1),
    );
    // any code point, control characters, and lone surrogates (which canonical JSON cannot encode)
    const oddChar = fc.oneof(
      fc.string({ unit: "binary", minLength: 1, maxLength: 1 }),
      fc.integer({ min: 0xd800, max: 0xdfff }).map((c) => String.fromCharCode(c)),
    );
    const oddString = fc.string({ unit: oddChar, maxLength: 40 });
    const field = fc.oneof(fc.jsonValue({ maxDepth: 2 }), anyNumber, hex64, fc.string({ maxLength: 80 }), oddString);
    const nearTx = fc.record(
      {
        type: fc.oneof(
          fc.constantFrom("transfer", "coinbase", "token_create", "token_transfer", "token_approve", "token_transfer_from"),
          field,
        ),
        network: fc.oneof(fc.constant("devnet"), field),
        sender: fc.oneof(hex64, fc.constant("0"), field),
        recipient: fc.oneof(hex64, field),
        amount: fc.oneof(anyNumber, field),
        fee: fc.oneof(anyNumber, field),
        nonce: fc.oneof(anyNumber, field),
        signature: fc.oneof(fc.stringMatching(/^[0-9a-f]{128}$/), field),
        id: fc.oneof(hex64, field),
      },
      { requiredKeys: [] },
    );
    const walletReq = fc.record(
      { recipient: fc.oneof(hex64, field), amount: fc.oneof(anyNumber, field), fee: field, sender: field },
      { requiredKeys: [] },
    );
    const nearBlock = fc.record(
      {
        index: fc.oneof(anyNumber, field),
        timestamp: fc.oneof(anyNumber, field),
        transactions: fc.oneof(fc.array(nearTx, { maxLength: 3 }), field),
        proof: fc.oneof(anyNumber, field),
        previous_hash: fc.oneof(hex64, fc.constant("1"), field),
        difficulty: fc.oneof(anyNumber, field),
        tx_root: fc.oneof(hex64, field),
        hash: fc.oneof(hex64, field),
      },
      { requiredKeys: [] },
    );
    const body = fc.oneof(
      fc.jsonValue().map((v) => JSON.stringify(v)),
      fc.json(),
      fc.string(),
      fc.anything().map((v) => JSON.stringify(v) ?? "undefined"),
      nearTx.map((v) => JSON.stringify(v)),
      walletReq.map((v) => JSON.stringify(v)),
      nearBlock.map((v) => JSON.stringify(v)),
    );
    const route = fc.constantFrom("/transactions/new", "/transactions", "/blocks", "/transaction/new");
    let requests = 0;
    await fc.assert(
      fc.asyncProperty(route, body, async (path, raw) => {
        requests++;
        const r = await http(`${node.url}${path}`, { raw, headers: JSON_CT, timeoutMs: 10_000 });
        if (r.status >= 500 || r.status < 200)
          throw new Error(`${path} answered ${r.status} ${r.text.slice(0, 200)} to ${raw.slice(0, 300)}`);
        if (r.status >= 400) expectErrorBody(r.body);
      }),
      { numRuns: 300, seed: 20240601, endOnFailure: true, interruptAfterTimeLimit: 20_000 },
    );
    expect(requests).toBeGreaterThanOrEqual(100);
  }, 40_000);
});

describe("after all of it", () => {
  it("the node still answers, mines and has a valid chain; it logged no internal errors", async () => {
    expect(node.proc.exitCode).toBeNull();
    const s = await http(`${node.url}/status`);
    expect(s.status).toBe(200);
    expect(s.body.network).toBe("devnet");
    const b = await mine(node.url);
    expect(b.index).toBe(s.body.height + 1);
    await expectChainValidAt(node.url, DIFFICULTY);
    expect(node.output()).not.toMatch(/"level":(50|60)/);
  });
});
