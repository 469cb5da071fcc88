/** Blocks announced before their parents: held (bounded) until the parents arrive. */
export class OrphanPool {
  private readonly byHash = new Map<string, { raw: unknown; prev: string }>();

  constructor(readonly max = 256) {}

  get size(): number {
    return this.byHash.size;
  }

  add(hash: string, prev: string, raw: unknown): void {
    if (this.byHash.has(hash)) return;
    if (this.byHash.size >= this.max) this.byHash.delete(this.byHash.keys().next().value as string);
    this.byHash.set(hash, { raw, prev });
  }

  /** Removes and returns the orphans whose parent satisfies `known`. */
  takeReady(known: (hash: string) => boolean): unknown[] {
    const out: unknown[] = [];
    for (const [hash, o] of this.byHash) {
      if (known(o.prev)) {
        this.byHash.delete(hash);
        out.push(o.raw);
      }
    }
    return out;
  }
}
