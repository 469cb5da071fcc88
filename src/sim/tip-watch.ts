/**
 * Watching a real node's main chain from outside, through its event stream (`GET /events`,
 * docs/protocol.md §7.8): the node writes a `tip` event, with the blocks that left and joined
 * its main chain, in the same turn of its event loop in which its chain's tip changes (and a
 * `side` event when it stores a block off its main chain), so the time the event arrives here
 * over loopback is when the node had the block, within the loopback's delivery (well under a
 * millisecond, the same for every node). From the events this keeps when the node first had
 * each block (on its main chain or a side branch, as the simulator counts), which blocks are
 * on its main chain now, and its tip.
 */
import { type ClientRequest, get } from "node:http";
import type { HelloEvent, TipEvent } from "../api/events.js";

const HELLO_TIMEOUT_MS = 10_000;

export class TipWatch {
  /** Block hash -> performance.now() when the node first had it (stored on its main chain or a side branch). */
  readonly hasAt = new Map<string, number>();
  /** Blocks on the main chain now, of those that joined it since the watch began. */
  readonly main = new Set<string>();
  tip = "";
  /** performance.now() of the last tip event (or of the hello). */
  changedAt = 0;
  private request: ClientRequest | undefined;
  private closed = false;

  private constructor(private readonly onTip: () => void) {}

  /** Opens the stream of the node at `url`; resolves at its `hello` (bounded). */
  static open(url: string, onTip: () => void = () => {}): Promise<TipWatch> {
    const watch = new TipWatch(onTip);
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => {
        watch.close();
        reject(new Error(`${url}/events: no hello within ${HELLO_TIMEOUT_MS} ms`));
      }, HELLO_TIMEOUT_MS);
      let buffered = "";
      watch.request = get(`${url}/events`, { headers: { accept: "text/event-stream" } }, (res) => {
        if (res.statusCode !== 200) {
          clearTimeout(timer);
          res.resume();
          reject(new Error(`${url}/events: status ${res.statusCode}`));
          return;
        }
        res.setEncoding("utf8");
        res.on("data", (chunk: string) => {
          const at = performance.now();
          buffered += chunk;
          for (let end = buffered.indexOf("\n\n"); end >= 0; end = buffered.indexOf("\n\n")) {
            const frame = buffered.slice(0, end);
            buffered = buffered.slice(end + 2);
            const event = /^event: (.*)$/m.exec(frame)?.[1];
            const data = /^data: (.*)$/m.exec(frame)?.[1];
            if (event === undefined || data === undefined) continue;
            if (event === "hello") {
              watch.tip = (JSON.parse(data) as HelloEvent).tip;
              watch.changedAt = at;
              clearTimeout(timer);
              resolve(watch);
            } else if (event === "tip") watch.take(JSON.parse(data) as TipEvent, at);
            else if (event === "side") watch.stored((JSON.parse(data) as { hash: string }).hash, at);
          }
        });
      });
      watch.request.on("error", (err) => {
        clearTimeout(timer);
        if (!watch.closed) reject(err);
      });
    });
  }

  private take(ev: TipEvent, at: number): void {
    for (const r of ev.replaced) this.main.delete(r.hash);
    for (const c of ev.connected) {
      this.main.add(c.hash);
      if (!this.hasAt.has(c.hash)) this.hasAt.set(c.hash, at);
    }
    this.tip = ev.hash;
    this.changedAt = at;
    this.onTip();
  }

  /** A block stored off the main chain: the node has it (it may win later). */
  private stored(hash: string, at: number): void {
    if (!this.hasAt.has(hash)) this.hasAt.set(hash, at);
  }

  close(): void {
    this.closed = true;
    this.request?.destroy();
  }
}
