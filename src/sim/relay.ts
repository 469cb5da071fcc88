/**
 * A relay of real HTTP between processes on this machine, delaying as VirtualLinks does: each
 * link is a listener on 127.0.0.1 that takes a whole request, waits the link's delay for its
 * bytes (latency, plus size over bandwidth), forwards it to its target, takes the whole
 * answer, waits the delay for the answer's bytes, and only then answers. So a node that
 * registers another under the link's URL reaches it only through the link, as a simulated
 * node reaches another only through its virtual link. The kernel's traffic shaping (netem)
 * would do the same below HTTP; this needs no privileges.
 */
import { Agent, createServer, type IncomingMessage, request, type Server, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import { type LinkSpec, type LinkStats, linkDelay } from "./links.js";

/** The most a relayed request or answer may carry (above the peers' 16 MiB answer limit). */
const MAX_BYTES = 32 * 1024 * 1024;
/** How long the target may take to answer a forwarded request. */
const FORWARD_TIMEOUT_MS = 60_000;

/** A request the relay carried, with its times (performance.now(), ms). */
export interface Relayed {
  /** The link's name, as given to `open`. */
  link: string;
  method: string;
  path: string;
  body: Buffer;
  /** The whole request had arrived at the link. */
  receivedAt: number;
  /** It was sent on to the target, after the link's delay. */
  forwardedAt: number;
  /** The target's whole answer had come back. */
  answeredAt: number;
}

/** Reads a whole body, or fails beyond `MAX_BYTES`. */
function readAll(from: IncomingMessage): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    from.on("data", (c: Buffer) => {
      size += c.length;
      if (size > MAX_BYTES) from.destroy(new Error(`over ${MAX_BYTES} bytes`));
      else chunks.push(c);
    });
    from.on("end", () => resolve(Buffer.concat(chunks)));
    from.on("error", reject);
    // after "end" this changes nothing; before it, the sender went away
    from.on("close", () => reject(new Error("closed before its end")));
  });
}

interface Answer {
  status: number;
  contentType: string | undefined;
  body: Buffer;
}

export class Relay {
  private readonly servers: Server[] = [];
  private readonly agent = new Agent({ keepAlive: true, maxSockets: 256 });
  /** The delays running, each with the way to end it early (at close). */
  private readonly timers = new Map<NodeJS.Timeout, () => void>();
  private closed = false;
  readonly stats: LinkStats = { requests: 0, bytes: 0, failed: 0 };

  /** `onRelayed`: told of every request answered through a link. */
  constructor(
    private readonly spec: LinkSpec,
    private readonly onRelayed: (r: Relayed) => void = () => {},
  ) {}

  /** Opens a link named `name` to `target` (an origin such as `http://127.0.0.1:5001`); resolves to the link's own origin. */
  async open(target: string, name = target): Promise<string> {
    const to = new URL(target);
    const server = createServer((req, res) => {
      void this.relay(name, to, req, res);
    });
    this.servers.push(server);
    await new Promise<void>((resolve, reject) => {
      server.once("error", reject);
      server.listen(0, "127.0.0.1", () => resolve());
    });
    return `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  }

  private wait(ms: number): Promise<void> {
    return new Promise((resolve) => {
      const t = setTimeout(() => {
        this.timers.delete(t);
        resolve();
      }, ms);
      this.timers.set(t, resolve);
    });
  }

  private forward(to: URL, req: IncomingMessage, body: Buffer): Promise<Answer> {
    const headers: Record<string, string> = { "content-length": String(body.length) };
    for (const name of ["content-type", "accept", "authorization"]) {
      const v = req.headers[name];
      if (typeof v === "string") headers[name] = v;
    }
    return new Promise((resolve, reject) => {
      const out = request(
        { host: to.hostname, port: to.port, method: req.method, path: req.url, headers, agent: this.agent, timeout: FORWARD_TIMEOUT_MS },
        (answer) => {
          readAll(answer).then(
            (b) => resolve({ status: answer.statusCode ?? 502, contentType: answer.headers["content-type"], body: b }),
            reject,
          );
        },
      );
      out.on("timeout", () => out.destroy(new Error(`no answer within ${FORWARD_TIMEOUT_MS} ms`)));
      out.on("error", reject);
      out.end(body);
    });
  }

  private async relay(link: string, to: URL, req: IncomingMessage, res: ServerResponse): Promise<void> {
    this.stats.requests++;
    try {
      const body = await readAll(req);
      const receivedAt = performance.now();
      await this.wait(linkDelay(this.spec, body.length));
      if (this.closed) throw new Error("relay closed");
      const forwardedAt = performance.now();
      const answer = await this.forward(to, req, body);
      const answeredAt = performance.now();
      this.onRelayed({ link, method: req.method ?? "GET", path: req.url ?? "/", body, receivedAt, forwardedAt, answeredAt });
      this.stats.bytes += body.length + answer.body.length;
      await this.wait(linkDelay(this.spec, answer.body.length));
      if (this.closed) throw new Error("relay closed");
      res.writeHead(answer.status, {
        "content-length": String(answer.body.length),
        ...(answer.contentType !== undefined ? { "content-type": answer.contentType } : {}),
      });
      res.end(answer.body);
    } catch {
      // the target is gone or the link closed: the sender sees its connection drop, as over the internet
      this.stats.failed++;
      res.destroy();
    }
  }

  /** Closes every link: their listeners, the connections through them, and the requests waiting on a delay. */
  async close(): Promise<void> {
    this.closed = true;
    for (const [t, end] of this.timers) {
      clearTimeout(t);
      end();
    }
    this.timers.clear();
    await Promise.all(
      this.servers.map(
        (s) =>
          new Promise<void>((resolve) => {
            s.close(() => resolve());
            s.closeAllConnections();
          }),
      ),
    );
    this.agent.destroy();
  }
}
