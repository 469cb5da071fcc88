/**
 * Concurrent keep-alive clients posting pre-serialized bodies, each client in order, all
 * bounded by one deadline; counts what was accepted and why the rest was refused.
 */
import { performance } from "node:perf_hooks";
import type { Reply } from "./http-client.js";
import { encodeRequest, RawConnection } from "./raw-http.js";

export interface LoadResult {
  accepted: number;
  /** Requests sent (a batch counts once). */
  requests: number;
  seconds: number;
  /** Refusals by status (or by item error code in a batch), e.g. {"409 nonce-in-use": 3}. */
  errors: Record<string, number>;
  /** Items not sent because the deadline passed. */
  unsent: number;
}

/** What one answer means: how many items were accepted, and the refusals by reason. */
export type Judge = (reply: Reply) => { accepted: number; refused: string[] };

/** A single transaction: 201 is accepted. */
export const judgeSingle: Judge = (r) => {
  if (r.status === 201) return { accepted: 1, refused: [] };
  let code = "";
  try {
    code = (JSON.parse(r.text) as { code?: string }).code ?? "";
  } catch {
    // not JSON
  }
  return { accepted: 0, refused: [`${r.status}${code ? ` ${code}` : ""}`] };
};

/** Per-item results of a batch answer, in whatever shape the node gives them. */
export function batchItems(body: unknown): unknown[] | undefined {
  if (Array.isArray(body)) return body;
  const o = body as { results?: unknown; transactions?: unknown; items?: unknown } | null;
  if (o === null || typeof o !== "object") return undefined;
  for (const v of [o.results, o.items, o.transactions]) if (Array.isArray(v)) return v;
  return undefined;
}

function itemOutcome(item: unknown): { ok: boolean; why: string } {
  if (item === null || typeof item !== "object") return { ok: false, why: "bad item" };
  const o = item as Record<string, unknown>;
  if ("error" in o) return { ok: false, why: `${o.status ?? "item"} ${String(o.code ?? "error")}` };
  if (typeof o.status === "number") return { ok: o.status === 200 || o.status === 201, why: String(o.status) };
  if (o.accepted === false || o.ok === false) return { ok: false, why: "refused" };
  return { ok: typeof o.id === "string", why: "no id" };
}

/** A batch: per-item results. */
export const judgeBatch: Judge = (r) => {
  let body: unknown;
  try {
    body = JSON.parse(r.text);
  } catch {
    return { accepted: 0, refused: [`${r.status} not JSON`] };
  }
  const items = batchItems(body);
  if (items === undefined || r.status >= 300) return { accepted: 0, refused: [`${r.status} whole batch refused`] };
  let accepted = 0;
  const refused: string[] = [];
  for (const it of items) {
    const o = itemOutcome(it);
    if (o.ok) accepted++;
    else refused.push(o.why);
  }
  return { accepted, refused };
};

/**
 * Runs one client per work list (one raw keep-alive connection each, requests encoded before
 * the clock starts), sending its bodies in order
 * to POST `path`, until done or `deadlineMs` has passed. `itemsPer` counts items in a body.
 */
export async function runLoad(
  baseUrl: string,
  path: string,
  lists: Buffer[][],
  judge: Judge,
  deadlineMs: number,
  itemsPer: (body: Buffer, list: number, at: number) => number = () => 1,
): Promise<LoadResult> {
  const result: LoadResult = { accepted: 0, requests: 0, seconds: 0, errors: {}, unsent: 0 };
  const u = new URL(baseUrl);
  const requests = lists.map((list) => list.map((body) => encodeRequest("POST", path, u.host, body)));
  const clients = await Promise.all(lists.map(() => RawConnection.open(u.hostname, Number(u.port))));
  const t0 = performance.now();
  const deadline = t0 + deadlineMs;
  let end = t0;
  try {
    await Promise.all(
      requests.map(async (list, c) => {
        const client = clients[c] as RawConnection;
        for (let i = 0; i < list.length; i++) {
          if (performance.now() > deadline) {
            for (let j = i; j < list.length; j++) result.unsent += itemsPer(lists[c]?.[j] as Buffer, c, j);
            return;
          }
          let reply: Reply;
          try {
            reply = await client.request(list[i] as Buffer, 30_000);
          } catch (err) {
            const why = `network ${(err as Error).message.slice(0, 60)}`;
            result.errors[why] = (result.errors[why] ?? 0) + itemsPer(lists[c]?.[i] as Buffer, c, i);
            return; // the connection is gone
          }
          result.requests++;
          const j = judge(reply);
          result.accepted += j.accepted;
          for (const why of j.refused) result.errors[why] = (result.errors[why] ?? 0) + 1;
          end = performance.now();
        }
      }),
    );
  } finally {
    for (const c of clients) c.close();
  }
  result.seconds = (end - t0) / 1000;
  return result;
}
