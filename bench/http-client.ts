/** A small keep-alive HTTP client for 127.0.0.1 (node:http), every request bounded in time. */
import { Agent, request } from "node:http";

export interface Reply {
  status: number;
  text: string;
}

export class HttpClient {
  readonly agent: Agent;
  private readonly host: string;
  private readonly port: number;

  constructor(
    readonly baseUrl: string,
    maxSockets = 1,
  ) {
    const u = new URL(baseUrl);
    if (u.hostname !== "127.0.0.1") throw new Error(`the benchmark only talks to 127.0.0.1, not ${u.hostname}`);
    this.host = u.hostname;
    this.port = Number(u.port);
    this.agent = new Agent({ keepAlive: true, maxSockets, maxFreeSockets: maxSockets });
  }

  /** Sends `body` (already JSON) or nothing; resolves with the status and the body text. */
  send(method: string, path: string, body?: string | Buffer, timeoutMs = 30_000): Promise<Reply> {
    return new Promise((resolve, reject) => {
      const headers: Record<string, string | number> = {};
      if (body !== undefined) {
        headers["content-type"] = "application/json";
        headers["content-length"] = Buffer.byteLength(body);
      }
      const req = request({ host: this.host, port: this.port, method, path, headers, agent: this.agent }, (res) => {
        const chunks: Buffer[] = [];
        res.on("data", (c: Buffer) => chunks.push(c));
        res.on("end", () => resolve({ status: res.statusCode ?? 0, text: Buffer.concat(chunks).toString("utf8") }));
        res.on("error", reject);
      });
      req.setTimeout(timeoutMs, () => req.destroy(new Error(`${method} ${path}: no answer within ${timeoutMs} ms`)));
      req.on("error", reject);
      req.end(body);
    });
  }

  async json<T = unknown>(method: string, path: string, body?: unknown, timeoutMs?: number): Promise<{ status: number; body: T }> {
    const r = await this.send(method, path, body === undefined ? undefined : JSON.stringify(body), timeoutMs);
    let parsed: unknown;
    try {
      parsed = JSON.parse(r.text);
    } catch {
      parsed = undefined;
    }
    return { status: r.status, body: parsed as T };
  }

  /** Like `json`, but throws unless the status is one of `ok`. */
  async expect<T = unknown>(ok: number[], method: string, path: string, body?: unknown, timeoutMs?: number): Promise<T> {
    const r = await this.send(method, path, body === undefined ? undefined : JSON.stringify(body), timeoutMs);
    if (!ok.includes(r.status)) throw new Error(`${method} ${path}: ${r.status} ${r.text.slice(0, 300)}`);
    return JSON.parse(r.text) as T;
  }

  close(): void {
    this.agent.destroy();
  }
}

/** Polls `check` every `everyMs` until it returns true; throws after `timeoutMs`. */
export async function waitUntil(what: string, check: () => Promise<boolean>, timeoutMs: number, everyMs = 20): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  let last: unknown;
  while (Date.now() < deadline) {
    try {
      if (await check()) return;
    } catch (err) {
      last = err;
    }
    await new Promise((r) => setTimeout(r, everyMs));
  }
  throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}${last ? `: ${String(last)}` : ""}`);
}
