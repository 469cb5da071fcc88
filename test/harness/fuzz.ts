/**
 * Fuzzing the public HTTP API with fast-check: random requests to every public route (random
 * JSON of every type, deep nesting, huge and unsafe numbers, -0, floats where integers belong,
 * unicode and control characters, duplicate keys written as raw JSON text, missing and extra
 * fields, random bytes, wrong content types, truncated bodies, raw-socket abuse). Invariant:
 * no answer is a 5xx, every 4xx is a docs/protocol.md §7 error body, the node never stops answering.
 * Requests are generated from a fixed seed (batches of `fc.sample`), so a run is reproducible.
 */
import { connect } from "node:net";
import fc from "fast-check";
import { request, sleep } from "./proc.js";

export interface FuzzContext {
  /** A valid signed transaction (API form, with id) of a funded sender. */
  tx: Record<string, unknown>;
  /** A valid block on the node's tip (API form). */
  block: Record<string, unknown>;
  /** Known ids to put in paths: block hashes, heights, addresses, tx ids, token ids. */
  hashes: string[];
  addresses: string[];
  txIds: string[];
}

export interface FuzzRequest {
  method: string;
  path: string;
  headers: Record<string, string>;
  body?: Buffer;
  /** Raw bytes written to a socket instead of an HTTP client request. */
  raw?: Buffer;
  /** For raw requests: half-close after writing (the body is left short). */
  halfClose?: boolean;
  /** Only the status line matters (streams). */
  headOnly?: boolean;
  label: string;
}

export interface FuzzFailure {
  request: string;
  problem: string;
}

export interface FuzzReport {
  sent: number;
  answered: number;
  statuses: Record<string, number>;
  fiveXX: number;
  /** Requests that got no HTTP answer when one was due. */
  noAnswer: number;
  /** 4xx answers whose body is not {"error": text[, "code": text]}. */
  badErrorBodies: number;
  failures: FuzzFailure[];
  ms: number;
  stoppedEarly?: string;
}

const BODY_LIMIT = 1024 * 1024;

// --- raw JSON text ------------------------------------------------------------------

const weirdNumberText = fc.constantFrom(
  "0",
  "-0",
  "-0.0",
  "1",
  "-1",
  "1.5",
  "0.1",
  "1.0",
  "1e2",
  "1E2",
  "1e-7",
  "9007199254740991",
  "9007199254740992",
  "9007199254740993",
  "-9007199254740993",
  "18446744073709551616",
  "1e308",
  "1e309",
  "-1e309",
  "1e400",
  "4.9e-324",
  "123456789012345678901234567890123456789",
  "9".repeat(400),
  "0.000000000000000000000000000001",
  "1506092460.1234",
  "65536.5",
);

const numberText = fc.oneof(
  weirdNumberText,
  fc.integer().map(String),
  fc.double({ noNaN: true, noDefaultInfinity: true }).map((d) => JSON.stringify(d)),
  fc.bigInt({ min: -(2n ** 80n), max: 2n ** 80n }).map(String),
);

/** Code points of every kind: control characters, lone surrogates, non-characters, RTL marks, emoji. */
const oddChar = fc.oneof(
  fc.string({ unit: "binary", minLength: 1, maxLength: 1 }),
  fc.integer({ min: 0, max: 0x1f }).map((c) => String.fromCharCode(c)),
  fc.integer({ min: 0xd800, max: 0xdfff }).map((c) => String.fromCharCode(c)),
  fc.constantFrom("\u0000", "\u007f", "\u2028", "\u2029", "\u202e", "\ufeff", "\ufffe", "\uffff", "😀", "e\u0301", "\\", '"'),
);

/** A JSON string literal: JSON.stringify of odd text, or hand-written escapes (lone surrogates, \u0000). */
const stringText = fc.oneof(
  fc.string({ unit: oddChar, maxLength: 40 }).map((s) => JSON.stringify(s)),
  fc.string({ maxLength: 80 }).map((s) => JSON.stringify(s)),
  fc.stringMatching(/^[0-9a-f]{64}$/).map((s) => JSON.stringify(s)),
  fc.constantFrom('"\\ud800"', '"\\udc00x"', '"\\u0000"', '"a\\u0000b"', '"\\ud83d\\ude00"', '"\\/"', '"devnet"', '"0"', '""'),
  fc.integer({ min: 1000, max: 300_000 }).map((n) => JSON.stringify("x".repeat(n))),
);

const leafText = fc.oneof(numberText, stringText, fc.constantFrom("true", "false", "null", "[]", "{}"));

function objectText(entries: Array<[string, string]>): string {
  return `{${entries.map(([k, v]) => `${JSON.stringify(k)}:${v}`).join(",")}}`;
}

const keyText = fc.oneof(
  fc.constantFrom(
    "type",
    "network",
    "sender",
    "recipient",
    "amount",
    "fee",
    "nonce",
    "signature",
    "id",
    "index",
    "timestamp",
    "transactions",
    "proof",
    "previous_hash",
    "difficulty",
    "tx_root",
    "hash",
    "height",
    "nodes",
    "__proto__",
    "constructor",
    "prototype",
    "",
  ),
  fc.string({ unit: oddChar, maxLength: 12 }),
);

/** Any JSON text: nested objects (duplicate keys allowed) and arrays of any leaves. */
const anyJsonText: fc.Arbitrary<string> = fc.letrec<{ value: string }>((tie) => ({
  value: fc.oneof(
    { depthSize: "small", withCrossShrink: true },
    leafText,
    fc.array(tie("value"), { maxLength: 6 }).map((xs) => `[${xs.join(",")}]`),
    fc.array(fc.tuple(keyText, tie("value")), { maxLength: 6 }).map(objectText),
  ),
})).value;

const deepText = fc.oneof(
  fc.integer({ min: 100, max: 100_000 }).map((n) => `${"[".repeat(n)}${"]".repeat(n)}`),
  fc.integer({ min: 100, max: 50_000 }).map((n) => `${'{"a":'.repeat(n)}1${"}".repeat(n)}`),
  fc.integer({ min: 100, max: 50_000 }).map((n) => `{"amount":${"[".repeat(n)}${"]".repeat(n)}}`),
  fc.integer({ min: 1000, max: 100_000 }).map((n) => `[${Array(n).fill("0").join(",")}]`),
);

/**
 * A valid object changed by 1–4 edits: a field removed, a field's value replaced (by any
 * JSON, a weird number, a float where an integer belongs), an unknown field added, a known
 * field written twice (duplicate keys) — all as raw JSON text.
 */
function mutated(base: Record<string, unknown>, inner?: fc.Arbitrary<string>): fc.Arbitrary<string> {
  const keys = Object.keys(base);
  const value = inner ? fc.oneof(anyJsonText, numberText, inner) : fc.oneof(anyJsonText, numberText);
  const op = fc.oneof(
    fc.record({ kind: fc.constant("drop" as const), at: fc.nat() }),
    fc.record({ kind: fc.constant("set" as const), at: fc.nat(), value }),
    fc.record({ kind: fc.constant("float" as const), at: fc.nat(), delta: fc.constantFrom(0.5, 0.001, -1, 1e-9, 2 ** 53) }),
    fc.record({ kind: fc.constant("extra" as const), key: keyText, value }),
    fc.record({ kind: fc.constant("dup" as const), at: fc.nat(), value }),
  );
  return fc.array(op, { minLength: 1, maxLength: 4 }).map((ops) => {
    let entries: Array<[string, string]> = keys.map((k) => [k, JSON.stringify(base[k])]);
    for (const o of ops) {
      const i = "at" in o ? o.at % Math.max(1, entries.length) : 0;
      const e = entries[i];
      switch (o.kind) {
        case "drop":
          entries = entries.filter((_, j) => j !== i);
          break;
        case "set":
          if (e) e[1] = o.value;
          break;
        case "float":
          if (e) {
            const n = Number(e[1]);
            if (Number.isFinite(n)) e[1] = JSON.stringify(n + o.delta);
          }
          break;
        case "extra":
          entries.push([o.key, o.value]);
          break;
        case "dup":
          if (e) entries.splice(i + 1, 0, [e[0], o.value]);
          break;
      }
    }
    return objectText(entries);
  });
}

// --- paths and queries ------------------------------------------------------------------

function pathSegment(ctx: FuzzContext): fc.Arbitrary<string> {
  const known = [...ctx.hashes, ...ctx.addresses, ...ctx.txIds];
  return fc.oneof(
    fc.constantFrom(
      ...known,
      "1",
      "2",
      "0",
      "-1",
      "1.5",
      "1e3",
      "9007199254740993",
      "99999999999999999999",
      "%00",
      "%ZZ",
      "%E0%A4%A",
      "..",
    ),
    fc.stringMatching(/^[0-9a-f]{64}$/),
    fc.stringMatching(/^[0-9A-Fa-f]{1,70}$/),
    fc.string({ unit: oddChar, maxLength: 30 }).map((s) => encodeURIComponent(s.replace(/[\ud800-\udfff]/g, "x"))),
    fc.integer({ min: 150, max: 400 }).map((n) => "a".repeat(n)),
  );
}

const queryValue = fc.oneof(
  weirdNumberText,
  fc.integer().map(String),
  fc.constantFrom("", "true", "null", "[]", "1:2", "1:2:3", "9999999999999999:999999:999999", "a:b", "%00", "%ZZ", "1%2C2"),
  fc.string({ unit: oddChar, maxLength: 20 }).map((s) => encodeURIComponent(s.replace(/[\ud800-\udfff]/g, "x"))),
  fc.integer({ min: 150, max: 3000 }).map((n) => "q".repeat(n)),
);

const queryString = fc
  .array(fc.tuple(fc.constantFrom("from", "limit", "before", "after", "offset", "q", "x", "from[]", "__proto__"), queryValue), {
    maxLength: 4,
  })
  .map((pairs) => (pairs.length === 0 ? "" : `?${pairs.map(([k, v]) => `${k}=${v}`).join("&")}`));

function getPath(ctx: FuzzContext): fc.Arbitrary<{ path: string; headOnly?: boolean }> {
  const seg = pathSegment(ctx);
  return fc.oneof(
    fc
      .tuple(
        fc.constantFrom(
          "/chain",
          "/status",
          "/nodes",
          "/transactions/pending",
          "/reorg",
          "/openapi.json",
          "/",
          "/docs",
          "/blocks",
          "/tokens",
          "/search",
        ),
        queryString,
      )
      .map(([p, q]) => ({ path: p + q })),
    fc.tuple(seg, queryString).map(([s, q]) => ({ path: `/blocks/${s}${q}` })),
    fc.tuple(seg, queryString).map(([s, q]) => ({ path: `/transactions/${s}${q}` })),
    fc.tuple(seg, queryString).map(([s, q]) => ({ path: `/accounts/${s}${q}` })),
    fc.tuple(seg, queryString).map(([s, q]) => ({ path: `/accounts/${s}/transactions${q}` })),
    fc.tuple(seg, queryString).map(([s, q]) => ({ path: `/tokens/${s}${q}` })),
    fc.tuple(seg, seg).map(([a, b]) => ({ path: `/tokens/${a}/balances/${b}` })),
    fc.tuple(seg, seg, seg).map(([a, b, c]) => ({ path: `/tokens/${a}/allowances/${b}/${c}` })),
    fc.tuple(seg, queryString).map(([s, q]) => ({ path: `/tokens/${s}/events${q}` })),
    fc.tuple(seg, queryString).map(([s, q]) => ({ path: `/tokens/${s}/holders${q}` })),
    fc.tuple(seg, fc.constantFrom("", "/", "/x", "/../status")).map(([s, t]) => ({ path: `/blocks/${s}${t}` })),
    fc.constant({ path: "/events", headOnly: true }),
  );
}

const POST_ROUTES = ["/transactions", "/transactions/new", "/transaction/new", "/blocks"];

const contentType = fc.oneof(
  { weight: 12, arbitrary: fc.constant("application/json") },
  {
    weight: 4,
    arbitrary: fc.constantFrom(
      "application/json; charset=utf-8",
      "APPLICATION/JSON",
      "application/json; charset=utf-16",
      "application/json; charset=latin1",
      "application/json, text/plain",
      "application/problem+json",
      "application/jsonx",
      "text/plain",
      "text/json",
      "application/x-www-form-urlencoded",
      "multipart/form-data; boundary=xyz",
      "application/octet-stream",
      "*/*",
      "",
      "none",
    ),
  },
  { weight: 1, arbitrary: fc.stringMatching(/^[ -~]{0,40}$/) },
);

function bodyText(ctx: FuzzContext): fc.Arbitrary<Buffer> {
  const txText = mutated(ctx.tx);
  const blockTxs = fc
    .array(txText, { maxLength: 3 })
    .map((xs) => `[${JSON.stringify(ctx.block.transactions ?? []).slice(1, -1)}${xs.length ? "," : ""}${xs.join(",")}]`);
  const wallet = { recipient: ctx.addresses[0] ?? "0".repeat(64), amount: 1, fee: 0 };
  return fc
    .oneof(
      { weight: 6, arbitrary: txText },
      { weight: 4, arbitrary: mutated(ctx.block, blockTxs) },
      { weight: 3, arbitrary: mutated(wallet) },
      { weight: 4, arbitrary: anyJsonText },
      { weight: 1, arbitrary: fc.array(txText, { maxLength: 5 }).map((xs) => `[${xs.join(",")}]`) },
      { weight: 1, arbitrary: deepText },
      { weight: 2, arbitrary: fc.jsonValue().map((v) => JSON.stringify(v)) },
      { weight: 2, arbitrary: fc.tuple(fc.oneof(txText, anyJsonText), fc.nat()).map(([t, n]) => t.slice(0, n % (t.length + 1))) },
      { weight: 1, arbitrary: fc.string({ unit: oddChar, maxLength: 200 }) },
      { weight: 1, arbitrary: fc.constantFrom("", " ", "\n", "null", "undefined", "NaN", "Infinity", "{}}", "[", "\u0000") },
    )
    .map((s) => Buffer.from(s, "utf8"))
    .chain((b) =>
      fc.oneof(
        { weight: 20, arbitrary: fc.constant(b) },
        { weight: 2, arbitrary: fc.uint8Array({ maxLength: 2000 }).map((u) => Buffer.from(u)) },
        // invalid UTF-8 inside an otherwise JSON-looking body
        {
          weight: 1,
          arbitrary: fc.constant(Buffer.concat([Buffer.from('{"recipient":"'), Buffer.from([0xff, 0xfe, 0xc0, 0x80]), Buffer.from('"}')])),
        },
      ),
    );
}

function rawRequest(ctx: FuzzContext): fc.Arbitrary<FuzzRequest> {
  const head = (method: string, path: string, headers: string[]) =>
    `${method} ${path} HTTP/1.1\r\nHost: x\r\n${headers.join("\r\n")}${headers.length ? "\r\n" : ""}\r\n`;
  return fc.oneof(
    // a body shorter than its Content-Length, then the client half-closes
    fc.tuple(fc.constantFrom(...POST_ROUTES), bodyText(ctx), fc.integer({ min: 1, max: 5000 })).map(([p, b, extra]) => ({
      method: "POST",
      path: p,
      headers: {},
      raw: Buffer.concat([Buffer.from(head("POST", p, ["Content-Type: application/json", `Content-Length: ${b.length + extra}`])), b]),
      halfClose: true,
      label: `raw POST ${p}: body ${extra} bytes short of its Content-Length`,
    })),
    // more bytes than Content-Length: the rest is read as the next request
    fc.tuple(fc.constantFrom(...POST_ROUTES), bodyText(ctx)).map(([p, b]) => ({
      method: "POST",
      path: p,
      headers: {},
      raw: Buffer.concat([
        Buffer.from(
          head("POST", p, ["Content-Type: application/json", `Content-Length: ${Math.floor(b.length / 2)}`, "Connection: close"]),
        ),
        b,
      ]),
      label: `raw POST ${p}: body longer than its Content-Length`,
    })),
    // broken chunked encoding
    fc
      .tuple(
        fc.constantFrom(...POST_ROUTES),
        fc.constantFrom("zz\r\n{}\r\n0\r\n\r\n", "2\r\n{}\r\n", "ffffffffffff\r\n{}\r\n", "2\r\n{}0\r\n\r\n", "0\r\n\r\n"),
      )
      .map(([p, c]) => ({
        method: "POST",
        path: p,
        headers: {},
        raw: Buffer.from(head("POST", p, ["Content-Type: application/json", "Transfer-Encoding: chunked", "Connection: close"]) + c),
        halfClose: true,
        label: `raw POST ${p}: chunked ${JSON.stringify(c)}`,
      })),
    // conflicting or nonsensical framing headers
    fc
      .tuple(
        fc.constantFrom(...POST_ROUTES),
        fc.constantFrom(
          ["Content-Length: 2", "Content-Length: 3"],
          ["Content-Length: -1"],
          ["Content-Length: 1e3"],
          ["Content-Length: 2", "Transfer-Encoding: chunked"],
          ["Transfer-Encoding: gzip"],
          ["Content-Encoding: gzip", "Content-Length: 2"],
          ["Expect: 100-continue", "Content-Length: 2"],
        ),
      )
      .map(([p, h]) => ({
        method: "POST",
        path: p,
        headers: {},
        raw: Buffer.from(`${head("POST", p, ["Content-Type: application/json", ...h, "Connection: close"])}{}`),
        label: `raw POST ${p}: ${h.join(" / ")}`,
      })),
    // random bytes as a request, a huge header, a very long URL, HTTP/1.0, absolute-form URL
    fc.uint8Array({ minLength: 1, maxLength: 3000 }).map((u) => ({
      method: "RAW",
      path: "-",
      headers: {},
      raw: Buffer.concat([Buffer.from(u), Buffer.from("\r\n\r\n")]),
      label: "raw random bytes",
    })),
    fc.integer({ min: 9000, max: 70_000 }).map((n) => ({
      method: "GET",
      path: "/status",
      headers: {},
      raw: Buffer.from(head("GET", "/status", [`X-Big: ${"b".repeat(n)}`, "Connection: close"])),
      label: `raw header of ${n} bytes`,
    })),
    fc.integer({ min: 9000, max: 70_000 }).map((n) => ({
      method: "GET",
      path: "/blocks",
      headers: {},
      raw: Buffer.from(head("GET", `/blocks?from=${"1".repeat(n)}`, ["Connection: close"])),
      label: `raw URL of ${n} bytes`,
    })),
    fc
      .constantFrom(
        "GET /status HTTP/1.0\r\n\r\n",
        "GET http://127.0.0.1/status HTTP/1.1\r\nHost: y\r\nConnection: close\r\n\r\n",
        "GET /status HTTP/9.9\r\n\r\n",
        "GET  /status  HTTP/1.1\r\n\r\n",
        "GET /status\r\n\r\n",
        "POST /transactions HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\n",
      )
      .map((s) => ({
        method: "RAW",
        path: "-",
        headers: {},
        raw: Buffer.from(s),
        halfClose: true,
        label: `raw ${JSON.stringify(s.slice(0, 40))}`,
      })),
  );
}

/** One random request against the public API. */
export function fuzzRequest(ctx: FuzzContext): fc.Arbitrary<FuzzRequest> {
  const get = fc
    .tuple(getPath(ctx), fc.constantFrom("GET", "GET", "GET", "HEAD", "OPTIONS", "DELETE", "PUT", "PATCH"))
    .map(([p, method]) => ({
      method,
      path: p.path,
      headers: {},
      ...(p.headOnly && method !== "HEAD" ? { headOnly: method === "GET" } : {}),
      label: `${method} ${p.path.slice(0, 200)}`,
    }));
  const post = fc
    .tuple(fc.constantFrom(...POST_ROUTES), bodyText(ctx), contentType, fc.constantFrom("POST", "POST", "POST", "PUT", "GET"))
    .map(
      ([path, body, ct, method]): FuzzRequest => ({
        method,
        path,
        headers: ct === "none" ? {} : { "content-type": ct },
        body,
        label: `${method} ${path} [${ct}] ${body.length} bytes: ${body.subarray(0, 300).toString("utf8")}`,
      }),
    );
  const oversize = fc.tuple(fc.constantFrom(...POST_ROUTES), fc.integer({ min: 1, max: 4096 })).map(
    ([path, extra]): FuzzRequest => ({
      method: "POST",
      path,
      headers: { "content-type": "application/json" },
      body: Buffer.from(`{"recipient":"${"x".repeat(BODY_LIMIT + extra)}"}`),
      label: `POST ${path}: body over the limit by ${extra + 16} bytes`,
    }),
  );
  return fc.oneof(
    { weight: 400, arbitrary: get },
    { weight: 550, arbitrary: post },
    { weight: 50, arbitrary: rawRequest(ctx) },
    { weight: 1, arbitrary: oversize },
  );
}

function isErrorBody(body: unknown): boolean {
  if (typeof body !== "object" || body === null || Array.isArray(body)) return false;
  const b = body as Record<string, unknown>;
  if (typeof b.error !== "string" || b.error.length === 0) return false;
  return Object.keys(b).every((k) => k === "error" || (k === "code" && typeof b.code === "string"));
}

/** Writes raw bytes, returns the first status code seen (0: none), bounded in time. */
function rawExchange(host: string, port: number, r: FuzzRequest, timeoutMs: number): Promise<number[]> {
  return new Promise((resolve) => {
    const sock = connect(port, host);
    let got = "";
    const done = () => {
      clearTimeout(timer);
      sock.destroy();
      resolve([...got.matchAll(/HTTP\/1\.[01] (\d{3})/g)].map((m) => Number(m[1])));
    };
    let timer = setTimeout(done, timeoutMs);
    sock.on("data", (d) => {
      got += d.toString("latin1");
      if (got.length > 1_000_000) return done();
      // an answer came: allow a little more (a second answer), then close
      clearTimeout(timer);
      timer = setTimeout(done, 300);
    });
    sock.on("error", done);
    sock.on("close", done);
    sock.on("connect", () => {
      sock.write(r.raw as Buffer);
      if (r.halfClose) sock.end();
    });
  });
}

export interface FuzzRunOptions {
  host: string;
  port: number;
  requests: number;
  seed: number;
  concurrency?: number;
  /** Stop early after this long (the report says so). */
  timeLimitMs?: number;
  perRequestTimeoutMs?: number;
  /** Called between batches; a string stops the run (e.g. "the node exited"). */
  healthCheck?: () => Promise<string | undefined>;
  onProgress?: (r: FuzzReport) => void;
}

/** Sends `requests` fuzzed requests (batches of 500 from seeds seed, seed+1, ...) and reports. */
export async function runFuzz(ctx: FuzzContext, opts: FuzzRunOptions): Promise<FuzzReport> {
  const t0 = Date.now();
  const report: FuzzReport = { sent: 0, answered: 0, statuses: {}, fiveXX: 0, noAnswer: 0, badErrorBodies: 0, failures: [], ms: 0 };
  const fail = (r: FuzzRequest, problem: string) => {
    if (report.failures.length < 25) report.failures.push({ request: r.label.slice(0, 600), problem: problem.slice(0, 600) });
  };
  const count = (status: number) => {
    report.answered++;
    const k = String(status);
    report.statuses[k] = (report.statuses[k] ?? 0) + 1;
    if (status >= 500) report.fiveXX++;
  };
  const arb = fuzzRequest(ctx);
  const base = `http://${opts.host.includes(":") ? `[${opts.host}]` : opts.host}:${opts.port}`;
  const timeoutMs = opts.perRequestTimeoutMs ?? 30_000;
  const one = async (r: FuzzRequest) => {
    report.sent++;
    if (r.raw !== undefined) {
      const statuses = await rawExchange(opts.host, opts.port, r, Math.min(timeoutMs, 10_000));
      for (const s of statuses) {
        count(s);
        if (s >= 500) fail(r, `answered ${s}`);
      }
      return;
    }
    try {
      const res = await request(`${base}${r.path}`, {
        method: r.method,
        headers: r.headers,
        ...(r.body !== undefined ? { body: r.body } : {}),
        timeoutMs,
        maxBytes: 64 * 1024 * 1024,
        ...(r.headOnly ? { headOnly: true } : {}),
      });
      count(res.status);
      if (res.status >= 500) fail(r, `answered ${res.status}: ${res.text.slice(0, 300)}`);
      else if (res.status >= 400 && r.method !== "HEAD" && !isErrorBody(res.body)) {
        report.badErrorBodies++;
        fail(r, `answered ${res.status} with a body that is not {"error": ...}: ${res.text.slice(0, 200)}`);
      }
    } catch (err) {
      const code = (err as NodeJS.ErrnoException).code;
      // the node may answer 413 and close before an oversize body is all sent
      if (r.body !== undefined && r.body.length > BODY_LIMIT && (code === "EPIPE" || code === "ECONNRESET")) return;
      report.noAnswer++;
      fail(r, `no answer: ${(err as Error).message}`);
    }
  };
  const batchSize = 500;
  for (let batch = 0; report.sent < opts.requests; batch++) {
    if (opts.timeLimitMs !== undefined && Date.now() - t0 > opts.timeLimitMs) {
      report.stoppedEarly = `time limit of ${opts.timeLimitMs} ms reached`;
      break;
    }
    const n = Math.min(batchSize, opts.requests - report.sent);
    const reqs = fc.sample(arb, { numRuns: n, seed: opts.seed + batch });
    let next = 0;
    await Promise.all(
      Array.from({ length: opts.concurrency ?? 8 }, async () => {
        while (next < reqs.length) await one(reqs[next++] as FuzzRequest);
      }),
    );
    const unhealthy = await opts.healthCheck?.();
    if (unhealthy !== undefined) {
      report.stoppedEarly = unhealthy;
      break;
    }
    opts.onProgress?.({ ...report, ms: Date.now() - t0 });
    await sleep(0);
  }
  report.ms = Date.now() - t0;
  return report;
}
