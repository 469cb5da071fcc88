/**
 * Peers can lie (docs/protocol.md §5: "nothing received from a peer is trusted"). Scripted fake peers on
 * 127.0.0.1 serve chains built offline at the node's network and then tampered with, claim
 * work they do not have, answer garbage, stream without end or never answer. The node must
 * keep its chain (or take only the valid part, when that part has more work), keep
 * answering, and stay up.
 */
import type { ServerResponse } from "node:http";
import { afterEach, describe, expect, it } from "vitest";
import { txId } from "../../src/core/encoding.js";
import { txRootHex } from "../../src/core/merkle.js";
import type { Block, Transaction } from "../../src/core/types.js";
import { signTx } from "../helpers/factory.js";
import { key1, key2 } from "../helpers/keys.js";
import { http, type NodeProc, startNode, waitFor } from "../helpers/node-process.js";
import {
  buildChain,
  Cleanup,
  devnetAt,
  type FakePeer,
  type Handler,
  mineOn,
  randomHex,
  regrind,
  sendJson,
  serveChain,
  startFakePeer,
  statusOf,
  toApi,
  totalWork,
  withBadPow,
} from "./p2p-support.js";

const DIFFICULTY = 32;
const PARAMS = devnetAt(DIFFICULTY);
const OWN_BLOCKS = 6; // the node's own chain: height 7

let cleanup = new Cleanup();
afterEach(async () => {
  await cleanup.run();
  cleanup = new Cleanup();
});

/** A transfer of 1 from key1 (which mines the fake chains) to key2, nonce 0. */
const TRANSFER = signTx(key1, { type: "transfer", network: PARAMS.name, recipient: key2.address, amount: 1, fee: 0, nonce: 0 });

type Tamper = (b: Block) => Block;

/** The lies of (a)–(e): each changes one thing of a block that otherwise is valid. */
const TAMPERS: Record<string, Tamper> = {
  "changed amount (tx_root no longer matches)": (b) => ({
    ...b,
    transactions: b.transactions.map((t) => (t.type === "transfer" ? { ...t, amount: t.amount + 1 } : t)),
  }),
  "bad proof of work": (b) => withBadPow(b),
  "broken link (previous_hash unknown)": (b) => regrind(b, { previous_hash: randomHex() }),
  "bad signature": (b) => {
    const transactions: Transaction[] = b.transactions.map((t) =>
      t.type === "transfer" ? { ...t, signature: (t.signature[0] === "0" ? "1" : "0") + t.signature.slice(1) } : t,
    );
    return regrind(b, { transactions, tx_root: txRootOf(transactions) });
  },
  "easy block (difficulty 1 where the network needs more)": (b) => regrind(b, { difficulty: 1 }),
  "inflated coinbase": (b) => {
    const transactions: Transaction[] = b.transactions.map((t) => (t.type === "coinbase" ? { ...t, amount: t.amount + 5 } : t));
    return regrind(b, { transactions, tx_root: txRootOf(transactions) });
  },
};

function txRootOf(txs: Transaction[]): string {
  return txRootHex(txs.map((t) => txId(t)));
}

/**
 * A chain of `blocks` blocks after genesis mined by key1, with the transfer in block `k`,
 * whose block `k` is tampered and whose later blocks are built on the tampered one.
 */
function liarChain(tamper: Tamper, blocks: number, k: number): { chain: Block[]; validPrefix: Block[] } {
  const valid = buildChain(PARAMS, k - 2, key1.address);
  const honestK = buildChain(PARAMS, 1, key1.address, { base: valid, txsAt: () => [TRANSFER] }).at(-1) as Block;
  const bad = tamper(honestK);
  const chain = buildChain(PARAMS, blocks + 1 - k, key1.address, { base: [...valid, bad] });
  return { chain, validPrefix: valid };
}

async function nodeWithOwnChain(blocks = OWN_BLOCKS): Promise<NodeProc> {
  const n = cleanup.node(await startNode({ difficulty: DIFFICULTY }));
  for (let i = 0; i < blocks; i++) await mineOn(n.url);
  return n;
}

async function snapshot(url: string) {
  const s = await statusOf(url);
  const chain = (await http(`${url}/chain`)).body.chain as Array<{ hash: string }>;
  return { height: s.height, tip: s.tip, total_work: s.total_work, hashes: chain.map((b) => b.hash) };
}

async function register(url: string, peer: FakePeer): Promise<void> {
  const r = await http(`${url}/nodes/register`, { body: { nodes: [peer.url] } });
  expect(r.status, r.text).toBe(201);
}

async function resolve(url: string, timeoutMs = 40_000): Promise<Awaited<ReturnType<typeof http>> & { ms: number }> {
  const t0 = Date.now();
  const r = await http(`${url}/nodes/resolve`, { timeoutMs });
  return { ...r, ms: Date.now() - t0 };
}

async function peersOf(url: string): Promise<string[]> {
  return (await http(`${url}/nodes`)).body.nodes;
}

describe("tampered chains", () => {
  it("a heavier chain with one tampered block is refused whole; the liar is dropped", { timeout: 60_000 }, async () => {
    const node = await nodeWithOwnChain();
    const before = await snapshot(node.url);
    for (const [name, tamper] of Object.entries(TAMPERS)) {
      // 12 blocks after genesis (more work than our 6), block 5 tampered: the valid prefix (3 blocks) is lighter than ours
      const { chain } = liarChain(tamper, 12, 5);
      expect(totalWork(chain), name).toBeGreaterThan(Number(before.total_work));
      const fake = cleanup.peer(await startFakePeer(serveChain(chain)));
      await register(node.url, fake);
      const r = await resolve(node.url);
      expect(r.status, name).toBe(200);
      expect(r.body.message, name).toBe("Our chain is authoritative");
      expect(await snapshot(node.url), name).toEqual(before);
      expect(
        fake.hits.some((h) => h.startsWith("GET /blocks?from=")),
        `${name}: blocks were fetched`,
      ).toBe(true);
      if (!name.startsWith("broken link")) expect(await peersOf(node.url), `${name}: liar dropped`).not.toContain(`127.0.0.1:${fake.port}`);
      // the tampered block is not served as part of any chain here
      const bad = toApi(chain[4] as Block);
      expect((await http(`${node.url}/blocks/${bad.hash}`)).status, name).toBe(404);
    }
    expect(node.proc.exitCode).toBeNull();
  });

  it("takes only the valid prefix when it alone has more work than its own chain", { timeout: 60_000 }, async () => {
    // one node per lie, in parallel; every branch ends before the test does (so cleanup sees all nodes)
    const results = await Promise.allSettled(
      Object.entries(TAMPERS).map(async ([name, tamper]) => {
        const node = await nodeWithOwnChain(2); // height 3
        // block 7 tampered: blocks 2..6 are valid and heavier than our 3
        const { chain, validPrefix } = liarChain(tamper, 10, 7);
        const fake = cleanup.peer(await startFakePeer(serveChain(chain)));
        await register(node.url, fake);
        // registering starts a sync at once; like a user typing the next command, resolve after it ended:
        // resolve still reports that a peer's blocks replaced our chain since the last call
        await waitFor(async () => (await statusOf(node.url)).height === 6, 15_000, 50);
        await new Promise((r) => setTimeout(r, 300));
        const r = await resolve(node.url);
        expect(r.status, name).toBe(200);
        expect(r.body.message, name).toBe("Our chain was replaced");
        const want = validPrefix.map((b) => toApi(b).hash);
        expect((await snapshot(node.url)).hashes, name).toEqual(want);
        expect(
          r.body.new_chain.map((b: { hash: string }) => b.hash),
          name,
        ).toEqual(want);
        // and a later resolve does not move past the tampered block either
        const again = await resolve(node.url);
        expect(again.body.message, name).toBe("Our chain is authoritative");
        expect(again.body.chain.length, name).toBe(6);
      }),
    );
    for (const r of results) if (r.status === "rejected") throw r.reason;
  });
});

describe("peers that claim or say nonsense", () => {
  it("(f) a peer claiming far more work than its blocks back changes nothing", { timeout: 60_000 }, async () => {
    const node = await nodeWithOwnChain();
    const before = await snapshot(node.url);
    const short = buildChain(PARAMS, 3, key1.address);
    const fake = cleanup.peer(
      await startFakePeer(serveChain(short, { status: { total_work: "1000000000000000000000000", height: 1_000_000 } })),
    );
    await register(node.url, fake);
    const r = await resolve(node.url);
    expect(r.status).toBe(200);
    expect(r.body.message).toBe("Our chain is authoritative");
    expect(await snapshot(node.url)).toEqual(before);
    // its valid blocks are at most a side branch; the claimed work is never counted
    expect((await statusOf(node.url)).total_work).toBe(before.total_work);
  });

  it("(f2) headers first: a peer whose headers carry less work than it claims is not asked for a single block", {
    timeout: 60_000,
  }, async () => {
    const node = await nodeWithOwnChain();
    const before = await snapshot(node.url);
    const short = buildChain(PARAMS, 3, key1.address);
    const fake = cleanup.peer(
      await startFakePeer(serveChain(short, { headers: true, status: { total_work: "1000000000000000000000000", height: 1_000_000 } })),
    );
    await register(node.url, fake);
    const r = await resolve(node.url);
    expect(r.body.message).toBe("Our chain is authoritative");
    expect(fake.hits.some((h) => h.startsWith("GET /headers"))).toBe(true);
    expect(fake.hits.filter((h) => h.startsWith("GET /blocks?"))).toEqual([]);
    // nothing of it stored, not even as a side branch
    for (const b of short.slice(1)) expect((await http(`${node.url}/blocks/${toApi(b).hash}`)).status).toBe(404);
    expect(await snapshot(node.url)).toEqual(before);
  });

  it("(f3) a peer whose pool serves forged signatures is dropped", { timeout: 60_000 }, async () => {
    const node = await nodeWithOwnChain();
    const light = buildChain(PARAMS, 1, key1.address);
    const forged = Array.from({ length: 50 }, (_, i) => ({ ...TRANSFER, nonce: i, signature: "ab".repeat(64) }));
    const base = serveChain(light, { status: { pending: forged.length } });
    const fake = cleanup.peer(
      await startFakePeer((req, res, path, q) =>
        req.method === "GET" && path === "/transactions/pending" ? sendJson(res, 200, { transactions: forged }) : base(req, res, path, q),
      ),
    );
    await register(node.url, fake);
    await waitFor(async () => (await http(`${node.url}/nodes`)).body.nodes.length === 0, 20_000);
    expect(fake.hits).toContain("GET /transactions/pending");
    expect((await statusOf(node.url)).pending).toBe(0);
  });

  it("(g) garbage answers (non-JSON, wrong shapes) change nothing", { timeout: 60_000 }, async () => {
    const node = await nodeWithOwnChain();
    const before = await snapshot(node.url);
    // what the peers serve when not lying: valid blocks lighter than ours, under a claim of more work
    const light = buildChain(PARAMS, 4, key1.address);
    const honest = serveChain(light, { status: { total_work: 1_000_000, height: 500 } });
    const html: Handler = (_req, res) => {
      res.writeHead(200, { "content-type": "text/html" });
      res.end("<html><body>surprise</body></html>");
    };
    const onlyFor =
      (prefix: string, lie: Handler): Handler =>
      (req, res, path, q) =>
        `${path}?${q}`.startsWith(prefix) ? lie(req, res, path, q) : honest(req, res, path, q);
    const lies: Record<string, Handler> = {
      "non-JSON everywhere": html,
      "status of the wrong shape": onlyFor("/status", (_req, res) => sendJson(res, 200, { network: "devnet", height: "tall" })),
      "block by id without a hash": onlyFor("/blocks/", (_req, res) => sendJson(res, 200, { hash: 12, index: [] })),
      "block list not a list": onlyFor("/blocks?", (_req, res) => sendJson(res, 200, { blocks: "nope" })),
      "block list of junk": onlyFor("/blocks?", (_req, res) => sendJson(res, 200, { blocks: [1, "x", null, {}] })),
      "blocks of the wrong shape": onlyFor("/blocks?", (_req, res) =>
        sendJson(res, 200, { blocks: [{ index: 2, hello: "world" }, { index: 3 }] }),
      ),
      "blocks with a lying hash field": onlyFor("/blocks?", (_req, res, _p, q) =>
        sendJson(res, 200, {
          blocks: light.slice(Number(q.get("from")) - 1, Number(q.get("from")) + 2).map((b) => ({ ...toApi(b), hash: randomHex() })),
        }),
      ),
      "blocks out of order": onlyFor("/blocks?", (_req, res) => sendJson(res, 200, { blocks: light.slice(1).reverse().map(toApi) })),
      "HTTP 500 with garbage": (_req, res) => {
        res.writeHead(500);
        res.end("\u0000\u0001 oops");
      },
      "redirects (not followed)": onlyFor("/blocks", (_req, res) => {
        res.writeHead(302, { location: "http://127.0.0.1:1/blocks" });
        res.end();
      }),
      "declares a 1 GB answer": onlyFor("/blocks?", (_req, res) => {
        res.writeHead(200, { "content-type": "application/json", "content-length": String(1024 ** 3) });
        res.write('{"blocks":[');
      }),
      "truncated JSON": onlyFor("/blocks?", (_req, res) => {
        res.writeHead(200, { "content-type": "application/json" });
        res.end('{"blocks":[{"index":2,');
      }),
    };
    const fakes: FakePeer[] = [];
    for (const lie of Object.values(lies)) {
      // registration sees an honest status; the lies start right after
      const fake = cleanup.peer(await startFakePeer(honest));
      await register(node.url, fake);
      fake.setHandler(lie);
      fakes.push(fake);
    }
    const r = await resolve(node.url);
    expect(r.status).toBe(200);
    expect(r.body.message).toBe("Our chain is authoritative");
    expect(await snapshot(node.url)).toEqual(before);
    expect(node.proc.exitCode).toBeNull();
    for (const f of fakes) expect(f.hits.length, "asked beyond the registration probe").toBeGreaterThanOrEqual(2);
    // a second round (some peers in back-off, some dropped) is as harmless
    const again = await resolve(node.url);
    expect(again.status).toBe(200);
    expect(await snapshot(node.url)).toEqual(before);
  });

  it("(h, i) a peer that streams without end or never answers does not stall the API", { timeout: 90_000 }, async () => {
    const node = await nodeWithOwnChain();
    const before = await snapshot(node.url);
    const light = buildChain(PARAMS, 4, key1.address);
    const honest = serveChain(light, { status: { total_work: 1_000_000, height: 500 } });
    const open: ServerResponse[] = [];
    const stream = (res: ServerResponse, chunk: string) => {
      res.writeHead(200, { "content-type": "application/json" });
      res.write('{"blocks":[');
      const t = setInterval(() => res.write(chunk), 20);
      res.on("close", () => clearInterval(t));
      open.push(res);
    };
    const never = (res: ServerResponse) => {
      open.push(res); // accepted, never answered
    };
    const stalls: Record<string, Handler> = {
      "streams /blocks?from= without end": (req, res, path, q) =>
        path === "/blocks" ? stream(res, " ".repeat(1024)) : honest(req, res, path, q),
      "never answers /blocks/{id}": (req, res, path, q) => (path.startsWith("/blocks/") ? never(res) : honest(req, res, path, q)),
      "never answers /status": (req, res, path, q) => (path === "/status" ? never(res) : honest(req, res, path, q)),
      "streams /status without end": (req, res, path, q) =>
        path === "/status" ? stream(res, `"${"x".repeat(1022)}",`) : honest(req, res, path, q),
    };
    const fakes: Array<[string, FakePeer]> = [];
    for (const [name, stall] of Object.entries(stalls)) {
      // stalls of /status start after registration (which needs an answer); the others at once
      const fake = cleanup.peer(await startFakePeer(name.includes("/status") ? honest : stall));
      await register(node.url, fake);
      fake.setHandler(stall);
      fakes.push([name, fake]);
    }
    cleanup.add(() => {
      for (const res of open) res.destroy();
    });
    const pending = resolve(node.url, 60_000);
    let slowest = 0;
    let polls = 0;
    let done = false;
    void pending.finally(() => {
      done = true;
    });
    const pollUntil = Date.now() + 45_000;
    while (!done && Date.now() < pollUntil && polls < 500) {
      const t0 = Date.now();
      const s = await http(`${node.url}/status`, { timeoutMs: 5_000 });
      const ms = Date.now() - t0;
      expect(s.status).toBe(200);
      slowest = Math.max(slowest, ms);
      polls++;
      await new Promise((r) => setTimeout(r, 100));
    }
    const r = await pending;
    expect(r.status).toBe(200);
    expect(r.body.message).toBe("Our chain is authoritative");
    expect(polls, "status was polled while resolve ran").toBeGreaterThan(5);
    expect(slowest, "slowest /status during the stalls (ms)").toBeLessThan(1000);
    expect(r.ms, "resolve is bounded by the peer client's deadlines").toBeLessThan(30_000);
    const asked = (f: FakePeer, prefix: string) => f.hits.filter((h) => h.startsWith(prefix)).length;
    for (const [name, f] of fakes) {
      if (name.includes("/status")) expect(asked(f, "GET /status"), `${name}: stalled status asked`).toBeGreaterThanOrEqual(2);
      else if (name.includes("{id}")) expect(asked(f, "GET /blocks/"), `${name}: asked`).toBeGreaterThanOrEqual(1);
      else expect(asked(f, "GET /blocks?from="), `${name}: asked`).toBeGreaterThanOrEqual(1);
    }
    expect(await snapshot(node.url)).toEqual(before);
    expect(node.proc.exitCode).toBeNull();
  });
});

describe("registration and announcements", () => {
  it("refuses peers of another network, another genesis, or that are not nodes", { timeout: 60_000 }, async () => {
    const node = cleanup.node(await startNode({ difficulty: DIFFICULTY }));
    const ours = buildChain(PARAMS, 2, key1.address);
    const theirs = buildChain(devnetAt(DIFFICULTY * 2), 2, key1.address);
    const cases: Record<string, Handler> = {
      "another network name": serveChain(ours, { status: { network: "othernet" } }),
      "another genesis": serveChain(theirs),
      "non-JSON status": (_req, res) => {
        res.writeHead(200, { "content-type": "text/plain" });
        res.end("hello");
      },
      "status without the fields": (_req, res) => sendJson(res, 200, { hello: "world" }),
      "HTTP 500": (_req, res) => sendJson(res, 500, { error: "broken" }),
      // a node knows itself by the random node_id of its /status (a shared wallet address is no sign)
      "the node's own node_id": serveChain(ours, { status: { node_id: (await http(`${node.url}/status`)).body.node_id } }),
    };
    for (const [name, h] of Object.entries(cases)) {
      const fake = cleanup.peer(await startFakePeer(h));
      const r = await http(`${node.url}/nodes/register`, { body: { nodes: [fake.url] } });
      expect(r.status, `${name}: ${r.text}`).toBe(400);
      expect(typeof r.body.error, name).toBe("string");
    }
    expect(await peersOf(node.url)).toEqual([]);
  });

  it("POST /blocks: 400 for an invalid block, 202 for one whose parent is unknown, 200 when known", { timeout: 60_000 }, async () => {
    const node = await nodeWithOwnChain(2);
    const before = await snapshot(node.url);
    const tip = (await http(`${node.url}/blocks/3`)).body as Block;
    const good = buildChain(PARAMS, 1, key1.address, { base: [tip] }).at(-1) as Block;
    // key1 has no coins on this chain, but the transfer's checks below come before the balance
    const withTx = buildChain(PARAMS, 1, key1.address, { base: [tip], txsAt: () => [TRANSFER] }).at(-1) as Block;
    const expected: Record<string, [Block, number, string]> = {
      "changed amount (tx_root no longer matches)": [withTx, 400, "bad-tx-root"],
      "bad proof of work": [good, 400, "bad-pow"],
      "broken link (previous_hash unknown)": [good, 202, ""],
      "bad signature": [withTx, 400, "bad-signature"],
      "easy block (difficulty 1 where the network needs more)": [good, 400, "bad-difficulty"],
      "inflated coinbase": [good, 400, "bad-coinbase"],
    };
    for (const [name, tamper] of Object.entries(TAMPERS)) {
      const [base, status, code] = expected[name] as [Block, number, string];
      const r = await http(`${node.url}/blocks`, { body: toApi(tamper(base)) });
      expect(r.status, `${name}: ${r.text}`).toBe(status);
      if (status === 400) {
        expect(typeof r.body.error, name).toBe("string");
        expect(r.body.code, name).toBe(code);
      }
    }
    for (const junk of [{}, { index: 4 }, [], "block", 5, { ...toApi(good), hash: randomHex() }, { ...toApi(good), extra: 1 }]) {
      const r = await http(`${node.url}/blocks`, { body: junk });
      expect(r.status, JSON.stringify(junk).slice(0, 80)).toBe(400);
      expect(typeof r.body.error).toBe("string");
    }
    expect(await snapshot(node.url)).toEqual(before);

    const orphan = buildChain(PARAMS, 3, key1.address).at(-1) as Block; // its parent is only on an offline chain
    const o = await http(`${node.url}/blocks`, { body: toApi(orphan) });
    expect(o.status, o.text).toBe(202);
    expect(await snapshot(node.url)).toEqual(before);

    const ok = await http(`${node.url}/blocks`, { body: toApi(good) });
    expect(ok.status, ok.text).toBe(202);
    expect((await statusOf(node.url)).tip).toBe(toApi(good).hash);
    const known = await http(`${node.url}/blocks`, { body: toApi(good) });
    expect(known.status, known.text).toBe(200);
    expect(node.proc.exitCode).toBeNull();
  });
});
