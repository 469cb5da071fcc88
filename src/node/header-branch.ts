/**
 * The first half of headers-first sync: a peer's branch from the fork point, checked header
 * by header — link, index, time, required difficulty, proof of work — and its cumulative work
 * summed, before a single block of it is fetched or stored (as Bitcoin Core's headers presync).
 * A peer can then make this node store only blocks of a branch shown to carry more work than
 * its tip. Kept per branch: each block's hash (the blocks fetched later must match) and the
 * few headers the difficulty rule may still look back at.
 */
import { checkBlockHeader } from "../core/block.js";
import { requiredDifficulty, retargetAncestorIndex } from "../core/difficulty.js";
import { fail, isRuleError } from "../core/errors.js";
import { meetsDifficulty } from "../core/pow.js";
import { parseHeader } from "../core/schema.js";
import type { BlockHeader } from "../core/types.js";
import { addWork } from "../core/work.js";
import { BlockStatus } from "../store/schema.js";
import type { Chain } from "./chain.js";

/** Headers one branch may hold (hashes kept in memory: about 100 bytes each). */
export const MAX_BRANCH_HEADERS = 2_000_000;

export class HeaderBranch {
  /** `hashes[i]`: the hash of the branch's block at height `fork + 1 + i`. */
  readonly hashes: string[] = [];
  /** Cumulative work at the branch's last header. */
  work: bigint;
  /** Set when a header's time is ahead of this node's clock: the branch ends before it, for now. */
  future = false;
  private last: BlockHeader;
  private lastHash: string;
  /** Headers of the branch the difficulty rule may still need (retargeting networks only), by index. */
  private readonly recent = new Map<number, BlockHeader>();

  constructor(
    private readonly chain: Chain,
    /** Height of the last block the branch shares with our main chain. */
    readonly fork: number,
  ) {
    const hash = chain.store.mainHash(fork);
    const info = hash === undefined ? undefined : chain.store.blockInfo(hash);
    if (hash === undefined || info === undefined) throw new Error(`no main-chain block at ${fork}`);
    this.lastHash = hash;
    this.last = chain.header(hash);
    this.work = info.work;
  }

  /** Height of the branch's last header. */
  get height(): number {
    return this.fork + this.hashes.length;
  }

  /** The branch's hash at `height`, if it holds one. */
  hashAt(height: number): string | undefined {
    return this.hashes[height - this.fork - 1];
  }

  /**
   * Checks a page of headers (raw, as received) that continue the branch, and appends them.
   * Throws a RuleError for an invalid header (the peer's fault); stops without blame at a
   * header whose time is still ahead of `now` (`future` is then set).
   */
  append(page: readonly unknown[], now: number): void {
    const params = this.chain.params;
    for (const raw of page) {
      if (this.future) return;
      if (this.hashes.length >= MAX_BRANCH_HEADERS) fail("bad-schema", `a branch of more than ${MAX_BRANCH_HEADERS} headers`);
      const { header, hash } = parseHeader(raw);
      if (!meetsDifficulty(hash, header.difficulty)) {
        fail("bad-pow", `header ${header.index} (${hash}) does not meet its difficulty ${header.difficulty}`);
      }
      const ai = retargetAncestorIndex(params, this.last.index);
      const ancestor = ai === undefined ? undefined : this.ancestor(ai);
      try {
        checkBlockHeader(header, {
          params,
          parent: this.last,
          parentHash: this.lastHash,
          difficulty: requiredDifficulty(params, this.last, ancestor),
          now,
        });
      } catch (err) {
        if (isRuleError(err) && err.code === "time-too-new") {
          this.future = true;
          return;
        }
        throw err;
      }
      if (this.chain.store.blockInfo(hash)?.status === BlockStatus.Invalid) {
        fail("invalid-ancestor", `header ${header.index} is of block ${hash}, already found invalid`);
      }
      this.hashes.push(hash);
      this.work = addWork(this.work, header.difficulty);
      this.last = header;
      this.lastHash = hash;
      if (params.retarget !== null) {
        this.recent.set(header.index, header);
        this.recent.delete(header.index - params.retarget.interval - 1);
      }
    }
  }

  /** The header at `index` (≤ the branch's height): ours below the fork, the branch's above. */
  private ancestor(index: number): BlockHeader | undefined {
    if (index <= this.fork) {
      const h = this.chain.store.mainHash(index);
      return h === undefined ? undefined : this.chain.header(h);
    }
    return this.recent.get(index);
  }

  /**
   * The height of the first block of the branch not stored here: earlier attempts (cut short
   * by time or a failure) stored a prefix of it, which is not fetched again.
   */
  firstMissing(): number {
    let lo = 0; // hashes[0, lo) are stored
    let hi = this.hashes.length;
    while (lo < hi) {
      const mid = (lo + hi) >> 1;
      if (this.chain.store.blockInfo(this.hashes[mid] as string) !== undefined) lo = mid + 1;
      else hi = mid;
    }
    return this.fork + 1 + lo;
  }
}
