/** Block headers of the stored tree, cached, and what the difficulty rule needs of them. */
import { requiredDifficulty, retargetAncestorIndex } from "../core/difficulty.js";
import { headerOf } from "../core/encoding.js";
import type { BlockHeader, NetworkParams } from "../core/types.js";
import type { ChainStore } from "../store/chain-store.js";

const HEADER_CACHE = 4096;

export class HeaderIndex {
  private readonly cache = new Map<string, BlockHeader>();

  constructor(
    private readonly store: ChainStore,
    private readonly params: NetworkParams,
  ) {}

  /** Header of a stored block. */
  get(hash: string): BlockHeader {
    let h = this.cache.get(hash);
    if (h === undefined) {
      const b = this.store.block(hash);
      if (b === undefined) throw new Error(`block ${hash} is not stored`);
      h = headerOf(b);
      this.remember(hash, h);
    }
    return h;
  }

  /** Keeps a header known to belong to `hash` (a block being stored: its child comes next). */
  remember(hash: string, h: BlockHeader): void {
    if (this.cache.has(hash)) return;
    if (this.cache.size >= HEADER_CACHE) this.cache.delete(this.cache.keys().next().value as string);
    this.cache.set(hash, h);
  }

  /** Hash of the ancestor at `height` of the stored block `hash`. */
  ancestorHash(hash: string, height: number): string | undefined {
    let cur = hash;
    for (;;) {
      const info = this.store.blockInfo(cur);
      if (info === undefined || info.height < height) return undefined;
      if (this.store.mainHash(info.height) === cur) return this.store.mainHash(height);
      if (info.height === height) return cur;
      cur = info.prevHash;
    }
  }

  /** The difficulty a child of the stored block `parentHash` must carry. */
  difficultyAfter(parentHash: string): number {
    const parent = this.get(parentHash);
    const ai = retargetAncestorIndex(this.params, parent.index);
    const ancestor = ai === undefined ? undefined : this.ancestorHash(parentHash, ai);
    return requiredDifficulty(this.params, parent, ancestor === undefined ? undefined : this.get(ancestor));
  }
}
