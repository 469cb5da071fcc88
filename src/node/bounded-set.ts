/**
 * A set of strings that keeps at most `max`: when full, the oldest quarter goes at once (a
 * Set iterates in insertion order), so adding stays cheap. For what a node remembers only to
 * save work (ids it announced, signatures it found valid): forgetting costs a repeat, no more.
 */
export class BoundedSet {
  private readonly items = new Set<string>();

  constructor(readonly max: number) {}

  has(key: string): boolean {
    return this.items.has(key);
  }

  get size(): number {
    return this.items.size;
  }

  add(key: string): void {
    if (this.items.has(key)) return;
    if (this.items.size >= this.max) {
      let drop = Math.max(1, Math.floor(this.max / 4));
      for (const k of this.items) {
        this.items.delete(k);
        if (--drop <= 0) break;
      }
    }
    this.items.add(key);
  }
}
