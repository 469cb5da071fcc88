/**
 * The API the explorer stands on: the page at / (and a note when it is not built), GET /events
 * (server-sent events, bounded), GET /search, GET /reorg, and signature_valid on transactions.
 */
import { mkdtempSync } from "node:fs";
import { type ClientRequest, get } from "node:http";
import { tmpdir } from "node:os";
import { join } from "node:path";
import pino from "pino";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { DEVNET } from "../../src/core/network.js";
import { MAX_SSE_CLIENTS, MAX_SSE_PER_ADDRESS } from "../../src/http/routes/events.js";
import { buildServer } from "../../src/http/server.js";
import { createNode } from "../../src/node/create-node.js";
import { key2 } from "../helpers/keys.js";
import { http, type NodeProc, removeDir, startNode, waitFor } from "../helpers/node-process.js";

let node: NodeProc;

beforeAll(async () => {
  node = await startNode({ difficulty: 16 });
});

afterAll(async () => {
  await node?.stop();
  if (node) removeDir(node.dataDir);
});

type Data = { [k: string]: unknown };

interface Stream {
  status: number;
  /** Waits for the next event of this name (bounded). */
  next: (event: string, timeoutMs?: number) => Promise<Data>;
  /** Whether the node has ended the stream. */
  ended: () => boolean;
  /** The last `retry:` the node sent (ms). */
  retry: () => number | undefined;
  close: () => void;
}

/** Opens GET `url` as an event stream (from `localAddress`, one of 127/8, when given). */
async function openStream(url: string, localAddress?: string): Promise<Stream> {
  const events: Array<{ event: string; data: Data }> = [];
  let buffer = "";
  let ended = false;
  let retry: number | undefined;
  const { req, status } = await new Promise<{ req: ClientRequest; status: number }>((resolve, reject) => {
    const req = get(url, localAddress ? { localAddress } : {}, (res) => {
      res.setEncoding("utf8");
      res.on("data", (chunk: string) => {
        buffer += chunk;
        let cut = buffer.indexOf("\n\n");
        while (cut >= 0) {
          const frame = buffer.slice(0, cut);
          buffer = buffer.slice(cut + 2);
          const event = /^event: (.*)$/m.exec(frame)?.[1];
          const data = /^data: (.*)$/m.exec(frame)?.[1];
          const r = /^retry: (\d+)$/m.exec(frame)?.[1];
          if (r !== undefined) retry = Number(r);
          if (event && data) events.push({ event, data: JSON.parse(data) });
          cut = buffer.indexOf("\n\n");
        }
      });
      res.on("error", () => {});
      res.on("end", () => {
        ended = true;
      });
      resolve({ req, status: res.statusCode ?? 0 });
    });
    req.on("error", reject);
    req.setTimeout(30_000, () => req.destroy(new Error("timed out")));
  });
  req.on("error", () => {}); // closed by close()
  return {
    status,
    next: async (event, timeoutMs = 10_000) => {
      const deadline = Date.now() + timeoutMs;
      while (Date.now() < deadline) {
        const i = events.findIndex((e) => e.event === event);
        if (i >= 0) return events.splice(i, 1)[0]?.data as Data;
        await new Promise((r) => setTimeout(r, 20));
      }
      throw new Error(`no "${event}" event within ${timeoutMs} ms`);
    },
    ended: () => ended,
    retry: () => retry,
    close: () => req.destroy(),
  };
}

describe("the explorer page", () => {
  it("is served at / beside the API, /docs and /openapi.json", async () => {
    const page = await http(`${node.url}/`);
    expect(page.status).toBe(200);
    expect(page.headers.get("content-type")).toMatch(/^text\/html/);
    expect(page.text).toContain('id="app"');
    const script = /src="(\/assets\/[^"]+\.js)"/.exec(page.text)?.[1];
    expect(script).toBeDefined();
    const js = await http(`${node.url}${script}`);
    expect(js.status).toBe(200);
    expect(js.headers.get("content-type")).toMatch(/javascript/);
    expect(js.headers.get("cache-control")).toContain("immutable");

    const missing = await http(`${node.url}/no/such/route`);
    expect(missing.status).toBe(404);
    expect(missing.body.error).toContain("no route GET /no/such/route");
    expect((await http(`${node.url}/docs/`)).status).toBe(200);
    const api = await http(`${node.url}/openapi.json`);
    expect(Object.keys(api.body.paths)).toEqual(expect.arrayContaining(["/events", "/search", "/reorg", "/status"]));
    expect(Object.keys(api.body.paths)).not.toContain("/index.html");
  });

  it("is replaced by a short note when web/dist is not built", async () => {
    const dataDir = mkdtempSync(join(tmpdir(), "tc-web-"));
    const tiny = createNode({ dataDir, params: { ...DEVNET, difficulty: 16 }, logger: pino({ level: "silent" }) });
    const app = await buildServer(tiny, { webRoot: join(dataDir, "no-web-dist") });
    try {
      const r = await app.inject({ method: "GET", url: "/" });
      expect(r.statusCode).toBe(200);
      expect(r.headers["content-type"]).toMatch(/^text\/html/);
      expect(r.body).toContain("npm run build");
      expect((await app.inject({ method: "GET", url: "/status" })).statusCode).toBe(200);
    } finally {
      await app.close();
      await tiny.close();
      removeDir(dataDir);
    }
  });
});

describe("GET /events", () => {
  it("says hello, then streams tip and tx events", async () => {
    const s = await openStream(`${node.url}/events`);
    try {
      expect(s.status).toBe(200);
      const hello = await s.next("hello");
      const status = (await http(`${node.url}/status`)).body;
      expect(hello).toEqual({ height: status.height, tip: status.tip, operator: true, last_reorg: null });

      const sent = await http(`${node.url}/transactions/new`, { body: { recipient: key2.address, amount: 1 } });
      expect(sent.status, sent.text).toBe(400); // the node wallet has nothing yet
      const mined = (await http(`${node.url}/mine`, { method: "POST" })).body;
      const tip = await s.next("tip");
      expect(tip).toMatchObject({ height: mined.index, hash: mined.hash, reorg: false, replaced: [] });
      expect(tip.connected).toEqual([{ index: mined.index, hash: mined.hash, txs: 1 }]);

      const ok = await http(`${node.url}/transactions/new`, { body: { recipient: key2.address, amount: 1 } });
      expect(ok.status, ok.text).toBe(201);
      const tx = await s.next("tx");
      expect(tx).toMatchObject({ id: ok.body.id, type: "transfer", recipient: key2.address, amount: 1, fee: 0 });
    } finally {
      s.close();
    }
  });

  it(`holds at most ${MAX_SSE_PER_ADDRESS} streams of one client address: a new one closes that client's oldest`, async () => {
    const streams: Stream[] = [];
    try {
      for (let i = 0; i < MAX_SSE_PER_ADDRESS; i++) {
        const s = await openStream(`${node.url}/events`);
        await s.next("hello");
        streams.push(s);
      }
      const other = await openStream(`${node.url}/events`, "127.0.0.2");
      await other.next("hello");
      const newest = await openStream(`${node.url}/events`);
      expect(newest.status).toBe(200);
      await newest.next("hello");
      // the oldest is told, asked to wait a minute before it reconnects, and ended
      const evicted = await streams[0]?.next("evicted");
      expect(evicted?.reason).toContain(`${MAX_SSE_PER_ADDRESS} event streams`);
      expect(streams[0]?.retry()).toBeGreaterThanOrEqual(60_000);
      await waitFor(() => streams[0]?.ended(), 5000, 20);
      expect(streams.slice(1).some((s) => s.ended())).toBe(false);
      expect(other.ended()).toBe(false);
      streams.push(newest, other);
    } finally {
      for (const s of streams) s.close();
    }
  });

  it(`holds at most ${MAX_SSE_CLIENTS} streams in all: a new one closes the oldest of the client that holds the most`, async () => {
    const addresses = Array.from({ length: MAX_SSE_CLIENTS / MAX_SSE_PER_ADDRESS }, (_, i) => `127.0.0.${i + 1}`);
    const streams: Stream[] = [];
    try {
      for (const a of addresses) {
        for (let i = 0; i < MAX_SSE_PER_ADDRESS; i++) {
          const s = await openStream(`${node.url}/events`, a);
          await s.next("hello");
          streams.push(s);
        }
      }
      expect(streams.filter((s) => s.status === 200)).toHaveLength(MAX_SSE_CLIENTS);
      // every address holds as many: the oldest stream of all goes
      const first = await openStream(`${node.url}/events`, "127.0.0.200");
      expect(first.status).toBe(200);
      await first.next("hello");
      await waitFor(() => streams[0]?.ended(), 5000, 20);
      expect(streams.filter((s) => s.ended())).toHaveLength(1);
      // now 127.0.0.2 … 127.0.0.10 hold the most: the next newcomer takes the oldest of 127.0.0.2
      const second = await openStream(`${node.url}/events`, "127.0.0.201");
      await second.next("hello");
      await waitFor(() => streams[MAX_SSE_PER_ADDRESS]?.ended(), 5000, 20);
      expect(streams.filter((s) => s.ended())).toHaveLength(2);
      expect(first.ended()).toBe(false);
      streams.push(first, second);
      expect((await http(`${node.url}/status`)).status).toBe(200);
    } finally {
      for (const s of streams) s.close();
    }
  });
});

describe("GET /search, GET /reorg, signature_valid", () => {
  it("resolves heights, block hashes, transaction ids and addresses", async () => {
    const b = (await http(`${node.url}/blocks/2`)).body;
    const q = async (s: string) => (await http(`${node.url}/search?q=${encodeURIComponent(s)}`)).body.matches;
    expect(await q("2")).toEqual([{ kind: "block", id: b.hash, index: 2, main: true }]);
    expect(await q(` ${b.hash.toUpperCase()} `)).toEqual([{ kind: "block", id: b.hash, index: 2, main: true }]);
    expect(await q(b.transactions[0].id)).toEqual([{ kind: "transaction", id: b.transactions[0].id, status: "confirmed" }]);
    const pending = (await http(`${node.url}/transactions/pending`)).body.transactions[0];
    expect(await q(pending.id)).toEqual([{ kind: "transaction", id: pending.id, status: "pending" }]);
    expect(await q(key2.address)).toEqual([{ kind: "address", id: key2.address }]);
    expect(await q("999999")).toEqual([]);
    expect(await q("not a thing")).toEqual([]);
    expect((await http(`${node.url}/search?q=${"x".repeat(300)}`)).status).toBe(400);
    expect((await http(`${node.url}/search`)).status).toBe(400);
  });

  it("tells whether a transaction's signature verifies", async () => {
    const pending = (await http(`${node.url}/transactions/pending`)).body.transactions[0];
    expect((await http(`${node.url}/transactions/${pending.id}`)).body.signature_valid).toBe(true);
    const mined = (await http(`${node.url}/mine`, { method: "POST" })).body;
    const confirmed = await http(`${node.url}/transactions/${pending.id}`);
    expect(confirmed.body).toMatchObject({ status: "confirmed", block_index: mined.index, signature_valid: true });
    const coinbase = await http(`${node.url}/transactions/${mined.transactions[0].id}`);
    expect(coinbase.body.signature_valid).toBeNull();
  });

  it("GET /reorg is null until the chain reorganises", async () => {
    expect((await http(`${node.url}/reorg`)).body).toEqual({ last: null });
  });
});
