/**
 * The load generator's connection: one keep-alive HTTP/1.1 connection over node:net sending
 * requests encoded before the clock starts, reading answers with Content-Length, one at a
 * time. Its own cost per request is a fraction of node:http's, so the figure measures the
 * node, as a native load tool (wrk) would, rather than the client sharing its cores.
 */
import { connect, type Socket } from "node:net";
import type { Reply } from "./http-client.js";

const HEAD_END = Buffer.from("\r\n\r\n");

/** The bytes of one request with a JSON body. */
export function encodeRequest(method: string, path: string, host: string, body: Buffer): Buffer {
  const head = `${method} ${path} HTTP/1.1\r\nHost: ${host}\r\nContent-Type: application/json\r\nContent-Length: ${body.length}\r\n\r\n`;
  return Buffer.concat([Buffer.from(head, "latin1"), body]);
}

export class RawConnection {
  private buf: Buffer = Buffer.alloc(0);
  private waiting: { resolve: (r: Reply) => void; reject: (e: Error) => void; timer: NodeJS.Timeout } | undefined;
  private failure: Error | undefined;

  private constructor(private readonly socket: Socket) {
    socket.setNoDelay(true);
    socket.on("data", (chunk: Buffer) => {
      this.buf = this.buf.length === 0 ? chunk : Buffer.concat([this.buf, chunk]);
      this.parse();
    });
    const fail = (err: Error) => {
      this.failure ??= err;
      const w = this.waiting;
      this.waiting = undefined;
      if (w !== undefined) {
        clearTimeout(w.timer);
        w.reject(err);
      }
    };
    socket.on("error", fail);
    socket.on("close", () => fail(new Error("the node closed the connection")));
  }

  static open(host: string, port: number, timeoutMs = 10_000): Promise<RawConnection> {
    if (host !== "127.0.0.1") throw new Error(`the benchmark only talks to 127.0.0.1, not ${host}`);
    return new Promise((resolve, reject) => {
      const socket = connect({ host, port });
      const timer = setTimeout(() => socket.destroy(new Error(`no connection within ${timeoutMs} ms`)), timeoutMs);
      socket.once("connect", () => {
        clearTimeout(timer);
        resolve(new RawConnection(socket));
      });
      socket.once("error", (err) => {
        clearTimeout(timer);
        reject(err);
      });
    });
  }

  /** Sends one encoded request; resolves with the answer. */
  request(bytes: Buffer, timeoutMs = 30_000): Promise<Reply> {
    if (this.failure !== undefined) return Promise.reject(this.failure);
    if (this.waiting !== undefined) return Promise.reject(new Error("one request at a time"));
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => this.socket.destroy(new Error(`no answer within ${timeoutMs} ms`)), timeoutMs);
      this.waiting = { resolve, reject, timer };
      this.socket.write(bytes);
    });
  }

  private parse(): void {
    const w = this.waiting;
    if (w === undefined) return;
    const end = this.buf.indexOf(HEAD_END);
    if (end < 0) return;
    const head = this.buf.toString("latin1", 0, end);
    const m = /\r\ncontent-length:\s*(\d+)/i.exec(head);
    if (m === null) {
      this.socket.destroy(new Error(`an answer without Content-Length: ${head.slice(0, 100)}`));
      return;
    }
    const total = end + 4 + Number(m[1]);
    if (this.buf.length < total) return;
    const status = Number(head.slice(9, 12));
    const text = this.buf.toString("utf8", end + 4, total);
    this.buf = this.buf.subarray(total);
    this.waiting = undefined;
    clearTimeout(w.timer);
    w.resolve({ status, text });
  }

  close(): void {
    this.socket.destroy();
  }
}
