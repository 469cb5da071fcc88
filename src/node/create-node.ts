/**
 * The composition root: `createNode` opens the data directory and the store and builds every
 * part of a node — chain, pool, miner, peering, signature verifier, indexer, wallet — handing
 * each its collaborators in its constructor. The clock and the peer transport are chosen here
 * once (the machine's clock and HTTP unless the configuration gives others) and passed down.
 */
import { randomBytes } from "node:crypto";
import { mkdirSync } from "node:fs";
import { join } from "node:path";
import type { Logger } from "pino";
import type { NetworkParams, SignedTx } from "../core/types.js";
import { generateKeyPair, type KeyPair } from "../crypto/keys.js";
import { httpTransport, type PeerTransport } from "../p2p/http-client.js";
import { ChainStore } from "../store/chain-store.js";
import { openDb } from "../store/db.js";
import { PeerStore } from "../store/peer-store.js";
import { PoolStore } from "../store/pool-store.js";
import { ReorgStore } from "../store/reorg-store.js";
import { TokenStore } from "../store/token-store.js";
import { loadOrCreateWallet } from "../wallet/keyfile.js";
import { loadOrCreateApiToken } from "./api-token.js";
import { Chain } from "./chain.js";
import { ChainLog } from "./chain-log.js";
import { type Clock, systemClock } from "./clock.js";
import { Forks } from "./forks.js";
import { BackgroundIndexer } from "./indexer.js";
import { Miner } from "./miner.js";
import { TinyNode } from "./node.js";
import { Peering, type PeeringSettings } from "./peering.js";
import { PeerSet } from "./peers.js";
import { Pool } from "./pool.js";
import { ChainReads } from "./reads.js";
import { SignatureCache } from "./signature-cache.js";
import { VerifyPool } from "./verify-pool.js";

export interface NodeConfig {
  /**
   * Where the chain, peers, wallet and API token live. Absent: nowhere on disk — the store is
   * an in-memory SQLite database (the same code and SQL, gone at close), the API token is made
   * afresh, and the wallet is `identity.wallet` or a new key (a simulation's hundreds of nodes).
   */
  dataDir?: string;
  /** The network the node runs: its chain's name and parameters. */
  params: NetworkParams;
  logger: Logger;
  mine?: boolean;
  threads?: number;
  /** Seconds continuous mining waits after each block it finds (default 0). */
  mineIntervalS?: number;
  poolSize?: number;
  /** Signature-checking threads (default: one per core). */
  verifyThreads?: number;
  /** The node's clock, in milliseconds (default: the machine's; a simulation may pass a virtual one). */
  clock?: Clock;
  /** How the node reaches its peers (default: HTTP; a simulation may pass a virtual one). */
  transport?: PeerTransport;
  /** Peer URLs to register at start. */
  peers?: string[];
  /**
   * The node's identity, when it is not the data directory's (a simulation gives each node one
   * made from its seed): the wallet key, used instead of the directory's key file (nothing is
   * written), and the `node_id` of /status (default: random at each start).
   */
  identity?: { wallet?: KeyPair; nodeId?: string };
  /** Background sync and peer limits. */
  peering?: PeeringSettings;
  /**
   * The signatures found valid (default: the node's own cache). Nodes in one process may share
   * one (the lab's hundreds): an entry vouches only for one exact signed transaction, whose
   * validity is the same for every node.
   */
  signatureCache?: SignatureCache;
}

/** Makes the data directory (owner-only), with a message that says what is in the way. */
function makeDataDir(dir: string): void {
  try {
    mkdirSync(dir, { recursive: true, mode: 0o700 });
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    if (code === "EEXIST" || code === "ENOTDIR") throw new Error(`cannot create the data directory ${dir}: a file is in the way`);
    if (code === "EACCES" || code === "EPERM" || code === "EROFS") {
      throw new Error(`cannot create the data directory ${dir}: ${code === "EROFS" ? "read-only file system" : "permission denied"}`);
    }
    throw err;
  }
}

/** Builds a node from its configuration; `startPeering()` then starts talking to peers. */
export function createNode(config: NodeConfig): TinyNode {
  const log = config.logger;
  const clock = config.clock ?? systemClock;
  const dir = config.dataDir;
  if (dir !== undefined) makeDataDir(dir);
  const given = config.identity?.wallet;
  const { pair: wallet, created } = given
    ? { pair: given, created: false }
    : dir !== undefined
      ? loadOrCreateWallet(join(dir, "wallet"))
      : { pair: generateKeyPair(), created: true };
  if (created) log.info({ address: wallet.address }, "made the node wallet");
  const apiToken = dir !== undefined ? loadOrCreateApiToken(dir) : randomBytes(32).toString("hex");
  const db = openDb(dir !== undefined ? join(dir, "chain.db") : ":memory:");
  const { name, sqliteVersion } = db.driver;
  log.info({ driver: name, sqlite: sqliteVersion, node: process.versions.node }, "store opened");
  const store = new ChainStore(db);
  const tokens = new TokenStore(store);
  const reads = new ChainReads(store);
  const chain = new Chain(store, config.params, { clock });
  const forks = new Forks(chain, store, new ReorgStore(db), clock);
  const indexer = new BackgroundIndexer(store.index, chain, log);
  const verifier = new VerifyPool(config.verifyThreads);
  // signatures found valid once (entering the pool) are not checked again (in the block, in a repeat)
  const verify = (config.signatureCache ?? new SignatureCache()).wrap((txs: SignedTx[], immediately?: boolean, texts?: string[]) =>
    verifier.verify(txs, immediately, texts),
  );
  const pool = new Pool(chain, new PoolStore(db), {
    verify,
    clock,
    ...(config.poolSize !== undefined ? { maxSize: config.poolSize } : {}),
  });
  const restored = pool.load();
  if (restored > 0) log.info({ pending: restored }, "restored pending transactions");
  chain.on("tip", (change) => pool.onTipChange(change));
  const miner = new Miner(chain, pool, wallet.address, {
    clock,
    ...(config.threads !== undefined ? { threads: config.threads } : {}),
    ...(config.mineIntervalS !== undefined ? { intervalS: config.mineIntervalS } : {}),
    onError: (err) => log.error({ err }, "miner error"),
    onTemplate: (t) => log.debug({ height: t.block.index, txs: t.block.transactions.length - 1 }, "mining on a new template"),
  });
  // one line per block, with where it came from (mined here, announced, synced), and reorganisations
  const chainLog = new ChainLog(chain, miner, log, clock);
  // made at each start (docs/protocol.md §7 /status `node_id`): how this node recognises itself among its would-be peers
  const nodeId = config.identity?.nodeId ?? randomBytes(16).toString("hex");
  const { maxPeers, ...peeringSettings } = config.peering ?? {};
  const peers = new PeerSet(new PeerStore(db), {
    clock,
    transport: config.transport ?? httpTransport,
    onHealth: (p, change) => {
      if (change === "up") {
        const h = p.status?.height;
        log.info({ peer: p.label }, `peer ${p.label} is up${h !== undefined ? ` (height ${h})` : ""}`);
      } else log.warn({ peer: p.label, err: p.lastError }, `peer ${p.label} stopped answering (${p.lastError}); trying it again later`);
    },
    ...(maxPeers !== undefined ? { max: maxPeers } : {}),
  });
  const peering = new Peering(chain, pool, peers, log, { ...peeringSettings, selfId: nodeId, verify, clock, origins: chainLog });
  if (config.mine) miner.setContinuous(true);
  return new TinyNode({
    params: config.params,
    log,
    clock,
    db,
    store,
    chain,
    pool,
    miner,
    peering,
    verifier,
    indexer,
    tokens,
    reads,
    forks,
    wallet,
    apiToken,
    nodeId,
    peersAtStart: config.peers ?? [],
  });
}
