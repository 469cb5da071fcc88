/**
 * Simulated links: requests reach another host's handler after the link's latency and
 * bandwidth time on the virtual clock; cuts and missing hosts fail as over the internet;
 * answers are checked as the HTTP transport checks them.
 */
import { setImmediate as turn } from "node:timers/promises";
import { describe, expect, it } from "vitest";
import { PeerRequestError } from "../../src/p2p/http-client.js";
import { type HostHandler, VirtualLinks } from "../../src/sim/links.js";
import { VirtualClock } from "../../src/sim/virtual-clock.js";

const A = "http://10.0.0.1:5000";
const B = "http://10.0.0.2:5000";
const C = "http://10.0.0.3:5000";

/** Runs the clock until `p` settles: real promises get their turns, then the next timer fires. */
async function settle<T>(clock: VirtualClock, p: Promise<T>): Promise<T> {
  let done = false;
  p.then(
    () => (done = true),
    () => (done = true),
  );
  for (let i = 0; i < 10_000 && !done; i++) {
    await turn();
    if (!done && !clock.step()) await turn();
  }
  return p;
}

const echo: HostHandler = async (req) => ({ status: 200, text: JSON.stringify({ got: req }) });

function world(latencyMs = 100, bytesPerMs?: number) {
  const clock = new VirtualClock(1_000_000);
  const links = new VirtualLinks(clock, () => ({ latencyMs, ...(bytesPerMs ? { bytesPerMs } : {}) }));
  return { clock, links };
}

describe("VirtualLinks", () => {
  it("delivers a request and its answer after the latency each way, with the path, query and body", async () => {
    const { clock, links } = world(100);
    links.addHost(B, echo);
    const start = clock.now();
    const answer = await settle(clock, links.transportFor(A).requestJson(`${B}/blocks?from=3&limit=2`, { method: "POST", body: "{}" }));
    expect(answer).toEqual({ status: 200, body: { got: { method: "POST", path: "/blocks?from=3&limit=2", body: "{}" } } });
    expect(clock.now() - start).toBe(200);
    expect(links.stats).toMatchObject({ requests: 1, failed: 0 });
  });

  it("adds the bytes' time at the link's bandwidth", async () => {
    const { clock, links } = world(10, 100); // 100 bytes per ms
    links.addHost(B, async () => ({ status: 200, text: JSON.stringify("x".repeat(9_998)) })); // 10,000 bytes
    const start = clock.now();
    await settle(clock, links.transportFor(A).requestJson(`${B}/chain`));
    expect(clock.now() - start).toBe(10 + 10 + 100);
  });

  it("hands a request to its host after the latency and the host's processing time", async () => {
    const clock = new VirtualClock(1_000_000);
    const links = new VirtualLinks(clock, () => ({ latencyMs: 100, processingMs: 15 }));
    let reachedAt = 0;
    links.addHost(B, async (req) => {
      reachedAt = clock.now();
      return echo(req);
    });
    const start = clock.now();
    await settle(clock, links.transportFor(A).requestJson(`${B}/status`));
    expect(reachedAt - start).toBe(115);
    expect(clock.now() - start).toBe(215);
  });

  it("across a partition a request times out at its deadline; healed, it goes through", async () => {
    const { clock, links } = world(50);
    links.addHost(B, echo);
    links.addHost(C, echo);
    links.partition([[A, C], [B]]);
    expect(links.canReach(A, B)).toBe(false);
    expect(links.canReach(A, C)).toBe(true);
    const start = clock.now();
    const err = await settle(clock, links.transportFor(A).requestJson(`${B}/status`, {}, { timeoutMs: 3_000, maxBytes: 1_000 })).catch(
      (e) => e,
    );
    expect(err).toBeInstanceOf(PeerRequestError);
    expect(err.kind).toBe("timeout");
    expect(clock.now() - start).toBe(3_000);
    await expect(settle(clock, links.transportFor(A).requestJson(`${C}/status`))).resolves.toMatchObject({ status: 200 });
    links.heal();
    await expect(settle(clock, links.transportFor(A).requestJson(`${B}/status`))).resolves.toMatchObject({ status: 200 });
  });

  it("a host that is not there refuses after a round trip; a slow answer times out", async () => {
    const { clock, links } = world(40);
    const start = clock.now();
    const refused = await settle(clock, links.transportFor(A).requestJson(`${B}/status`)).catch((e) => e);
    expect(refused.kind).toBe("unreachable");
    expect(clock.now() - start).toBe(80);
    const slow = new VirtualLinks(clock, () => ({ latencyMs: 4_000 }));
    slow.addHost(B, echo);
    const t0 = clock.now();
    const late = await settle(clock, slow.transportFor(A).requestJson(`${B}/status`, {}, { timeoutMs: 5_000, maxBytes: 1_000 })).catch(
      (e) => e,
    );
    expect(late.kind).toBe("timeout");
    expect(clock.now() - t0).toBe(5_000);
  });

  it("checks answers as the HTTP transport does: error status with its message, size limit, JSON", async () => {
    const { clock, links } = world(1);
    const answers: Record<string, { status: number; text: string }> = {
      "/bad": { status: 400, text: JSON.stringify({ error: "nonce too low", code: "nonce-too-low" }) },
      "/big": { status: 200, text: JSON.stringify("y".repeat(2_000)) },
      "/garbage": { status: 200, text: "<html>" },
    };
    links.addHost(B, async (req) => answers[req.path] ?? { status: 404, text: "" });
    const t = links.transportFor(A);
    const limits = { timeoutMs: 1_000, maxBytes: 1_000 };
    const bad = await settle(clock, t.requestJson(`${B}/bad`, {}, limits)).catch((e) => e);
    expect([bad.kind, bad.status, bad.message]).toEqual(["status", 400, `${B}/bad: nonce too low`]);
    expect((await settle(clock, t.requestJson(`${B}/big`, {}, limits)).catch((e) => e)).kind).toBe("too-large");
    expect((await settle(clock, t.requestJson(`${B}/garbage`, {}, limits)).catch((e) => e)).kind).toBe("bad-json");
    expect((await settle(clock, t.requestJson(`${B}/none`, {}, limits)).catch((e) => e)).message).toBe(`${B}/none: HTTP 404`);
  });

  it("the same requests on the same links give the same order of arrival", async () => {
    const run = async () => {
      const clock = new VirtualClock(0);
      const order: string[] = [];
      const links = new VirtualLinks(clock, (from, to) => ({ latencyMs: (from.length * 7 + to.length * 3 + Number(to.at(-6))) % 50 }));
      for (const h of [A, B, C]) {
        links.addHost(h, async (req) => {
          order.push(`${h}${req.path}@${clock.now()}`);
          return { status: 200, text: "1" };
        });
      }
      const all = [A, B, C].flatMap((from) => [A, B, C].map((to) => links.transportFor(from).requestJson(`${to}/from/${from.at(-6)}`)));
      await settle(clock, Promise.all(all));
      return order;
    };
    const first = await run();
    expect(first).toHaveLength(9);
    expect(await run()).toEqual(first);
  });
});
