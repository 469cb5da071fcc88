/**
 * Raw bytes to a node on 127.0.0.1, for what an HTTP client would not send (broken framing,
 * slow or oversized parts): what came back, as text, once the node answers or closes.
 */
import { connect } from "node:net";

export interface RawOptions {
  /** Half-close the socket after the last write. */
  endAfter?: boolean;
  /** The longest wait (then whatever came back so far). */
  waitMs?: number;
  /** How the bytes that came back are read. */
  encoding?: BufferEncoding;
  /** Stop as soon as what came back matches (e.g. a complete answer). */
  until?: RegExp;
}

/** Writes `data` (the parts in order, each after the previous one drained) and resolves to what came back. */
export function rawExchange(port: number, data: string | Buffer | Buffer[], opts: RawOptions = {}): Promise<string> {
  const parts = Array.isArray(data) ? data : [data];
  return new Promise((resolve) => {
    const sock = connect(port, "127.0.0.1");
    let got = "";
    const done = () => {
      clearTimeout(timer);
      sock.destroy();
      resolve(got);
    };
    const timer = setTimeout(done, opts.waitMs ?? 2000);
    sock.on("data", (d) => {
      got += d.toString(opts.encoding ?? "utf8");
      if (opts.until?.test(got)) done();
    });
    sock.on("error", done);
    sock.on("close", done);
    sock.on("connect", async () => {
      for (const part of parts) {
        if (!sock.write(part)) await new Promise((r) => sock.once("drain", r));
      }
      if (opts.endAfter) sock.end();
    });
  });
}
