/**
 * The chain: takes blocks (mined here or received), checks them with the core rules,
 * stores them, and follows the valid chain with the most work (docs/protocol.md §4, §5), moving state
 * and the main chain together in one SQLite transaction per change (the lookup indexes
 * follow just behind the tip: src/store/tx-index.ts).
 */
import { EventEmitter } from "node:events";
import { type CheckedBlock, checkBlockHeader, checkBlockShape } from "../core/block.js";
import { headerOf } from "../core/encoding.js";
import { fail, RuleError } from "../core/errors.js";
import { genesisBlock, genesisHash } from "../core/network.js";
import { parseBlock } from "../core/schema.js";
import { StateOverlay } from "../core/state.js";
import { applyBlock } from "../core/transition.js";
import type { Block, BlockHeader, NetworkParams, SignedTx } from "../core/types.js";
import { requireSignature } from "../core/verify.js";
import { addWork, isBetterChain } from "../core/work.js";
import { blockJson, type ChainStore, headerJson } from "../store/chain-store.js";
import { BlockStatus } from "../store/schema.js";
import { type BatchVerify, serialise } from "./batch-verify.js";
import {
  type ChainEvents,
  type ChainOptions,
  PageError,
  type SideBlock,
  type SubmitResult,
  type Tip,
  type TipChange,
} from "./chain-types.js";
import { type Clock, nowSeconds, systemClock } from "./clock.js";
import { HeaderIndex } from "./headers.js";
import { checkedFromJson } from "./stored.js";

export type { BatchVerify } from "./batch-verify.js";
export {
  type ChainOptions,
  PageError,
  type SideBlock,
  type SubmitOutcome,
  type SubmitResult,
  type Tip,
  type TipChange,
} from "./chain-types.js";

export class Chain extends EventEmitter<ChainEvents> {
  readonly genesisHash: string;
  private tipCache!: Tip;
  private readonly headers: HeaderIndex;
  /** The node's clock (ms); block times are checked against it in seconds. */
  readonly clock: Clock;

  constructor(
    readonly store: ChainStore,
    readonly params: NetworkParams,
    opts: ChainOptions = {},
  ) {
    super();
    this.clock = opts.clock ?? systemClock;
    this.headers = new HeaderIndex(store, params);
    this.genesisHash = genesisHash(params);
    this.init();
  }

  private init(): void {
    const stored = this.store.meta("genesis");
    if (stored === undefined) {
      const g = genesisBlock(this.params);
      this.store.transaction(() => {
        this.store.insertBlock(
          { hash: this.genesisHash, height: 1, prevHash: g.previous_hash, work: BigInt(g.difficulty), status: BlockStatus.Valid },
          blockJson(g, this.genesisHash, []),
          headerJson(g, this.genesisHash),
        );
        this.store.setMain(1, this.genesisHash);
        this.store.setMeta("genesis", this.genesisHash);
        this.store.setMeta("network", JSON.stringify(this.params));
        this.store.setMeta("tip", this.genesisHash);
      });
    } else if (stored !== this.genesisHash) {
      const net = this.store.meta("network") ?? "{}";
      throw new Error(
        `this data directory holds a chain of another network (${net}, genesis ${stored}); ` +
          "start with the same --network/--difficulty, or use another --data-dir",
      );
    }
    this.tipCache = this.loadTip();
  }

  private loadTip(): Tip {
    const hash = this.store.meta("tip") as string;
    const info = this.store.blockInfo(hash);
    if (info === undefined) throw new Error(`store is damaged: tip ${hash} is not stored`);
    return { hash, height: info.height, work: info.work, header: this.header(hash) };
  }

  get tip(): Tip {
    return this.tipCache;
  }

  /** Header of a stored block (cached). */
  header(hash: string): BlockHeader {
    return this.headers.get(hash);
  }

  /** The difficulty a child of the stored block `parentHash` must carry. */
  difficultyAfter(parentHash: string): number {
    return this.headers.difficultyAfter(parentHash);
  }

  /**
   * Takes a block from anywhere (`raw` as received, unchecked). Throws a RuleError when it
   * is invalid or its parent is unknown (`unknown-parent`); otherwise stores it and moves to
   * it when it makes the chain with the most work.
   */
  submit(raw: unknown): SubmitResult {
    const block = parseBlock(raw, this.params.max_block_txs);
    return this.submitBlock(block);
  }

  submitBlock(block: Block, opts: { signaturesChecked?: boolean; txIds?: readonly string[] } = {}): SubmitResult {
    return this.accept(checkBlockShape(block, this.params, opts.txIds), opts.signaturesChecked ?? false);
  }

  /**
   * Like `submit`, with the signatures checked by `verify` (worker threads) after the cheap
   * rules pass, so a block's Ed25519 checks use every core and the event loop stays free.
   */
  async submitAsync(raw: unknown, verify: BatchVerify): Promise<SubmitResult> {
    const block = parseBlock(raw, this.params.max_block_txs);
    const signed: SignedTx[] = [];
    const texts: string[] = [];
    const checked = checkBlockShape(block, this.params, serialise(block.transactions, signed, texts));
    const early = this.precheck(checked);
    if (early !== undefined) return early;
    const ok = await verify(signed, false, texts, checked.txIds.slice(1));
    const bad = ok.indexOf(false);
    if (bad >= 0) requireSignature(signed[bad] as SignedTx, `transaction ${bad + 1} (${checked.txIds[bad + 1]})`);
    return this.accept(checked, true);
  }

  /**
   * Takes a run of parsed blocks in order (a page from a peer), checking signatures on the
   * worker threads two chunks ahead while the main thread connects the chunk before, so both
   * work at once. Stops at the first refused block: throws `PageError` with its position.
   */
  async submitMany(blocks: Block[], verify: BatchVerify, chunk = 16): Promise<SubmitResult[]> {
    const results: SubmitResult[] = [];
    // each transaction serialised once: its id (kept for the block's checks) and its signing text
    const ids: string[][] = [];
    // two chunks ahead, so the workers always hold the next one while the main thread connects
    const ahead: Array<Promise<boolean[]>> = [];
    const request = (from: number) => {
      if (from >= blocks.length) return;
      const signed: SignedTx[] = [];
      const texts: string[] = [];
      const signedIds: string[] = [];
      for (let i = from; i < Math.min(from + chunk, blocks.length); i++) {
        const blockIds = serialise((blocks[i] as Block).transactions, signed, texts);
        ids[i] = blockIds;
        for (let k = 1; k < blockIds.length; k++) signedIds.push(blockIds[k] as string);
      }
      ahead.push(verify(signed, true, texts, signedIds));
    };
    request(0);
    request(chunk);
    for (let from = 0; from < blocks.length; from += chunk) {
      const ok = await (ahead.shift() as Promise<boolean[]>);
      request(from + 2 * chunk);
      let at = 0;
      let failure: PageError | undefined;
      // the chunk's blocks commit together: one SQLite transaction writes each touched page once
      const changes: Array<TipChange | SideBlock> = [];
      this.deferred = changes;
      try {
        this.store.transaction(() => {
          for (let i = from; i < Math.min(from + chunk, blocks.length); i++) {
            const block = blocks[i] as Block;
            const n = block.transactions.length - 1;
            const bad = ok.slice(at, at + n).indexOf(false);
            at += n;
            try {
              if (bad >= 0) requireSignature(block.transactions[bad + 1] as SignedTx, `transaction ${bad + 1}`);
              results.push(this.submitBlock(block, { signaturesChecked: true, txIds: ids[i] }));
            } catch (err) {
              // a refused block wrote nothing but its kept, invalid-marked row: commit the blocks before it;
              // anything else (the store failing) rolls the whole chunk back
              if (!(err instanceof RuleError)) throw err;
              failure = new PageError(i, err, results);
              break;
            }
          }
        });
      } catch (err) {
        this.tipCache = this.loadTip(); // the chunk was rolled back as a whole
        results.length = from;
        throw new PageError(from, err, results);
      } finally {
        this.deferred = undefined;
      }
      for (const c of changes) this.tell(c);
      if (failure !== undefined) throw failure;
      // the API and the workers' answers get a turn between chunks (the next two are being checked meanwhile)
      if (from + chunk < blocks.length) await new Promise((r) => setImmediate(r));
    }
    return results;
  }

  /** Tip changes and side blocks wait here while `submitMany` holds a chunk's transaction open. */
  private deferred: Array<TipChange | SideBlock> | undefined;

  /** Tells listeners of a tip change or a side block, once it is committed. */
  private notify(change: TipChange | SideBlock): void {
    if (this.deferred !== undefined) this.deferred.push(change);
    else this.tell(change);
  }

  private tell(change: TipChange | SideBlock): void {
    if ("tip" in change) this.emit("tip", change);
    else this.emit("side", change);
  }

  /**
   * For a block whose parent is stored and which is not: the header rules that need the
   * parent (link, index, time, required difficulty), and the work of the chain it would make.
   * Cheap (no transaction is looked at), so an unrequested block can be judged before it is parsed.
   */
  headerWork(header: BlockHeader, hash: string): bigint {
    const parent = this.store.blockInfo(header.previous_hash);
    if (parent === undefined) fail("unknown-parent", `the parent ${header.previous_hash} of block ${header.index} is not known here`);
    if (parent.status === BlockStatus.Invalid) fail("invalid-ancestor", `block ${hash} descends from the invalid block ${parent.hash}`);
    checkBlockHeader(header, {
      params: this.params,
      parent: this.header(parent.hash),
      parentHash: parent.hash,
      difficulty: this.difficultyAfter(parent.hash),
      nowS: nowSeconds(this.clock),
    });
    return addWork(parent.work, header.difficulty);
  }

  /** Rules needing the parent; returns the result when the block is already known. */
  private precheck(checked: CheckedBlock): SubmitResult | undefined {
    const { block, hash } = checked;
    const known = this.store.blockInfo(hash);
    if (known !== undefined) {
      if (known.status === BlockStatus.Invalid) fail("invalid-ancestor", `block ${hash} was already found invalid`);
      return { outcome: "known", hash, height: known.height };
    }
    const parent = this.store.blockInfo(block.previous_hash);
    if (parent === undefined) {
      fail("unknown-parent", `the parent ${block.previous_hash} of block ${block.index} is not known here; send its ancestors first`);
    }
    if (parent.status === BlockStatus.Invalid) {
      fail("invalid-ancestor", `block ${hash} descends from the invalid block ${parent.hash}`);
    }
    checkBlockHeader(block, {
      params: this.params,
      parent: this.header(parent.hash),
      parentHash: parent.hash,
      difficulty: this.difficultyAfter(parent.hash),
      nowS: nowSeconds(this.clock),
    });
    for (let i = 1; i < block.transactions.length; i++) {
      const tx = block.transactions[i] as SignedTx;
      if (tx.network !== this.params.name) {
        fail("bad-network", `transaction ${i} is for network "${tx.network}", not "${this.params.name}"`);
      }
    }
    return undefined;
  }

  private accept(checked: CheckedBlock, signaturesChecked: boolean): SubmitResult {
    const { block, hash } = checked;
    const early = this.precheck(checked);
    if (early !== undefined) return early;
    if (!signaturesChecked) {
      for (let i = 1; i < block.transactions.length; i++) {
        requireSignature(block.transactions[i] as SignedTx, `transaction ${i} (${checked.txIds[i]})`);
      }
    }
    const parent = this.store.blockInfo(block.previous_hash) as NonNullable<ReturnType<ChainStore["blockInfo"]>>;
    const work = addWork(parent.work, block.difficulty);
    const info = { hash, height: block.index, prevHash: parent.hash, work, status: BlockStatus.Checked };
    const json = blockJson(block, hash, checked.txIds);
    const headerText = headerJson(block, hash);
    this.headers.remember(hash, headerOf(block)); // its child comes next: no read back from the store
    if (parent.hash === this.tip.hash) {
      this.extend(checked, () => this.store.insertBlock(info, json, headerText));
      return { outcome: "connected", hash, height: block.index };
    }
    this.store.insertBlock(info, json, headerText);
    if (isBetterChain(work, this.tip.work)) {
      this.reorganise(hash);
      return { outcome: "reorganized", hash, height: block.index };
    }
    this.notify({ hash, height: block.index });
    return { outcome: "side", hash, height: block.index };
  }

  /**
   * State-checks and connects a block on the current tip, inside the caller's transaction.
   * Every rule is checked (applyBlock) before the first write.
   */
  private connect(checked: CheckedBlock): void {
    const { block, hash, txIds } = checked;
    const overlay = new StateOverlay(this.store);
    const events = applyBlock(overlay, block, txIds, this.params);
    const undo = this.store.writeState(overlay.changes);
    this.store.putUndo(hash, undo);
    this.store.index.connected(hash, events);
    this.store.setMain(block.index, hash);
    this.store.setStatus(hash, BlockStatus.Valid);
    this.store.setMeta("tip", hash);
  }

  /** Undoes the main chain's tip block, inside the caller's transaction; returns it. */
  private disconnectTip(): CheckedBlock {
    const hash = this.store.meta("tip") as string;
    const info = this.store.blockInfo(hash);
    const undo = this.store.undo(hash);
    if (info === undefined || undo === undefined || info.height <= 1) {
      throw new Error(`cannot disconnect ${hash}: the store lacks its undo data`);
    }
    const checked = checkedFromJson(this.store.blockJson(hash) as string);
    this.store.restoreState(undo);
    this.store.deleteUndo(hash);
    this.store.index.disconnected(checked.block, hash);
    this.store.deleteMain(info.height);
    this.store.setMeta("tip", info.prevHash);
    return checked;
  }

  /** Stores (`insert`) and connects a block on the tip in one SQLite transaction. */
  private extend(checked: CheckedBlock, insert: () => void): void {
    const run = () => {
      insert();
      this.connect(checked);
    };
    try {
      // Inside submitMany's chunk transaction no savepoint is needed (its page copies cost more
      // than the block): `connect` checks every rule before its first write, so a refused
      // block has written only its `blocks` row, which is kept and marked invalid below anyway.
      if (this.deferred !== undefined) run();
      else this.store.transaction(run);
    } catch (err) {
      if (err instanceof RuleError) {
        insert(); // kept, marked invalid, so it is refused at once if it comes again
        this.markInvalid(checked.hash);
      }
      throw err;
    }
    this.tipCache = this.loadTip();
    this.notify({ tip: this.tipCache, disconnected: [], connected: [checked] });
  }

  /**
   * Moves the main chain to the stored block `target` (more work than the tip). If a block of
   * the new branch is invalid, the switch is undone unless the valid part alone has more work.
   */
  private reorganise(target: string): void {
    const branch: string[] = [];
    let cur = target;
    for (;;) {
      const info = this.store.blockInfo(cur);
      if (info === undefined) throw new Error(`block ${cur} is not stored`);
      if (this.store.mainHash(info.height) === cur) break;
      branch.push(cur);
      cur = info.prevHash;
    }
    const fork = cur;
    const oldWork = this.tip.work;
    const disconnected: CheckedBlock[] = [];
    const connected: CheckedBlock[] = [];
    let failure: { hash: string; err: RuleError } | undefined;
    const rollback = new Error("rollback");
    try {
      this.store.transaction(() => {
        while ((this.store.meta("tip") as string) !== fork) disconnected.push(this.disconnectTip());
        for (let i = branch.length - 1; i >= 0; i--) {
          const checked = checkedFromJson(this.store.blockJson(branch[i] as string) as string);
          try {
            this.connect(checked);
            connected.push(checked);
          } catch (err) {
            if (!(err instanceof RuleError)) throw err;
            failure = { hash: checked.hash, err };
            const reached = connected.length > 0 ? this.store.blockInfo((connected.at(-1) as CheckedBlock).hash) : undefined;
            if (reached === undefined || !isBetterChain(reached.work, oldWork)) throw rollback;
            break;
          }
        }
        if (disconnected.length > 0) this.emit("switching", disconnected, connected);
      });
    } catch (err) {
      if (err !== rollback) throw err;
      disconnected.length = 0;
      connected.length = 0;
    }
    if (failure !== undefined) this.markInvalid(failure.hash);
    this.tipCache = this.loadTip();
    if (connected.length > 0) this.notify({ tip: this.tipCache, disconnected, connected });
    if (failure !== undefined && connected.length === 0) throw failure.err;
  }

  /** Marks a block and every stored descendant invalid. */
  private markInvalid(hash: string): void {
    this.store.transaction(() => {
      const todo = [hash];
      while (todo.length > 0) {
        const h = todo.pop() as string;
        this.store.setStatus(h, BlockStatus.Invalid);
        todo.push(...this.store.children(h));
      }
    });
  }

  // --- reads ------------------------------------------------------------------

  /** A block's JSON text by index (main chain) or hash (any stored, not invalid). */
  blockJson(id: string | number): string | undefined {
    const hash = typeof id === "number" ? this.store.mainHash(id) : id;
    if (hash === undefined) return undefined;
    const info = this.store.blockInfo(hash);
    if (info === undefined || info.status === BlockStatus.Invalid) return undefined;
    return this.store.blockJson(hash);
  }

  isMain(hash: string): boolean {
    const info = this.store.blockInfo(hash);
    return info !== undefined && this.store.mainHash(info.height) === hash;
  }
}
