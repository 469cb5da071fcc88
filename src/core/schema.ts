/**
 * Exact shapes of transactions and blocks (docs/protocol.md §1, §3, §4): every field present with the
 * right type and range, and nothing else. Parsing returns a fresh object holding only the
 * protocol fields (no `id`, no `hash`), after checking that any `id`/`hash` given matches.
 */
import { blockHash, txId } from "./encoding.js";
import { fail } from "./errors.js";
import type { Block, BlockHeader, Transaction } from "./types.js";

const HEX64 = /^[0-9a-f]{64}$/;
const HEX128 = /^[0-9a-f]{128}$/;
const SYMBOL = /^[A-Z0-9]{1,12}$/;
const LONE_SURROGATE = /\p{Cs}/u;

type Obj = Record<string, unknown>;

function isObject(v: unknown): v is Obj {
  return typeof v === "object" && v !== null && !Array.isArray(v);
}

function describe(v: unknown): string {
  if (v === null) return "null";
  if (Array.isArray(v)) return "an array";
  if (typeof v === "string") return v.length > 40 ? `a string of ${v.length} characters` : JSON.stringify(v);
  if (typeof v === "number") return String(v);
  return typeof v;
}

/** A short description of a received value for error messages (never throws, never echoes much). */
export { describe as describeValue };

function exactKeys(o: Obj, required: readonly string[], optional: readonly string[], what: string): void {
  for (const k of required) {
    if (!(k in o)) fail("bad-schema", `${what} is missing the field "${k}"`);
  }
  for (const k of Object.keys(o)) {
    if (!required.includes(k) && !optional.includes(k)) {
      fail("bad-schema", `${what} has an unknown field "${k}" (allowed: ${required.join(", ")})`);
    }
  }
}

/** An integer in 0 … 2^53−1 and ≥ `min`. */
export function isUint(v: unknown, min = 0): v is number {
  return typeof v === "number" && Number.isSafeInteger(v) && v >= min;
}

function uint(o: Obj, k: string, what: string, min = 0, max = Number.MAX_SAFE_INTEGER): number {
  const v = o[k];
  if (!isUint(v, min) || v > max) {
    const range = max === Number.MAX_SAFE_INTEGER ? `an integer from ${min} to 2^53-1` : `an integer from ${min} to ${max}`;
    fail("bad-schema", `${what}.${k} must be ${range}, got ${describe(v)}`);
  }
  return v === 0 ? 0 : v; // normalise -0
}

function hex64(o: Obj, k: string, what: string, kind = "a 64-character lowercase hex address"): string {
  const v = o[k];
  if (typeof v !== "string" || !HEX64.test(v)) fail("bad-schema", `${what}.${k} must be ${kind}, got ${describe(v)}`);
  return v;
}

/** A protocol timestamp: finite, ≥ 0, at most 3 decimals. */
export function isTimestamp(v: unknown): v is number {
  return typeof v === "number" && Number.isFinite(v) && v >= 0 && Math.round(v * 1000) / 1000 === v;
}

const TX_FIELDS: Record<Transaction["type"], readonly string[]> = {
  coinbase: ["type", "sender", "recipient", "amount", "height"],
  transfer: ["type", "network", "sender", "fee", "nonce", "signature", "recipient", "amount"],
  token_create: ["type", "network", "sender", "fee", "nonce", "signature", "name", "symbol", "decimals", "supply"],
  token_transfer: ["type", "network", "sender", "fee", "nonce", "signature", "token", "recipient", "amount"],
  token_approve: ["type", "network", "sender", "fee", "nonce", "signature", "token", "spender", "amount"],
  token_transfer_from: ["type", "network", "sender", "fee", "nonce", "signature", "token", "owner", "recipient", "amount"],
};

export const TX_TYPES = Object.keys(TX_FIELDS) as Transaction["type"][];

/**
 * Checks the exact shape of a transaction (docs/protocol.md §3) and returns it without `id`.
 * An `id` that is present must be the transaction's id.
 */
export function parseTransaction(raw: unknown, what = "transaction"): Transaction {
  if (!isObject(raw)) fail("bad-schema", `${what} must be a JSON object, got ${describe(raw)}`);
  const type = raw.type;
  if (typeof type !== "string" || !Object.hasOwn(TX_FIELDS, type)) {
    fail("bad-schema", `${what}.type must be one of ${TX_TYPES.join(", ")}, got ${describe(type)}`);
  }
  const t = type as Transaction["type"];
  exactKeys(raw, TX_FIELDS[t], ["id"], what);
  let tx: Transaction;
  if (t === "coinbase") {
    if (raw.sender !== "0") fail("bad-schema", `${what}.sender of a coinbase must be "0"`);
    tx = {
      type: "coinbase",
      sender: "0",
      recipient: hex64(raw, "recipient", what),
      amount: uint(raw, "amount", what),
      height: uint(raw, "height", what, 1),
    };
  } else {
    const network = raw.network;
    if (typeof network !== "string" || network.length === 0 || network.length > 64 || LONE_SURROGATE.test(network)) {
      fail("bad-schema", `${what}.network must be the network's name (1-64 characters), got ${describe(network)}`);
    }
    const sig = raw.signature;
    if (typeof sig !== "string" || !HEX128.test(sig)) {
      fail("bad-schema", `${what}.signature must be 128 lowercase hex characters (an Ed25519 signature), got ${describe(sig)}`);
    }
    const base = {
      network,
      sender: hex64(raw, "sender", what),
      fee: uint(raw, "fee", what),
      nonce: uint(raw, "nonce", what),
      signature: sig,
    };
    switch (t) {
      case "transfer":
        tx = { type: t, ...base, recipient: hex64(raw, "recipient", what), amount: uint(raw, "amount", what, 1) };
        break;
      case "token_create": {
        const name = raw.name;
        const len = typeof name === "string" ? [...name].length : 0;
        if (typeof name !== "string" || len < 1 || len > 64 || LONE_SURROGATE.test(name)) {
          fail("bad-schema", `${what}.name must be 1-64 characters, got ${describe(name)}`);
        }
        const symbol = raw.symbol;
        if (typeof symbol !== "string" || !SYMBOL.test(symbol)) {
          fail("bad-schema", `${what}.symbol must be 1-12 characters of A-Z and 0-9, got ${describe(symbol)}`);
        }
        tx = {
          type: t,
          ...base,
          name,
          symbol,
          decimals: uint(raw, "decimals", what, 0, 18),
          supply: uint(raw, "supply", what),
        };
        break;
      }
      case "token_transfer":
        tx = {
          type: t,
          ...base,
          token: hex64(raw, "token", what, "a token id (64 lowercase hex)"),
          recipient: hex64(raw, "recipient", what),
          amount: uint(raw, "amount", what),
        };
        break;
      case "token_approve":
        tx = {
          type: t,
          ...base,
          token: hex64(raw, "token", what, "a token id (64 lowercase hex)"),
          spender: hex64(raw, "spender", what),
          amount: uint(raw, "amount", what),
        };
        break;
      case "token_transfer_from":
        tx = {
          type: t,
          ...base,
          token: hex64(raw, "token", what, "a token id (64 lowercase hex)"),
          owner: hex64(raw, "owner", what),
          recipient: hex64(raw, "recipient", what),
          amount: uint(raw, "amount", what),
        };
        break;
    }
  }
  if ("id" in raw && raw.id !== txId(tx)) {
    fail("bad-id", `${what}.id does not match the transaction (the id is SHA-256 of its canonical JSON without "id"); omit it or fix it`);
  }
  return tx;
}

const BLOCK_FIELDS = ["index", "timestamp", "transactions", "proof", "previous_hash", "difficulty", "tx_root"] as const;
const HEADER_KEYS = ["index", "timestamp", "proof", "previous_hash", "difficulty", "tx_root"] as const;

/** The six header fields of `raw` (a block or a header), checked; other fields are not looked at. */
function headerFields(raw: Obj, what: string): BlockHeader {
  const prev = raw.previous_hash;
  if (typeof prev !== "string" || !(HEX64.test(prev) || prev === "1")) {
    fail("bad-schema", `${what}.previous_hash must be a 64-character lowercase hex hash, got ${describe(prev)}`);
  }
  if (!isTimestamp(raw.timestamp)) {
    fail(
      "bad-schema",
      `${what}.timestamp must be seconds since 1970, non-negative, with at most 3 decimals, got ${describe(raw.timestamp)}`,
    );
  }
  return {
    index: uint(raw, "index", what, 1),
    timestamp: raw.timestamp === 0 ? 0 : raw.timestamp,
    proof: uint(raw, "proof", what),
    previous_hash: prev,
    difficulty: uint(raw, "difficulty", what, 1),
    tx_root: hex64(raw, "tx_root", what, "a 64-character lowercase hex hash"),
  };
}

/** A header with its hash, as computed (docs/protocol.md §4), never as claimed. */
export interface HashedHeader {
  header: BlockHeader;
  hash: string;
}

/**
 * The header of a received block, checked and hashed without looking at its transactions:
 * the cheap first step for anything unrequested, so proof of work is checked before a
 * single transaction is parsed or hashed. A `hash` that is present must match.
 */
export function parseBlockHeader(raw: unknown): HashedHeader {
  if (!isObject(raw)) fail("bad-schema", `block must be a JSON object, got ${describe(raw)}`);
  const header = headerFields(raw, "block");
  const hash = blockHash(header);
  if ("hash" in raw && raw.hash !== hash) fail("bad-hash", "block.hash is not the hash of the block's header; omit it or fix it");
  return { header, hash };
}

/** A header as `GET /headers` serves it (docs/protocol.md §7: the six fields and `hash`), exactly. */
export function parseHeader(raw: unknown): HashedHeader {
  if (!isObject(raw)) fail("bad-schema", `header must be a JSON object, got ${describe(raw)}`);
  exactKeys(raw, HEADER_KEYS, ["hash"], "header");
  const header = headerFields(raw, "header");
  const hash = blockHash(header);
  if ("hash" in raw && raw.hash !== hash) fail("bad-hash", "header.hash is not the hash of the header");
  return { header, hash };
}

/**
 * Checks the exact shape of a block (docs/protocol.md §4) and of each transaction in it, and returns it
 * without `hash`. A `hash` that is present must be the block's hash. `maxTxs` bounds the work
 * done on an oversized block before it is refused.
 */
export function parseBlock(raw: unknown, maxTxs: number): Block {
  if (!isObject(raw)) fail("bad-schema", `block must be a JSON object, got ${describe(raw)}`);
  exactKeys(raw, BLOCK_FIELDS, ["hash"], "block");
  const header = headerFields(raw, "block");
  const txs = raw.transactions;
  if (!Array.isArray(txs)) fail("bad-schema", `block.transactions must be an array, got ${describe(txs)}`);
  if (txs.length > maxTxs) fail("too-many-txs", `block has ${txs.length} transactions; at most ${maxTxs} are allowed`);
  const block: Block = {
    index: header.index,
    timestamp: header.timestamp,
    transactions: txs.map((t, i) => parseTransaction(t, `block.transactions[${i}]`)),
    proof: header.proof,
    previous_hash: header.previous_hash,
    difficulty: header.difficulty,
    tx_root: header.tx_root,
  };
  if ("hash" in raw && raw.hash !== blockHash(block)) {
    fail("bad-hash", "block.hash is not the hash of the block's header; omit it or fix it");
  }
  return block;
}
