/** The account page's direction of a transaction (web/src/direction.ts), for each party. */
import { describe, expect, it } from "vitest";
import type { Tx } from "../../web/src/api.js";
import { directionOf } from "../../web/src/direction.js";

const [OWNER, SPENDER, TO, OTHER] = ["a", "b", "c", "d"].map((c) => c.repeat(64)) as [string, string, string, string];
const base = { id: "e".repeat(64), network: "devnet", fee: 0, nonce: 0, signature: "f".repeat(128) };
const tx = (fields: Record<string, unknown>) => ({ ...base, ...fields }) as unknown as Tx;

describe("directionOf", () => {
  const from = tx({ type: "token_transfer_from", sender: SPENDER, owner: OWNER, recipient: TO, token: OTHER, amount: 5 });

  it("transfer_from: out of the owner's balance to the recipient", () => {
    expect(directionOf(from, OWNER)).toEqual({ label: "out", other: TO });
  });

  it("transfer_from: into the recipient's balance from the owner, not from the spender", () => {
    expect(directionOf(from, TO)).toEqual({ label: "in", other: OWNER });
  });

  it("transfer_from: for the spender who signed it, neither in nor out: moved for the owner", () => {
    expect(directionOf(from, SPENDER)).toEqual({ label: "moved for", other: OWNER });
  });

  it("transfer_from to the spender itself is in, from the owner", () => {
    const toSelf = tx({ type: "token_transfer_from", sender: SPENDER, owner: OWNER, recipient: SPENDER, token: OTHER, amount: 5 });
    expect(directionOf(toSelf, SPENDER)).toEqual({ label: "in", other: OWNER });
  });

  it("transfers, approvals, creation and coinbase", () => {
    const send = tx({ type: "token_transfer", sender: OWNER, recipient: TO, token: OTHER, amount: 1 });
    expect(directionOf(send, OWNER)).toEqual({ label: "out", other: TO });
    expect(directionOf(send, TO)).toEqual({ label: "in", other: OWNER });
    const self = tx({ type: "transfer", sender: OWNER, recipient: OWNER, amount: 1 });
    expect(directionOf(self, OWNER)).toEqual({ label: "self", other: undefined });
    const approve = tx({ type: "token_approve", sender: OWNER, spender: SPENDER, token: OTHER, amount: 1 });
    expect(directionOf(approve, OWNER)).toEqual({ label: "approval", other: SPENDER });
    expect(directionOf(approve, SPENDER)).toEqual({ label: "approval", other: OWNER });
    const create = tx({ type: "token_create", sender: OWNER, name: "x", symbol: "X", decimals: 0, supply: 1 });
    expect(directionOf(create, OWNER)).toEqual({ label: "created", other: undefined });
    const coinbase = tx({ type: "coinbase", sender: "0", recipient: OWNER, amount: 1 });
    expect(directionOf(coinbase, OWNER)).toEqual({ label: "in", other: "0" });
  });
});
