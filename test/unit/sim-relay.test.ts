/**
 * The relay between real processes: a request reaches its target after the link's latency
 * (plus its bytes' time at the bandwidth), the answer comes back after as much again, requests
 * arrive in the order they were sent, and a target that is gone drops the connection.
 */
import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { afterEach, describe, expect, it } from "vitest";
import { Relay } from "../../src/sim/relay.js";

interface Seen {
  path: string;
  body: string;
  at: number;
}

/** A target on 127.0.0.1 that notes when each request arrives and echoes its body. */
async function target(): Promise<{ origin: string; seen: Seen[]; server: Server }> {
  const seen: Seen[] = [];
  const server = createServer((req, res) => {
    let body = "";
    req.on("data", (c: Buffer) => {
      body += c.toString("utf8");
    });
    req.on("end", () => {
      seen.push({ path: req.url ?? "", body, at: performance.now() });
      res.writeHead(200, { "content-type": "application/json" });
      res.end(JSON.stringify({ path: req.url, body }));
    });
  });
  await new Promise<void>((r) => server.listen(0, "127.0.0.1", () => r()));
  return { origin: `http://127.0.0.1:${(server.address() as AddressInfo).port}`, seen, server };
}

const opened: Array<{ close: () => unknown }> = [];
afterEach(async () => {
  for (const o of opened.splice(0)) await o.close();
});

describe("the relay", () => {
  it("delays a request by the latency, and its answer by as much again", async () => {
    const t = await target();
    opened.push({ close: () => new Promise((r) => t.server.close(r)) });
    const relay = new Relay({ latencyMs: 100 });
    opened.push(relay);
    const url = await relay.open(t.origin);
    const sent = performance.now();
    const r = await fetch(`${url}/status?x=1`, { signal: AbortSignal.timeout(5_000) });
    const back = performance.now();
    expect(await r.json()).toEqual({ path: "/status?x=1", body: "" });
    const arrived = (t.seen[0] as Seen).at - sent;
    expect(arrived).toBeGreaterThanOrEqual(99);
    expect(arrived).toBeLessThan(180);
    expect(back - sent).toBeGreaterThanOrEqual(199);
    expect(back - sent).toBeLessThan(320);
    expect(relay.stats).toMatchObject({ requests: 1, failed: 0 });
  });

  it("adds the bytes' time at the link's bandwidth, each way", async () => {
    const t = await target();
    opened.push({ close: () => new Promise((r) => t.server.close(r)) });
    const relay = new Relay({ latencyMs: 20, bytesPerMs: 10 });
    opened.push(relay);
    const url = await relay.open(t.origin);
    const body = "x".repeat(1000); // 100 ms at 10 bytes/ms; the echo carries it back
    const sent = performance.now();
    const r = await fetch(`${url}/blocks`, { method: "POST", body, signal: AbortSignal.timeout(5_000) });
    await r.text();
    const arrived = (t.seen[0] as Seen).at - sent;
    expect(arrived).toBeGreaterThanOrEqual(119);
    expect(arrived).toBeLessThan(220);
    expect(performance.now() - sent).toBeGreaterThanOrEqual(119 + 20 + 100);
    expect((t.seen[0] as Seen).body).toBe(body);
  });

  it("delivers requests in the order they were sent", async () => {
    const t = await target();
    opened.push({ close: () => new Promise((r) => t.server.close(r)) });
    const relay = new Relay({ latencyMs: 80 });
    opened.push(relay);
    const url = await relay.open(t.origin);
    const answers: Array<Promise<Response>> = [];
    for (let k = 0; k < 6; k++) {
      answers.push(fetch(`${url}/n/${k}`, { signal: AbortSignal.timeout(5_000) }));
      await new Promise((r) => setTimeout(r, 5));
    }
    await Promise.all(answers.map((a) => a.then((r) => r.text())));
    expect(t.seen.map((s) => s.path)).toEqual([0, 1, 2, 3, 4, 5].map((k) => `/n/${k}`));
    // still each one delayed, not queued behind the others
    const spread = (t.seen.at(-1) as Seen).at - (t.seen[0] as Seen).at;
    expect(spread).toBeLessThan(80);
  });

  it("drops the connection when the target is gone, and at close", async () => {
    const t = await target();
    await new Promise((r) => t.server.close(r));
    const relay = new Relay({ latencyMs: 10 });
    opened.push(relay);
    const url = await relay.open(t.origin);
    await expect(fetch(`${url}/status`, { signal: AbortSignal.timeout(5_000) })).rejects.toThrow();
    expect(relay.stats.failed).toBe(1);
    const waiting = fetch(`${url}/status`, { signal: AbortSignal.timeout(5_000) });
    await new Promise((r) => setTimeout(r, 2));
    await relay.close();
    await expect(waiting).rejects.toThrow();
  });
});
