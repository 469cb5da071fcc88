import { describe, expect, it } from "vitest";
import { blockHash } from "../../src/core/encoding.js";
import { REASONS, RuleError } from "../../src/core/errors.js";
import { DEVNET, EMPTY_TX_ROOT, genesisBlock, genesisHash, parseNetworkParams } from "../../src/core/network.js";
import { parseBlock } from "../../src/core/schema.js";
import { codeOf } from "../helpers/factory.js";

const RAW = {
  name: "devnet",
  genesis_timestamp: 1506092455,
  difficulty: 65536,
  reward: 1,
  retarget: null,
  max_block_txs: 1000,
  min_fee: 0,
};

describe("networks (docs/protocol.md §6)", () => {
  it("devnet has the parameters of docs/protocol.md §6 and is frozen", () => {
    expect(DEVNET).toEqual(RAW);
    expect(Object.isFrozen(DEVNET)).toBe(true);
  });

  it("the genesis block is the one of docs/protocol.md §6 and parses as a block", () => {
    const g = genesisBlock(DEVNET);
    expect(g).toEqual({
      index: 1,
      timestamp: 1506092455,
      transactions: [],
      proof: 100,
      previous_hash: "1",
      difficulty: 65536,
      tx_root: EMPTY_TX_ROOT,
    });
    expect(parseBlock({ ...g, hash: genesisHash(DEVNET) }, 1000)).toEqual(g);
  });

  it("another difficulty or timestamp makes another genesis hash; the name, reward and fees do not", () => {
    const h = genesisHash(DEVNET);
    expect(genesisHash({ ...DEVNET, difficulty: 16 })).not.toBe(h);
    expect(genesisHash({ ...DEVNET, genesis_timestamp: 1506092456 })).not.toBe(h);
    expect(genesisHash({ ...DEVNET, name: "other", reward: 5, min_fee: 2, max_block_txs: 1 })).toBe(h);
    expect(blockHash(genesisBlock(DEVNET))).toBe(h);
  });

  it("parseNetworkParams accepts the devnet file and a retargeting network", () => {
    expect(parseNetworkParams({ ...RAW })).toEqual(DEVNET);
    const rt = { ...RAW, name: "slow.net-1_x", genesis_timestamp: 1.5, retarget: { interval: 10, block_time: 60 } };
    expect(parseNetworkParams(rt)).toEqual(rt);
  });

  it.each([
    ["not an object", []],
    ["a missing field", { ...RAW, min_fee: undefined }],
    ["an unknown field", { ...RAW, extra: 1 }],
    ["an empty name", { ...RAW, name: "" }],
    ["a name with a space", { ...RAW, name: "my net" }],
    ["a 65-character name", { ...RAW, name: "n".repeat(65) }],
    ["a timestamp with 4 decimals", { ...RAW, genesis_timestamp: 1.2345 }],
    ["a negative timestamp", { ...RAW, genesis_timestamp: -1 }],
    ["difficulty 0", { ...RAW, difficulty: 0 }],
    ["a fractional difficulty", { ...RAW, difficulty: 1.5 }],
    ["a negative reward", { ...RAW, reward: -1 }],
    ["an unsafe reward", { ...RAW, reward: 2 ** 53 }],
    ["max_block_txs 0", { ...RAW, max_block_txs: 0 }],
    ["a fractional min_fee", { ...RAW, min_fee: 0.5 }],
    ["retarget as a number", { ...RAW, retarget: 5 }],
    ["retarget as an array", { ...RAW, retarget: [10, 60] }],
    ["retarget interval 0", { ...RAW, retarget: { interval: 0, block_time: 60 } }],
    ["retarget without block_time", { ...RAW, retarget: { interval: 10 } }],
    ["retarget with an extra field", { ...RAW, retarget: { interval: 10, block_time: 60, x: 1 } }],
  ])("parseNetworkParams rejects %s as bad-schema", (_label, raw) => {
    const o = raw as Record<string, unknown>;
    if (!Array.isArray(o)) for (const k of Object.keys(o)) if (o[k] === undefined) delete o[k];
    expect(codeOf(() => parseNetworkParams(o))).toBe("bad-schema");
  });
});

describe("reason codes", () => {
  it("every code has a kind the HTTP layer can map, and RuleError exposes it", () => {
    for (const kind of Object.values(REASONS)) expect(["invalid", "conflict", "busy"]).toContain(kind);
    const err = new RuleError("nonce-too-low", "used");
    expect(err.kind).toBe("conflict");
    expect(err.name).toBe("RuleError");
    expect(new RuleError("pool-full", "x").kind).toBe("busy");
    expect(new RuleError("bad-pow", "x").kind).toBe("invalid");
  });
});
