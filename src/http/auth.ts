/**
 * Who may use the operator routes (docs/protocol.md §7): `/mine`, sending from the node's wallet, dropping from its pool,
 * `/nodes/register`, `/nodes/resolve`. A request counts as from loopback only if its peer
 * address is loopback, its Host names this node by a loopback name (or one allowed with
 * --allow-host), its Origin, if any, is the node's own origin, and its Sec-Fetch-Site, if any,
 * is `same-origin` or `none`. So a web page in the user's browser cannot use them: not by a
 * cross-site request (an `<img>`, a form, `fetch`), whose Origin or Sec-Fetch-Site gives it
 * away, and not by DNS rebinding (a name of the attacker's that resolves to 127.0.0.1), whose
 * Host is not a loopback name. Anything else needs the bearer token.
 */
import type { FastifyRequest } from "fastify";
import { tokenMatches } from "../node/api-token.js";
import { HttpError } from "./errors.js";

export interface AccessOptions {
  /** The bearer token (`<data-dir>/api.token`). */
  token: string;
  /** More names the Host header may give (--allow-host), lower case, without a port. */
  allowHosts?: readonly string[];
  /** Operator routes always need the token, even from loopback (--require-token). */
  requireToken?: boolean;
}

/** The Host names that are loopback by definition (docs/protocol.md §7), with any port. */
export const LOOPBACK_NAMES: readonly string[] = ["localhost", "127.0.0.1", "[::1]"];

type Req = Pick<FastifyRequest, "headers" | "socket">;

export function isLoopback(address: string | undefined): boolean {
  if (address === undefined) return false;
  const a = address.startsWith("::ffff:") ? address.slice(7) : address;
  return a === "::1" || /^127\.\d{1,3}\.\d{1,3}\.\d{1,3}$/.test(a);
}

/** The name in a Host header ("localhost:5000" → "localhost", "[::1]:5000" → "[::1]"), lower case; undefined if it is not one. */
export function hostName(host: string): string | undefined {
  const m = /^(\[[0-9a-f:.]+\]|[a-z0-9.-]+)(?::(\d{1,5}))?$/i.exec(host);
  return m ? (m[1] as string).toLowerCase() : undefined;
}

/** A --allow-host value: names separated by commas, each a host name or bracketed IPv6 address, without port. */
export function parseAllowHosts(value: string): string[] {
  const names = value
    .split(",")
    .map((n) => n.trim().toLowerCase())
    .filter((n) => n.length > 0);
  for (const n of names) {
    if (hostName(n) !== n || n.length > 253) {
      throw new Error(`--allow-host: "${n}" is not a host name (give names like mynode.local or 192.168.1.5, without a port)`);
    }
  }
  return names;
}

function shown(value: string): string {
  return JSON.stringify(value.length > 80 ? `${value.slice(0, 80)}…` : value);
}

/** Why `req` does not count as from loopback (docs/protocol.md §7 browser safety), or undefined when it does. */
export function whyNotLoopback(req: Req, allowHosts: readonly string[] = []): string | undefined {
  if (!isLoopback(req.socket.remoteAddress)) return "it comes from a non-loopback address";
  const host = req.headers.host;
  const name = host === undefined ? undefined : hostName(host);
  if (host === undefined || name === undefined || !(LOOPBACK_NAMES.includes(name) || allowHosts.includes(name))) {
    return `its Host header (${host === undefined ? "none" : shown(host)}) is not a loopback name (localhost, 127.0.0.1, [::1]) or one allowed with --allow-host`;
  }
  const origin = req.headers.origin;
  if (origin !== undefined && origin.toLowerCase() !== `http://${host.toLowerCase()}`) {
    return `it comes from a web page of another origin (Origin ${shown(origin)}, this node is http://${host})`;
  }
  const site = req.headers["sec-fetch-site"];
  if (site !== undefined && site !== "same-origin" && site !== "none") {
    return `the browser sent it from another site (Sec-Fetch-Site ${shown(String(site))})`;
  }
  return undefined;
}

function hasToken(req: Req, token: string): boolean {
  const h = req.headers.authorization;
  const m = typeof h === "string" ? /^Bearer\s+(\S+)\s*$/i.exec(h) : null;
  return m !== null && tokenMatches(m[1] as string, token);
}

/** Whether `req` may use the operator routes (for the explorer's console: the `hello` of /events). */
export function mayOperate(req: Req, opts: AccessOptions): boolean {
  if (hasToken(req, opts.token)) return true;
  return !opts.requireToken && whyNotLoopback(req, opts.allowHosts) === undefined;
}

/**
 * The operator routes' guard: loopback (as above) passes, or the bearer token. A refused
 * request that a browser sent (it carries Origin or Sec-Fetch-Site) gets 403 and says why;
 * any other gets 401 and is told how to send the token.
 */
export function operatorGuard(opts: AccessOptions) {
  return async (req: Req): Promise<void> => {
    if (hasToken(req, opts.token)) return;
    const why = opts.requireToken
      ? "this node requires the token on every operator route (--require-token)"
      : whyNotLoopback(req, opts.allowHosts);
    if (why === undefined) return;
    if (req.headers.origin !== undefined || req.headers["sec-fetch-site"] !== undefined) {
      throw new HttpError(
        403,
        `this operator route refuses the request: ${why}. A web page must not be able to mine or spend from this node through your browser. ` +
          "If you opened the explorer under another name, start the node with --allow-host NAME, or open it as http://localhost:PORT/; " +
          "a program of yours can send Authorization: Bearer <token>, the token being in <data-dir>/api.token",
        "browser-refused",
      );
    }
    throw new HttpError(
      401,
      `this is an operator route and ${why}: send Authorization: Bearer <token>, the token being in <data-dir>/api.token`,
      "token-required",
    );
  };
}
