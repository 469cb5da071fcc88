import { fnv1a } from "../crypto/hash.js";

/** A small seeded PRNG (mulberry32), so every run with the same seed makes the same choices. */
export class Rng {
  private s: number;
  constructor(seed: number) {
    this.s = seed >>> 0;
  }
  /** A stream of its own for one purpose (mining, transactions, faults) from one seed: drawing from one leaves the others as they were. */
  static stream(seed: number, purpose: string): Rng {
    return new Rng(fnv1a(purpose, seed ^ 0x811c9dc5)); // FNV-1a over the purpose, from the seed
  }
  /** In [0, 1). */
  next(): number {
    this.s = (this.s + 0x6d2b79f5) >>> 0;
    let t = this.s;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  }
  /** An integer in [lo, hi]. */
  int(lo: number, hi: number): number {
    return lo + Math.floor(this.next() * (hi - lo + 1));
  }
  pick<T>(items: readonly T[]): T {
    return items[Math.floor(this.next() * items.length)] as T;
  }
  chance(p: number): boolean {
    return this.next() < p;
  }
}
