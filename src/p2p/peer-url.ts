/**
 * Peer addresses: what users type (`http://host:port`, `host:port`) normalised to an
 * origin (`http://host:port`), shown as `host:port` like the tutorial. Only http and
 * https, no credentials, no path, query or fragment.
 */

export class PeerUrlError extends Error {
  override name = "PeerUrlError";
}

const HOST_RE = /^(?:[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?)(?:\.[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?)*$/;

/** The origin of a peer address, e.g. `http://127.0.0.1:5001`. Throws PeerUrlError with a reason. */
export function normalisePeerUrl(input: unknown): string {
  if (typeof input !== "string")
    throw new PeerUrlError(`a peer address must be a string like "http://127.0.0.1:5001", got ${JSON.stringify(input)}`);
  const text = input.trim();
  if (text.length === 0 || text.length > 300) throw new PeerUrlError("a peer address must be 1-300 characters, like http://127.0.0.1:5001");
  const withScheme = /^[A-Za-z][A-Za-z0-9+.-]*:\/\//.test(text) ? text : `http://${text}`;
  let url: URL;
  try {
    url = new URL(withScheme);
  } catch {
    throw new PeerUrlError(`"${text}" is not an address: use http://host:port (e.g. http://127.0.0.1:5001)`);
  }
  if (url.protocol !== "http:" && url.protocol !== "https:") throw new PeerUrlError(`"${text}": only http and https peers are supported`);
  if (url.username !== "" || url.password !== "") throw new PeerUrlError(`"${text}": a peer address must not carry credentials`);
  if ((url.pathname !== "/" && url.pathname !== "") || url.search !== "" || url.hash !== "") {
    throw new PeerUrlError(`"${text}": give only scheme, host and port (no path or query)`);
  }
  const host = url.hostname;
  const isV6 = host.startsWith("[") && host.endsWith("]");
  const isV4 = /^\d{1,3}(\.\d{1,3}){3}$/.test(host);
  if (!isV6 && !isV4 && !HOST_RE.test(host)) throw new PeerUrlError(`"${text}": "${host}" is not a valid host name`);
  if (isV4 && host.split(".").some((p) => Number(p) > 255)) throw new PeerUrlError(`"${text}": "${host}" is not a valid IPv4 address`);
  if (host === "0.0.0.0" || host === "[::]") throw new PeerUrlError(`"${text}": ${host} is not an address a peer can be reached at`);
  const port = url.port === "" ? (url.protocol === "https:" ? 443 : 80) : Number(url.port);
  if (port === 0) throw new PeerUrlError(`"${text}": port 0 is not a peer's port`);
  return `${url.protocol}//${host}:${port}`;
}

/** `host:port` of a normalised origin, as the tutorial lists nodes. */
export function peerLabel(origin: string): string {
  return origin.replace(/^https?:\/\//, "");
}
