import { describe, expect, it } from "vitest";
import { txId } from "../../src/core/encoding.js";
import { keys, StateOverlay } from "../../src/core/state.js";
import { applyBlock, applyTransaction, totalFees } from "../../src/core/transition.js";
import type { NetworkParams, SignedTx } from "../../src/core/types.js";
import { codeOf, GENESIS, idsOf, mineBlock, NET, signTx, snapshot, stateWith, totalCoins } from "../helpers/factory.js";
import { key1, key2, testKey } from "../helpers/keys.js";

const MAX = Number.MAX_SAFE_INTEGER;
const A = key1;
const B = key2;
const C = testKey("carol");

function apply(state: StateOverlay, tx: SignedTx, params: NetworkParams = NET) {
  return applyTransaction(state, tx, txId(tx), params);
}

/** Applies `tx` expecting it to fail with `code`, and checks that the state did not change. */
function expectRejected(state: StateOverlay, tx: SignedTx, code: string, params: NetworkParams = NET): void {
  const before = snapshot(state);
  const mark = state.mark();
  expect(codeOf(() => apply(state, tx, params))).toBe(code);
  expect(snapshot(state)).toEqual(before);
  expect(state.mark()).toBe(mark);
}

/** A state where A created token T (supply 1000) at nonce 0; returns the state and T. */
function withToken(balance = 100) {
  const state = stateWith({ [A.address]: balance, [B.address]: balance, [C.address]: balance });
  const create = signTx(A, { type: "token_create", name: "Gold", symbol: "GLD", decimals: 2, supply: 1000 });
  apply(state, create);
  return { state, token: txId(create) };
}

describe("applyTransaction: transfers", () => {
  it("moves amount, charges fee and bumps the nonce", () => {
    const state = stateWith({ [A.address]: 100 });
    const events = apply(state, signTx(A, { type: "transfer", recipient: B.address, amount: 30, fee: 2 }));
    expect(events).toEqual([]);
    expect(state.account(A.address)).toEqual({ balance: 68, nonce: 1 });
    expect(state.account(B.address)).toEqual({ balance: 30, nonce: 0 });
  });

  it("passes when amount + fee equals the balance exactly, fails one above", () => {
    const state = stateWith({ [A.address]: 10 });
    expectRejected(state, signTx(A, { type: "transfer", recipient: B.address, amount: 10, fee: 1 }), "insufficient-funds");
    expectRejected(state, signTx(A, { type: "transfer", recipient: B.address, amount: 11, fee: 0 }), "insufficient-funds");
    apply(state, signTx(A, { type: "transfer", recipient: B.address, amount: 9, fee: 1 }));
    expect(state.account(A.address)).toEqual({ balance: 0, nonce: 1 });
  });

  it("insufficient-funds from an account that never existed", () => {
    expectRejected(stateWith({}), signTx(A, { type: "transfer", recipient: B.address, amount: 1 }), "insufficient-funds");
  });

  it("insufficient-funds when amount + fee is beyond 2^53", () => {
    const state = stateWith({ [A.address]: MAX });
    expectRejected(state, signTx(A, { type: "transfer", recipient: B.address, amount: MAX, fee: MAX }), "insufficient-funds");
    expectRejected(state, signTx(A, { type: "transfer", recipient: B.address, amount: MAX, fee: 1 }), "insufficient-funds");
  });

  it("a transfer to self costs only the fee", () => {
    const state = stateWith({ [A.address]: 10 });
    apply(state, signTx(A, { type: "transfer", recipient: A.address, amount: 10, fee: 0 }));
    expect(state.account(A.address)).toEqual({ balance: 10, nonce: 1 });
    apply(state, signTx(A, { type: "transfer", recipient: A.address, amount: 7, fee: 3, nonce: 1 }));
    expect(state.account(A.address)).toEqual({ balance: 7, nonce: 2 });
  });

  it("balance-overflow when the recipient would exceed 2^53-1, and the sender's debit is undone", () => {
    const state = stateWith({ [A.address]: 100, [B.address]: MAX - 5 });
    expectRejected(state, signTx(A, { type: "transfer", recipient: B.address, amount: 6 }), "balance-overflow");
    apply(state, signTx(A, { type: "transfer", recipient: B.address, amount: 5 }));
    expect(state.account(B.address).balance).toBe(MAX);
  });
});

describe("applyTransaction: common rules", () => {
  it("bad-network for another network's transaction", () => {
    const state = stateWith({ [A.address]: 100 });
    expectRejected(state, signTx(A, { type: "transfer", recipient: B.address, amount: 1, network: "devnet" }), "bad-network");
    expectRejected(state, signTx(A, { type: "transfer", recipient: B.address, amount: 1, network: "TESTNET" }), "bad-network");
  });

  it("fee-too-low below min_fee; exactly min_fee passes", () => {
    const params = { ...NET, min_fee: 3 };
    const state = stateWith({ [A.address]: 100 });
    expectRejected(state, signTx(A, { type: "transfer", recipient: B.address, amount: 1, fee: 2 }), "fee-too-low", params);
    expectRejected(state, signTx(A, { type: "token_create", name: "X", symbol: "X", decimals: 0, supply: 1, fee: 0 }), "fee-too-low", params);
    apply(state, signTx(A, { type: "transfer", recipient: B.address, amount: 1, fee: 3 }), params);
    expect(state.account(A.address)).toEqual({ balance: 96, nonce: 1 });
  });

  it("nonce-too-low for a used nonce, bad-nonce for a nonce ahead", () => {
    const state = stateWith({ [A.address]: { balance: 100, nonce: 2 } });
    expectRejected(state, signTx(A, { type: "transfer", recipient: B.address, amount: 1, nonce: 1 }), "nonce-too-low");
    expectRejected(state, signTx(A, { type: "transfer", recipient: B.address, amount: 1, nonce: 0 }), "nonce-too-low");
    expectRejected(state, signTx(A, { type: "transfer", recipient: B.address, amount: 1, nonce: 3 }), "bad-nonce");
    expectRejected(state, signTx(A, { type: "transfer", recipient: B.address, amount: 1, nonce: MAX }), "bad-nonce");
    apply(state, signTx(A, { type: "transfer", recipient: B.address, amount: 1, nonce: 2 }));
    expect(state.account(A.address).nonce).toBe(3);
  });

  it("the first nonce is 0 and a replay of the same transaction fails", () => {
    const state = stateWith({ [A.address]: 100 });
    const tx = signTx(A, { type: "transfer", recipient: B.address, amount: 1 });
    apply(state, tx);
    expectRejected(state, tx, "nonce-too-low");
  });

  it("token transactions need only the fee in coins", () => {
    const state = stateWith({ [A.address]: 1 });
    expectRejected(state, signTx(A, { type: "token_create", name: "X", symbol: "X", decimals: 0, supply: 5, fee: 2 }), "insufficient-funds");
    apply(state, signTx(A, { type: "token_create", name: "X", symbol: "X", decimals: 0, supply: 5, fee: 1 }));
    expect(state.account(A.address)).toEqual({ balance: 0, nonce: 1 });
  });

  it("a failed token transaction does not use the nonce or charge the fee", () => {
    const { state, token } = withToken();
    const before = state.account(B.address);
    expectRejected(state, signTx(B, { type: "token_transfer", token, recipient: C.address, amount: 1, fee: 5 }), "insufficient-token-balance");
    expect(state.account(B.address)).toEqual(before);
  });
});

describe("applyTransaction: ERC-20 tokens", () => {
  it("token_create registers the token and emits Transfer from \"0\" of the whole supply to the sender", () => {
    const state = stateWith({ [A.address]: 10 });
    const create = signTx(A, { type: "token_create", name: "Gold", symbol: "GLD", decimals: 2, supply: 1000, fee: 1 });
    const id = txId(create);
    expect(apply(state, create)).toEqual([{ event: "Transfer", token: id, from: "0", to: A.address, value: 1000 }]);
    expect(state.token(id)).toEqual({ name: "Gold", symbol: "GLD", decimals: 2, total_supply: 1000, creator: A.address });
    expect(state.tokenBalance(id, A.address)).toBe(1000);
    expect(state.account(A.address)).toEqual({ balance: 9, nonce: 1 });
  });

  it("token_create with supply 0 emits a zero Transfer", () => {
    const state = stateWith({ [A.address]: 0 });
    const create = signTx(A, { type: "token_create", name: "Z", symbol: "Z", decimals: 0, supply: 0 });
    expect(apply(state, create)).toEqual([{ event: "Transfer", token: txId(create), from: "0", to: A.address, value: 0 }]);
    expect(state.tokenBalance(txId(create), A.address)).toBe(0);
  });

  it("token_create with supply 2^53-1", () => {
    const state = stateWith({ [A.address]: 0 });
    const create = signTx(A, { type: "token_create", name: "Max", symbol: "MAX", decimals: 18, supply: MAX });
    apply(state, create);
    expect(state.tokenBalance(txId(create), A.address)).toBe(MAX);
  });

  // Table: [description, steps]; each step is [signer, fields, expected events or a reason code].
  type Step = [typeof A, (token: string) => Parameters<typeof signTx>[1], "ok" | string, ((s: StateOverlay, t: string) => void)?];
  const table: Array<[string, Step[]]> = [
    [
      "transfer moves tokens and emits Transfer",
      [
        [A, (token) => ({ type: "token_transfer", token, recipient: B.address, amount: 300, nonce: 1 }), "ok", (s, t) => {
          expect(s.tokenBalance(t, A.address)).toBe(700);
          expect(s.tokenBalance(t, B.address)).toBe(300);
        }],
      ],
    ],
    [
      "a zero-value transfer is valid, even from an empty holder",
      [
        [B, (token) => ({ type: "token_transfer", token, recipient: C.address, amount: 0 }), "ok", (s, t) => {
          expect(s.tokenBalance(t, B.address)).toBe(0);
          expect(s.tokenBalance(t, C.address)).toBe(0);
          expect(s.account(B.address).nonce).toBe(1);
        }],
      ],
    ],
    [
      "transfer of the whole balance passes, one more fails",
      [
        [A, (token) => ({ type: "token_transfer", token, recipient: B.address, amount: 1001, nonce: 1 }), "insufficient-token-balance"],
        [A, (token) => ({ type: "token_transfer", token, recipient: B.address, amount: 1000, nonce: 1 }), "ok", (s, t) => {
          expect(s.tokenBalance(t, A.address)).toBe(0);
        }],
      ],
    ],
    [
      "transfer to self keeps the balance",
      [
        [A, (token) => ({ type: "token_transfer", token, recipient: A.address, amount: 1000, nonce: 1 }), "ok", (s, t) => {
          expect(s.tokenBalance(t, A.address)).toBe(1000);
        }],
      ],
    ],
    [
      "approve sets and then overwrites the allowance (not adds)",
      [
        [A, (token) => ({ type: "token_approve", token, spender: B.address, amount: 50, nonce: 1 }), "ok", (s, t) => {
          expect(s.allowance(t, A.address, B.address)).toBe(50);
        }],
        [A, (token) => ({ type: "token_approve", token, spender: B.address, amount: 20, nonce: 2 }), "ok", (s, t) => {
          expect(s.allowance(t, A.address, B.address)).toBe(20);
          expect(s.allowance(t, B.address, A.address)).toBe(0);
        }],
        [A, (token) => ({ type: "token_approve", token, spender: B.address, amount: 0, nonce: 3 }), "ok", (s, t) => {
          expect(s.allowance(t, A.address, B.address)).toBe(0);
        }],
      ],
    ],
    [
      "approve may exceed the owner's balance",
      [
        [A, (token) => ({ type: "token_approve", token, spender: B.address, amount: MAX, nonce: 1 }), "ok", (s, t) => {
          expect(s.allowance(t, A.address, B.address)).toBe(MAX);
        }],
        [B, (token) => ({ type: "token_transfer_from", token, owner: A.address, recipient: B.address, amount: 1001 }), "insufficient-token-balance"],
      ],
    ],
    [
      "transferFrom spends the allowance and emits Transfer from the owner",
      [
        [A, (token) => ({ type: "token_approve", token, spender: B.address, amount: 100, nonce: 1 }), "ok"],
        [B, (token) => ({ type: "token_transfer_from", token, owner: A.address, recipient: C.address, amount: 60 }), "ok", (s, t) => {
          expect(s.allowance(t, A.address, B.address)).toBe(40);
          expect(s.tokenBalance(t, A.address)).toBe(940);
          expect(s.tokenBalance(t, C.address)).toBe(60);
          expect(s.tokenBalance(t, B.address)).toBe(0);
        }],
        [B, (token) => ({ type: "token_transfer_from", token, owner: A.address, recipient: C.address, amount: 41, nonce: 1 }), "insufficient-allowance"],
        [B, (token) => ({ type: "token_transfer_from", token, owner: A.address, recipient: B.address, amount: 40, nonce: 1 }), "ok", (s, t) => {
          expect(s.allowance(t, A.address, B.address)).toBe(0);
          expect(s.tokenBalance(t, B.address)).toBe(40);
        }],
      ],
    ],
    [
      "transferFrom without any allowance fails, also from oneself; a zero-value one passes",
      [
        [B, (token) => ({ type: "token_transfer_from", token, owner: A.address, recipient: B.address, amount: 1 }), "insufficient-allowance"],
        [A, (token) => ({ type: "token_transfer_from", token, owner: A.address, recipient: B.address, amount: 1, nonce: 1 }), "insufficient-allowance"],
        [B, (token) => ({ type: "token_transfer_from", token, owner: A.address, recipient: B.address, amount: 0 }), "ok"],
      ],
    ],
    [
      "an allowance is per spender",
      [
        [A, (token) => ({ type: "token_approve", token, spender: B.address, amount: 10, nonce: 1 }), "ok"],
        [C, (token) => ({ type: "token_transfer_from", token, owner: A.address, recipient: C.address, amount: 1 }), "insufficient-allowance"],
      ],
    ],
    [
      "transferFrom within the allowance but beyond the owner's balance fails and keeps the allowance",
      [
        [A, (token) => ({ type: "token_transfer", token, recipient: C.address, amount: 995, nonce: 1 }), "ok"],
        [A, (token) => ({ type: "token_approve", token, spender: B.address, amount: 10, nonce: 2 }), "ok"],
        [B, (token) => ({ type: "token_transfer_from", token, owner: A.address, recipient: B.address, amount: 6 }), "insufficient-token-balance", (s, t) => {
          expect(s.allowance(t, A.address, B.address)).toBe(10);
        }],
      ],
    ],
    [
      "operations on a token that does not exist are unknown-token",
      [
        [A, () => ({ type: "token_transfer", token: "cd".repeat(32), recipient: B.address, amount: 0, nonce: 1 }), "unknown-token"],
        [A, () => ({ type: "token_approve", token: "cd".repeat(32), spender: B.address, amount: 1, nonce: 1 }), "unknown-token"],
        [B, () => ({ type: "token_transfer_from", token: "cd".repeat(32), owner: A.address, recipient: B.address, amount: 0 }), "unknown-token"],
      ],
    ],
  ];

  it.each(table)("%s", (_name, steps) => {
    const { state, token } = withToken();
    for (const [signer, fields, expected, check] of steps) {
      const tx = signTx(signer, fields(token));
      if (expected === "ok") {
        const events = apply(state, tx);
        expect(events).toHaveLength(1);
        const f = fields(token) as { type: string; amount: number; recipient?: string; owner?: string; spender?: string };
        if (f.type === "token_approve") {
          expect(events[0]).toEqual({ event: "Approval", token, owner: signer.address, spender: f.spender, value: f.amount });
        } else {
          const from = f.type === "token_transfer_from" ? f.owner : signer.address;
          expect(events[0]).toEqual({ event: "Transfer", token, from, to: f.recipient, value: f.amount });
        }
      } else {
        expectRejected(state, tx, expected);
      }
      check?.(state, token);
    }
  });
});

describe("applyBlock", () => {
  const fund = () => stateWith({ [A.address]: 100, [B.address]: 100 });
  const t1 = signTx(A, { type: "transfer", recipient: B.address, amount: 10, fee: 3 });
  const t2 = signTx(B, { type: "transfer", recipient: C.address, amount: 5, fee: 4 });

  it("applies the transactions in order, then credits the coinbase with reward + fees", () => {
    const state = fund();
    const block = mineBlock(GENESIS, [t1, t2], C.address);
    expect(block.transactions[0]).toMatchObject({ type: "coinbase", amount: NET.reward + 7 });
    const events = applyBlock(state, block, idsOf(block), NET);
    expect(events).toEqual([[], [], []]);
    expect(state.account(A.address)).toEqual({ balance: 87, nonce: 1 });
    expect(state.account(B.address)).toEqual({ balance: 101, nonce: 1 });
    expect(state.account(C.address)).toEqual({ balance: 5 + NET.reward + 7, nonce: 0 });
    expect(totalCoins(state)).toBe(200 + NET.reward);
  });

  it("a later transaction may spend what an earlier one in the block received", () => {
    const state = stateWith({ [A.address]: 20 });
    const pay = signTx(A, { type: "transfer", recipient: B.address, amount: 20 });
    const spend = signTx(B, { type: "transfer", recipient: C.address, amount: 20 });
    const block = mineBlock(GENESIS, [pay, spend], C.address);
    applyBlock(state, block, idsOf(block), NET);
    expect(state.account(C.address).balance).toBe(20 + NET.reward);
    // the other order fails: the coinbase is credited after the transactions
    const bad = mineBlock(GENESIS, [spend, pay], B.address);
    expect(codeOf(() => applyBlock(stateWith({ [A.address]: 20 }), bad, idsOf(bad), NET))).toBe("insufficient-funds");
  });

  it("the miner cannot spend its own coinbase in the same block", () => {
    const state = stateWith({});
    const spend = signTx(A, { type: "transfer", recipient: B.address, amount: 1 });
    const block = mineBlock(GENESIS, [spend], A.address);
    expect(codeOf(() => applyBlock(state, block, idsOf(block), NET))).toBe("insufficient-funds");
  });

  it("bad-coinbase when the amount is not reward + fees (over or under)", () => {
    for (const delta of [1, -1, -7]) {
      const block = mineBlock(GENESIS, [t1, t2], C.address);
      const cb = block.transactions[0] as { amount: number };
      cb.amount += delta;
      expect(codeOf(() => applyBlock(fund(), block, idsOf(block), NET))).toBe("bad-coinbase");
    }
  });

  it("bad-coinbase also checks the network's reward", () => {
    const block = mineBlock(GENESIS, [t1], C.address, { ...NET, reward: 49 });
    expect(codeOf(() => applyBlock(fund(), block, idsOf(block), NET))).toBe("bad-coinbase");
  });

  it("a coinbase-only block mints exactly the reward; reward 0 is allowed", () => {
    const state = stateWith({});
    const block = mineBlock(GENESIS, [], A.address);
    expect(applyBlock(state, block, idsOf(block), NET)).toEqual([[]]);
    expect(state.account(A.address)).toEqual({ balance: NET.reward, nonce: 0 });
    const zero = { ...NET, reward: 0 };
    const b0 = mineBlock(GENESIS, [], A.address, zero);
    applyBlock(state, b0, idsOf(b0), zero);
    expect(state.account(A.address).balance).toBe(NET.reward);
  });

  it("balance-overflow when the coinbase would push the miner past 2^53-1", () => {
    const state = stateWith({ [A.address]: MAX - NET.reward + 1 });
    const block = mineBlock(GENESIS, [], A.address);
    expect(codeOf(() => applyBlock(state, block, idsOf(block), NET))).toBe("balance-overflow");
  });

  it("returns the token events per transaction, by position", () => {
    const state = fund();
    const create = signTx(A, { type: "token_create", name: "Gold", symbol: "GLD", decimals: 0, supply: 10 });
    const token = txId(create);
    const move = signTx(A, { type: "token_transfer", token, recipient: B.address, amount: 4, nonce: 1 });
    const block = mineBlock(GENESIS, [t2, create, move], C.address);
    expect(applyBlock(state, block, idsOf(block), NET)).toEqual([
      [],
      [],
      [{ event: "Transfer", token, from: "0", to: A.address, value: 10 }],
      [{ event: "Transfer", token, from: A.address, to: B.address, value: 4 }],
    ]);
    expect(state.get(keys.tokenBalance(token, B.address))).toBe(4);
  });

  it("an error names the failing transaction's position; mark/revert undoes the partial block", () => {
    const state = fund();
    const before = snapshot(state);
    const mark = state.mark();
    const replay = mineBlock(GENESIS, [t1, t1], C.address); // same tx twice: the second has a used nonce
    let err: unknown;
    try {
      applyBlock(state, replay, idsOf(replay), NET);
    } catch (e) {
      err = e;
    }
    expect(err).toMatchObject({ code: "nonce-too-low" });
    expect((err as Error).message).toMatch(/^transaction 2 /);
    state.revert(mark);
    expect(snapshot(state)).toEqual(before);
  });

  it("totalFees sums the fees", () => {
    expect(totalFees([])).toBe(0);
    expect(totalFees([t1, t2])).toBe(7);
  });
});
