/**
 * A simulated world: real nodes (createNode, the production chain, pool, peering and HTTP
 * routes) in one process, on one virtual clock, talking over virtual links. Time moves only
 * when every node is idle: the world lets the nodes' pending work (requests being answered,
 * promises) finish on the real event loop, then fires the next timer. Blocks are mined by the
 * world, not by the nodes' miners: a node's block is built from its own template (its pool,
 * its tip) and its proof found here, at the low difficulty of the world's network.
 */
import { setImmediate as turn } from "node:timers/promises";
import type { FastifyInstance } from "fastify";
import { pino } from "pino";
import { blockHash } from "../core/encoding.js";
import { meetsDifficulty } from "../core/pow.js";
import type { Block, NetworkParams } from "../core/types.js";
import { sha256 } from "../crypto/hash.js";
import { keyPairFromSeed } from "../crypto/keys.js";
import { buildServer } from "../http/server.js";
import type { SubmitResult } from "../node/chain.js";
import { nowSeconds } from "../node/clock.js";
import { createNode } from "../node/create-node.js";
import type { TinyNode } from "../node/node.js";
import { buildTemplate } from "../node/template.js";
import { type LinkSpec, VirtualLinks } from "./links.js";
import { VirtualClock } from "./virtual-clock.js";

export interface WorldOptions {
  params: NetworkParams;
  /** Folder for the nodes' stores, one sub-folder each (default: none, every store in memory). */
  dir?: string;
  /** The link between two hosts (default 50 ms, unlimited bandwidth). */
  link?: (from: string, to: string) => LinkSpec;
  /** The clock's start (default: 10 minutes after the genesis block). */
  startMs?: number;
  /** Makes the nodes' keys and ids: the same seed, the same keys (default 1). */
  seed?: number;
  /** Seconds between each node's background syncs with its peers (default: the node's, 5). */
  syncIntervalS?: number;
}

export interface SimNode {
  origin: string;
  node: TinyNode;
  app: FastifyInstance;
}

/** How many idle turns of the event loop count as "every node is idle". */
const IDLE_TURNS = 3;

export class World {
  readonly clock: VirtualClock;
  readonly links: VirtualLinks;
  readonly nodes: SimNode[] = [];
  /** Requests being answered right now (on the real event loop). */
  private busy = 0;

  /** When the world started, in the clock's milliseconds. */
  readonly startMs: number;

  constructor(private readonly opts: WorldOptions) {
    this.startMs = opts.startMs ?? (opts.params.genesis_timestamp + 600) * 1000;
    this.clock = new VirtualClock(this.startMs);
    this.links = new VirtualLinks(this.clock, opts.link ?? (() => ({ latencyMs: 50 })));
  }

  /** Adds a node at `http://10.0.<i>:5000`. */
  async addNode(): Promise<SimNode> {
    const i = this.nodes.length;
    const origin = `http://10.${(i >> 8) & 255}.${i & 255}.1:5000`;
    const node = createNode({
      ...(this.opts.dir !== undefined ? { dataDir: `${this.opts.dir}/node-${i}` } : {}),
      params: this.opts.params,
      logger: pino({ level: "silent" }),
      clock: this.clock,
      transport: this.links.transportFor(origin),
      verifyThreads: 0,
      threads: 1,
      ...(this.opts.syncIntervalS !== undefined ? { peering: { syncIntervalS: this.opts.syncIntervalS } } : {}),
      identity: {
        wallet: keyPairFromSeed(sha256(`tinychain sim ${this.opts.seed ?? 1} node ${i}`)),
        nodeId: sha256(`tinychain sim ${this.opts.seed ?? 1} id ${i}`)
          .toString("hex")
          .slice(0, 32),
      },
    });
    const app = await buildServer(node);
    await app.ready();
    this.links.addHost(origin, async (req) => {
      this.busy++;
      try {
        const r = await app.inject({
          method: req.method as "GET" | "POST",
          url: req.path,
          ...(req.body !== undefined ? { payload: req.body, headers: { "content-type": "application/json" } } : {}),
        });
        return { status: r.statusCode, text: r.body };
      } finally {
        this.busy--;
      }
    });
    const sim = { origin, node, app };
    this.nodes.push(sim);
    return sim;
  }

  origin(i: number): string {
    return (this.nodes[i] as SimNode).origin;
  }

  /** Every node registers every other and starts peering. */
  async meshAll(): Promise<void> {
    const pairs: Array<[number, number]> = [];
    for (let i = 0; i < this.nodes.length; i++) for (let j = i + 1; j < this.nodes.length; j++) pairs.push([i, j]);
    await this.connect(pairs);
  }

  /** Links each pair both ways (each registers the other), starts every node's peering, and waits until registration is done. */
  async connect(pairs: ReadonlyArray<readonly [number, number]>): Promise<void> {
    const wanted = this.nodes.map(() => [] as string[]);
    for (const [i, j] of pairs) {
      wanted[i]?.push(this.origin(j));
      wanted[j]?.push(this.origin(i));
    }
    const done = Promise.all(
      this.nodes.map(({ node }, i) => {
        node.startPeering();
        return node.peering.register(wanted[i]);
      }),
    );
    let settled = false;
    void done.finally(() => {
      settled = true;
    });
    for (let i = 0; i < 600 && !settled; i++) await this.run(1_000);
    await done;
  }

  /** Lets the nodes finish what they are doing on the real event loop (bounded). */
  async idle(): Promise<void> {
    for (let quiet = 0, i = 0; quiet < IDLE_TURNS && i < 100_000; i++) {
      await turn();
      quiet = this.busy === 0 ? quiet + 1 : 0;
    }
  }

  /** Runs the world until `atMs` of virtual time: idle, next timer, idle, ... */
  async runUntil(atMs: number): Promise<void> {
    await this.idle();
    for (let next = this.clock.nextAt(); next !== undefined && next <= atMs; next = this.clock.nextAt()) {
      // everything due at this moment fires together (in the queue's order), then the nodes settle
      while (this.clock.nextAt() === next) this.clock.step();
      await this.idle();
    }
    this.clock.runUntil(atMs);
    await this.idle();
  }

  async run(ms: number): Promise<void> {
    await this.runUntil(this.clock.now() + ms);
  }

  /** Node `i` mines one block on its tip from its pool, now; its peers hear of it as from any node. */
  mine(i: number): { block: Block; hash: string; result: SubmitResult } {
    const { node } = this.nodes[i] as SimNode;
    const template = buildTemplate(node.chain, node.pool, node.wallet.address, nowSeconds(this.clock));
    const block = { ...template.block };
    let hash = blockHash(block);
    while (!meetsDifficulty(hash, block.difficulty)) {
      block.proof++;
      hash = blockHash(block);
    }
    return { block, hash, result: node.chain.submitBlock(block, { signaturesChecked: true }) };
  }

  async close(): Promise<void> {
    for (const { node, app } of this.nodes) {
      await app.close();
      await node.close();
    }
  }
}
