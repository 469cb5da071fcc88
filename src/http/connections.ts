/**
 * How long a client may take to send a request, and how many connections it may hold.
 *
 * Node's HTTP server does the timing; Fastify passes `requestTimeout` and `keepAliveTimeout`
 * through and hands its `http` option to `http.createServer`, which is where `headersTimeout`
 * and `connectionsCheckingInterval` must go (the latter cannot be changed after creation).
 * Node starts a connection's clock when it is accepted, before any byte (node_http_parser.cc:
 * "protects from a DoS attack where an attacker establishes the connection without sending
 * any data"), and stops it when the request has been received, so:
 * - a socket that sends nothing, or sends its headers a byte at a time (slowloris), gets 408
 *   and is closed once `headersTimeoutMs` has passed;
 * - a request whose body has not arrived after `requestTimeoutMs` likewise;
 * - an idle connection between requests is closed after `keepAliveTimeoutMs`;
 * - an answer being sent is never timed by these: a long stream (GET /events, a slowly read
 *   GET /chain) goes on. There is no blanket socket inactivity timeout (Fastify's
 *   `connectionTimeout`) because /mine may compute for minutes before it answers; a streamed
 *   answer whose client stops reading has its own (src/http/stream.ts).
 * Node checks the clocks every `connectionsCheckingInterval` (30 s by default), so a timeout
 * takes effect up to that much late: it is kept to a fraction of the timeouts.
 *
 * The number of connections is capped in all (`server.maxConnections`: Node closes what comes
 * beyond) and per client address, so that one client cannot take every place; loopback
 * clients count per address too (a reverse proxy on the machine then gets at most
 * `maxConnectionsPerAddress` connections at once).
 */
import type { Server } from "node:http";
import type { Socket } from "node:net";

export interface ConnectionLimits {
  /** A request's headers must have arrived within this long of the connection (or of the request's first byte). */
  headersTimeoutMs: number;
  /** The whole request, body included. */
  requestTimeoutMs: number;
  /** An idle kept-alive connection waits this long for its next request. */
  keepAliveTimeoutMs: number;
  /** Open connections in all. */
  maxConnections: number;
  /** Open connections from one client address. */
  maxConnectionsPerAddress: number;
}

export const CONNECTION_DEFAULTS: Readonly<ConnectionLimits> = Object.freeze({
  headersTimeoutMs: 10_000,
  requestTimeoutMs: 20_000,
  keepAliveTimeoutMs: 5_000,
  maxConnections: 1024,
  maxConnectionsPerAddress: 256,
});

/** The timeout options of `Fastify(...)` for these limits. */
export function timeoutOptions(l: ConnectionLimits) {
  const checkEvery = Math.max(250, Math.min(2_000, Math.floor(Math.min(l.headersTimeoutMs, l.requestTimeoutMs) / 4)));
  return {
    connectionTimeout: 0,
    requestTimeout: l.requestTimeoutMs,
    keepAliveTimeout: l.keepAliveTimeoutMs,
    // requestTimeout here too: Node refuses a headersTimeout over the requestTimeout it is created with
    http: { headersTimeout: l.headersTimeoutMs, requestTimeout: l.requestTimeoutMs, connectionsCheckingInterval: checkEvery },
  };
}

/** Caps the server's connections, in all and per client address (beyond: closed at once). */
export function capConnections(server: Server, l: ConnectionLimits): void {
  server.maxConnections = l.maxConnections;
  const perAddress = new Map<string, number>();
  server.on("connection", (socket: Socket) => {
    const address = socket.remoteAddress ?? "";
    const held = perAddress.get(address) ?? 0;
    if (held >= l.maxConnectionsPerAddress) {
      socket.destroy();
      return;
    }
    perAddress.set(address, held + 1);
    socket.once("close", () => {
      const left = (perAddress.get(address) ?? 1) - 1;
      if (left > 0) perAddress.set(address, left);
      else perAddress.delete(address);
    });
  });
}
