/**
 * Blocks held in memory, not stored: orphans (announced before their parents) and blocks
 * whose chain has, so far, less work than the tip (each may become part of a heavier branch
 * as its descendants arrive). Bounded in count and in bytes, the oldest leaving first, so a
 * sender cannot make this node hold more than a few megabytes of blocks it did not ask for.
 */
import type { BlockHeader } from "../core/types.js";

export interface OrphanLimits {
  maxCount: number;
  maxBytes: number;
}

export const ORPHAN_LIMITS: OrphanLimits = { maxCount: 100, maxBytes: 16 * 1024 * 1024 };

export interface Detached {
  hash: string;
  header: BlockHeader;
  /** The block as received (unchecked beyond its header). */
  raw: unknown;
  bytes: number;
}

export class OrphanPool {
  private readonly byHash = new Map<string, Detached>();
  private readonly children = new Map<string, Set<string>>();
  private held = 0;

  constructor(readonly limits: OrphanLimits = ORPHAN_LIMITS) {}

  get size(): number {
    return this.byHash.size;
  }

  /** Bytes held (of the blocks' JSON). */
  get bytes(): number {
    return this.held;
  }

  get(hash: string): Detached | undefined {
    return this.byHash.get(hash);
  }

  /** Holds a block, dropping the oldest to stay within the limits; false if it cannot fit at all. */
  add(d: Detached): boolean {
    if (this.byHash.has(d.hash)) return true;
    if (d.bytes > this.limits.maxBytes) return false;
    while (this.byHash.size > 0 && (this.byHash.size >= this.limits.maxCount || this.held + d.bytes > this.limits.maxBytes)) {
      this.remove(this.byHash.keys().next().value as string);
    }
    this.byHash.set(d.hash, d);
    let kids = this.children.get(d.header.previous_hash);
    if (kids === undefined) {
      kids = new Set();
      this.children.set(d.header.previous_hash, kids);
    }
    kids.add(d.hash);
    this.held += d.bytes;
    return true;
  }

  remove(hash: string): void {
    const d = this.byHash.get(hash);
    if (d === undefined) return;
    this.byHash.delete(hash);
    this.held -= d.bytes;
    const kids = this.children.get(d.header.previous_hash);
    kids?.delete(hash);
    if (kids?.size === 0) this.children.delete(d.header.previous_hash);
  }

  /** Removes a held block and every held descendant of it. */
  removeWithDescendants(hash: string): void {
    const todo = [hash];
    while (todo.length > 0) {
      const h = todo.pop() as string;
      todo.push(...(this.children.get(h) ?? []));
      this.remove(h);
    }
  }

  /** The first held block on the way up from `hash` whose parent is not held (`hash` itself if its parent is not). */
  root(hash: string): Detached | undefined {
    let d = this.byHash.get(hash);
    for (let steps = 0; d !== undefined && steps <= this.limits.maxCount; steps++) {
      const up = this.byHash.get(d.header.previous_hash);
      if (up === undefined) return d;
      d = up;
    }
    return d;
  }

  /** Held blocks whose parent satisfies `stored`. */
  roots(stored: (hash: string) => boolean): Detached[] {
    return [...this.byHash.values()].filter((d) => !this.byHash.has(d.header.previous_hash) && stored(d.header.previous_hash));
  }

  /** The held chain with the most work starting at `hash` (itself first), following held children, and that work. */
  heaviestFrom(hash: string): { path: Detached[]; work: bigint } {
    const d = this.byHash.get(hash);
    if (d === undefined) return { path: [], work: 0n };
    let best: { path: Detached[]; work: bigint } = { path: [], work: 0n };
    for (const child of this.children.get(hash) ?? []) {
      const sub = this.heaviestFrom(child);
      if (sub.work > best.work) best = sub;
    }
    return { path: [d, ...best.path], work: BigInt(d.header.difficulty) + best.work };
  }
}
