/**
 * Blocks nobody asked for (POST /blocks: a peer's announcement, or anyone's). Nothing is
 * stored that costs the sender less than it costs this node — Bitcoin Core's rules for
 * unrequested blocks — and the cheapest checks come first:
 *
 * 1. the header alone: shape, hash, proof of work, before any transaction is parsed or hashed;
 * 2. a block known (its body checked against its header), known invalid, or already held is
 *    answered at once; a copy of a stored block identical to one already announced here (every
 *    peer passes each new block on) is known by its JSON text alone, before any hashing;
 * 3. an unknown parent makes an orphan, held only if it carries the difficulty the network
 *    could require at its height; a catch-up with peers (who have the parents) starts, at
 *    most one a second;
 * 4. with the parent known: the header rules against it; a block whose chain would have less
 *    work than the tip is not stored (a tie is: two miners' race must stay a race) but held
 *    in memory, as its descendants may yet make a heavier branch;
 * 5. the whole block: signatures on the worker threads, then the state rules, then stored.
 *
 * Held blocks (orphans and low-work ones, one bounded pool: orphans.ts) are connected when a
 * chain of them from a stored block carries at least the tip's work, in order, through the
 * same full checks, off the request path of any other block. Blocks this node fetches itself
 * (sync: a header chain shown to carry more work first) and mines do not come through here.
 */
import type { Logger } from "pino";
import { checkBlockShape } from "../core/block.js";
import { fail, isRuleError } from "../core/errors.js";
import { meetsDifficulty } from "../core/pow.js";
import { parseBlock, parseBlockHeader } from "../core/schema.js";
import type { BlockHeader } from "../core/types.js";
import { BlockStatus } from "../store/schema.js";
import type { BatchVerify, Chain, SubmitResult } from "./chain.js";
import type { BlockOrigins } from "./chain-log.js";
import type { Clock, Timer } from "./clock.js";
import { OrphanPool } from "./orphans.js";
import { RecentTexts, receivedText } from "./recent-texts.js";

export type BlockAnnouncement = SubmitResult | { outcome: "orphan" | "low-work"; hash: string; height: number };

/** How far above our tip an orphan may claim to be and still be held (farther ones only start a catch-up). */
export const MAX_ORPHAN_AHEAD = 1000;
/** Catch-ups started by orphans: at most one per this many milliseconds. */
const CATCH_UP_EVERY_MS = 1000;

export class UnrequestedBlocks {
  readonly orphans = new OrphanPool();
  /** Stored blocks announced here more than once, by their text (the blocks peers are passing on right now). */
  private readonly copies = new RecentTexts(32, 1_000_000);
  private adopting: Promise<void> | undefined;
  private again = false;
  private lastCatchUp = 0;
  private catchUpTimer: Timer | undefined;

  constructor(
    private readonly chain: Chain,
    private readonly verify: BatchVerify,
    /** Starts a sync with all peers (they have the orphans' parents). */
    private readonly catchUp: () => void,
    private readonly log: Logger,
    private readonly clock: Clock,
    /** Told where a block it is about to store came from (the node's log). */
    private readonly origins?: Pick<BlockOrigins, "announced">,
  ) {}

  /**
   * Takes a block as received (unchecked JSON); `from`: the address it came from, for the log.
   * Throws a RuleError when it is invalid.
   */
  async receive(raw: unknown, from?: string): Promise<BlockAnnouncement> {
    // every peer passes a new block on: the copies after the first are known by their text, unhashed
    const text = receivedText(raw);
    const copyOf = text === undefined ? undefined : this.copies.get(text);
    if (copyOf !== undefined) {
      const known = this.chain.store.blockInfo(copyOf);
      if (known !== undefined && known.status !== BlockStatus.Invalid) return { outcome: "known", hash: copyOf, height: known.height };
    }
    const { header, hash } = parseBlockHeader(raw);
    if (!meetsDifficulty(hash, header.difficulty)) {
      fail("bad-pow", `block hash ${hash} does not meet difficulty ${header.difficulty} (hash × difficulty must be < 2^256)`);
    }
    const height = header.index;
    const known = this.chain.store.blockInfo(hash);
    if (known !== undefined) {
      if (known.status === BlockStatus.Invalid) fail("invalid-ancestor", `block ${hash} was already found invalid`);
      // the header is ours, the body may not be (a tampered copy): say so rather than "known";
      // a copy that is byte for byte the block as stored (as nodes of this kind announce it) is ours
      if (text !== this.chain.store.blockJson(hash)) {
        checkBlockShape(parseBlock(raw, this.chain.params.max_block_txs), this.chain.params);
      } else this.copies.remember(text as string, hash);
      return { outcome: "known", hash, height: known.height };
    }
    const held = this.orphans.get(hash);
    if (held !== undefined) return { outcome: this.isStored(header.previous_hash) ? "low-work" : "orphan", hash, height };
    this.origins?.announced(hash, from);
    if (!this.isStored(header.previous_hash)) return this.orphan(raw, header, hash, text);
    const work = this.chain.headerWork(header, hash);
    if (work >= this.chain.tip.work) {
      const r = await this.chain.submitAsync(raw, this.verify);
      await this.adopt(); // held blocks may continue it
      return r;
    }
    // less work than the tip: held, not stored, unless blocks held already continue it to enough work
    this.hold(raw, header, hash, text);
    await this.adopt();
    return this.outcomeOf(hash, height, "low-work");
  }

  /** Holds a block in memory: its whole shape checked first (context-free rules), so garbage is refused, not held. */
  private hold(raw: unknown, header: BlockHeader, hash: string, text: string | undefined): void {
    checkBlockShape(parseBlock(raw, this.chain.params.max_block_txs), this.chain.params);
    // the bytes of its JSON (the text it came as): its proof of work passed, so the sender paid real work for this much
    this.orphans.add({ hash, header, raw, bytes: (text ?? JSON.stringify(raw)).length });
  }

  /** What became of a held block once the adoption it may have started is over. */
  private outcomeOf(hash: string, height: number, held: "orphan" | "low-work"): BlockAnnouncement {
    if (!this.isStored(hash)) return { outcome: held, hash, height };
    return { outcome: this.chain.isMain(hash) ? "connected" : "side", hash, height };
  }

  private isStored(hash: string): boolean {
    return this.chain.store.blockInfo(hash) !== undefined;
  }

  private async orphan(raw: unknown, header: BlockHeader, hash: string, text: string | undefined): Promise<BlockAnnouncement> {
    const floor = this.orphanFloor(header.index);
    if (this.chain.params.retarget === null && header.difficulty !== floor) {
      fail("bad-difficulty", `difficulty ${header.difficulty} must be ${floor}: this network's difficulty is fixed`);
    }
    if (header.difficulty < floor) {
      fail(
        "bad-difficulty",
        `difficulty ${header.difficulty} is below ${floor}, the least this network could require at height ${header.index}`,
      );
    }
    if (header.index <= this.chain.tip.height + MAX_ORPHAN_AHEAD) {
      this.hold(raw, header, hash, text);
      const root = this.orphans.root(hash);
      // it continues held blocks that start from a stored one: maybe that chain now has the work
      if (root !== undefined && this.isStored(root.header.previous_hash)) {
        await this.adopt();
        return this.outcomeOf(hash, header.index, "orphan");
      }
    }
    this.requestCatchUp();
    return { outcome: "orphan", hash, height: header.index };
  }

  /**
   * The least difficulty a block at `index` could carry on a chain this node may come to
   * follow: on a fixed-difficulty network exactly the difficulty; with retargeting, the next
   * block's difficulty divided by 4 (the most one retarget can lower it) once per retarget
   * between our tip and `index`, and once more for a fork below the tip.
   */
  private orphanFloor(index: number): number {
    const params = this.chain.params;
    if (params.retarget === null) return params.difficulty;
    const next = this.chain.difficultyAfter(this.chain.tip.hash);
    const interval = params.retarget.interval;
    const retargets = Math.max(0, Math.floor((index - 1) / interval) - Math.floor(this.chain.tip.height / interval));
    return Math.max(1, Math.floor(next / 4 ** Math.min(retargets + 1, 26)));
  }

  private requestCatchUp(): void {
    if (this.catchUpTimer !== undefined) return;
    const wait = Math.max(0, this.lastCatchUp + CATCH_UP_EVERY_MS - this.clock.now());
    this.catchUpTimer = this.clock.after(wait, () => {
      this.catchUpTimer = undefined;
      this.lastCatchUp = this.clock.now();
      this.catchUp();
    });
  }

  /**
   * Connects held blocks that now can be: every chain of them from a stored block whose work
   * reaches the tip's, in order, through the full checks (signatures on the worker threads).
   * One adoption runs at a time; the promise settles when no held block is left to connect.
   */
  adopt(): Promise<void> {
    if (this.adopting !== undefined) {
      this.again = true;
      return this.adopting;
    }
    if (this.orphans.size === 0) return Promise.resolve();
    this.adopting = (async () => {
      do {
        this.again = false;
        await this.adoptLoop();
      } while (this.again);
    })().finally(() => {
      this.adopting = undefined;
    });
    return this.adopting;
  }

  private async adoptLoop(): Promise<void> {
    for (let round = 0; round < this.orphans.limits.maxCount; round++) {
      let progressed = false;
      for (const root of this.orphans.roots((h) => this.isStored(h))) {
        if (this.isStored(root.hash)) {
          this.orphans.remove(root.hash); // stored meanwhile (a sync); its held children become roots
          progressed = true;
          continue;
        }
        const base = this.chain.store.blockInfo(root.header.previous_hash);
        const best = this.orphans.heaviestFrom(root.hash);
        if (base === undefined || base.status === BlockStatus.Invalid || base.work + best.work < this.chain.tip.work) {
          if (base?.status === BlockStatus.Invalid) this.orphans.removeWithDescendants(root.hash);
          continue;
        }
        for (const d of best.path) {
          this.orphans.remove(d.hash);
          try {
            await this.chain.submitAsync(d.raw, this.verify);
            progressed = true;
          } catch (err) {
            if (!isRuleError(err)) this.log.error({ err }, "connecting a held block failed");
            this.orphans.removeWithDescendants(d.hash); // invalid, and everything built on it
            break;
          }
        }
      }
      if (!progressed) return;
    }
  }

  close(): void {
    this.catchUpTimer?.cancel();
  }
}
