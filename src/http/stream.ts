/**
 * Answers that hold a run of main-chain blocks (GET /chain, GET /blocks, /nodes/resolve) are
 * written as they are read: a page of blocks at a time from the store, into a stream that
 * Fastify pipes to the socket, so the next page is read only once the client has taken the
 * last one (backpressure) and reading stops when the client goes away (the stream is
 * destroyed, the generator returns). Memory per answer is a page (at most PAGE_BYTES, or one
 * block when a block is bigger) and a few stream buffers, not the chain.
 *
 * One consistent chain: the answer is the main chain as it was when the request came. The
 * height and hash of its last block are taken at the start; every block read must link to the
 * one before it (its `previous_hash`), each page must be as long as asked, and the last block
 * must be the one taken at the start. A reorganisation that reaches blocks still to be sent
 * fails one of these checks. Bytes already sent cannot be taken back, so the answer is then
 * cut short: the connection is closed without the chunked encoding's last chunk, which every
 * HTTP client reports as an error (and the JSON is incomplete) — never a mix of two branches.
 * When the first page already fails, nothing is sent yet, and the answer is a 503 to retry.
 */
import { Readable } from "node:stream";
import type { FastifyReply } from "fastify";
import { HttpError } from "./errors.js";

/** Bytes of block JSON read from the store at a time (but always at least one block). */
export const PAGE_BYTES = 512 * 1024;
/** Blocks read from the store at a time, at most (small blocks). */
const MAX_PAGE = 500;
/** Text is handed to the socket in pieces of about this size (fewer, larger writes than one per block). */
const PIECE_BYTES = 64 * 1024;
/** A client that takes nothing of a streamed answer for this long is cut off (its page stays in memory meanwhile). */
export const STALL_MS = 60_000;

/** The store's main-chain read (ChainStore). */
export interface BlockPages {
  /** Blocks from index `from` as API JSON texts, at most `limit`, and no more than fit in `maxBytes` (at least one). */
  mainJsonPage(from: number, limit: number, maxBytes: number): string[];
}

/** A reorganisation was seen while the answer was being written. */
export class ChainMoved extends Error {
  override name = "ChainMoved";
}

// The API's block text ends with these fields in this order (src/store/chain-store.ts blockJson);
// reading them from the tail avoids parsing blocks of up to a megabyte just to check a link.
const TAIL = /"previous_hash":"([0-9a-f]{64}|1)","difficulty":\d+,"tx_root":"[0-9a-f]{64}","hash":"([0-9a-f]{64})"\}$/;

function linkOf(json: string): { prev: string; hash: string } {
  const m = TAIL.exec(json.slice(-400));
  if (m !== null) return { prev: m[1] as string, hash: m[2] as string };
  const b = JSON.parse(json) as { previous_hash?: unknown; hash?: unknown };
  return { prev: String(b.previous_hash), hash: String(b.hash) };
}

/**
 * Main-chain blocks `from`…`to` (block texts), page by page, checked to be the chain whose
 * block at `to` is `lastHash`; throws ChainMoved when they are not (see above).
 */
export function* chainBlocks(store: BlockPages, from: number, to: number, lastHash: string): Generator<string[]> {
  let next = from;
  let prevHash: string | undefined;
  while (next <= to) {
    const page = store.mainJsonPage(next, Math.min(MAX_PAGE, to - next + 1), PAGE_BYTES);
    if (page.length === 0) throw new ChainMoved(`the main chain ended at ${next - 1} while blocks up to ${to} were being sent`);
    for (const json of page) {
      const { prev, hash } = linkOf(json);
      if (prevHash !== undefined && prev !== prevHash) {
        throw new ChainMoved(`the main chain changed at block ${next} while it was being sent`);
      }
      prevHash = hash;
      next++;
    }
    if (next > to && prevHash !== lastHash) throw new ChainMoved(`block ${to} is no longer ${lastHash} on the main chain`);
    yield page;
  }
}

/**
 * `prefix`, the blocks joined by commas, then `suffix(count)`: JSON text in pieces. The first
 * page is read before anything is given out, so when the chain moves before the first piece
 * the answer is a 503 (an HttpError) instead of a cut one.
 */
async function* pieces(prefix: string, pages: Iterable<string[]>, suffix: (count: number) => string): AsyncGenerator<string> {
  let piece = prefix;
  let count = 0;
  try {
    for (const page of pages) {
      for (const json of page) {
        piece += count === 0 ? json : `,${json}`;
        count++;
        if (piece.length >= PIECE_BYTES) {
          yield piece;
          piece = "";
        }
      }
    }
  } catch (err) {
    // with headers already sent, Fastify logs it (warn) and closes the connection: the cut answer
    if (err instanceof ChainMoved) throw new HttpError(503, `${err.message}: the chain reorganised; ask again`, "chain-moved");
    throw err;
  }
  yield piece + suffix(count);
}

/**
 * Sends `prefix`, main-chain blocks `from`…`to` (the block at `to` being `lastHash`) and
 * `suffix(count)` as one JSON answer, streamed (see above).
 */
export function sendBlocks(
  reply: FastifyReply,
  store: BlockPages,
  range: { from: number; to: number; lastHash: string },
  prefix: string,
  suffix: (count: number) => string,
): FastifyReply {
  void reply.type("application/json");
  // a HEAD would read the whole answer only for Fastify to throw it away
  if (reply.request.method === "HEAD") return reply.send();
  const res = reply.raw;
  res.setTimeout(STALL_MS, () => res.destroy());
  const text = pieces(prefix, chainBlocks(store, range.from, range.to, range.lastHash), suffix);
  return reply.send(Readable.from(text, { objectMode: false, highWaterMark: PIECE_BYTES }));
}

/**
 * Sends JSON text already written (a block as stored, a page of headers), as it is: the
 * route's answer schema describes it, and it is not parsed to be written again.
 */
export function sendJsonText(reply: FastifyReply, json: string): FastifyReply {
  return reply.type("application/json").send(json);
}
