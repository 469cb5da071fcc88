/**
 * Scripted peers: node:http servers on 127.0.0.1 (ephemeral ports) that answer like a node
 * (GET /status, /blocks?from=&limit=, /blocks/{index or hash}, optionally /headers) from a
 * chain given to them, or however a handler says (to lie, stall, redirect). One fake peer for
 * the robustness runs and the peer-network tests alike.
 */
import { randomBytes } from "node:crypto";
import { createServer, type IncomingMessage, type Server, type ServerResponse } from "node:http";
import { type Block, blockHash, toApi } from "./chains.js";

export type Handler = (req: IncomingMessage, res: ServerResponse, path: string, query: URLSearchParams) => void;

export interface FakePeer {
  url: string;
  port: number;
  /** "METHOD /path?query" of every request received, in order (the last 10,000). */
  hits: string[];
  /** Replaces the request handler (e.g. to start lying after registration). */
  setHandler(h: Handler): void;
  close(): Promise<void>;
}

export function sendJson(res: ServerResponse, status: number, body: unknown): void {
  const text = typeof body === "string" ? body : JSON.stringify(body);
  res.writeHead(status, { "content-type": "application/json", "content-length": Buffer.byteLength(text) });
  res.end(text);
}

/** A scripted HTTP server on `host` (ephemeral port) that answers with `handler`. */
export async function startFakePeer(handler: Handler, host = "127.0.0.1"): Promise<FakePeer> {
  let current = handler;
  const hits: string[] = [];
  const server: Server = createServer((req, res) => {
    const u = new URL(req.url ?? "/", "http://127.0.0.1");
    hits.push(`${req.method} ${u.pathname}${u.search}`);
    if (hits.length > 10_000) hits.splice(0, 1000);
    res.on("error", () => {});
    if (req.method === "POST") {
      // drain the body (bounded) before answering
      let size = 0;
      req.on("data", (d: Buffer) => {
        size += d.length;
        if (size > 4 * 1024 * 1024) req.destroy();
      });
      req.on("end", () => current(req, res, u.pathname, u.searchParams));
      req.on("error", () => {});
      return;
    }
    current(req, res, u.pathname, u.searchParams);
  });
  await new Promise<void>((resolve, reject) => {
    server.once("error", reject);
    server.listen(0, host, () => resolve());
  });
  const addr = server.address();
  const port = typeof addr === "object" && addr !== null ? addr.port : 0;
  return {
    url: `http://${host}:${port}`,
    port,
    hits,
    setHandler: (h) => {
      current = h;
    },
    close: async () => {
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}

export interface ServeOptions {
  network?: string;
  /** Fields of /status to replace (lies about work, height, ...). */
  status?: Record<string, unknown>;
  /** The address the peer claims in /status (random by default). */
  address?: string;
  /** Blocks served as is (already in API form, possibly tampered); default: `toApi` of each. */
  raw?: unknown[];
  /** Serve GET /headers too (protocol 1.1); without it the peer answers 404, as a protocol 1.0 node. */
  headers?: boolean;
}

/**
 * Serves `chain` (genesis first) like a node. POST /blocks and /transactions are taken and
 * ignored. The work claimed is the sum of the blocks' difficulties unless `status` says otherwise.
 */
export function serveChain(chain: Block[], opts: ServeOptions = {}): Handler {
  const api = opts.raw ?? chain.map(toApi);
  const genesis = chain[0] as Block;
  const tip = chain.at(-1) as Block;
  const address = opts.address ?? randomBytes(32).toString("hex");
  const work = chain.reduce((s, b) => s + b.difficulty, 0);
  return (req, res, path, query) => {
    if (req.method === "GET" && path === "/status") {
      return sendJson(res, 200, {
        network: opts.network ?? "devnet",
        genesis_hash: blockHash(genesis),
        height: tip.index,
        tip: blockHash(tip),
        total_work: work,
        difficulty: tip.difficulty,
        peers: 0,
        pending: 0,
        address,
        ...opts.status,
      });
    }
    if (req.method === "GET" && path === "/blocks") {
      const from = Math.max(1, Number(query.get("from") ?? "1") || 1);
      const limit = Math.min(500, Math.max(1, Number(query.get("limit") ?? "100") || 100));
      return sendJson(res, 200, { blocks: api.slice(from - 1, from - 1 + limit) });
    }
    if (req.method === "GET" && path === "/headers" && opts.headers) {
      const from = Math.max(1, Number(query.get("from") ?? "1") || 1);
      const limit = Math.min(2000, Math.max(1, Number(query.get("limit") ?? "2000") || 2000));
      const page = api.slice(from - 1, from - 1 + limit).map((b) => {
        const { transactions: _t, ...header } = b as { transactions?: unknown };
        return header;
      });
      return sendJson(res, 200, { headers: page });
    }
    const m = /^\/blocks\/([0-9a-f]{64}|[0-9]{1,16})$/.exec(path);
    if (req.method === "GET" && m) {
      const id = m[1] as string;
      const b = id.length === 64 ? api.find((x) => (x as { hash?: unknown }).hash === id) : api[Number(id) - 1];
      return b ? sendJson(res, 200, b) : sendJson(res, 404, { error: `no block ${id} here` });
    }
    if (req.method === "POST" && (path === "/blocks" || path === "/transactions")) return sendJson(res, 200, { message: "ignored" });
    return sendJson(res, 404, { error: "no such route" });
  };
}
