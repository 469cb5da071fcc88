/**
 * Refuses a body whose Content-Length is over the limit with 413 before reading it, then
 * reads and discards what the client is still sending ("lingering close"), up to a bound.
 * Closing at once (Fastify's own way) makes the kernel reset the connection while the client
 * is still writing, and the client then often sees "connection reset" instead of the 413.
 */
import type { FastifyReply, FastifyRequest } from "fastify";

/** At most this many bytes, or this long, are discarded before the connection is cut. */
const DRAIN_BYTES = 16 * 1024 * 1024;
const DRAIN_MS = 10_000;

export function bodyLimiter(limit: number) {
  return (req: FastifyRequest, reply: FastifyReply): FastifyReply | undefined => {
    const header = req.headers["content-length"];
    if (header === undefined || !/^\d+$/.test(header)) return;
    const length = Number(header);
    if (length <= limit) return;
    const raw = req.raw;
    let seen = 0;
    const cut = (): void => {
      clearTimeout(timer);
      raw.socket.destroy();
    };
    const timer = setTimeout(cut, DRAIN_MS);
    timer.unref();
    raw.on("data", (chunk: Buffer) => {
      seen += chunk.length;
      if (seen > DRAIN_BYTES) cut();
    });
    raw.on("end", () => clearTimeout(timer));
    raw.on("error", () => clearTimeout(timer));
    if (length > DRAIN_BYTES) void reply.header("connection", "close");
    return reply
      .status(413)
      .send({ error: `the request body is too large: ${length} bytes, the limit is ${limit}`, code: "body-too-large" });
  };
}
