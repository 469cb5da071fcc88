/**
 * Refused transactions in the node's log, with their reason: the first few each minute at
 * info level (a learner sees why their transaction was turned away), the rest at debug (a
 * spammer must not flood the log); copies of a transaction already held or confirmed (gossip
 * brings each one several times) only at debug.
 */
import type { Logger } from "pino";
import { isRuleError } from "../core/errors.js";
import type { Clock } from "./clock.js";

/** Refusals told at info level per minute. */
export const REFUSALS_PER_MINUTE = 10;
const QUIET = new Set(["already-known", "already-confirmed"]);

export class RefusalLog {
  private minute = { start: Number.NEGATIVE_INFINITY, told: 0, quiet: 0 };

  constructor(
    private readonly log: Logger,
    private readonly clock: Clock,
  ) {}

  /** Logs `err` if it is a rule's refusal of the transaction `raw`. */
  refused(raw: unknown, err: unknown): void {
    if (!isRuleError(err)) return;
    const id =
      typeof raw === "object" && raw !== null && typeof (raw as { id?: unknown }).id === "string" ? (raw as { id: string }).id : undefined;
    const fields = { code: err.code, ...(id !== undefined ? { id: id.slice(0, 64) } : {}) };
    const msg = `refused a transaction${id !== undefined ? ` ${id.slice(0, 12)}…` : ""}: ${err.message}`;
    if (QUIET.has(err.code)) {
      this.log.debug(fields, msg);
      return;
    }
    const now = this.clock.now();
    if (now - this.minute.start >= 60_000) {
      if (this.minute.quiet > 0)
        this.log.info(
          { refused: this.minute.quiet },
          `refused ${this.minute.quiet} more transactions in that minute (logged at debug level)`,
        );
      this.minute = { start: now, told: 0, quiet: 0 };
    }
    if (this.minute.told < REFUSALS_PER_MINUTE) {
      this.minute.told++;
      this.log.info(fields, msg);
    } else {
      this.minute.quiet++;
      this.log.debug(fields, msg);
    }
  }
}
