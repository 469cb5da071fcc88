/**
 * The node's HTTP API, as the explorer uses it (same origin; JSON in and out). The answers'
 * shapes are the API contract's (src/api/), imported as types only: nothing of it is bundled.
 */
import type { TxLookup, TxView } from "../../src/api/contract.js";
import { errorMessage } from "../../src/api/errors.js";

export type {
  Account,
  Block,
  ChainTip,
  HistoryPage,
  Mined,
  Peer,
  ReorgEntry,
  ReorgPage,
  SearchMatch,
  Status,
  TokenEvent,
  TokenEventEntry,
  TokenHolding as Holding,
  TokenInfo as Token,
  TxAccepted as Accepted,
  TxView as Tx,
} from "../../src/api/contract.js";
export type { BlockRef, Reorg } from "../../src/api/events.js";

/** GET /transactions/{id}'s answer, its transaction seen field by field. */
export type TxInfo = Omit<TxLookup, "transaction"> & { transaction: TxView };

/** An answer other than 2xx: the node's {"error"} message, or what went wrong on the way. */
export class ApiError extends Error {
  constructor(
    readonly status: number,
    message: string,
  ) {
    super(message);
  }
}

async function call<T>(path: string, init?: RequestInit): Promise<T> {
  let res: Response;
  try {
    res = await fetch(path, { ...init, headers: { accept: "application/json", ...init?.headers } });
  } catch {
    throw new ApiError(0, "the node did not answer: is it still running?");
  }
  const text = await res.text();
  let body: unknown;
  try {
    body = JSON.parse(text);
  } catch {
    body = undefined;
  }
  if (!res.ok) {
    throw new ApiError(res.status, errorMessage(body)?.error ?? `the node answered ${res.status} ${res.statusText}`);
  }
  return body as T;
}

export const get = <T>(path: string): Promise<T> => call<T>(path);

export const post = <T>(path: string, body?: unknown): Promise<T> =>
  call<T>(path, {
    method: "POST",
    ...(body === undefined ? {} : { body: JSON.stringify(body), headers: { "content-type": "application/json" } }),
  });

/** GET that answers undefined on 404 (a route or object this node does not have). */
export async function getOptional<T>(path: string): Promise<T | undefined> {
  try {
    return await get<T>(path);
  } catch (err) {
    if (err instanceof ApiError && err.status === 404) return undefined;
    throw err;
  }
}

export const enc = encodeURIComponent;
