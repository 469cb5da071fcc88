/**
 * The composition root: one node = store + chain + pool + miner + wallet (+ peers).
 * Everything the HTTP API and the CLI do goes through here.
 */
import { randomBytes } from "node:crypto";
import { mkdirSync } from "node:fs";
import { join } from "node:path";
import type { Logger } from "pino";
import { signingBytes } from "../core/encoding.js";
import { fail } from "../core/errors.js";
import { describeValue, isUint } from "../core/schema.js";
import { StateOverlay } from "../core/state.js";
import type { NetworkParams, SignedTx, TransferTx } from "../core/types.js";
import { workToJson } from "../core/work.js";
import { type KeyPair, signHex } from "../crypto/keys.js";
import { ChainStore } from "../store/chain-store.js";
import { type Db, openDb } from "../store/db.js";
import { PeerStore } from "../store/peer-store.js";
import { PoolStore } from "../store/pool-store.js";
import { TokenStore } from "../store/token-store.js";
import { loadOrCreateWallet } from "../wallet/keyfile.js";
import { loadOrCreateApiToken } from "./api-token.js";
import { Chain } from "./chain.js";
import { BackgroundIndexer } from "./indexer.js";
import { type MinedBlock, Miner } from "./miner.js";
import { type BlockAnnouncement, Network, type NetworkOptions } from "./network.js";
import { type AddResult, Pool } from "./pool.js";
import { ChainReads } from "./reads.js";
import { VerifyPool } from "./verify-pool.js";

export type { EventCursor } from "../store/token-store.js";

export interface NodeConfig {
  dataDir: string;
  params: NetworkParams;
  logger: Logger;
  mine?: boolean;
  threads?: number;
  /** Seconds continuous mining waits after each block it finds (default 0). */
  mineIntervalS?: number;
  poolSize?: number;
  /** Signature-checking threads (default: one per core). */
  verifyThreads?: number;
  /** The node's clock in seconds (tests may move it). */
  now?: () => number;
  /** Peer URLs to register at start. */
  peers?: string[];
  network?: Omit<NetworkOptions, "selfId" | "verify">;
}

export interface TxAccepted extends AddResult {
  /** The block the transaction is expected in: the next one. */
  blockIndex: number;
}

export class TinyNode {
  readonly db: Db;
  readonly store: ChainStore;
  readonly chain: Chain;
  readonly pool: Pool;
  readonly miner: Miner;
  readonly network: Network;
  readonly verifier: VerifyPool;
  readonly indexer: BackgroundIndexer;
  /** Token reads (the ledger's token rows and the token index), for the API. */
  readonly tokens: TokenStore;
  /** Reads of the stored chain beyond the tip (pages, lookups, history), for the API. */
  readonly reads: ChainReads;
  readonly wallet: KeyPair;
  readonly apiToken: string;
  readonly log: Logger;
  readonly params: NetworkParams;
  readonly startedAt = Date.now();
  /** Made at each start (SPEC §7 /status `node_id`): how this node recognises itself among its would-be peers. */
  readonly nodeId = randomBytes(16).toString("hex");

  constructor(readonly config: NodeConfig) {
    this.log = config.logger;
    this.params = config.params;
    try {
      mkdirSync(config.dataDir, { recursive: true, mode: 0o700 });
    } catch (err) {
      const code = (err as NodeJS.ErrnoException).code;
      if (code === "EEXIST" || code === "ENOTDIR")
        throw new Error(`cannot create the data directory ${config.dataDir}: a file is in the way`);
      if (code === "EACCES" || code === "EPERM" || code === "EROFS") {
        throw new Error(
          `cannot create the data directory ${config.dataDir}: ${code === "EROFS" ? "read-only file system" : "permission denied"}`,
        );
      }
      throw err;
    }
    const { pair, created } = loadOrCreateWallet(join(config.dataDir, "wallet"));
    this.wallet = pair;
    if (created) this.log.info({ address: pair.address }, "made the node wallet");
    this.apiToken = loadOrCreateApiToken(config.dataDir);
    this.db = openDb(join(config.dataDir, "chain.db"));
    const { name, sqliteVersion } = this.db.driver;
    this.log.info({ driver: name, sqlite: sqliteVersion, node: process.versions.node }, "store opened");
    this.store = new ChainStore(this.db);
    this.tokens = new TokenStore(this.store);
    this.reads = new ChainReads(this.store);
    const now = config.now;
    this.chain = new Chain(this.store, config.params, now ? { now } : {});
    this.indexer = new BackgroundIndexer(this.store.index, this.chain, this.log);
    this.verifier = new VerifyPool(config.verifyThreads);
    const verify = (txs: SignedTx[], now?: boolean, texts?: string[]) => this.verifier.verify(txs, now, texts);
    this.pool = new Pool(this.chain, new PoolStore(this.db), {
      verify,
      ...(config.poolSize !== undefined ? { maxSize: config.poolSize } : {}),
      ...(now ? { now: () => now() * 1000 } : {}),
    });
    const restored = this.pool.load();
    if (restored > 0) this.log.info({ pending: restored }, "restored pending transactions");
    this.chain.on("tip", (change) => {
      this.pool.onTipChange(change);
      const t = change.tip;
      if (change.disconnected.length > 0) {
        this.log.warn(
          { height: t.height, hash: t.hash, abandoned: change.disconnected.length, joined: change.connected.length },
          "chain reorganised",
        );
      } else {
        this.log.info({ height: t.height, hash: t.hash, txs: change.connected[0]?.block.transactions.length }, "new tip");
      }
    });
    this.miner = new Miner(this.chain, this.pool, this.wallet.address, {
      ...(config.threads !== undefined ? { threads: config.threads } : {}),
      ...(config.mineIntervalS !== undefined ? { intervalS: config.mineIntervalS } : {}),
      ...(now ? { now } : {}),
      onError: (err) => this.log.error({ err }, "miner error"),
      onTemplate: (t) => this.log.debug({ height: t.block.index, txs: t.block.transactions.length - 1 }, "mining on a new template"),
    });
    this.network = new Network(this.chain, this.pool, new PeerStore(this.db), this.log, {
      ...config.network,
      selfId: this.nodeId,
      verify,
    });
    if (config.mine) this.miner.setContinuous(true);
  }

  /** Starts talking to peers (after the API listens, so peers can call back). */
  startNetwork(): void {
    this.network.start();
    if (this.config.peers && this.config.peers.length > 0) this.network.registerAtStart(this.config.peers);
  }

  async close(): Promise<void> {
    this.network.close();
    this.indexer.close();
    await this.miner.stop();
    await this.verifier.close();
    this.db.close();
  }

  /** A signed transaction from anyone. */
  async submitTransaction(raw: unknown): Promise<TxAccepted> {
    const r = await this.pool.add(raw);
    return { ...r, blockIndex: this.chain.tip.height + 1 };
  }

  /** A transfer from the node's own wallet, filled in and signed here. */
  sendFromWallet(req: { recipient: unknown; amount: unknown; fee?: unknown }): Promise<TxAccepted> {
    // one at a time: each takes the next nonce only once the previous one is in the pool
    const next = this.walletQueue.then(() => this.signAndSend(req));
    this.walletQueue = next.catch(() => undefined);
    return next;
  }

  private walletQueue: Promise<unknown> = Promise.resolve();

  private signAndSend(req: { recipient: unknown; amount: unknown; fee?: unknown }): Promise<TxAccepted> {
    const { recipient, amount } = req;
    const fee = req.fee ?? this.params.min_fee;
    if (!isUint(amount, 1)) fail("bad-schema", `amount must be an integer ≥ 1 (whole coins), got ${describeValue(amount)}`);
    if (!isUint(fee)) fail("bad-schema", `fee must be an integer ≥ 0, got ${describeValue(fee)}`);
    if (typeof recipient !== "string" || !/^[0-9a-f]{64}$/.test(recipient)) {
      fail("bad-schema", `recipient must be a 64-character lowercase hex address, got ${describeValue(recipient)}`);
    }
    const unsigned = {
      type: "transfer" as const,
      network: this.params.name,
      sender: this.wallet.address,
      recipient,
      amount,
      fee,
      nonce: this.pool.nextNonce(this.wallet.address),
    };
    const tx: TransferTx = { ...unsigned, signature: signHex(this.wallet, signingBytes(unsigned)) };
    return this.submitTransaction(tx);
  }

  submitBlock(raw: unknown): Promise<BlockAnnouncement> {
    return this.network.receiveBlock(raw);
  }

  mine(): Promise<MinedBlock> {
    return this.miner.requestBlock();
  }

  account(address: string) {
    const acct = new StateOverlay(this.store).account(address);
    const pending = this.pool.involving(address);
    let delta = 0;
    for (const e of pending) {
      if (e.tx.sender === address) delta -= e.tx.fee + (e.tx.type === "transfer" ? e.tx.amount : 0);
      if (e.tx.type === "transfer" && e.tx.recipient === address) delta += e.tx.amount;
    }
    return {
      address,
      balance: acct.balance,
      nonce: acct.nonce,
      pending: {
        balance: acct.balance + delta,
        nonce: this.pool.nextNonce(address),
        transactions: pending.length,
      },
    };
  }

  status() {
    const tip = this.chain.tip;
    return {
      network: this.params.name,
      genesis_hash: this.chain.genesisHash,
      height: tip.height,
      tip: tip.hash,
      total_work: workToJson(tip.work),
      difficulty: this.chain.difficultyAfter(tip.hash),
      min_fee: this.params.min_fee,
      reward: this.params.reward,
      max_block_txs: this.params.max_block_txs,
      peers: this.network.peers.size,
      pending: this.pool.size,
      address: this.wallet.address,
      mining: this.miner.mining,
      hashrate: this.miner.hashrate,
      threads: this.miner.threads,
      pow: this.miner.implementation,
      store: this.db.driver.name,
      uptime: Math.round((Date.now() - this.startedAt) / 1000),
      version: 1,
      node_id: this.nodeId,
      orphans: {
        count: this.network.unrequested.orphans.size,
        bytes: this.network.unrequested.orphans.bytes,
        max_count: this.network.unrequested.orphans.limits.maxCount,
        max_bytes: this.network.unrequested.orphans.limits.maxBytes,
      },
    };
  }
}
