/**
 * Requests per second per client on public POST routes: a token bucket per address;
 * over the limit → 429 with Retry-After. Loopback clients (local tools, local peers of a
 * devnet) are exempt unless `limitLoopback` is set.
 */
import type { FastifyReply, FastifyRequest } from "fastify";
import { isLoopback } from "./auth.js";

export interface RateLimitOptions {
  /** Requests per second per client (0: no limit). */
  perSecond: number;
  /** Burst size (default: 2 s worth). */
  burst?: number;
  limitLoopback?: boolean;
}

const MAX_CLIENTS = 10_000;

export function rateLimiter(opts: RateLimitOptions) {
  const buckets = new Map<string, { tokens: number; at: number }>();
  const rate = opts.perSecond;
  const burst = opts.burst ?? Math.max(1, rate * 2);
  return (req: FastifyRequest, reply: FastifyReply): FastifyReply | undefined => {
    if (rate <= 0) return;
    const addr = req.socket.remoteAddress ?? "unknown";
    if (!opts.limitLoopback && isLoopback(addr)) return;
    const now = Date.now();
    let b = buckets.get(addr);
    if (b === undefined) {
      if (buckets.size >= MAX_CLIENTS) buckets.delete(buckets.keys().next().value as string);
      b = { tokens: burst, at: now };
      buckets.set(addr, b);
    }
    b.tokens = Math.min(burst, b.tokens + ((now - b.at) / 1000) * rate);
    b.at = now;
    if (b.tokens >= 1) {
      b.tokens -= 1;
      return;
    }
    const wait = Math.max(1, Math.ceil((1 - b.tokens) / rate));
    void reply
      .status(429)
      .header("retry-after", String(wait))
      .send({ error: `too many requests from ${addr}: at most ${rate} per second; retry after ${wait} s`, code: "rate-limited" });
    return reply;
  };
}
