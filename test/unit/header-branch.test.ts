/**
 * Headers-first sync's header checks (src/node/header-branch.ts) and the store's headers
 * (GET /headers reads them; a version 4 store gets them by migration).
 */

import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { blockHash } from "../../src/core/encoding.js";
import { RuleError } from "../../src/core/errors.js";
import { genesisBlock } from "../../src/core/network.js";
import type { Block, BlockHeader, NetworkParams } from "../../src/core/types.js";
import { Chain } from "../../src/node/chain.js";
import { HeaderBranch } from "../../src/node/header-branch.js";
import { ChainReads } from "../../src/node/reads.js";
import { VirtualClock } from "../../src/sim/virtual-clock.js";
import { ChainStore, headerJson } from "../../src/store/chain-store.js";
import { openDb } from "../../src/store/db.js";
import { SCHEMA_VERSION } from "../../src/store/schema.js";
import { grind, mineBlock } from "../helpers/factory.js";
import { testKey } from "../helpers/keys.js";

const PARAMS: NetworkParams = {
  name: "headers",
  genesis_timestamp: 1_700_000_000,
  difficulty: 4,
  reward: 1,
  retarget: null,
  max_block_txs: 10,
  min_fee: 0,
};
const RETARGET: NetworkParams = { ...PARAMS, name: "headers-retarget", retarget: { interval: 4, block_time: 10 } };
const MINER = testKey("header miner").address;
const NOW = PARAMS.genesis_timestamp + 100_000;

const dirs: string[] = [];
afterEach(() => {
  for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
});

function newChain(params: NetworkParams): Chain {
  const dir = mkdtempSync(join(tmpdir(), "tinychain-headers-"));
  dirs.push(dir);
  return new Chain(new ChainStore(openDb(join(dir, "chain.db"))), params, { clock: new VirtualClock(NOW * 1000) });
}

/** `count` blocks after `from`, each at the difficulty `params` requires (computed by a scratch chain). */
function branch(params: NetworkParams, count: number, from: Block[] = [genesisBlock(params)], spacing = 10): Block[] {
  const scratch = newChain(params);
  for (const b of from.slice(1)) scratch.submitBlock(b);
  const out = [...from];
  for (let i = 0; i < count; i++) {
    const parent = out.at(-1) as Block;
    const difficulty = scratch.difficultyAfter(blockHash(parent));
    const b = mineBlock(parent, [], MINER, params, { difficulty, timestamp: parent.timestamp + spacing });
    scratch.submitBlock(b);
    out.push(b);
  }
  return out;
}

const wire = (b: BlockHeader) => JSON.parse(headerJson(b, blockHash(b)));

describe("HeaderBranch", () => {
  it("checks a peer's headers, sums their work, and finds the first block not stored", () => {
    const chain = newChain(PARAMS);
    const theirs = branch(PARAMS, 30);
    for (const b of theirs.slice(1, 11)) chain.submitBlock(b); // an earlier attempt stored 10 of them
    const hb = new HeaderBranch(chain, 1);
    hb.append(theirs.slice(1, 21).map(wire), NOW);
    hb.append(theirs.slice(21).map(wire), NOW);
    expect(hb.height).toBe(31);
    expect(hb.work).toBe(BigInt(4 * 31));
    expect(hb.hashAt(31)).toBe(blockHash(theirs[30] as Block));
    expect(hb.firstMissing()).toBe(12);
  });

  it("refuses a header that breaks a rule: link, proof of work, difficulty, a lying hash, an unknown field", () => {
    const chain = newChain(PARAMS);
    const theirs = branch(PARAMS, 3);
    const b2 = theirs[1] as Block;
    const code = (page: unknown[]) => {
      try {
        new HeaderBranch(chain, 1).append(page, NOW);
      } catch (err) {
        if (err instanceof RuleError) return err.code;
        throw err;
      }
      return "accepted";
    };
    expect(code([wire(b2), wire(theirs[2] as Block)])).toBe("accepted");
    expect(code([wire(theirs[2] as Block)])).toBe("bad-prev");
    let badPow = { ...b2 };
    for (let p = b2.proof + 1; ; p++) {
      badPow = { ...b2, proof: p };
      if (BigInt(`0x${blockHash(badPow)}`) * 4n >= 2n ** 256n) break;
    }
    expect(code([wire(badPow)])).toBe("bad-pow");
    const easy = { ...b2, difficulty: 1 };
    expect(code([wire({ ...easy, proof: grind(easy) })])).toBe("bad-difficulty");
    expect(code([{ ...wire(b2), hash: "00".repeat(32) }])).toBe("bad-hash");
    expect(code([{ ...wire(b2), transactions: [] }])).toBe("bad-schema");
  });

  it("stops without blame at a header ahead of the clock", () => {
    const chain = newChain(PARAMS);
    const theirs = branch(PARAMS, 3);
    const hb = new HeaderBranch(chain, 1);
    hb.append(theirs.slice(1).map(wire), (theirs[2] as Block).timestamp - 121);
    expect(hb.future).toBe(true);
    expect(hb.height).toBe(2);
  });

  it("follows retargeting across the fork point: ancestors from our chain below it, from the branch above", () => {
    const chain = newChain(RETARGET);
    const shared = branch(RETARGET, 6);
    for (const b of shared.slice(1)) chain.submitBlock(b);
    // from the fork at 7: fast blocks (1 s apart) so the difficulty rises at the retargets
    const theirs = branch(RETARGET, 14, shared, 1);
    expect(new Set(theirs.map((b) => b.difficulty)).size).toBeGreaterThan(1);
    const hb = new HeaderBranch(chain, 7);
    hb.append(theirs.slice(7).map(wire), NOW);
    expect(hb.height).toBe(21);
    // the same branch with one retarget difficulty off is refused
    const wrong = theirs.slice(7).map((b, i) => (i === 5 ? { ...b, difficulty: b.difficulty + 1 } : b));
    expect(() => new HeaderBranch(chain, 7).append(wrong.map(wire), NOW)).toThrow(RuleError);
  });
});

describe("stored headers", () => {
  it("the store keeps each block's header; a version 4 store gets them by migration", () => {
    const dir = mkdtempSync(join(tmpdir(), "tinychain-headers-"));
    dirs.push(dir);
    const path = join(dir, "chain.db");
    const blocks = branch(PARAMS, 5);
    let db = openDb(path);
    const chain = new Chain(new ChainStore(db), PARAMS, { clock: new VirtualClock(NOW * 1000) });
    for (const b of blocks.slice(1)) chain.submitBlock(b);
    const expected = blocks.map((b) => headerJson(b, blockHash(b)));
    expect(new ChainReads(chain.store).headersFrom(1, 10)).toEqual(expected);
    // as version 4 wrote it: no header column
    db.exec("ALTER TABLE blocks DROP COLUMN header; UPDATE meta SET value = '4' WHERE key = 'schema_version'");
    db.close();
    db = openDb(path);
    expect(db.prepare("SELECT value FROM meta WHERE key = 'schema_version'").pluck().get()).toBe(String(SCHEMA_VERSION));
    expect(new ChainStore(db).mainHeaderRange(2, 3)).toEqual(expected.slice(1, 4));
    db.close();
  });
});
