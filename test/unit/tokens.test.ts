/** ERC-20 semantics of the token transactions (docs/protocol.md §3), as table tests. */
import { describe, expect, it } from "vitest";
import { txId } from "../../src/core/encoding.js";
import type { ReasonCode } from "../../src/core/errors.js";
import type { StateOverlay } from "../../src/core/state.js";
import { applyTx as apply, expectRejected, signTx, stateWith, stateWithToken } from "../helpers/factory.js";
import { key1, key2, testKey } from "../helpers/keys.js";

const MAX = Number.MAX_SAFE_INTEGER;
const A = key1;
const B = key2;
const C = testKey("carol");
const withToken = () => stateWithToken(A, [B, C]);

describe("applyTransaction: ERC-20 tokens", () => {
  it('token_create registers the token and emits Transfer from "0" of the whole supply to the sender', () => {
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
  type Step = [typeof A, (token: string) => Parameters<typeof signTx>[1], "ok" | ReasonCode, ((s: StateOverlay, t: string) => void)?];
  const table: Array<[string, Step[]]> = [
    [
      "transfer moves tokens and emits Transfer",
      [
        [
          A,
          (token) => ({ type: "token_transfer", token, recipient: B.address, amount: 300, nonce: 1 }),
          "ok",
          (s, t) => {
            expect(s.tokenBalance(t, A.address)).toBe(700);
            expect(s.tokenBalance(t, B.address)).toBe(300);
          },
        ],
      ],
    ],
    [
      "a zero-value transfer is valid, even from an empty holder",
      [
        [
          B,
          (token) => ({ type: "token_transfer", token, recipient: C.address, amount: 0 }),
          "ok",
          (s, t) => {
            expect(s.tokenBalance(t, B.address)).toBe(0);
            expect(s.tokenBalance(t, C.address)).toBe(0);
            expect(s.account(B.address).nonce).toBe(1);
          },
        ],
      ],
    ],
    [
      "transfer of the whole balance passes, one more fails",
      [
        [A, (token) => ({ type: "token_transfer", token, recipient: B.address, amount: 1001, nonce: 1 }), "insufficient-token-balance"],
        [
          A,
          (token) => ({ type: "token_transfer", token, recipient: B.address, amount: 1000, nonce: 1 }),
          "ok",
          (s, t) => {
            expect(s.tokenBalance(t, A.address)).toBe(0);
          },
        ],
      ],
    ],
    [
      "transfer to self keeps the balance",
      [
        [
          A,
          (token) => ({ type: "token_transfer", token, recipient: A.address, amount: 1000, nonce: 1 }),
          "ok",
          (s, t) => {
            expect(s.tokenBalance(t, A.address)).toBe(1000);
          },
        ],
      ],
    ],
    [
      "approve sets and then overwrites the allowance (not adds)",
      [
        [
          A,
          (token) => ({ type: "token_approve", token, spender: B.address, amount: 50, nonce: 1 }),
          "ok",
          (s, t) => {
            expect(s.allowance(t, A.address, B.address)).toBe(50);
          },
        ],
        [
          A,
          (token) => ({ type: "token_approve", token, spender: B.address, amount: 20, nonce: 2 }),
          "ok",
          (s, t) => {
            expect(s.allowance(t, A.address, B.address)).toBe(20);
            expect(s.allowance(t, B.address, A.address)).toBe(0);
          },
        ],
        [
          A,
          (token) => ({ type: "token_approve", token, spender: B.address, amount: 0, nonce: 3 }),
          "ok",
          (s, t) => {
            expect(s.allowance(t, A.address, B.address)).toBe(0);
          },
        ],
      ],
    ],
    [
      "approve may exceed the owner's balance",
      [
        [
          A,
          (token) => ({ type: "token_approve", token, spender: B.address, amount: MAX, nonce: 1 }),
          "ok",
          (s, t) => {
            expect(s.allowance(t, A.address, B.address)).toBe(MAX);
          },
        ],
        [
          B,
          (token) => ({ type: "token_transfer_from", token, owner: A.address, recipient: B.address, amount: 1001 }),
          "insufficient-token-balance",
        ],
      ],
    ],
    [
      "transferFrom spends the allowance and emits Transfer from the owner",
      [
        [A, (token) => ({ type: "token_approve", token, spender: B.address, amount: 100, nonce: 1 }), "ok"],
        [
          B,
          (token) => ({ type: "token_transfer_from", token, owner: A.address, recipient: C.address, amount: 60 }),
          "ok",
          (s, t) => {
            expect(s.allowance(t, A.address, B.address)).toBe(40);
            expect(s.tokenBalance(t, A.address)).toBe(940);
            expect(s.tokenBalance(t, C.address)).toBe(60);
            expect(s.tokenBalance(t, B.address)).toBe(0);
          },
        ],
        [
          B,
          (token) => ({ type: "token_transfer_from", token, owner: A.address, recipient: C.address, amount: 41, nonce: 1 }),
          "insufficient-allowance",
        ],
        [
          B,
          (token) => ({ type: "token_transfer_from", token, owner: A.address, recipient: B.address, amount: 40, nonce: 1 }),
          "ok",
          (s, t) => {
            expect(s.allowance(t, A.address, B.address)).toBe(0);
            expect(s.tokenBalance(t, B.address)).toBe(40);
          },
        ],
      ],
    ],
    [
      "transferFrom without any allowance fails, also from oneself; a zero-value one passes",
      [
        [
          B,
          (token) => ({ type: "token_transfer_from", token, owner: A.address, recipient: B.address, amount: 1 }),
          "insufficient-allowance",
        ],
        [
          A,
          (token) => ({ type: "token_transfer_from", token, owner: A.address, recipient: B.address, amount: 1, nonce: 1 }),
          "insufficient-allowance",
        ],
        [B, (token) => ({ type: "token_transfer_from", token, owner: A.address, recipient: B.address, amount: 0 }), "ok"],
      ],
    ],
    [
      "an allowance is per spender",
      [
        [A, (token) => ({ type: "token_approve", token, spender: B.address, amount: 10, nonce: 1 }), "ok"],
        [
          C,
          (token) => ({ type: "token_transfer_from", token, owner: A.address, recipient: C.address, amount: 1 }),
          "insufficient-allowance",
        ],
      ],
    ],
    [
      "transferFrom within the allowance but beyond the owner's balance fails and keeps the allowance",
      [
        [A, (token) => ({ type: "token_transfer", token, recipient: C.address, amount: 995, nonce: 1 }), "ok"],
        [A, (token) => ({ type: "token_approve", token, spender: B.address, amount: 10, nonce: 2 }), "ok"],
        [
          B,
          (token) => ({ type: "token_transfer_from", token, owner: A.address, recipient: B.address, amount: 6 }),
          "insufficient-token-balance",
          (s, t) => {
            expect(s.allowance(t, A.address, B.address)).toBe(10);
          },
        ],
      ],
    ],
    [
      "operations on a token that does not exist are unknown-token",
      [
        [A, () => ({ type: "token_transfer", token: "cd".repeat(32), recipient: B.address, amount: 0, nonce: 1 }), "unknown-token"],
        [A, () => ({ type: "token_approve", token: "cd".repeat(32), spender: B.address, amount: 1, nonce: 1 }), "unknown-token"],
        [
          B,
          () => ({ type: "token_transfer_from", token: "cd".repeat(32), owner: A.address, recipient: B.address, amount: 0 }),
          "unknown-token",
        ],
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
