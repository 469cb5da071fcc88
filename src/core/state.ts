/**
 * The ledger as key → value state, read through `StateReader` (the store implements it)
 * and changed through `StateOverlay`, which records every change so a block's effects
 * (and what they replaced, for undo) can be committed in one write.
 *
 * Keys (one place; the store keeps them verbatim):
 *   a:<address>                   → Account {balance, nonce}
 *   t:<token id>                  → TokenInfo
 *   b:<token id>:<address>        → token balance (number)
 *   l:<token id>:<owner>:<spender> → allowance (number)
 */
import type { Address, Hash } from "./types.js";

export interface Account {
  balance: number;
  nonce: number;
}

export interface TokenInfo {
  name: string;
  symbol: string;
  decimals: number;
  total_supply: number;
  creator: Address;
}

export type StateValue = Account | TokenInfo | number;

export interface StateReader {
  get(key: string): StateValue | undefined;
}

export const keys = {
  account: (address: Address) => `a:${address}`,
  token: (id: Hash) => `t:${id}`,
  tokenBalance: (token: Hash, address: Address) => `b:${token}:${address}`,
  allowance: (token: Hash, owner: Address, spender: Address) => `l:${token}:${owner}:${spender}`,
};

export const EMPTY_STATE: StateReader = { get: () => undefined };

const ABSENT = Symbol("absent");

/** Changes on top of a reader, with a journal so a failed transaction can be undone. */
export class StateOverlay implements StateReader {
  readonly changes = new Map<string, StateValue>();
  private journal: Array<[string, StateValue | typeof ABSENT]> = [];

  constructor(readonly base: StateReader) {}

  get(key: string): StateValue | undefined {
    const v = this.changes.get(key);
    return v !== undefined ? v : this.base.get(key);
  }

  set(key: string, value: StateValue): void {
    this.journal.push([key, this.changes.has(key) ? (this.changes.get(key) as StateValue) : ABSENT]);
    this.changes.set(key, value);
  }

  /** A point to `revert` to. */
  mark(): number {
    return this.journal.length;
  }

  revert(mark: number): void {
    while (this.journal.length > mark) {
      const [key, prev] = this.journal.pop() as [string, StateValue | typeof ABSENT];
      if (prev === ABSENT) this.changes.delete(key);
      else this.changes.set(key, prev);
    }
  }

  /** Forget the journal (changes stay); call once a unit of work is final. */
  commitJournal(): void {
    this.journal = [];
  }

  account(address: Address): Account {
    const v = this.get(keys.account(address)) as Account | undefined;
    return v ?? { balance: 0, nonce: 0 };
  }

  setAccount(address: Address, account: Account): void {
    this.set(keys.account(address), account);
  }

  token(id: Hash): TokenInfo | undefined {
    return this.get(keys.token(id)) as TokenInfo | undefined;
  }

  tokenBalance(token: Hash, address: Address): number {
    return (this.get(keys.tokenBalance(token, address)) as number | undefined) ?? 0;
  }

  allowance(token: Hash, owner: Address, spender: Address): number {
    return (this.get(keys.allowance(token, owner, spender)) as number | undefined) ?? 0;
  }
}
