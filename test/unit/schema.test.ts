import { describe, expect, it } from "vitest";
import { blockHash, txId, withId } from "../../src/core/encoding.js";
import { parseBlock, parseTransaction } from "../../src/core/schema.js";
import type { Block, Transaction } from "../../src/core/types.js";
import { codeOf, coinbase, GENESIS, mineBlock, signTx } from "../helpers/factory.js";
import { key1, key2 } from "../helpers/keys.js";

const TOKEN = "ab".repeat(32);
const MAX = Number.MAX_SAFE_INTEGER;

// One valid example of every transaction type.
const EXAMPLES: Record<Transaction["type"], Transaction> = {
  coinbase: coinbase(key1.address, 50, 2),
  transfer: signTx(key1, { type: "transfer", recipient: key2.address, amount: 5, fee: 1 }),
  token_create: signTx(key1, { type: "token_create", name: "Gold", symbol: "GLD", decimals: 2, supply: 1000 }),
  token_transfer: signTx(key1, { type: "token_transfer", token: TOKEN, recipient: key2.address, amount: 0 }),
  token_approve: signTx(key1, { type: "token_approve", token: TOKEN, spender: key2.address, amount: 7 }),
  token_transfer_from: signTx(key2, {
    type: "token_transfer_from",
    token: TOKEN,
    owner: key1.address,
    recipient: key2.address,
    amount: 3,
  }),
};
const TYPES = Object.keys(EXAMPLES) as Transaction["type"][];

/** The example of `type` with `patch` applied (a value of `undefined` deletes the field). */
function txWith(type: Transaction["type"], patch: Record<string, unknown>): Record<string, unknown> {
  const o: Record<string, unknown> = { ...EXAMPLES[type], ...patch };
  for (const [k, v] of Object.entries(patch)) if (v === undefined) delete o[k];
  return o;
}

function txCode(raw: unknown): string {
  return codeOf(() => parseTransaction(raw));
}

describe("parseTransaction accepts", () => {
  it.each(TYPES)("a valid %s, returning the same fields", (type) => {
    expect(parseTransaction(structuredClone(EXAMPLES[type]))).toEqual(EXAMPLES[type]);
  });

  it.each(TYPES)("a %s with its correct id, and drops the id", (type) => {
    const parsed = parseTransaction(withId(EXAMPLES[type]));
    expect(parsed).toEqual(EXAMPLES[type]);
    expect("id" in parsed).toBe(false);
  });

  it("the boundary values: 2^53-1, decimals 18, a 64-code-point name, a 12-character symbol", () => {
    const tx = txWith("token_create", { supply: MAX, decimals: 18, name: "😀".repeat(64), symbol: "ABCDEFGHIJ09", fee: MAX, nonce: MAX });
    expect(parseTransaction(tx)).toMatchObject({ supply: MAX, decimals: 18, fee: MAX, nonce: MAX });
    expect(parseTransaction(txWith("token_create", { name: "x", symbol: "Z" }))).toMatchObject({ name: "x", symbol: "Z" });
  });

  it("amount 0 for token operations and supply 0 for token_create", () => {
    for (const type of ["token_transfer", "token_approve", "token_transfer_from"] as const) {
      expect(parseTransaction(txWith(type, { amount: 0 }))).toMatchObject({ amount: 0 });
    }
    expect(parseTransaction(txWith("token_create", { supply: 0, decimals: 0 }))).toMatchObject({ supply: 0, decimals: 0 });
    expect(parseTransaction(txWith("coinbase", { amount: 0 }))).toMatchObject({ amount: 0 });
  });

  it("normalises -0 to 0", () => {
    const parsed = parseTransaction(txWith("transfer", { fee: -0, nonce: -0 })) as { fee: number; nonce: number };
    expect(Object.is(parsed.fee, 0)).toBe(true);
    expect(Object.is(parsed.nonce, 0)).toBe(true);
    const t = parseTransaction(txWith("token_transfer", { amount: -0 })) as { amount: number };
    expect(Object.is(t.amount, 0)).toBe(true);
  });
});

describe("parseTransaction rejects (bad-schema)", () => {
  it.each([null, 42, "tx", [], true, undefined])("a non-object: %j", (raw) => {
    expect(txCode(raw)).toBe("bad-schema");
  });

  it.each([undefined, "Transfer", "mint", 1, null, "toString", "__proto__"])("an unknown type %j", (type) => {
    expect(txCode(txWith("transfer", { type }))).toBe("bad-schema");
  });

  for (const type of TYPES) {
    it(`a ${type} missing any of its fields`, () => {
      for (const field of Object.keys(EXAMPLES[type]).filter((f) => f !== "type")) {
        expect(txCode(txWith(type, { [field]: undefined })), field).toBe("bad-schema");
      }
    });

    it(`a ${type} with an unknown field`, () => {
      expect(txCode(txWith(type, { memo: "hi" }))).toBe("bad-schema");
      expect(txCode(txWith(type, { hash: "00".repeat(32) }))).toBe("bad-schema");
    });
  }

  it("a __proto__ field from JSON.parse is an unknown field", () => {
    const json = JSON.stringify(EXAMPLES.transfer).replace("{", '{"__proto__":{"amount":5},');
    const raw = JSON.parse(json) as object;
    expect(Object.keys(raw)).toContain("__proto__");
    expect(txCode(raw)).toBe("bad-schema");
  });

  it("fields that belong to another type", () => {
    expect(txCode(txWith("transfer", { token: TOKEN }))).toBe("bad-schema");
    expect(txCode(txWith("coinbase", { fee: 0 }))).toBe("bad-schema");
    expect(txCode(txWith("coinbase", { signature: "00".repeat(64) }))).toBe("bad-schema");
  });

  const BAD_UINTS: Array<[string, unknown]> = [
    ["a string", "5"],
    ["null", null],
    ["a boolean", true],
    ["a float", 1.5],
    ["a tiny float", 1e-9],
    ["negative", -1],
    ["2^53 (unsafe)", 2 ** 53],
    ["2^53+2 (unsafe)", 2 ** 53 + 2],
    ["NaN", Number.NaN],
    ["Infinity", Number.POSITIVE_INFINITY],
    ["a bigint", 5n],
    ["an array", [5]],
    ["an object", { n: 5 }],
  ];
  const UINT_FIELDS: Array<[Transaction["type"], string]> = [
    ["coinbase", "amount"],
    ["coinbase", "height"],
    ["transfer", "amount"],
    ["transfer", "fee"],
    ["transfer", "nonce"],
    ["token_create", "decimals"],
    ["token_create", "supply"],
    ["token_transfer", "amount"],
    ["token_approve", "amount"],
    ["token_transfer_from", "amount"],
  ];
  for (const [type, field] of UINT_FIELDS) {
    it.each(BAD_UINTS)(`${type}.${field} that is %s`, (_label, value) => {
      expect(txCode(txWith(type, { [field]: value }))).toBe("bad-schema");
    });
  }

  it("transfer amount 0 (transfers move at least 1)", () => {
    expect(txCode(txWith("transfer", { amount: 0 }))).toBe("bad-schema");
    expect(parseTransaction(txWith("transfer", { amount: 1 }))).toMatchObject({ amount: 1 });
  });

  it("coinbase height 0", () => {
    expect(txCode(txWith("coinbase", { height: 0 }))).toBe("bad-schema");
  });

  it("decimals above 18", () => {
    expect(txCode(txWith("token_create", { decimals: 19 }))).toBe("bad-schema");
    expect(txCode(txWith("token_create", { decimals: 255 }))).toBe("bad-schema");
  });

  it.each(["", "gld", "GLD!", "GL D", "ABCDEFGHIJKLM", "ÄBC", "GLD\n", 5, null])("symbol %j", (symbol) => {
    expect(txCode(txWith("token_create", { symbol }))).toBe("bad-schema");
  });

  it("name length counted in code points: 64 astral characters pass, 65 fail, empty fails", () => {
    // 64 emoji are 128 UTF-16 code units but 64 characters
    expect(parseTransaction(txWith("token_create", { name: "😀".repeat(64) }))).toBeTruthy();
    expect(txCode(txWith("token_create", { name: "😀".repeat(65) }))).toBe("bad-schema");
    expect(txCode(txWith("token_create", { name: "a".repeat(65) }))).toBe("bad-schema");
    expect(txCode(txWith("token_create", { name: "" }))).toBe("bad-schema");
    expect(txCode(txWith("token_create", { name: 7 }))).toBe("bad-schema");
  });

  it("a name or network with a lone surrogate (no canonical UTF-8)", () => {
    expect(txCode(txWith("token_create", { name: "a\ud800" }))).toBe("bad-schema");
    expect(txCode(txWith("transfer", { network: "dev\udc00" }))).toBe("bad-schema");
  });

  it.each(["", "n".repeat(65), 5, null])("network %j", (network) => {
    expect(txCode(txWith("transfer", { network }))).toBe("bad-schema");
  });

  const BAD_HEX64: Array<[string, unknown]> = [
    ["uppercase", key2.address.toUpperCase()],
    ["63 characters", key2.address.slice(1)],
    ["65 characters", `${key2.address}0`],
    ["a 0x prefix", `0x${key2.address.slice(2)}`],
    ["non-hex", `${key2.address.slice(1)}g`],
    ["the coinbase sender", "0"],
    ["a number", 5],
  ];
  const HEX_FIELDS: Array<[Transaction["type"], string]> = [
    ["coinbase", "recipient"],
    ["transfer", "sender"],
    ["transfer", "recipient"],
    ["token_transfer", "token"],
    ["token_approve", "spender"],
    ["token_transfer_from", "owner"],
  ];
  for (const [type, field] of HEX_FIELDS) {
    it.each(BAD_HEX64)(`${type}.${field} with %s`, (_label, value) => {
      expect(txCode(txWith(type, { [field]: value }))).toBe("bad-schema");
    });
  }

  it('a coinbase whose sender is not "0"', () => {
    expect(txCode(txWith("coinbase", { sender: key1.address }))).toBe("bad-schema");
    expect(txCode(txWith("coinbase", { sender: 0 }))).toBe("bad-schema");
  });

  it("a signature that is uppercase, short, long or not a string", () => {
    const sig = EXAMPLES.transfer.type === "transfer" ? EXAMPLES.transfer.signature : "";
    for (const signature of [sig.toUpperCase(), sig.slice(2), `${sig}00`, 1, null]) {
      expect(txCode(txWith("transfer", { signature }))).toBe("bad-schema");
    }
  });
});

describe("parseTransaction id", () => {
  it.each(TYPES)("a %s whose id does not match is bad-id", (type) => {
    const id = txId(EXAMPLES[type]);
    const wrong = (id[0] === "0" ? "1" : "0") + id.slice(1);
    expect(txCode({ ...EXAMPLES[type], id: wrong })).toBe("bad-id");
    expect(txCode({ ...EXAMPLES[type], id: id.toUpperCase() })).toBe("bad-id");
    expect(txCode({ ...EXAMPLES[type], id: null })).toBe("bad-id");
  });

  it("an id computed before a field was changed is bad-id", () => {
    const tx = withId(EXAMPLES.transfer);
    expect(txCode({ ...tx, amount: 6 })).toBe("bad-id");
  });
});

// ---------------------------------------------------------------------------

const BLOCK: Block = mineBlock(GENESIS, [EXAMPLES.transfer as never], key1.address);

function blockWith(patch: Record<string, unknown>): Record<string, unknown> {
  const o: Record<string, unknown> = { ...structuredClone(BLOCK), ...patch };
  for (const [k, v] of Object.entries(patch)) if (v === undefined) delete o[k];
  return o;
}

function blockCode(raw: unknown, maxTxs = 100): string {
  return codeOf(() => parseBlock(raw, maxTxs));
}

describe("parseBlock", () => {
  it("accepts a valid block, with or without its correct hash", () => {
    expect(parseBlock(structuredClone(BLOCK), 100)).toEqual(BLOCK);
    const parsed = parseBlock({ ...structuredClone(BLOCK), hash: blockHash(BLOCK) }, 100);
    expect(parsed).toEqual(BLOCK);
    expect("hash" in parsed).toBe(false);
  });

  it('accepts the genesis block (previous_hash "1", no transactions)', () => {
    expect(parseBlock(structuredClone(GENESIS), 100)).toEqual(GENESIS);
  });

  it("rejects a hash that is not the block hash as bad-hash", () => {
    const h = blockHash(BLOCK);
    expect(blockCode({ ...BLOCK, hash: (h[0] === "0" ? "1" : "0") + h.slice(1) })).toBe("bad-hash");
    expect(blockCode({ ...BLOCK, hash: h.toUpperCase() })).toBe("bad-hash");
    // the hash of the block before its proof changed
    expect(blockCode({ ...BLOCK, proof: BLOCK.proof + 1, hash: h })).toBe("bad-hash");
  });

  it.each([null, [], "block", 1])("rejects a non-object %j", (raw) => {
    expect(blockCode(raw)).toBe("bad-schema");
  });

  it.each(["index", "timestamp", "transactions", "proof", "previous_hash", "difficulty", "tx_root"])(
    "rejects a block missing %s",
    (field) => {
      expect(blockCode(blockWith({ [field]: undefined }))).toBe("bad-schema");
    },
  );

  it("rejects unknown fields", () => {
    expect(blockCode(blockWith({ nonce: 1 }))).toBe("bad-schema");
    expect(blockCode(blockWith({ id: "x" }))).toBe("bad-schema");
  });

  it.each([
    ["index", 0],
    ["index", 1.5],
    ["index", -1],
    ["index", "2"],
    ["index", 2 ** 53],
    ["proof", -1],
    ["proof", 0.5],
    ["proof", 2 ** 53],
    ["proof", null],
    ["difficulty", 0],
    ["difficulty", 2.5],
    ["difficulty", 2 ** 53],
    ["previous_hash", "2"],
    ["previous_hash", "0"],
    ["previous_hash", 1],
    ["previous_hash", "AB".repeat(32)],
    ["tx_root", "AB".repeat(32)],
    ["tx_root", "ab".repeat(31)],
    ["tx_root", "1"],
    ["transactions", {}],
    ["transactions", null],
    ["transactions", [null]],
    ["transactions", [{ type: "coinbase" }]],
  ])("rejects %s = %j", (field, value) => {
    expect(blockCode(blockWith({ [field]: value }))).toBe("bad-schema");
  });

  it("accepts timestamps with up to 3 decimals, 0 and -0 (normalised)", () => {
    for (const timestamp of [0, 1506280650.771, 1506092460.5, 1700000000.001, 1700000000.999]) {
      expect(parseBlock(blockWith({ timestamp }), 100).timestamp).toBe(timestamp);
    }
    expect(Object.is(parseBlock(blockWith({ timestamp: -0 }), 100).timestamp, 0)).toBe(true);
  });

  it.each([
    ["4 decimals", 1506280650.7715],
    ["4 decimals, small", 0.0001],
    ["negative", -1],
    ["negative fraction", -0.5],
    ["NaN", Number.NaN],
    ["Infinity", Number.POSITIVE_INFINITY],
    ["-Infinity", Number.NEGATIVE_INFINITY],
    ["a string", "1506280650.771"],
    ["null", null],
    ["a boolean", true],
  ])("rejects a timestamp that is %s", (_label, timestamp) => {
    expect(blockCode(blockWith({ timestamp }))).toBe("bad-schema");
  });

  it("rejects an invalid transaction inside the block", () => {
    const txs = structuredClone(BLOCK.transactions) as unknown as Record<string, unknown>[];
    (txs[1] as Record<string, unknown>).amount = 0;
    expect(blockCode(blockWith({ transactions: txs }))).toBe("bad-schema");
    (txs[1] as Record<string, unknown>).amount = 5;
    (txs[1] as Record<string, unknown>).id = "00".repeat(32);
    expect(blockCode(blockWith({ transactions: txs }))).toBe("bad-id");
  });

  it("rejects more than maxTxs transactions as too-many-txs, and accepts exactly maxTxs", () => {
    expect(blockCode(structuredClone(BLOCK), 1)).toBe("too-many-txs");
    expect(parseBlock(structuredClone(BLOCK), 2)).toEqual(BLOCK);
    // too-many-txs is decided before the transactions are looked at
    expect(blockCode(blockWith({ transactions: [1, 2, 3] }), 2)).toBe("too-many-txs");
  });
});
