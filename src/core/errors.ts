/**
 * Reason codes for everything the rules can refuse. Each code has a kind that the
 * HTTP layer maps to a status: `invalid` → 400, `conflict` → 409, `busy` → 503.
 */
export const REASONS = {
  // shape of the data
  "bad-schema": "invalid",
  "bad-id": "invalid",
  "bad-hash": "invalid",
  // transactions
  "bad-network": "invalid",
  "bad-signature": "invalid",
  "bad-nonce": "invalid",
  "nonce-too-low": "conflict",
  "nonce-in-use": "conflict",
  "replacement-underpriced": "conflict",
  "nonce-too-high": "invalid",
  "fee-too-low": "invalid",
  "insufficient-funds": "invalid",
  "balance-overflow": "invalid",
  "unknown-token": "invalid",
  "insufficient-token-balance": "invalid",
  "insufficient-allowance": "invalid",
  "coinbase-not-allowed": "invalid",
  // blocks
  "bad-pow": "invalid",
  "bad-prev": "invalid",
  "bad-index": "invalid",
  "bad-tx-root": "invalid",
  "bad-coinbase": "invalid",
  "bad-difficulty": "invalid",
  "time-too-old": "invalid",
  "time-too-new": "invalid",
  "too-many-txs": "invalid",
  "duplicate-tx": "invalid",
  "unknown-parent": "conflict",
  "invalid-ancestor": "invalid",
  // transaction pool
  "already-known": "conflict",
  "already-confirmed": "conflict",
  "pool-full": "busy",
  "queue-full": "busy",
  "shutting-down": "busy",
  "unknown-sender-key": "invalid",
  "weak-address": "invalid",
} as const;

export type ReasonCode = keyof typeof REASONS;
export type ReasonKind = (typeof REASONS)[ReasonCode];

/**
 * An error that is an answer, not a fault (a rule's refusal, a peer's): a node gives them by
 * the thousand (each copy of a transaction its peers pass on is "already-known"), so none
 * carries a stack trace, whose capture cost more than the rest of such an answer.
 */
export class StacklessError extends Error {
  constructor(message: string) {
    const limit = Error.stackTraceLimit;
    Error.stackTraceLimit = 0;
    try {
      super(message);
    } finally {
      Error.stackTraceLimit = limit;
    }
  }
}

/** A rule said no: `code` for programs, `message` for people (says what to fix). */
export class RuleError extends StacklessError {
  override name = "RuleError";
  constructor(
    readonly code: ReasonCode,
    message: string,
  ) {
    super(message);
  }
  get kind(): ReasonKind {
    return REASONS[this.code];
  }
}

export function fail(code: ReasonCode, message: string): never {
  throw new RuleError(code, message);
}

export function isRuleError(err: unknown): err is RuleError {
  return err instanceof RuleError;
}
