/**
 * The first half of headers-first sync: a peer's branch from the fork point, checked header
 * by header — link, index, time, required difficulty, proof of work — and its cumulative work
 * summed, before a single block of it is fetched or stored (as Bitcoin Core's headers presync).
 * A peer can then make this node store only blocks of a branch shown to carry more work than
 * its tip. Kept per branch: each block's hash, packed (the blocks fetched later must match),
 * and the few headers the difficulty rule may still look back at.
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

/** Headers one branch may hold: their hashes are kept, 32 bytes each (32 MB at most). */
export const MAX_BRANCH_HEADERS = 1_000_000;
/** Hashes per chunk of the packed store (2 MiB). */
const CHUNK = 65_536;

export class HeaderBranch {
  /** The hashes of the branch's blocks from height `fork + 1`, 32 bytes each, in chunks. */
  private readonly chunks: Buffer[] = [];
  private count = 0;
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
    return this.fork + this.count;
  }

  /** The branch's hash at `height`, if it holds one. */
  hashAt(height: number): string | undefined {
    const i = height - this.fork - 1;
    if (i < 0 || i >= this.count) return undefined;
    const at = (i % CHUNK) * 32;
    return (this.chunks[Math.floor(i / CHUNK)] as Buffer).toString("hex", at, at + 32);
  }

  private push(hash: string): void {
    const i = this.count;
    if (i % CHUNK === 0) this.chunks.push(Buffer.allocUnsafe(CHUNK * 32));
    (this.chunks[Math.floor(i / CHUNK)] as Buffer).write(hash, (i % CHUNK) * 32, "hex");
    this.count++;
  }

  /**
   * Checks a page of headers (raw, as received) that continue the branch, and appends them.
   * Throws a RuleError for an invalid header (the peer's fault); stops without blame at a
   * header whose time is still ahead of `nowS` (the node's clock, in seconds; `future` is then set).
   */
  append(page: readonly unknown[], nowS: number): void {
    const params = this.chain.params;
    for (const raw of page) {
      if (this.future) return;
      if (this.count >= MAX_BRANCH_HEADERS) {
        fail("bad-schema", `a branch of more than ${MAX_BRANCH_HEADERS} headers past the fork point, without more work than ours`);
      }
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
          nowS,
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
      this.push(hash);
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
    let lo = this.fork + 1; // the blocks below `lo` are stored
    let hi = this.height + 1;
    while (lo < hi) {
      const mid = Math.floor((lo + hi) / 2);
      if (this.chain.store.blockInfo(this.hashAt(mid) as string) !== undefined) lo = mid + 1;
      else hi = mid;
    }
    return lo;
  }
}
