/**
 * The state transition (docs/protocol.md §3, §4): a signed transaction's effect on balances, nonces and
 * tokens, and a block's (its transactions in order, then the coinbase). Signatures are not
 * checked here (see verify.ts): callers verify them first, possibly in parallel.
 */
import { fail } from "./errors.js";
import { keys, type StateOverlay } from "./state.js";
import type { Address, Block, CoinbaseTx, NetworkParams, SignedTx, TokenEvent } from "./types.js";

const MAX = Number.MAX_SAFE_INTEGER;

function credit(state: StateOverlay, address: Address, amount: number): void {
  const acct = state.account(address);
  if (acct.balance + amount > MAX) fail("balance-overflow", `crediting ${amount} to ${address} would exceed 2^53-1`);
  state.setAccount(address, { balance: acct.balance + amount, nonce: acct.nonce });
}

/**
 * Applies one signed transaction to `state` and returns its token events. Throws a
 * RuleError (and leaves `state` as it was) when the transaction is not valid here.
 * `id` is the transaction's id (a created token's id).
 */
export function applyTransaction(state: StateOverlay, tx: SignedTx, id: string, params: NetworkParams): TokenEvent[] {
  if (tx.network !== params.name) {
    fail("bad-network", `transaction is for network "${tx.network}", this node runs "${params.name}"`);
  }
  if (tx.fee < params.min_fee) fail("fee-too-low", `fee ${tx.fee} is below this network's minimum fee ${params.min_fee}`);
  const sender = state.account(tx.sender);
  if (tx.nonce < sender.nonce) {
    fail("nonce-too-low", `nonce ${tx.nonce} is already used: the sender's next nonce is ${sender.nonce}`);
  }
  if (tx.nonce > sender.nonce) {
    fail("bad-nonce", `nonce ${tx.nonce} is ahead of the sender's next nonce ${sender.nonce}`);
  }
  const spend = tx.type === "transfer" ? tx.amount + tx.fee : tx.fee;
  if (spend > sender.balance) {
    fail(
      "insufficient-funds",
      `sender has ${sender.balance} and this transaction needs ${spend}${tx.type === "transfer" ? ` (amount ${tx.amount} + fee ${tx.fee})` : " for the fee"}`,
    );
  }
  const mark = state.mark();
  try {
    state.setAccount(tx.sender, { balance: sender.balance - spend, nonce: sender.nonce + 1 });
    return applyEffect(state, tx, id);
  } catch (err) {
    state.revert(mark);
    throw err;
  }
}

function requireToken(state: StateOverlay, token: string): void {
  if (state.token(token) === undefined)
    fail("unknown-token", `token ${token} does not exist (a token's id is the id of its token_create transaction)`);
}

function moveTokens(state: StateOverlay, token: string, from: Address, to: Address, amount: number): void {
  const have = state.tokenBalance(token, from);
  if (have < amount) fail("insufficient-token-balance", `${from} holds ${have} base units of token ${token}, not ${amount}`);
  state.set(keys.tokenBalance(token, from), have - amount);
  // total supply ≤ 2^53−1 bounds every balance, so this cannot overflow
  state.set(keys.tokenBalance(token, to), state.tokenBalance(token, to) + amount);
}

function applyEffect(state: StateOverlay, tx: SignedTx, id: string): TokenEvent[] {
  switch (tx.type) {
    case "transfer":
      credit(state, tx.recipient, tx.amount);
      return [];
    case "token_create":
      state.set(keys.token(id), {
        name: tx.name,
        symbol: tx.symbol,
        decimals: tx.decimals,
        total_supply: tx.supply,
        creator: tx.sender,
      });
      state.set(keys.tokenBalance(id, tx.sender), tx.supply);
      return [{ event: "Transfer", token: id, from: "0", to: tx.sender, value: tx.supply }];
    case "token_transfer":
      requireToken(state, tx.token);
      moveTokens(state, tx.token, tx.sender, tx.recipient, tx.amount);
      return [{ event: "Transfer", token: tx.token, from: tx.sender, to: tx.recipient, value: tx.amount }];
    case "token_approve":
      requireToken(state, tx.token);
      state.set(keys.allowance(tx.token, tx.sender, tx.spender), tx.amount);
      return [{ event: "Approval", token: tx.token, owner: tx.sender, spender: tx.spender, value: tx.amount }];
    case "token_transfer_from": {
      requireToken(state, tx.token);
      const allowed = state.allowance(tx.token, tx.owner, tx.sender);
      if (allowed < tx.amount) {
        fail("insufficient-allowance", `${tx.sender} may spend ${allowed} base units of ${tx.owner}'s token ${tx.token}, not ${tx.amount}`);
      }
      moveTokens(state, tx.token, tx.owner, tx.recipient, tx.amount);
      state.set(keys.allowance(tx.token, tx.owner, tx.sender), allowed - tx.amount);
      return [{ event: "Transfer", token: tx.token, from: tx.owner, to: tx.recipient, value: tx.amount }];
    }
  }
}

/** Sum of the fees of a block's signed transactions. */
export function totalFees(txs: readonly SignedTx[]): number {
  let sum = 0;
  for (const tx of txs) sum += tx.fee;
  return sum;
}

/**
 * Applies a block's transactions in order and then its coinbase (docs/protocol.md §4). The block's
 * structure (coinbase first and only there, count) must already be checked (block.ts).
 * Returns the token events of each transaction, by position in the block.
 */
export function applyBlock(state: StateOverlay, block: Block, txIds: readonly string[], params: NetworkParams): TokenEvent[][] {
  const coinbase = block.transactions[0] as CoinbaseTx;
  const txs = block.transactions.slice(1) as SignedTx[];
  const events: TokenEvent[][] = [[]];
  txs.forEach((tx, i) => {
    try {
      events.push(applyTransaction(state, tx, txIds[i + 1] as string, params));
    } catch (err) {
      if (err instanceof Error) err.message = `transaction ${i + 1} (${txIds[i + 1]}): ${err.message}`;
      throw err;
    }
  });
  const expected = params.reward + totalFees(txs);
  if (coinbase.amount !== expected) {
    fail(
      "bad-coinbase",
      `coinbase amount is ${coinbase.amount}; it must be the reward ${params.reward} plus the fees ${expected - params.reward}`,
    );
  }
  credit(state, coinbase.recipient, coinbase.amount);
  return events;
}
