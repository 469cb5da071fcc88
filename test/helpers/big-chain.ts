/**
 * A chain of some megabytes, quickly: blocks full of fee-0 `token_create` transactions of one
 * key (they need no coins), built and signed here, proofs ground at difficulty 1, and POSTed
 * to a node started with `--difficulty 1`. Every request is bounded in time.
 */

import { type Cursor, DEVNET_D1, genesisCursor, nextBlock } from "../../bench/fixtures.js";
import { blockHash, signingBytes } from "../../src/core/encoding.js";
import type { Block, TokenCreateTx } from "../../src/core/types.js";
import { signHex } from "../../src/crypto/keys.js";
import { keyFor } from "../harness/chains.js";

const CREATOR = keyFor("big chain creator");

function tokenCreate(nonce: number): TokenCreateTx {
  const unsigned = {
    type: "token_create" as const,
    network: DEVNET_D1.name,
    sender: CREATOR.address,
    fee: 0,
    nonce,
    name: `Filler token number ${nonce}`,
    symbol: `F${nonce % 1_000_000}`,
    decimals: 0,
    supply: 1,
  };
  return { ...unsigned, signature: signHex(CREATOR, signingBytes(unsigned)) };
}

export interface BigChain {
  /** Height of the node's main chain once every block is taken. */
  height: number;
  /** Bytes of the node's GET /chain answer (about). */
  bytes: number;
  hashes: string[];
}

/**
 * Extends the node's chain (a fresh `--difficulty 1` node: only its genesis) by `blocks`
 * blocks of `txsPerBlock` transactions each, plus `empty` coinbase-only blocks after them.
 */
export async function buildBigChain(url: string, opts: { blocks: number; txsPerBlock: number; empty?: number }): Promise<BigChain> {
  const at: Cursor = genesisCursor(DEVNET_D1);
  const miner = CREATOR.address;
  let nonce = 0;
  let bytes = 0;
  const hashes: string[] = [at.hash];
  const start = Date.now() / 1000 - 3600;
  const total = opts.blocks + (opts.empty ?? 0);
  for (let i = 0; i < total; i++) {
    const txs = i < opts.blocks ? Array.from({ length: opts.txsPerBlock }, () => tokenCreate(nonce++)) : [];
    const block: Block = nextBlock(at, DEVNET_D1, miner, txs, Math.round((start + i) * 1000) / 1000);
    const body = JSON.stringify(block);
    bytes += body.length;
    const res = await fetch(`${url}/blocks`, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body,
      signal: AbortSignal.timeout(60_000),
    });
    const text = await res.text();
    if (res.status !== 202) throw new Error(`block ${block.index} refused: ${res.status} ${text.slice(0, 300)}`);
    hashes.push(blockHash(block));
  }
  return { height: total + 1, bytes, hashes };
}
