import { blockHash } from "./encoding.js";
import { fail } from "./errors.js";
import { isTimestamp, isUint } from "./schema.js";
import type { Block, NetworkParams } from "./types.js";

export const EMPTY_TX_ROOT = "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855";

/** The default network (docs/protocol.md §6). */
export const DEVNET: NetworkParams = Object.freeze({
  name: "devnet",
  genesis_timestamp: 1506092455,
  difficulty: 65536,
  reward: 1,
  retarget: null,
  max_block_txs: 1000,
  min_fee: 0,
});

/** The genesis block of a network (docs/protocol.md §6); it is not checked for work. */
export function genesisBlock(params: NetworkParams): Block {
  return {
    index: 1,
    timestamp: params.genesis_timestamp,
    transactions: [],
    proof: 100,
    previous_hash: "1",
    difficulty: params.difficulty,
    tx_root: EMPTY_TX_ROOT,
  };
}

export function genesisHash(params: NetworkParams): string {
  return blockHash(genesisBlock(params));
}

const PARAM_KEYS = ["name", "genesis_timestamp", "difficulty", "reward", "retarget", "max_block_txs", "min_fee"];

/** Checks network parameters read from a file (`--network FILE`). */
export function parseNetworkParams(raw: unknown): NetworkParams {
  if (typeof raw !== "object" || raw === null || Array.isArray(raw)) fail("bad-schema", "network parameters must be a JSON object");
  const o = raw as Record<string, unknown>;
  for (const k of PARAM_KEYS) if (!(k in o)) fail("bad-schema", `network parameters are missing "${k}"`);
  for (const k of Object.keys(o)) if (!PARAM_KEYS.includes(k)) fail("bad-schema", `network parameters have an unknown field "${k}"`);
  if (typeof o.name !== "string" || !/^[A-Za-z0-9._-]{1,64}$/.test(o.name)) {
    fail("bad-schema", "network name must be 1-64 characters of A-Z a-z 0-9 . _ -");
  }
  if (!isTimestamp(o.genesis_timestamp)) fail("bad-schema", "genesis_timestamp must be a non-negative number with at most 3 decimals");
  if (!isUint(o.difficulty, 1)) fail("bad-schema", "difficulty must be an integer ≥ 1");
  if (!isUint(o.reward)) fail("bad-schema", "reward must be an integer ≥ 0");
  if (!isUint(o.max_block_txs, 1)) fail("bad-schema", "max_block_txs must be an integer ≥ 1");
  if (!isUint(o.min_fee)) fail("bad-schema", "min_fee must be an integer ≥ 0");
  let retarget: NetworkParams["retarget"] = null;
  if (o.retarget !== null) {
    const r = o.retarget as Record<string, unknown>;
    if (typeof r !== "object" || Array.isArray(r) || !isUint(r.interval, 1) || !isUint(r.block_time, 1) || Object.keys(r).length !== 2) {
      fail("bad-schema", "retarget must be null or {interval, block_time} with integers ≥ 1");
    }
    retarget = { interval: r.interval, block_time: r.block_time };
  }
  return {
    name: o.name,
    genesis_timestamp: o.genesis_timestamp,
    difficulty: o.difficulty,
    reward: o.reward,
    retarget,
    max_block_txs: o.max_block_txs,
    min_fee: o.min_fee,
  };
}
