/**
 * Property tests of the state transition: coins and token supplies are conserved, failed
 * transactions and blocks leave no trace, mark/revert restores the overlay exactly.
 */
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { checkBlockHeader, checkBlockShape } from "../../src/core/block.js";
import { blockHash, txId } from "../../src/core/encoding.js";
import { isRuleError } from "../../src/core/errors.js";
import { EMPTY_STATE, StateOverlay } from "../../src/core/state.js";
import { applyBlock, applyTransaction } from "../../src/core/transition.js";
import type { Block, SignedTx, TransferTx } from "../../src/core/types.js";
import { requireSignature, signatureValid } from "../../src/core/verify.js";
import { codeOf, GENESIS, mineBlock, NET, signTx, snapshot, stateWith, totalCoins, totalTokens } from "../helpers/factory.js";
import { testKey } from "../helpers/keys.js";

const KEYS = [0, 1, 2, 3].map((i) => testKey(`property ${i}`));
const who = fc.integer({ min: 0, max: KEYS.length - 1 });
const RUNS = { numRuns: 100 };

/** Which rule codes a randomly generated transaction may legitimately fail with. */
const TRANSFER_FAILURES = new Set(["insufficient-funds", "nonce-too-low", "bad-nonce"]);

const transferOp = fc.record({
  from: who,
  to: who,
  amount: fc.oneof({ weight: 4, arbitrary: fc.integer({ min: 1, max: 25 }) }, { weight: 1, arbitrary: fc.integer({ min: 1, max: 150 }) }),
  fee: fc.integer({ min: 0, max: 6 }),
  nonceShift: fc.oneof({ weight: 8, arbitrary: fc.constant(0) }, { weight: 2, arbitrary: fc.constantFrom(-1, 1, 2) }),
  tamper: fc.integer({ min: 0, max: 7 }).map((n) => n === 0), // one in eight is tampered with after signing
});
const blockPlan = fc.record({
  miner: who,
  ops: fc.array(transferOp, { maxLength: 8 }),
  poison: fc.option(fc.integer({ min: 0, max: 8 }), { freq: 4 }),
  gap: fc.integer({ min: 0, max: 600_000 }),
});

describe("conservation of coins", () => {
  it("sum(balances) = sum(rewards) = sum(coinbase amounts) − sum(fees), over random chains", () => {
    fc.assert(
      fc.property(fc.array(blockPlan, { minLength: 1, maxLength: 8 }), (plans) => {
        const state = new StateOverlay(EMPTY_STATE);
        let parent: Block = GENESIS;
        let minted = 0;
        let fees = 0;
        const confirmed = new Map<string, number>(); // confirmed transactions per sender
        for (const plan of plans) {
          // Pick the valid transactions the way a miner does: try each on a scratch overlay.
          const scratch = new StateOverlay(state);
          const chosen: SignedTx[] = [];
          for (const op of plan.ops) {
            const sender = KEYS[op.from]!;
            const next = scratch.account(sender.address).nonce;
            const nonce = next + op.nonceShift < 0 ? next + 1 : next + op.nonceShift;
            let tx: TransferTx = signTx(sender, {
              type: "transfer",
              recipient: KEYS[op.to]!.address,
              amount: op.amount,
              fee: op.fee,
              nonce,
            });
            if (op.tamper) tx = { ...tx, amount: tx.amount + 1 };
            if (!signatureValid(tx)) {
              expect(op.tamper).toBe(true);
              continue;
            }
            const before = snapshot(scratch);
            try {
              applyTransaction(scratch, tx, txId(tx), NET);
              chosen.push(tx);
            } catch (err) {
              expect(isRuleError(err) && TRANSFER_FAILURES.has(err.code)).toBe(true);
              expect(snapshot(scratch)).toEqual(before);
            }
          }
          const timestamp = parent.timestamp + plan.gap / 1000;
          // A block with one invalid transaction slipped in must be refused as a whole.
          if (plan.poison !== null) {
            const overspend = signTx(KEYS[plan.miner]!, {
              type: "transfer",
              recipient: KEYS[0]!.address,
              amount: Number.MAX_SAFE_INTEGER - 10,
              nonce: scratch.account(KEYS[plan.miner]!.address).nonce,
            });
            const txs = [...chosen];
            txs.splice(plan.poison % (chosen.length + 1), 0, overspend);
            const bad = mineBlock(parent, txs, KEYS[plan.miner]!.address, NET, { timestamp });
            const mark = state.mark();
            const before = snapshot(state);
            const checked = checkBlockShape(bad, NET);
            expect(codeOf(() => applyBlock(state, bad, checked.txIds, NET))).toMatch(/^(insufficient-funds|bad-nonce)$/);
            state.revert(mark);
            expect(snapshot(state)).toEqual(before);
          }
          const block = mineBlock(parent, chosen, KEYS[plan.miner]!.address, NET, { timestamp, difficulty: 4 });
          const hash = blockHash(block);
          checkBlockHeader(block, { params: NET, parent, parentHash: blockHash(parent), difficulty: 4, nowS: timestamp });
          const checked = checkBlockShape(block, NET);
          expect(checked.hash).toBe(hash);
          for (const tx of chosen) requireSignature(tx);
          applyBlock(state, block, checked.txIds, NET);
          state.commitJournal();

          minted += (block.transactions[0] as { amount: number }).amount;
          for (const tx of chosen) {
            fees += tx.fee;
            confirmed.set(tx.sender, (confirmed.get(tx.sender) ?? 0) + 1);
          }
          parent = block;
          expect(totalCoins(state)).toBe(NET.reward * (block.index - 1));
          expect(totalCoins(state)).toBe(minted - fees);
        }
        for (const k of KEYS) {
          const acct = state.account(k.address);
          expect(acct.nonce).toBe(confirmed.get(k.address) ?? 0);
          expect(acct.balance).toBeGreaterThanOrEqual(0);
          expect(Number.isSafeInteger(acct.balance)).toBe(true);
        }
      }),
      RUNS,
    );
  });
});

type TokenOp =
  | { kind: "transfer"; from: number; to: number; amount: number }
  | { kind: "approve"; owner: number; spender: number; amount: number }
  | { kind: "transferFrom"; spender: number; owner: number; to: number; amount: number };

const amountArb = fc.oneof(fc.integer({ min: 0, max: 1200 }), fc.constant(0));
const tokenOp: fc.Arbitrary<TokenOp> = fc.oneof(
  fc.record({ kind: fc.constant("transfer" as const), from: who, to: who, amount: amountArb }),
  fc.record({ kind: fc.constant("approve" as const), owner: who, spender: who, amount: amountArb }),
  fc.record({ kind: fc.constant("transferFrom" as const), spender: who, owner: who, to: who, amount: amountArb }),
);

describe("token supply", () => {
  it("sum of a token's balances = total_supply, and the rules match a simple ERC-20 model", () => {
    fc.assert(
      fc.property(fc.integer({ min: 0, max: 1000 }), fc.array(tokenOp, { maxLength: 25 }), (supply, ops) => {
        const state = stateWith(Object.fromEntries(KEYS.map((k) => [k.address, 1000])));
        const A = KEYS[0]!;
        const create = signTx(A, { type: "token_create", name: "Prop", symbol: "PRP", decimals: 0, supply });
        const token = txId(create);
        applyTransaction(state, create, token, NET);
        // the model
        const bal = new Map<number, number>([[0, supply]]);
        const allow = new Map<string, number>();
        const b = (i: number) => bal.get(i) ?? 0;
        const al = (o: number, s: number) => allow.get(`${o}:${s}`) ?? 0;
        const move = (f: number, t: number, v: number) => {
          bal.set(f, b(f) - v);
          bal.set(t, b(t) + v);
        };
        for (const op of ops) {
          const signer = op.kind === "transfer" ? op.from : op.kind === "approve" ? op.owner : op.spender;
          const key = KEYS[signer]!;
          const nonce = state.account(key.address).nonce;
          let tx: SignedTx;
          let want: string;
          if (op.kind === "transfer") {
            tx = signTx(key, { type: "token_transfer", token, recipient: KEYS[op.to]!.address, amount: op.amount, nonce });
            want = b(op.from) < op.amount ? "insufficient-token-balance" : "ok";
            if (want === "ok") move(op.from, op.to, op.amount);
          } else if (op.kind === "approve") {
            tx = signTx(key, { type: "token_approve", token, spender: KEYS[op.spender]!.address, amount: op.amount, nonce });
            want = "ok";
            allow.set(`${op.owner}:${op.spender}`, op.amount);
          } else {
            tx = signTx(key, {
              type: "token_transfer_from",
              token,
              owner: KEYS[op.owner]!.address,
              recipient: KEYS[op.to]!.address,
              amount: op.amount,
              nonce,
            });
            want =
              al(op.owner, op.spender) < op.amount
                ? "insufficient-allowance"
                : b(op.owner) < op.amount
                  ? "insufficient-token-balance"
                  : "ok";
            if (want === "ok") {
              move(op.owner, op.to, op.amount);
              allow.set(`${op.owner}:${op.spender}`, al(op.owner, op.spender) - op.amount);
            }
          }
          const before = snapshot(state);
          let got = "ok";
          try {
            const events = applyTransaction(state, tx, txId(tx), NET);
            expect(events).toHaveLength(1);
            expect(events[0]!.value).toBe(op.amount);
          } catch (err) {
            if (!isRuleError(err)) throw err;
            got = err.code;
            expect(snapshot(state)).toEqual(before);
          }
          expect(got).toBe(want);
          expect(totalTokens(state, token)).toBe(supply);
          expect(state.token(token)?.total_supply).toBe(supply);
        }
        KEYS.forEach((k, i) => {
          expect(state.tokenBalance(token, k.address)).toBe(b(i));
          KEYS.forEach((s, j) => {
            expect(state.allowance(token, k.address, s.address)).toBe(al(i, j));
          });
        });
      }),
      RUNS,
    );
  });
});

type Write = { key: string; value: number | { balance: number; nonce: number } };
const write: fc.Arbitrary<Write> = fc.record({
  key: fc.constantFrom("a:x", "a:y", "b:t:x", "b:t:y", "l:t:x:y", "t:t"),
  value: fc.oneof(fc.nat(), fc.record({ balance: fc.nat(), nonce: fc.nat() })),
});

describe("StateOverlay mark / revert", () => {
  it("reverting to a mark restores the overlay exactly, with nested marks", () => {
    fc.assert(
      fc.property(fc.array(write), fc.array(write), fc.array(write), (w0, w1, w2) => {
        const base = new StateOverlay(EMPTY_STATE);
        base.set("a:base", { balance: 5, nonce: 1 });
        const s = new StateOverlay(base);
        for (const w of w0) s.set(w.key, w.value);
        const m1 = s.mark();
        const at1 = snapshot(s);
        const get1 = ["a:x", "a:base", "b:t:x"].map((k) => structuredClone(s.get(k)));
        for (const w of w1) s.set(w.key, w.value);
        const m2 = s.mark();
        const at2 = snapshot(s);
        for (const w of w2) s.set(w.key, w.value);
        s.revert(m2);
        expect(snapshot(s)).toEqual(at2);
        s.revert(m1);
        expect(snapshot(s)).toEqual(at1);
        expect(["a:x", "a:base", "b:t:x"].map((k) => s.get(k))).toEqual(get1);
        expect(s.get("a:base")).toEqual({ balance: 5, nonce: 1 }); // the base shows through
        s.revert(0);
        expect(s.changes.size).toBe(0);
      }),
      { numRuns: 200 },
    );
  });

  it("applying a random block (valid or not) and reverting restores the overlay exactly", () => {
    fc.assert(
      fc.property(fc.array(transferOp, { maxLength: 6 }), fc.integer({ min: -2, max: 2 }), (ops, cbDelta) => {
        const state = stateWith(Object.fromEntries(KEYS.map((k, i) => [k.address, 100 * i])));
        const before = snapshot(state);
        const nonces = new Map<number, number>();
        const txs = ops.map((op) => {
          const n = nonces.get(op.from) ?? 0;
          nonces.set(op.from, n + 1);
          return signTx(KEYS[op.from]!, { type: "transfer", recipient: KEYS[op.to]!.address, amount: op.amount, fee: op.fee, nonce: n });
        });
        const block = mineBlock(GENESIS, txs, KEYS[0]!.address);
        (block.transactions[0] as { amount: number }).amount = Math.max(0, (block.transactions[0] as { amount: number }).amount + cbDelta);
        const mark = state.mark();
        let ok = true;
        try {
          applyBlock(
            state,
            block,
            block.transactions.map((t) => txId(t)),
            NET,
          );
        } catch (err) {
          ok = false;
          expect(isRuleError(err)).toBe(true);
        }
        if (ok)
          expect(totalCoins(state)).toBe(totalCoins(stateWith(Object.fromEntries(KEYS.map((k, i) => [k.address, 100 * i])))) + NET.reward);
        state.revert(mark);
        expect(snapshot(state)).toEqual(before);
      }),
      RUNS,
    );
  });
});
