/**
 * Connections are bounded (issue 16, finding 6): a socket that sends nothing, or sends its
 * headers or body a byte at a time (slowloris), is closed within 30 s, while long-lived answers (an
 * event stream, a slowly read /chain) keep going; one client address cannot hold more than
 * its share of connections. The real node runs with its default limits; an in-process server
 * checks that buildServer takes them as options.
 */
import { mkdtempSync } from "node:fs";
import { get } from "node:http";
import { connect, type Socket } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import pino from "pino";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { DEVNET } from "../../src/core/network.js";
import { CONNECTION_DEFAULTS } from "../../src/http/connections.js";
import { buildServer } from "../../src/http/server.js";
import { createNode } from "../../src/node/create-node.js";
import { type BigChain, buildBigChain } from "../helpers/big-chain.js";
import { http, type NodeProc, removeDir, startNode } from "../helpers/node-process.js";

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

let node: NodeProc;
let chain: BigChain;

beforeAll(async () => {
  node = await startNode({ difficulty: 1, args: ["--sync-interval", "0"] });
  chain = await buildBigChain(node.url, { blocks: 8, txsPerBlock: 999 });
}, 120_000);

afterAll(async () => {
  await node?.stop();
  if (node) removeDir(node.dataDir);
});

interface Watched {
  socket: Socket;
  closedAt?: number;
  got: string;
}

/** A socket to `port` (from `localAddress`), watched: when it closes and what it received. */
function open(port: number, localAddress = "127.0.0.1"): Promise<Watched> {
  return new Promise((resolve) => {
    const socket = connect({ port, host: "127.0.0.1", localAddress });
    const w: Watched = { socket, got: "" };
    socket.on("data", (d) => {
      w.got += d.toString("latin1");
    });
    socket.on("error", () => {});
    socket.on("close", () => {
      w.closedAt ??= Date.now();
    });
    socket.once("connect", () => resolve(w));
    socket.once("error", () => resolve(w));
  });
}

/** GET `url` as an event stream: counts heartbeats and events until closed. */
function watchEvents(url: string) {
  const s = { heartbeats: 0, events: [] as string[], closed: false, close: () => {} };
  const req = get(url, { agent: false }, (res) => {
    res.setEncoding("utf8");
    res.on("data", (chunk: string) => {
      s.heartbeats += chunk.split(": heartbeat").length - 1;
      for (const m of chunk.matchAll(/^event: (\w+)$/gm)) s.events.push(m[1] as string);
    });
    res.on("close", () => {
      s.closed = true;
    });
  });
  req.on("error", () => {
    s.closed = true;
  });
  s.close = () => req.destroy();
  return s;
}

/** Reads GET `url` at about `bytesPerSecond` (pausing the socket between), to the end (bounded). */
function readSlowly(url: string, bytesPerSecond: number, timeoutMs: number): Promise<{ text: string; ms: number; error?: string }> {
  return new Promise((resolve) => {
    const start = Date.now();
    const chunks: Buffer[] = [];
    let size = 0;
    let done = false;
    const finish = (error?: string) => {
      if (done) return;
      done = true;
      clearTimeout(timer);
      resolve({ text: Buffer.concat(chunks).toString("utf8"), ms: Date.now() - start, ...(error ? { error } : {}) });
    };
    const req = get(url, { agent: false }, (res) => {
      res.on("data", (d: Buffer) => {
        chunks.push(d);
        size += d.length;
        const ahead = size / bytesPerSecond - (Date.now() - start) / 1000;
        if (ahead > 0) {
          res.pause();
          setTimeout(() => res.resume(), ahead * 1000);
        }
      });
      res.on("end", () => finish());
      res.on("close", () => finish(res.complete ? undefined : "closed before the end"));
      res.on("error", (err) => finish(err.message));
    });
    req.on("error", (err) => finish(err.message));
    const timer = setTimeout(() => {
      req.destroy();
      finish("timed out");
    }, timeoutMs);
  });
}

describe("idle and slow connections", () => {
  it("200 sockets that send nothing, 20 that send headers and 5 a body a byte a second are closed within 30 s; an event stream and a slow /chain live on", {
    timeout: 120_000,
  }, async () => {
    const start = Date.now();
    const events = watchEvents(`${node.url}/events`);
    const slowChain = readSlowly(`${node.url}/chain`, 100_000, 90_000); // a few MB at 100 kB/s: 30 s and more
    const idle = await Promise.all(Array.from({ length: 200 }, () => open(node.port)));
    const slow = await Promise.all(Array.from({ length: 20 }, () => open(node.port)));
    const slowBody = await Promise.all(Array.from({ length: 5 }, () => open(node.port)));
    for (const w of slowBody) {
      w.socket.write("POST /transactions HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\nContent-Length: 100000\r\n\r\n");
    }
    const header = "GET /status HTTP/1.1\r\nHost: 127.0.0.1\r\nX-Slow: ";
    let sent = 0;
    const drip = setInterval(() => {
      for (const w of slow) if (w.closedAt === undefined) w.socket.write(header[sent % header.length] as string);
      for (const w of slowBody) if (w.closedAt === undefined) w.socket.write("[");
      sent++;
    }, 1000);
    try {
      const all = [...idle, ...slow, ...slowBody];
      while (Date.now() - start < 30_000 && all.some((w) => w.closedAt === undefined)) await sleep(250);
      const still = (ws: Watched[]) => ws.filter((w) => w.closedAt === undefined).length;
      const last = (ws: Watched[]) => ((Math.max(...ws.map((w) => w.closedAt ?? Date.now())) - start) / 1000).toFixed(1);
      console.log(
        `open after 30 s: ${still(idle)} of 200 idle sockets (the last closed at ${last(idle)} s), ${still(slow)} of 20 ` +
          `slow-header (${last(slow)} s), ${still(slowBody)} of 5 slow-body (${last(slowBody)} s)`,
      );
      expect(still(idle)).toBe(0);
      expect(still(slow)).toBe(0);
      expect(still(slowBody)).toBe(0);
      // a slow-header socket was told why
      expect(slow.some((w) => /^HTTP\/1\.1 408 /.test(w.got))).toBe(true);
      // long-lived answers go on past every request timeout
      await sleep(Math.max(0, start + 32_000 - Date.now()));
      expect(events.closed).toBe(false);
      expect(events.heartbeats).toBeGreaterThanOrEqual(2);
      const mined = await http(`${node.url}/mine`);
      expect(mined.status).toBe(200);
      const deadline = Date.now() + 10_000;
      while (!events.events.includes("tip") && Date.now() < deadline) await sleep(50);
      expect(events.events).toContain("tip");
      const c = await slowChain;
      expect(c.error).toBeUndefined();
      expect(c.ms).toBeGreaterThan(30_000);
      expect((JSON.parse(c.text) as { length: number }).length).toBe(chain.height);
    } finally {
      clearInterval(drip);
      events.close();
      for (const w of [...idle, ...slow, ...slowBody]) w.socket.destroy();
    }
  });

  it(`one client address holds at most ${CONNECTION_DEFAULTS.maxConnectionsPerAddress} connections; others are still served`, {
    timeout: 60_000,
  }, async () => {
    const cap = CONNECTION_DEFAULTS.maxConnectionsPerAddress;
    const many = await Promise.all(Array.from({ length: cap + 40 }, () => open(node.port, "127.0.0.3")));
    try {
      const deadline = Date.now() + 5000;
      while (many.filter((w) => w.closedAt !== undefined).length < 40 && Date.now() < deadline) await sleep(50);
      expect(many.filter((w) => w.closedAt !== undefined)).toHaveLength(40);
      // another address is served meanwhile
      const other = await open(node.port, "127.0.0.4");
      other.socket.write("GET /status HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n\r\n");
      const until = Date.now() + 5000;
      while (other.closedAt === undefined && Date.now() < until) await sleep(20);
      expect(other.got).toMatch(/^HTTP\/1\.1 200 /);
    } finally {
      for (const w of many) w.socket.destroy();
    }
  });
});

describe("buildServer options", () => {
  it("take the timeouts and connection limits (here 1 s, 12 in all, 8 per address)", { timeout: 60_000 }, async () => {
    const dataDir = mkdtempSync(join(tmpdir(), "tc-conn-"));
    const tiny = createNode({ dataDir, params: { ...DEVNET, difficulty: 16 }, logger: pino({ level: "silent" }) });
    const app = await buildServer(tiny, {
      webRoot: join(dataDir, "no-web"),
      connections: { headersTimeoutMs: 1000, requestTimeoutMs: 2000, maxConnections: 12, maxConnectionsPerAddress: 8 },
    });
    try {
      await app.listen({ port: 0, host: "127.0.0.1" });
      const port = (app.server.address() as { port: number }).port;
      const start = Date.now();
      const a = await Promise.all(Array.from({ length: 10 }, () => open(port, "127.0.0.5")));
      await sleep(300);
      const b = await Promise.all(Array.from({ length: 6 }, () => open(port, "127.0.0.6")));
      await sleep(300);
      // 2 over the per-address limit at once; 12 in all, so 2 of the second address too
      expect(a.filter((w) => w.closedAt !== undefined)).toHaveLength(2);
      expect(b.filter((w) => w.closedAt !== undefined)).toHaveLength(2);
      const deadline = Date.now() + 10_000;
      while ([...a, ...b].some((w) => w.closedAt === undefined) && Date.now() < deadline) await sleep(50);
      const last = Math.max(...[...a, ...b].map((w) => w.closedAt ?? Date.now()));
      expect([...a, ...b].every((w) => w.closedAt !== undefined)).toBe(true);
      expect(last - start).toBeLessThan(4000);
    } finally {
      await app.close();
      await tiny.close();
      removeDir(dataDir);
    }
  });
});
