/**
 * Keeps the lookup indexes (src/store/tx-index.ts) close behind the tip in idle time: after
 * each tip change, short steps (about 2,000 transactions, a few milliseconds each) on the
 * event loop until the indexes reach the tip. Lookups never wait for it (they catch up
 * themselves); it only keeps that catch-up small.
 */
import type { Logger } from "pino";
import type { TxIndex } from "../store/tx-index.js";
import type { Chain } from "./chain.js";

/** Transactions indexed per step before the event loop gets a turn. */
const STEP_TXS = 2000;

export class BackgroundIndexer {
  private scheduled = false;
  private closed = false;

  constructor(
    private readonly index: TxIndex,
    chain: Chain,
    private readonly log: Logger,
  ) {
    chain.on("tip", () => this.schedule());
    this.schedule(); // what a crash or an earlier run left behind
  }

  private schedule(): void {
    if (this.scheduled || this.closed) return;
    this.scheduled = true;
    setImmediate(() => this.step());
  }

  private step(): void {
    this.scheduled = false;
    if (this.closed) return;
    try {
      if (this.index.catchUp(STEP_TXS) > 0 && this.index.lag() > 0) this.schedule();
    } catch (err) {
      // the next tip change (or lookup) tries again
      this.log.error({ err }, "indexing failed");
    }
  }

  close(): void {
    this.closed = true;
  }
}
