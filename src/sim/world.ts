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
import { SignatureCache } from "../node/signature-cache.js";
import { buildTemplate } from "../node/template.js";
import { PeerRequestError, type PeerTransport } from "../p2p/http-client.js";
import { answerDirect } from "./direct-routes.js";
import { type HostAnswer, type HostRequest, type LinkSpec, VirtualLinks } from "./links.js";
import { NodeClock } from "./node-clock.js";
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
  /**
   * How the nodes' most frequent requests to each other (announcements, status polls) are
   * answered: "direct" by the routes' handlers without Fastify's part (direct-routes.ts; the
   * default), "inject" through Fastify like every other request.
   */
  peerRequests?: "direct" | "inject";
}

export interface SimNode {
  origin: string;
  /** Replaced when the node restarts. */
  node: TinyNode;
  app: FastifyInstance;
  /** The node's clock: the world's plus its skew. Replaced when the node restarts. */
  clock: NodeClock;
  /** False while the node is crashed. */
  up: boolean;
}

/** A promise that never settles: what a crashed node's pending requests come to. */
const never = <T>() => new Promise<T>(() => undefined);

/** `transport`, except that nothing comes back to a node that has crashed since it asked. */
function fenced(transport: PeerTransport, alive: () => boolean): PeerTransport {
  return {
    requestJson: (url, init, limits) => {
      if (!alive()) return never();
      return transport.requestJson(url, init, limits).then(
        (a) => (alive() ? a : never()),
        (err: unknown) => (alive() ? Promise.reject(err) : never()),
      );
    },
  };
}

/** How many idle turns of the event loop count as "every node is idle". */
const IDLE_TURNS = 3;

export class World {
  readonly clock: VirtualClock;
  readonly links: VirtualLinks;
  readonly nodes: SimNode[] = [];
  /** Requests being answered right now (on the real event loop). */
  private busy = 0;
  /** The peers each node was linked to by `connect`, registered again when it restarts. */
  private readonly peersOf: string[][] = [];
  private readonly startHooks: Array<(sim: SimNode, i: number) => void> = [];
  /** The signatures found valid, shared by the nodes (big enough for every transaction of a long run). */
  private readonly signatures = new SignatureCache(1_000_000);

  /** When the world started, in the clock's milliseconds. */
  readonly startMs: number;

  constructor(private readonly opts: WorldOptions) {
    this.startMs = opts.startMs ?? (opts.params.genesis_timestamp + 600) * 1000;
    this.clock = new VirtualClock(this.startMs);
    this.links = new VirtualLinks(this.clock, opts.link ?? (() => ({ latencyMs: 50 })));
  }

  /** Adds a node at `http://10.0.<i>:5000`, its clock `skewMs` ahead of the world's (default 0). */
  async addNode(opts: { skewMs?: number } = {}): Promise<SimNode> {
    const i = this.nodes.length;
    const origin = `http://10.${(i >> 8) & 255}.${i & 255}.1:5000`;
    const clock = new NodeClock(this.clock, opts.skewMs ?? 0);
    const sim: SimNode = { origin, clock, up: true, ...(await this.build(i, origin, clock)) };
    this.nodes.push(sim);
    this.peersOf.push([]);
    this.links.addHost(origin, (req) => this.answer(sim, req, this.opts.peerRequests !== "inject"));
    for (const hook of this.startHooks) hook(sim, i);
    return sim;
  }

  /** Builds node `i` (again, on a restart) from its data directory and identity, on `clock`. */
  private async build(i: number, origin: string, clock: NodeClock): Promise<{ node: TinyNode; app: FastifyInstance }> {
    const node = createNode({
      ...(this.opts.dir !== undefined ? { dataDir: `${this.opts.dir}/node-${i}` } : {}),
      params: this.opts.params,
      logger: pino({ level: "silent" }),
      clock,
      transport: fenced(this.links.transportFor(origin), () => clock.running),
      verifyThreads: 0,
      threads: 1,
      // a transaction's signature is checked once in the world, not once per node: the same answer, a node's time saved
      signatureCache: this.signatures,
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
    return { node, app };
  }

  /**
   * A request to the node's routes through Fastify's inject (a peer's announcement or status
   * poll by the route's handler, when `direct`); refused as by a closed port while the node is down.
   */
  private async answer(sim: SimNode, req: HostRequest, direct = false): Promise<HostAnswer> {
    if (!sim.up) throw new PeerRequestError(`${sim.origin}: connection refused`, "unreachable");
    this.busy++;
    try {
      const answered = direct ? await answerDirect(sim.node, req) : undefined;
      if (answered !== undefined) return answered;
      const r = await sim.app.inject({
        method: req.method as "GET" | "POST",
        url: req.path,
        ...(req.body !== undefined ? { payload: req.body, headers: { "content-type": "application/json" } } : {}),
      });
      return { status: r.statusCode, text: r.body };
    } finally {
      this.busy--;
    }
  }

  /** A request to node `i`'s HTTP API from its own machine (as a wallet or script there would send it), now. */
  inject(i: number, req: HostRequest): Promise<HostAnswer> {
    return this.answer(this.nodes[i] as SimNode, req);
  }

  /** Calls `hook` for every node added or restarted from now on (to follow its new chain's events). */
  onStart(hook: (sim: SimNode, i: number) => void): void {
    this.startHooks.push(hook);
  }

  /**
   * Node `i` crashes: its host stops answering, its timers and the answers to its requests
   * in flight are dropped, and its app and node are closed (what it stored stays).
   */
  async crash(i: number): Promise<void> {
    const sim = this.nodes[i] as SimNode;
    if (!sim.up) return;
    sim.up = false;
    sim.clock.stop();
    await sim.app.close();
    await sim.node.close();
  }

  /** Node `i` starts again from its data directory, with the same identity and skew, and registers its peers again. */
  async restart(i: number): Promise<void> {
    const old = this.nodes[i] as SimNode;
    if (old.up) return;
    const clock = new NodeClock(this.clock, old.clock.skewMs);
    Object.assign(old, { clock, up: true }, await this.build(i, old.origin, clock));
    for (const hook of this.startHooks) hook(old, i);
    old.node.startPeering();
    const peers = this.peersOf[i] ?? [];
    if (peers.length > 0) void old.node.peering.register(peers).catch(() => undefined);
    await this.idle();
  }

  /** The world's network. */
  get params(): NetworkParams {
    return this.opts.params;
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
    wanted.forEach((w, i) => {
      this.peersOf[i]?.push(...w);
    });
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
    const { node, clock, up } = this.nodes[i] as SimNode;
    if (!up) throw new Error(`node ${i} is down: nothing mines on it`);
    const template = buildTemplate(node.chain, node.pool, node.wallet.address, nowSeconds(clock));
    const block = { ...template.block };
    let hash = blockHash(block);
    while (!meetsDifficulty(hash, block.difficulty)) {
      block.proof++;
      hash = blockHash(block);
    }
    return { block, hash, result: node.chain.submitBlock(block, { signaturesChecked: true }) };
  }

  async close(): Promise<void> {
    for (const sim of this.nodes) {
      if (!sim.up) continue;
      sim.up = false;
      sim.clock.stop();
      await sim.app.close();
      await sim.node.close();
    }
  }
}
