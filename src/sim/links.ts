/**
 * Simulated links between hosts: a PeerTransport per host that delivers each request to
 * another host's handler (a real node's HTTP app, through Fastify's `inject`) after the
 * link's latency and the time its bytes take at the link's bandwidth, on a virtual clock.
 * A host may be cut off from others (a partition); a request across a cut, or to a host that
 * does not exist, fails as it would over the internet: after its deadline, or at once when
 * nothing listens. Answers are checked as the HTTP transport checks them (status, size
 * limit, JSON), so the node under test sees the same errors.
 */

import type { Clock } from "../node/clock.js";
import {
  DEFAULT_LIMITS,
  type PeerAnswer,
  type PeerRequest,
  PeerRequestError,
  type PeerTransport,
  peerAnswer,
  type RequestLimits,
} from "../p2p/http-client.js";

/** A request as a host receives it. */
export interface HostRequest {
  method: string;
  /** Path and query, e.g. `/blocks?from=3&limit=100`. */
  path: string;
  body?: string;
}

/** What a host answers: the HTTP status and the body's text. */
export interface HostAnswer {
  status: number;
  text: string;
}

export type HostHandler = (req: HostRequest) => Promise<HostAnswer>;

/** A link's delay: `latencyMs` each way, plus the bytes' time at `bytesPerMs` (unlimited when absent). */
export interface LinkSpec {
  latencyMs: number;
  bytesPerMs?: number;
  /**
   * A model of the receiving host's own time: each request reaches its handler this much later
   * (default 0, the handler answering at once in virtual time). Real nodes spend a few
   * milliseconds per hop taking a block in and passing it on.
   */
  processingMs?: number;
}

/** Milliseconds `bytes` take over a link, latency included (one way). */
export function linkDelay(spec: LinkSpec, bytes: number): number {
  return spec.latencyMs + (spec.bytesPerMs ? bytes / spec.bytesPerMs : 0);
}

/** Distinct URLs whose parse is kept (the peers' routes; queries make more, and the cache starts again). */
const MAX_TARGETS = 10_000;

/** What the links carried. */
export interface LinkStats {
  requests: number;
  /** Request and answer bytes delivered. */
  bytes: number;
  /** Requests that found a cut or no host. */
  failed: number;
}

export class VirtualLinks {
  private readonly hosts = new Map<string, HostHandler>();
  /** Host origin -> its side of the partition; hosts on different sides cannot reach each other. */
  private side = new Map<string, number>();
  readonly stats: LinkStats = { requests: 0, bytes: 0, failed: 0 };
  private readonly watchers: Array<(from: string, url: string, method: string) => void> = [];

  /** `link(from, to)`: the link between two host origins (the same spec both ways is up to the caller). */
  constructor(
    private readonly clock: Clock,
    private readonly link: (from: string, to: string) => LinkSpec,
  ) {}

  /** Puts a host at `origin` (e.g. `http://10.0.0.7:5000`). */
  addHost(origin: string, handler: HostHandler): void {
    this.hosts.set(new URL(origin).origin, handler);
  }

  removeHost(origin: string): void {
    this.hosts.delete(new URL(origin).origin);
  }

  /** Splits the hosts into groups that reach only their own group; hosts in no group form one more. */
  partition(groups: readonly (readonly string[])[]): void {
    this.side = new Map(groups.flatMap((g, i) => g.map((o) => [new URL(o).origin, i + 1] as const)));
  }

  /** Calls `fn` with every request sent, as it leaves (the sender's origin, the URL, the method). */
  watch(fn: (from: string, url: string, method: string) => void): void {
    this.watchers.push(fn);
  }

  /** Ends every partition. */
  heal(): void {
    this.side = new Map();
  }

  canReach(from: string, to: string): boolean {
    return this.sameSide(new URL(from).origin, new URL(to).origin);
  }

  private sameSide(fromOrigin: string, toOrigin: string): boolean {
    return (this.side.get(fromOrigin) ?? 0) === (this.side.get(toOrigin) ?? 0);
  }

  /** A URL's origin and path (with its query), parsed once per distinct URL: peers ask the same few again and again. */
  private target(url: string): { origin: string; path: string } {
    let t = this.targets.get(url);
    if (t === undefined) {
      const u = new URL(url);
      t = { origin: u.origin, path: u.pathname + u.search };
      if (this.targets.size >= MAX_TARGETS) this.targets.clear();
      this.targets.set(url, t);
    }
    return t;
  }
  private readonly targets = new Map<string, { origin: string; path: string }>();

  /** The transport of the host at `origin`: its requests leave from there. */
  transportFor(origin: string): PeerTransport {
    const from = new URL(origin).origin;
    return { requestJson: (url, init, limits) => this.send(from, url, init ?? {}, limits ?? DEFAULT_LIMITS) };
  }

  private wait(ms: number): Promise<void> {
    return new Promise((resolve) => this.clock.after(ms, resolve));
  }

  private async send(from: string, url: string, init: PeerRequest, limits: RequestLimits): Promise<PeerAnswer> {
    this.stats.requests++;
    for (const w of this.watchers) w(from, url, init.method ?? "GET");
    const target = this.target(url);
    const to = target.origin;
    const spec = this.link(from, to);
    const handler = this.hosts.get(to);
    const deadline = this.clock.now() + limits.timeoutMs;
    const timeout = () => new PeerRequestError(`${url}: no answer within ${limits.timeoutMs} ms`, "timeout");
    if (!this.sameSide(from, to)) {
      this.stats.failed++;
      await this.wait(limits.timeoutMs);
      throw timeout();
    }
    if (handler === undefined) {
      this.stats.failed++;
      await this.wait(Math.min(2 * spec.latencyMs, limits.timeoutMs));
      throw new PeerRequestError(`${url}: connection refused`, "unreachable");
    }
    const sent = Buffer.byteLength(init.body ?? "");
    await this.wait(linkDelay(spec, sent) + (spec.processingMs ?? 0));
    if (this.clock.now() > deadline) throw timeout();
    const answer = await handler({
      method: init.method ?? "GET",
      path: target.path,
      ...(init.body !== undefined ? { body: init.body } : {}),
    });
    const size = Buffer.byteLength(answer.text);
    this.stats.bytes += sent + size;
    if (size > limits.maxBytes)
      throw new PeerRequestError(`${url}: answer of ${size} bytes is over the ${limits.maxBytes}-byte limit`, "too-large");
    const back = linkDelay(spec, size);
    if (this.clock.now() + back > deadline) {
      await this.wait(Math.max(0, deadline - this.clock.now()));
      throw timeout();
    }
    await this.wait(back);
    if (!this.sameSide(from, to)) {
      await this.wait(Math.max(0, deadline - this.clock.now()));
      throw timeout();
    }
    return peerAnswer(url, answer.status, answer.text);
  }
}
