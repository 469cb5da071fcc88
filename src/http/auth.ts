/** Operator routes (SPEC §7): open to loopback; from elsewhere they need the bearer token. */
import type { FastifyRequest } from "fastify";
import { tokenMatches } from "../node/api-token.js";
import { HttpError } from "./errors.js";

export function isLoopback(address: string | undefined): boolean {
  if (address === undefined) return false;
  const a = address.startsWith("::ffff:") ? address.slice(7) : address;
  return a === "::1" || /^127\.\d{1,3}\.\d{1,3}\.\d{1,3}$/.test(a);
}

export function operatorGuard(token: string) {
  return async (req: FastifyRequest): Promise<void> => {
    if (isLoopback(req.socket.remoteAddress)) return;
    const h = req.headers.authorization;
    const m = typeof h === "string" ? /^Bearer\s+(\S+)\s*$/i.exec(h) : null;
    if (m === null || !tokenMatches(m[1] as string, token)) {
      throw new HttpError(
        401,
        "this is an operator route: from a non-loopback address send Authorization: Bearer <token>, the token being in <data-dir>/api.token",
      );
    }
  };
}
