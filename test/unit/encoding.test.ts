/** Canonical JSON, ids and the Merkle tree: unit cases and properties. */
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { blockHash, canonical, headerOf, signingBytes, txId, txIdAndSigningText, txIdBytes, withId } from "../../src/core/encoding.js";
import { merkleRoot, txRootHex } from "../../src/core/merkle.js";
import { parseTransaction } from "../../src/core/schema.js";
import type { SignedTx } from "../../src/core/types.js";
import { signatureValid } from "../../src/core/verify.js";
import { sha256, sha256Concat } from "../../src/crypto/hash.js";
import { GENESIS, mineBlock, signTx } from "../helpers/factory.js";
import { key1, key2 } from "../helpers/keys.js";

/** RFC 6962 MTH written independently of merkle.ts (split at the largest power of two < n). */
function referenceMth(leaves: Buffer[]): Buffer {
  if (leaves.length === 0) return sha256(Buffer.alloc(0));
  if (leaves.length === 1) return sha256(Buffer.concat([Buffer.from([0]), leaves[0] as Buffer]));
  const k = 2 ** Math.floor(Math.log2(leaves.length - 1));
  return sha256(Buffer.concat([Buffer.from([1]), referenceMth(leaves.slice(0, k)), referenceMth(leaves.slice(k))]));
}

const leaf = fc.uint8Array({ minLength: 32, maxLength: 32 }).map((a) => Buffer.from(a));
const distinctLeaves = (min: number, max: number) =>
  fc.uniqueArray(leaf, { minLength: min, maxLength: max, selector: (b) => b.toString("hex") });

describe("Merkle tree (RFC 6962)", () => {
  it("one leaf: SHA-256(0x00 ‖ d); two leaves: SHA-256(0x01 ‖ MTH(a) ‖ MTH(b))", () => {
    const a = sha256("a");
    const b = sha256("b");
    const la = sha256Concat(Buffer.from([0]), a);
    const lb = sha256Concat(Buffer.from([0]), b);
    expect(merkleRoot([a])).toEqual(la);
    expect(merkleRoot([a, b])).toEqual(sha256Concat(Buffer.from([1]), la, lb));
    // a leaf is not its own root (domain separation), and a two-leaf root is not a leaf hash
    expect(merkleRoot([a])).not.toEqual(a);
    expect(merkleRoot([la, lb])).not.toEqual(merkleRoot([a, b]));
  });

  it("splits 5 leaves as 4 + 1 and 4 leaves as 2 + 2", () => {
    const l = [0, 1, 2, 3, 4].map((i) => sha256(String(i)));
    const node = (x: Buffer, y: Buffer) => sha256Concat(Buffer.from([1]), x, y);
    const lh = (x: Buffer) => sha256Concat(Buffer.from([0]), x);
    const four = node(node(lh(l[0]!), lh(l[1]!)), node(lh(l[2]!), lh(l[3]!)));
    expect(merkleRoot(l.slice(0, 4))).toEqual(four);
    expect(merkleRoot(l)).toEqual(node(four, lh(l[4]!)));
  });

  it("does not duplicate the last leaf (no CVE-2012-2459 ambiguity)", () => {
    const l = [0, 1, 2].map((i) => sha256(String(i)));
    expect(merkleRoot(l)).not.toEqual(merkleRoot([...l, l[2]!]));
  });

  it("txRootHex reads hex ids as raw bytes", () => {
    const ids = [txId({ a: 1 }), txId({ a: 2 })];
    expect(txRootHex(ids)).toBe(merkleRoot(ids.map((h) => Buffer.from(h, "hex"))).toString("hex"));
    expect(txIdBytes({ a: 1 }).toString("hex")).toBe(ids[0]);
  });

  it("matches an independent implementation for any number of leaves", () => {
    fc.assert(
      fc.property(fc.array(leaf, { maxLength: 70 }), (leaves) => {
        expect(merkleRoot(leaves)).toEqual(referenceMth(leaves));
      }),
      { numRuns: 150 },
    );
  });

  it("changes when any leaf changes", () => {
    fc.assert(
      fc.property(distinctLeaves(1, 40), fc.nat(), leaf, (leaves, at, replacement) => {
        const i = at % leaves.length;
        fc.pre(!replacement.equals(leaves[i]!));
        const changed = leaves.slice();
        changed[i] = replacement;
        expect(merkleRoot(changed)).not.toEqual(merkleRoot(leaves));
      }),
      { numRuns: 200 },
    );
  });

  it("changes when leaves are reordered, added or removed", () => {
    fc.assert(
      fc.property(distinctLeaves(2, 40), fc.nat(), fc.nat(), (leaves, x, y) => {
        const i = x % leaves.length;
        const j = y % leaves.length;
        fc.pre(i !== j);
        const swapped = leaves.slice();
        [swapped[i], swapped[j]] = [swapped[j]!, swapped[i]!];
        const root = merkleRoot(leaves);
        expect(merkleRoot(swapped)).not.toEqual(root);
        expect(merkleRoot(leaves.slice().reverse())).not.toEqual(root);
        expect(merkleRoot(leaves.slice(0, -1))).not.toEqual(root);
        expect(merkleRoot([...leaves, leaves[i]!])).not.toEqual(root);
      }),
      { numRuns: 200 },
    );
  });
});

/** A deterministic shuffle of `items` from `seed`. */
function shuffle<T>(items: T[], seed: number): T[] {
  const out = items.slice();
  let s = seed >>> 0 || 1;
  for (let i = out.length - 1; i > 0; i--) {
    s = (Math.imul(s, 1103515245) + 12345) >>> 0;
    const j = s % (i + 1);
    [out[i], out[j]] = [out[j] as T, out[i] as T];
  }
  return out;
}

/** The same value with every object's keys inserted in a shuffled order, recursively. */
function reorder(value: unknown, seed: number): unknown {
  if (Array.isArray(value)) return value.map((v, i) => reorder(v, seed + i + 1));
  if (typeof value === "object" && value !== null) {
    const out: Record<string, unknown> = {};
    // defineProperty, not assignment: a "__proto__" key must stay an own property
    for (const k of shuffle(Object.keys(value), seed)) {
      Object.defineProperty(out, k, {
        value: reorder((value as Record<string, unknown>)[k], seed * 31 + k.length),
        enumerable: true,
        writable: true,
        configurable: true,
      });
    }
    return out;
  }
  return value;
}

const txArb: fc.Arbitrary<SignedTx> = fc
  .record({
    amount: fc.integer({ min: 1, max: Number.MAX_SAFE_INTEGER }),
    fee: fc.nat(),
    nonce: fc.nat(),
    name: fc.string({ unit: "grapheme", minLength: 1, maxLength: 20 }),
    kind: fc.constantFrom("transfer", "token_create", "token_approve"),
  })
  .map(({ amount, fee, nonce, name, kind }) => {
    if (kind === "transfer") return signTx(key1, { type: "transfer", recipient: key2.address, amount, fee, nonce });
    if (kind === "token_create") {
      return signTx(key1, {
        type: "token_create",
        name: [...name].slice(0, 64).join(""),
        symbol: "SYM",
        decimals: 18,
        supply: amount,
        fee,
        nonce,
      });
    }
    return signTx(key1, { type: "token_approve", token: "ab".repeat(32), spender: key2.address, amount, fee, nonce });
  });

describe("canonical JSON and ids", () => {
  it("sorts keys, drops white space and writes integers plainly", () => {
    expect(canonical({ b: 1, a: [true, null, "x"], c: { z: -0, y: 1e21 } })).toBe('{"a":[true,null,"x"],"b":1,"c":{"y":1e+21,"z":0}}');
    expect(canonical({ t: 1506280650.771 })).toBe('{"t":1506280650.771}');
    expect(canonical({ s: 'é\u2028"\\' })).toBe('{"s":"é\u2028\\"\\\\"}');
    // JCS sorts by UTF-16 code units
    expect(canonical({ "\u{1F600}": 1, "\uFB33": 2 })).toBe('{"\u{1F600}":1,"\uFB33":2}');
    expect(() => canonical(undefined)).toThrow(TypeError);
  });

  it("signing bytes leave out signature and id; the id covers the signature", () => {
    const tx = signTx(key1, { type: "transfer", recipient: key2.address, amount: 1 });
    expect(signingBytes(tx).toString()).not.toContain("signature");
    expect(signingBytes(withId(tx)).equals(signingBytes(tx))).toBe(true);
    expect(txId(withId(tx))).toBe(txId(tx));
    expect(txId({ ...tx, signature: "00".repeat(64) })).not.toBe(txId(tx));
    expect(withId(tx).id).toBe(txId(tx));
  });

  it("the block hash covers exactly the six header fields", () => {
    const block = mineBlock(GENESIS, [], key1.address);
    expect(Object.keys(headerOf(block)).sort()).toEqual(["difficulty", "index", "previous_hash", "proof", "timestamp", "tx_root"]);
    expect(blockHash({ ...block, transactions: [] } as typeof block)).toBe(blockHash(block));
    expect(blockHash({ ...block, hash: "x" } as typeof block)).toBe(blockHash(block));
    for (const [k, v] of Object.entries({
      index: 3,
      timestamp: block.timestamp + 0.001,
      previous_hash: "1",
      tx_root: "00".repeat(32),
      difficulty: 2,
      proof: block.proof + 1,
    })) {
      expect(blockHash({ ...block, [k]: v }), k).not.toBe(blockHash(block));
    }
  });

  it("txId, signing bytes and the signature are stable under key reordering", () => {
    fc.assert(
      fc.property(txArb, fc.integer(), (tx, seed) => {
        const shuffled = reorder(tx, seed) as SignedTx;
        expect(canonical(shuffled)).toBe(canonical(tx));
        expect(txId(shuffled)).toBe(txId(tx));
        expect(signingBytes(shuffled).equals(signingBytes(tx))).toBe(true);
        expect(signatureValid(shuffled)).toBe(true);
        const parsed = parseTransaction({ ...(reorder(tx, seed + 7) as object), id: txId(tx) });
        expect(txId(parsed)).toBe(txId(tx));
        expect(parseTransaction(parsed)).toEqual(parsed);
      }),
      { numRuns: 150 },
    );
  });

  it("canonical JSON of any JSON value is stable under key reordering and parses back", () => {
    fc.assert(
      fc.property(fc.jsonValue(), fc.integer(), (value, seed) => {
        const c = canonical(value);
        expect(canonical(reorder(value, seed))).toBe(c);
        expect(canonical(JSON.parse(c))).toBe(c);
        expect(c).not.toMatch(/\n/);
      }),
      { numRuns: 200 },
    );
  });

  it("an own __proto__ key is kept in signing bytes and ids, on the slow path too (found by the property below)", () => {
    const obj = JSON.parse('{"__proto__":null,"\\ud800\\udc00":0,"signature":"x"}') as Record<string, unknown>;
    expect(signingBytes(obj).toString("utf8")).toBe('{"__proto__":null,"\u{10000}":0}');
    expect(txId(obj)).toBe(sha256(canonical(obj)).toString("hex"));
  });

  it("ids and signing bytes of flat objects (the fast path, apart or together) equal canonicalize's text", () => {
    const slow = (obj: Record<string, unknown>, drop: string[]): string | Error => {
      try {
        return canonical(Object.fromEntries(Object.entries(obj).filter(([k]) => !drop.includes(k))));
      } catch (err) {
        return err as Error;
      }
    };
    const scalar = fc.oneof(
      fc.string({ unit: "binary" }),
      fc.string(),
      fc.integer(),
      fc.double(),
      fc.boolean(),
      fc.constant(null),
      fc.constant(undefined),
      fc.constant(-0),
    );
    const key = fc.oneof(fc.constantFrom("signature", "id", "sender", "amount", "type"), fc.string({ unit: "binary" }));
    fc.assert(
      fc.property(fc.dictionary(key, scalar, { maxKeys: 10 }), (obj) => {
        const signing = slow(obj, ["signature", "id"]);
        const full = slow(obj, ["id"]);
        if (signing instanceof Error) expect(() => signingBytes(obj)).toThrow();
        else expect(signingBytes(obj).toString("utf8")).toBe(signing);
        if (full instanceof Error) expect(() => txId(obj)).toThrow();
        else expect(txId(obj)).toBe(sha256(full).toString("hex"));
        // both from one pass, as the pool and a synced chunk take them
        if (signing instanceof Error || full instanceof Error) expect(() => txIdAndSigningText(obj)).toThrow();
        else expect(txIdAndSigningText(obj)).toEqual({ id: sha256(full).toString("hex"), signing });
      }),
      { numRuns: 1000 },
    );
  });

  it("the block hash is stable under key reordering of the header", () => {
    const block = mineBlock(GENESIS, [], key1.address);
    fc.assert(
      fc.property(fc.integer(), (seed) => {
        expect(blockHash(reorder(block, seed) as typeof block)).toBe(blockHash(block));
      }),
      { numRuns: 50 },
    );
  });
});
