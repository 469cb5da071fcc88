/**
 * The wallet trusts its node no more than it must: it pins the network (name and genesis
 * hash) at its first use and refuses a node of another one; it reads a token's decimals from
 * the token's own token_create transaction (whose id it checks), so a node misreporting them
 * is refused; its confirmations show base units beside whole tokens. A lying node is a
 * proxy on 127.0.0.1 in front of a real one.
 */
import { existsSync, readFileSync } from "node:fs";
import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { http, type NodeProc, removeDir, startNode, tempDir } from "../helpers/node-process.js";
import { type CliOptions, mine, wallet, walletOk } from "../helpers/wallet-cli.js";

let node: NodeProc;
let other: NodeProc;
let dir: string;
const proxies: Server[] = [];
const opts = (name: string, url = node.url): CliOptions => ({ node: url, wallet: join(dir, name) });

/** A node in front of `node` that rewrites the JSON of the answers `edit` picks. */
async function lyingNode(
  edit: (path: string, body: Record<string, unknown>) => { status: number; body: unknown } | undefined,
): Promise<string> {
  const server = createServer(async (req, res) => {
    const path = req.url ?? "/";
    const chunks: Buffer[] = [];
    for await (const c of req) chunks.push(c as Buffer);
    const upstream = await fetch(`${node.url}${path}`, {
      method: req.method ?? "GET",
      headers: { "content-type": "application/json" },
      ...(chunks.length > 0 ? { body: Buffer.concat(chunks) } : {}),
    });
    const text = await upstream.text();
    let out = { status: upstream.status, body: text as unknown };
    try {
      const changed = edit(path, JSON.parse(text));
      if (changed) out = changed;
    } catch {
      // not JSON: passed on
    }
    res.writeHead(out.status, { "content-type": "application/json" });
    res.end(typeof out.body === "string" ? out.body : JSON.stringify(out.body));
  });
  await new Promise<void>((r) => server.listen(0, "127.0.0.1", r));
  proxies.push(server);
  return `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
}

beforeAll(async () => {
  dir = tempDir("tc-wallet-trust-");
  [node, other] = await Promise.all([startNode({ difficulty: 16 }), startNode({ difficulty: 32 })]);
});

afterAll(async () => {
  for (const p of proxies) await new Promise((r) => p.close(r));
  for (const n of [node, other]) {
    await n?.stop();
    if (n) removeDir(n.dataDir);
  }
  if (dir) removeDir(dir);
});

describe("the wallet pins its network", () => {
  it("at its first use of a node, then refuses a node of another genesis", async () => {
    await walletOk(["new"], opts("pinned"));
    expect(existsSync(join(dir, "pinned", "network.json"))).toBe(false); // no node used yet
    await walletOk(["balance"], opts("pinned"));
    const genesis = (await http(`${node.url}/status`)).body.genesis_hash;
    expect(JSON.parse(readFileSync(join(dir, "pinned", "network.json"), "utf8"))).toEqual({ network: "devnet", genesis_hash: genesis });
    for (const args of [["balance"], ["send", "9645f2870e3d091a8e8868345698cbd6154fc192d983acb2f5931c88d8eb2ef7", "1"], ["history"]]) {
      const r = await wallet(args, opts("pinned", other.url));
      expect(r.code, r.stdout).not.toBe(0);
      expect(r.json.code).toBe("wrong-network");
      expect(r.json.error).toMatch(/belongs to network "devnet" \(genesis [0-9a-f]{64}, pinned in .*network\.json/);
    }
    await walletOk(["balance"], opts("pinned")); // the right node still works
  });
});

describe("token decimals come from the token_create transaction", () => {
  let token = "";
  let recipient = "";

  beforeAll(async () => {
    const maker = await walletOk(["new"], opts("maker"));
    recipient = (await walletOk(["new"], opts("taker"))).address;
    expect(maker.address).toMatch(/^[0-9a-f]{64}$/);
    const created = await walletOk(
      ["token", "create", "--name", "Trust Coin", "--symbol", "TRU", "--decimals", "2", "--supply", "100"],
      opts("maker"),
    );
    token = created.token;
    await mine(node.url);
  });

  it("a transfer's confirmation shows whole tokens and base units", async () => {
    const r = await wallet(["token", "transfer", token, recipient, "1.5", "--new-address"], { ...opts("maker"), json: false });
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toMatch(/sent 1\.50 TRU \(150 base units\) to /);
  });

  it("a node that misreports decimals is refused before anything is signed", async () => {
    const liar = await lyingNode((path, body) =>
      path === `/tokens/${token}` ? { status: 200, body: { ...body, decimals: 0 } } : undefined,
    );
    const pendingBefore = (await http(`${node.url}/status`)).body.pending;
    const r = await wallet(["token", "transfer", token, recipient, "1"], opts("maker", liar));
    expect(r.code).not.toBe(0);
    expect(r.json.code).toBe("token-mismatch");
    expect(r.json.error).toMatch(/0 decimals.*token_create transaction says "Trust Coin" \(TRU, 2 decimals\)/);
    expect((await http(`${node.url}/status`)).body.pending).toBe(pendingBefore);
  });

  it("a node that hides or forges the token_create transaction is refused", async () => {
    const hiding = await lyingNode((path) => (path === `/transactions/${token}` ? { status: 404, body: { error: "no" } } : undefined));
    const r = await wallet(["token", "balance", token], opts("maker", hiding));
    expect(r.json.code).toBe("unverified-token");
    const forging = await lyingNode((path, body) =>
      path === `/transactions/${token}`
        ? { status: 200, body: { ...body, transaction: { ...(body.transaction as object), decimals: 0 } } }
        : path === `/tokens/${token}`
          ? { status: 200, body: { ...body, decimals: 0 } }
          : undefined,
    );
    const f = await wallet(["token", "transfer", token, recipient, "1"], opts("maker", forging));
    expect(f.json.code).toBe("unverified-token"); // the forged transaction's id is not the token id
  });
});
