/**
 * A node: store + chain + pool + miner + wallet (+ peering), built by `createNode`
 * (create-node.ts). Everything the HTTP API and the CLI do goes through here.
 */
import type { Logger } from "pino";
import { signingBytes } from "../core/encoding.js";
import { fail } from "../core/errors.js";
import { describeValue, isUint } from "../core/schema.js";
import { StateOverlay } from "../core/state.js";
import type { NetworkParams, TransferTx } from "../core/types.js";
import { workToJson } from "../core/work.js";
import { type KeyPair, signHex } from "../crypto/keys.js";
import type { ChainStore } from "../store/chain-store.js";
import type { Db } from "../store/db.js";
import type { TokenStore } from "../store/token-store.js";
import type { Chain } from "./chain.js";
import type { Clock } from "./clock.js";
import type { Forks } from "./forks.js";
import type { BackgroundIndexer } from "./indexer.js";
import type { MinedBlock, Miner } from "./miner.js";
import type { BlockAnnouncement, Peering } from "./peering.js";
import type { AddResult, Pool } from "./pool.js";
import type { ChainReads } from "./reads.js";
import { RefusalLog } from "./refusal-log.js";
import type { VerifyPool } from "./verify-pool.js";

export type { EventCursor } from "../store/token-store.js";

export interface TxAccepted extends AddResult {
  /** The block a ready transaction is expected in: the next one (a queued one is due in none yet). */
  blockIndex: number;
}

/** The parts of a node, built and wired by `createNode`. */
export interface NodeParts {
  /** The network the node runs: its chain's name and parameters. */
  params: NetworkParams;
  log: Logger;
  clock: Clock;
  db: Db;
  store: ChainStore;
  chain: Chain;
  pool: Pool;
  miner: Miner;
  peering: Peering;
  verifier: VerifyPool;
  indexer: BackgroundIndexer;
  /** Token reads (the ledger's token rows and the token index), for the API. */
  tokens: TokenStore;
  /** Reads of the stored chain beyond the tip (pages, lookups, history), for the API. */
  reads: ChainReads;
  /** The branch tips the store holds and the history of reorganisations, for the API. */
  forks: Forks;
  wallet: KeyPair;
  apiToken: string;
  /** Made at each start (docs/protocol.md §7 /status `node_id`): how this node recognises itself among its would-be peers. */
  nodeId: string;
  /** Peer URLs to register when peering starts. */
  peersAtStart: readonly string[];
}

export class TinyNode {
  readonly db: Db;
  readonly store: ChainStore;
  readonly chain: Chain;
  readonly pool: Pool;
  readonly miner: Miner;
  readonly peering: Peering;
  readonly verifier: VerifyPool;
  readonly indexer: BackgroundIndexer;
  /** Token reads (the ledger's token rows and the token index), for the API. */
  readonly tokens: TokenStore;
  /** Reads of the stored chain beyond the tip (pages, lookups, history), for the API. */
  readonly reads: ChainReads;
  /** The branch tips the store holds and the history of reorganisations, for the API. */
  readonly forks: Forks;
  readonly wallet: KeyPair;
  readonly apiToken: string;
  readonly log: Logger;
  readonly params: NetworkParams;
  readonly clock: Clock;
  /** When the node was built (clock ms). */
  readonly startedAt: number;
  /** Made at each start (docs/protocol.md §7 /status `node_id`): how this node recognises itself among its would-be peers. */
  readonly nodeId: string;
  private readonly peersAtStart: readonly string[];

  /** Refused transactions, with their reason, in the log. */
  private readonly refusals: RefusalLog;

  constructor(parts: NodeParts) {
    this.refusals = new RefusalLog(parts.log, parts.clock);
    this.params = parts.params;
    this.log = parts.log;
    this.clock = parts.clock;
    this.db = parts.db;
    this.store = parts.store;
    this.chain = parts.chain;
    this.pool = parts.pool;
    this.miner = parts.miner;
    this.peering = parts.peering;
    this.verifier = parts.verifier;
    this.indexer = parts.indexer;
    this.tokens = parts.tokens;
    this.reads = parts.reads;
    this.forks = parts.forks;
    this.wallet = parts.wallet;
    this.apiToken = parts.apiToken;
    this.nodeId = parts.nodeId;
    this.peersAtStart = parts.peersAtStart;
    this.startedAt = parts.clock.now();
  }

  /** Starts talking to peers (after the API listens, so peers can call back). */
  startPeering(): void {
    this.peering.start();
    if (this.peersAtStart.length > 0) this.peering.registerAtStart([...this.peersAtStart]);
  }

  async close(): Promise<void> {
    this.peering.close();
    this.indexer.close();
    await this.miner.stop();
    await this.verifier.close();
    this.db.close();
  }

  /** A signed transaction from anyone. */
  async submitTransaction(raw: unknown): Promise<TxAccepted> {
    const r = await this.pool.add(raw).catch((err: unknown) => {
      this.refusals.refused(raw, err);
      throw err;
    });
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

  submitBlock(raw: unknown, from?: string): Promise<BlockAnnouncement> {
    return this.peering.receiveBlock(raw, from);
  }

  mine(): Promise<MinedBlock> {
    return this.miner.requestBlock();
  }

  account(address: string) {
    const acct = new StateOverlay(this.store).account(address);
    const involving = this.pool.involving(address);
    // a queued transaction (waiting for an earlier nonce) is not due to be confirmed: it is not counted
    const pending = involving.filter((e) => !this.pool.isQueued(e));
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
        queued: involving.length - pending.length,
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
      peers: this.peering.peers.size,
      pending: this.pool.size,
      address: this.wallet.address,
      mining: this.miner.mining,
      hashrate: this.miner.hashrate,
      hashrate_last_minute: this.miner.hashrateLastMinute,
      search: this.miner.progress ?? null,
      threads: this.miner.threads,
      pow: this.miner.implementation,
      store: this.db.driver.name,
      uptime: Math.round((this.clock.now() - this.startedAt) / 1000),
      version: 1,
      node_id: this.nodeId,
      orphans: {
        count: this.peering.unrequested.orphans.size,
        bytes: this.peering.unrequested.orphans.bytes,
        max_count: this.peering.unrequested.orphans.limits.maxCount,
        max_bytes: this.peering.unrequested.orphans.limits.maxBytes,
      },
    };
  }
}
