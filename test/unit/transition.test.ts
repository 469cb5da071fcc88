import { describe, expect, it } from "vitest";
import { txId } from "../../src/core/encoding.js";
import { keys } from "../../src/core/state.js";
import { applyBlock, totalFees } from "../../src/core/transition.js";
import {
  applyTx as apply,
  codeOf,
  expectRejected,
  GENESIS,
  idsOf,
  mineBlock,
  NET,
  signTx,
  snapshot,
  stateWith,
  stateWithToken,
  totalCoins,
} from "../helpers/factory.js";
import { key1, key2, testKey } from "../helpers/keys.js";

const MAX = Number.MAX_SAFE_INTEGER;
const A = key1;
const B = key2;
const C = testKey("carol");
const withToken = () => stateWithToken(A, [B, C]);

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
    expectRejected(
      state,
      signTx(A, { type: "token_create", name: "X", symbol: "X", decimals: 0, supply: 1, fee: 0 }),
      "fee-too-low",
      params,
    );
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
    expectRejected(
      state,
      signTx(A, { type: "token_create", name: "X", symbol: "X", decimals: 0, supply: 5, fee: 2 }),
      "insufficient-funds",
    );
    apply(state, signTx(A, { type: "token_create", name: "X", symbol: "X", decimals: 0, supply: 5, fee: 1 }));
    expect(state.account(A.address)).toEqual({ balance: 0, nonce: 1 });
  });

  it("a failed token transaction does not use the nonce or charge the fee", () => {
    const { state, token } = withToken();
    const before = state.account(B.address);
    expectRejected(
      state,
      signTx(B, { type: "token_transfer", token, recipient: C.address, amount: 1, fee: 5 }),
      "insufficient-token-balance",
    );
    expect(state.account(B.address)).toEqual(before);
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
