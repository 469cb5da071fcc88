/**
 * Public POST routes are charged to a token bucket per client address, by the work they cost
 * and not only by their number: a batch of 1,000 badly signed transactions is 1,000 signature
 * checks (about 60 ms of CPU) and must not cost what one small request costs.
 *
 * - A request costs COST.request when it comes (onRequest: `admit`); refused with 429 and
 *   Retry-After when the bucket holds less than that.
 * - Its handler reports the work through `req.work` (a WorkMeter, decorated on the request):
 *   `spend` before doing it (each transaction carried costs COST.transaction: its signature
 *   check), which refuses with 429 when the client has nothing left, so work is paid before
 *   it is done and a client sending many batches at once gets few through; `charge` after it
 *   (each transaction refused as invalid costs COST.refused).
 * - An answer of 400 or 413 (invalid data: bad JSON, a bad signature, an invalid block) costs
 *   COST.refused more (onSend: `charged`), whatever the route.
 * A charge may overdraw the bucket, down to MAX_DEBT_S seconds' worth of refill: a client that
 * sent invalid data waits until it is paid off. So an honest client is limited by its number
 * of requests, as before, and one sending garbage runs out after a bounded amount of work.
 *
 * Exempt: requests that count as from loopback by the rules of the operator routes
 * (src/http/auth.ts whyNotLoopback: a loopback peer address *and* a Host that is a loopback
 * name or one allowed with --allow-host, no foreign Origin...) — local tools and a devnet's
 * nodes. A web page in a local browser (cross-site, or by DNS rebinding: Host is the
 * attacker's name) also arrives from 127.0.0.1, and is limited. `limitLoopback` limits all.
 */
import type { FastifyReply, FastifyRequest } from "fastify";
import { whyNotLoopback } from "./auth.js";
import { HttpError } from "./errors.js";

export interface RateLimitOptions {
  /** Tokens per second per client: requests per second, when each costs one (0: no limit). */
  perSecond: number;
  /** Burst size (default: 2 s worth). */
  burst?: number;
  /** Limit loopback clients too (--rate-limit-loopback). */
  limitLoopback?: boolean;
  /** Host names that count as this node's own (--allow-host), for the loopback exemption. */
  allowHosts?: readonly string[];
}

/** What work costs, in tokens; the bucket refills at `perSecond` tokens a second. */
export const COST = Object.freeze({
  request: 1,
  /** each transaction a request carries (a signature to check) */
  transaction: 0.05,
  /** each transaction refused as invalid, and an answer of 400 or 413 */
  refused: 1,
});

/** A client in debt is never made to wait longer than this for its bucket to refill. */
const MAX_DEBT_S = 60;
const MAX_CLIENTS = 10_000;

/** The work a request's handler does, told to the rate limiter (`req.work`). */
export interface WorkMeter {
  /** Work about to be done: 429 (an HttpError) if the client has no token left; else charged (it may overdraw). */
  spend(units: number): void;
  /** Work done (refusals): charged, never refused. */
  charge(units: number): void;
}

declare module "fastify" {
  interface FastifyRequest {
    /** The rate limiter's meter for this request (a no-op where nothing is limited). */
    work: WorkMeter;
  }
}

const FREE: WorkMeter = { spend() {}, charge() {} };

interface Bucket {
  tokens: number;
  at: number;
}

export function rateLimiter(opts: RateLimitOptions) {
  const buckets = new Map<string, Bucket>();
  const rate = opts.perSecond;
  const burst = opts.burst ?? Math.max(1, rate * 2);
  const floor = -rate * MAX_DEBT_S;

  const refill = (b: Bucket) => {
    const now = Date.now();
    b.tokens = Math.min(burst, b.tokens + ((now - b.at) / 1000) * rate);
    b.at = now;
  };
  const take = (b: Bucket, units: number) => {
    b.tokens = Math.max(floor, b.tokens - units);
  };
  const bucketOf = (addr: string): Bucket => {
    let b = buckets.get(addr);
    if (b === undefined) {
      if (buckets.size >= MAX_CLIENTS) forgetSome();
      b = { tokens: burst, at: Date.now() };
      buckets.set(addr, b);
    }
    return b;
  };
  // a full bucket remembers nothing: those go first; a client in debt is forgotten only if none is full
  const forgetSome = () => {
    for (const [addr, b] of buckets) {
      refill(b);
      if (b.tokens >= burst) buckets.delete(addr);
    }
    if (buckets.size >= MAX_CLIENTS) buckets.delete(buckets.keys().next().value as string);
  };
  const refusal = (addr: string, b: Bucket, reply: FastifyReply): string => {
    const wait = Math.max(1, Math.ceil((COST.request - b.tokens) / rate));
    void reply.header("retry-after", String(wait));
    return (
      `too many requests from ${addr}: at most ${rate} per second, a transaction in a request counting ${COST.transaction} ` +
      `more and a refused one (invalid) ${COST.refused}; retry after ${wait} s`
    );
  };
  const meter = (addr: string, b: Bucket, reply: FastifyReply): WorkMeter => ({
    spend(units) {
      refill(b);
      // the request itself is paid: what is left must be more than nothing
      if (b.tokens <= 0) throw new HttpError(429, refusal(addr, b, reply), "rate-limited");
      take(b, units);
    },
    charge(units) {
      refill(b);
      take(b, units);
    },
  });

  return {
    /** onRequest of a limited route: charges the request, or answers 429. Sets `req.work`. */
    admit(req: FastifyRequest, reply: FastifyReply): FastifyReply | undefined {
      if (rate <= 0 || (!opts.limitLoopback && whyNotLoopback(req, opts.allowHosts) === undefined)) {
        req.work = FREE;
        return;
      }
      const addr = req.socket.remoteAddress ?? "unknown";
      const b = bucketOf(addr);
      refill(b);
      if (b.tokens < COST.request) {
        req.work = FREE; // a refusal costs nothing more: the client already waits
        void reply.status(429).send({ error: refusal(addr, b, reply), code: "rate-limited" });
        return reply;
      }
      take(b, COST.request);
      req.work = meter(addr, b, reply);
      return;
    },
    /** onSend: an answer saying the request's data was invalid costs more. */
    charged(req: FastifyRequest, reply: FastifyReply): void {
      if (reply.statusCode === 400 || reply.statusCode === 413) req.work?.charge(COST.refused);
    },
  };
}

/** The meter of a request no limiter looked at (routes that are not limited). */
export const NO_METER: WorkMeter = FREE;
