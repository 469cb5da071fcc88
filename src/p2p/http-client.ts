/**
 * Bounded HTTP for talking to peers: every request has a deadline and a byte limit, and
 * redirects are not followed. A peer that stalls, floods or answers garbage costs at most
 * the deadline.
 */
import { errorMessage } from "../api/errors.js";
import { StacklessError } from "../core/errors.js";

/** A peer did not answer as asked: an everyday outcome (a refusal, a peer gone), so it carries no stack trace. */
export class PeerRequestError extends StacklessError {
  override name = "PeerRequestError";
  constructor(
    message: string,
    readonly kind: "timeout" | "too-large" | "status" | "unreachable" | "bad-json",
    readonly status?: number,
  ) {
    super(message);
  }
}

export interface RequestLimits {
  timeoutMs: number;
  maxBytes: number;
}

export const DEFAULT_LIMITS: RequestLimits = { timeoutMs: 5_000, maxBytes: 16 * 1024 * 1024 };

/** What a peer answered: the HTTP status (a 2xx) and the parsed JSON body. */
export interface PeerAnswer {
  status: number;
  body: unknown;
}

/** A request to a peer: method and JSON body (none for GET). */
export interface PeerRequest {
  method?: string;
  body?: string;
}

/**
 * How a node reaches its peers: sends a request to a peer URL within the limits and returns
 * the parsed answer, or throws a PeerRequestError. The real one is HTTP (`httpTransport`);
 * a simulation passes its own.
 */
export interface PeerTransport {
  requestJson(url: string, init?: PeerRequest, limits?: RequestLimits): Promise<PeerAnswer>;
}

/** Sends a request over HTTP and returns the parsed JSON body (any 2xx), within the limits. */
export async function requestJson(url: string, init: PeerRequest = {}, limits: RequestLimits = DEFAULT_LIMITS): Promise<PeerAnswer> {
  const controller = new AbortController();
  const timer = setTimeout(() => controller.abort(), limits.timeoutMs);
  try {
    let res: Response;
    try {
      res = await fetch(url, {
        method: init.method ?? "GET",
        redirect: "manual",
        signal: controller.signal,
        headers:
          init.body !== undefined ? { "content-type": "application/json", accept: "application/json" } : { accept: "application/json" },
        ...(init.body !== undefined ? { body: init.body } : {}),
      });
    } catch (err) {
      if (controller.signal.aborted) throw new PeerRequestError(`${url}: no answer within ${limits.timeoutMs} ms`, "timeout");
      throw new PeerRequestError(`${url}: ${(err as Error).cause ?? (err as Error).message}`, "unreachable");
    }
    const declared = Number(res.headers.get("content-length") ?? "0");
    if (declared > limits.maxBytes) {
      controller.abort();
      throw new PeerRequestError(`${url}: answer of ${declared} bytes is over the ${limits.maxBytes}-byte limit`, "too-large");
    }
    const chunks: Uint8Array[] = [];
    let size = 0;
    if (res.body !== null) {
      const reader = res.body.getReader();
      try {
        for (;;) {
          const { done, value } = await reader.read();
          if (done) break;
          size += value.byteLength;
          if (size > limits.maxBytes) {
            controller.abort();
            throw new PeerRequestError(`${url}: answer is over the ${limits.maxBytes}-byte limit`, "too-large");
          }
          chunks.push(value);
        }
      } catch (err) {
        if (err instanceof PeerRequestError) throw err;
        if (controller.signal.aborted) throw new PeerRequestError(`${url}: answer not complete within ${limits.timeoutMs} ms`, "timeout");
        throw new PeerRequestError(`${url}: ${(err as Error).message}`, "unreachable");
      }
    }
    return peerAnswer(url, res.status, Buffer.concat(chunks).toString("utf8"));
  } finally {
    clearTimeout(timer);
  }
}

/** A peer's answer read as a transport must: the parsed JSON of a 2xx, or the error it says (any transport). */
export function peerAnswer(url: string, status: number, text: string): PeerAnswer {
  let body: unknown;
  try {
    body = text.length === 0 ? undefined : JSON.parse(text);
  } catch {
    if (status >= 200 && status < 300) throw new PeerRequestError(`${url}: answer is not JSON`, "bad-json", status);
  }
  if (status < 200 || status >= 300) {
    const msg = errorMessage(body)?.error ?? `HTTP ${status}`;
    throw new PeerRequestError(`${url}: ${msg.slice(0, 300)}`, "status", status);
  }
  return { status, body };
}

/** The real transport: HTTP with `fetch`. */
export const httpTransport: PeerTransport = { requestJson };
