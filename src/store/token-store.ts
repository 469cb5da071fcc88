/**
 * Token reads over the ledger state (keys in src/core/state.ts): tokens, balances,
 * allowances, holders, an account's holdings, and a token's events. Read-only: the chain
 * writes state and events when it connects or disconnects blocks. An account's holdings use
 * the expression index `state_token_holder` (schema.ts), which SQLite maintains with the
 * state table, so nothing else has to keep it in step.
 */
import { keys, type TokenInfo } from "../core/state.js";
import type { TokenEvent } from "../core/types.js";
import type { ChainStore } from "./chain-store.js";

export interface TokenEntry extends TokenInfo {
  id: string;
}

export interface Holding {
  token: string;
  balance: number;
}

export interface EventCursor {
  height: number;
  pos: number;
  seq: number;
}

export interface EventRow {
  event: TokenEvent;
  tx_id: string;
  height: number;
  pos: number;
  seq: number;
}

/** Length of "b:" + token id + ":"; the address follows (SQL substr is 1-based: 68). */
const HOLDER_OFFSET = 2 + 64 + 1;

export class TokenStore {
  private readonly s;

  constructor(private readonly store: ChainStore) {
    const p = (sql: string) => store.db.prepare(sql);
    this.s = {
      count: p("SELECT count(*) FROM state WHERE key >= 't:' AND key < 't;'").pluck(),
      holdings: p(
        `SELECT key, value FROM state WHERE substr(key, 1, 2) = 'b:' AND substr(key, ${HOLDER_OFFSET + 1}) = ? AND value != '0' ORDER BY key LIMIT ?`,
      ),
      holders: p(
        "SELECT key, value FROM state WHERE key >= ? AND key < ? AND value != '0' ORDER BY CAST(value AS INTEGER) DESC, key LIMIT ? OFFSET ?",
      ),
      holderCount: p("SELECT count(*) FROM state WHERE key >= ? AND key < ? AND value != '0'").pluck(),
    };
  }

  token(id: string): TokenInfo | undefined {
    return this.store.get(keys.token(id)) as TokenInfo | undefined;
  }

  /** Tokens in id order. */
  list(limit: number, offset: number): TokenEntry[] {
    return this.store.stateByPrefix("t:", limit, offset).map(([k, v]) => ({ id: k.slice(2), ...(v as TokenInfo) }));
  }

  count(): number {
    return this.s.count.get() as number;
  }

  balance(token: string, address: string): number {
    return (this.store.get(keys.tokenBalance(token, address)) as number | undefined) ?? 0;
  }

  allowance(token: string, owner: string, spender: string): number {
    return (this.store.get(keys.allowance(token, owner, spender)) as number | undefined) ?? 0;
  }

  /** The tokens `address` holds a non-zero balance of, in token-id order. */
  holdings(address: string, limit: number): Holding[] {
    const rows = this.s.holdings.all(address, limit) as Array<{ key: string; value: string }>;
    return rows.map((r) => ({ token: r.key.slice(2, 2 + 64), balance: Number(r.value) }));
  }

  /** A token's holders with a non-zero balance, largest first. */
  holders(token: string, limit: number, offset: number): Array<{ address: string; balance: number }> {
    const [from, to] = this.holderRange(token);
    const rows = this.s.holders.all(from, to, limit, offset) as Array<{ key: string; value: string }>;
    return rows.map((r) => ({ address: r.key.slice(HOLDER_OFFSET), balance: Number(r.value) }));
  }

  holderCount(token: string): number {
    const [from, to] = this.holderRange(token);
    return this.s.holderCount.get(from, to) as number;
  }

  /** A token's events in chain order, after `after`. */
  events(token: string, limit: number, after?: EventCursor): EventRow[] {
    return this.store.tokenEvents(token, limit, after);
  }

  private holderRange(token: string): [string, string] {
    return [`b:${token}:`, `b:${token};`];
  }
}
