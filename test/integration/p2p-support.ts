/**
 * Helpers for the peer-network tests (p2p-*.test.ts): offline chains at a node's network
 * (devnet with `--difficulty N`), scripted fake peers on 127.0.0.1, free ports, and cleanup.
 */
import { randomBytes } from "node:crypto";
import { createServer as createNetServer } from "node:net";
import type { Status } from "../../src/api/contract.js";
import { blockHash, txId } from "../../src/core/encoding.js";
import { genesisBlock } from "../../src/core/network.js";
import type { Address, Block, NetworkParams, SignedTx, Transaction } from "../../src/core/types.js";
import { mineBlock } from "../helpers/factory.js";

export { devnetAt, regrind, withBadPow } from "../harness/chains.js";

import { http, type NodeProc, removeDir } from "../helpers/node-process.js";

export type ApiBlock = Block & { hash: string; transactions: Array<Transaction & { id: string }> };

/** A block as the API serves it: with `hash` and transaction `id`s. */
export function toApi(b: Block): ApiBlock {
  return { ...b, hash: blockHash(b), transactions: b.transactions.map((t) => ({ ...t, id: txId(t) })) } as ApiBlock;
}

/**
 * A valid chain built offline: genesis of `params` (or `base`, a chain to extend) then `count`
 * blocks whose coinbase pays `miner`; `txsAt(height)` gives the signed transactions of a block.
 */
export function buildChain(
  params: NetworkParams,
  count: number,
  miner: Address,
  opts: { base?: Block[]; txsAt?: (height: number) => SignedTx[] } = {},
): Block[] {
  const chain = opts.base ? [...opts.base] : [genesisBlock(params)];
  for (let i = 0; i < count; i++) {
    const parent = chain.at(-1) as Block;
    const txs = opts.txsAt?.(parent.index + 1) ?? [];
    chain.push(mineBlock(parent, txs, miner, params, { difficulty: params.difficulty }));
  }
  return chain;
}

export function totalWork(chain: Block[]): number {
  return chain.reduce((s, b) => s + b.difficulty, 0);
}

export function randomHex(bytes = 32): string {
  return randomBytes(bytes).toString("hex");
}

// --- fake peers: the harness's (test/harness/fake-peer.ts) -----------------------

import type { FakePeer } from "../harness/fake-peer.js";

export { type FakePeer, type Handler, sendJson, serveChain, startFakePeer } from "../harness/fake-peer.js";

// --- ports ---------------------------------------------------------------------

function tryListen(port: number): Promise<import("node:net").Server | undefined> {
  return new Promise((resolve) => {
    const s = createNetServer();
    s.once("error", () => resolve(undefined));
    s.listen(port, "127.0.0.1", () => resolve(s));
  });
}

/** A 127.0.0.1 port nothing listens on (bound, then released). */
export async function closedPort(): Promise<number> {
  const s = (await tryListen(0)) as import("node:net").Server;
  const addr = s.address();
  const port = typeof addr === "object" && addr !== null ? addr.port : 0;
  await new Promise((r) => s.close(r));
  return port;
}

/** The first of `n` consecutive free ports in 20000–40000 (bind test, bounded tries). */
export async function freePortRange(n: number): Promise<number> {
  for (let attempt = 0; attempt < 50; attempt++) {
    const base = 20000 + Math.floor(Math.random() * (20000 - n));
    const held: import("node:net").Server[] = [];
    for (let i = 0; i < n; i++) {
      const s = await tryListen(base + i);
      if (!s) break;
      held.push(s);
    }
    await Promise.all(held.map((s) => new Promise((r) => s.close(r))));
    if (held.length === n) return base;
  }
  throw new Error(`no ${n} consecutive free ports found`);
}

// --- reads and cleanup -----------------------------------------------------------

export async function statusOf(url: string, timeoutMs = 5_000): Promise<Status> {
  const r = await http(`${url}/status`, { timeoutMs });
  if (r.status !== 200) throw new Error(`${url}/status: ${r.status} ${r.text}`);
  return r.body as Status;
}

/** Hash of the block at `height` on the node's main chain, or undefined. */
export async function hashAt(url: string, height: number): Promise<string | undefined> {
  const r = await http(`${url}/blocks/${height}`, { timeoutMs: 5_000 });
  return r.status === 200 ? (r.body.hash as string) : undefined;
}

export async function mineOn(url: string): Promise<ApiBlock & { message: string }> {
  const r = await http(`${url}/mine`, { timeoutMs: 20_000 });
  if (r.status !== 200) throw new Error(`${url}/mine: ${r.status} ${r.text}`);
  return r.body;
}

/** Collects what a test started, to stop and remove it in `finally`/`afterAll`. */
export class Cleanup {
  private readonly nodes: NodeProc[] = [];
  private readonly peers: FakePeer[] = [];
  private readonly dirs: string[] = [];
  private readonly other: Array<() => Promise<void> | void> = [];

  node<T extends NodeProc>(n: T): T {
    this.nodes.push(n);
    this.dirs.push(n.dataDir);
    return n;
  }

  peer<T extends FakePeer>(p: T): T {
    this.peers.push(p);
    return p;
  }

  dir(d: string): string {
    this.dirs.push(d);
    return d;
  }

  add(fn: () => Promise<void> | void): void {
    this.other.push(fn);
  }

  async run(): Promise<void> {
    await Promise.allSettled(this.other.splice(0).map((f) => f()));
    await Promise.allSettled(this.nodes.splice(0).map((n) => n.stop()));
    await Promise.allSettled(this.peers.splice(0).map((p) => p.close()));
    for (const d of new Set(this.dirs.splice(0))) removeDir(d);
  }
}
