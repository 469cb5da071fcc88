/**
 * Reading an error answer of the node's API (ErrorBody in ./contract.ts: {"error", "code"}).
 * Free of dependencies, so the explorer (web/) bundles it as it is; used by the wallet's
 * client, the peer HTTP client and the explorer.
 */

/** The message (and reason code) of an error answer's body; undefined for any other body. */
export function errorMessage(body: unknown): { error: string; code?: string } | undefined {
  if (typeof body !== "object" || body === null) return undefined;
  const { error, code } = body as { error?: unknown; code?: unknown };
  if (typeof error !== "string") return undefined;
  return typeof code === "string" ? { error, code } : { error };
}
