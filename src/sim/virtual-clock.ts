/**
 * Virtual time for running real nodes in a simulation: a Clock whose time moves only when
 * the simulation says so, and whose timers fire in a fixed order (by due time, then by the
 * order they were set), so that one seed replays one history. Nothing here reads the
 * machine's clock.
 */
import type { Clock, Timer } from "../node/clock.js";

interface Entry {
  at: number;
  seq: number;
  fn: () => void;
  live: boolean;
}

/** Entry `a` fires before `b`. */
const before = (a: Entry, b: Entry) => a.at < b.at || (a.at === b.at && a.seq < b.seq);

export class VirtualClock implements Clock {
  private time: number;
  private seq = 0;
  /** A binary min-heap of timers, cancelled ones included until they reach the top. */
  private readonly heap: Entry[] = [];
  private live = 0;

  /** `startMs`: the clock's time at the start, in milliseconds since the epoch. */
  constructor(startMs: number) {
    this.time = startMs;
  }

  now(): number {
    return this.time;
  }

  after(ms: number, fn: () => void): Timer {
    // whole milliseconds, as the machine's clock reads them
    const entry: Entry = { at: this.time + Math.max(0, Math.ceil(ms)), seq: this.seq++, fn, live: true };
    this.push(entry);
    this.live++;
    return {
      cancel: () => {
        if (!entry.live) return;
        entry.live = false;
        this.live--;
      },
    };
  }

  private firedCount = 0;

  /** Timers fired so far. */
  get fired(): number {
    return this.firedCount;
  }

  /** Timers set and not yet fired or cancelled. */
  get pending(): number {
    return this.live;
  }

  /** When the next timer is due, or undefined when none is set. */
  nextAt(): number | undefined {
    this.dropCancelled();
    return this.heap[0]?.at;
  }

  /**
   * Fires the next timer, moving the clock to its time; false when none is set. A timer set
   * while another fires, due at the same time, fires after it (it was set later).
   */
  step(): boolean {
    this.dropCancelled();
    const entry = this.pop();
    if (entry === undefined) return false;
    entry.live = false;
    this.live--;
    this.time = Math.max(this.time, entry.at);
    this.firedCount++;
    entry.fn();
    return true;
  }

  /** Fires, in order, every timer due at or before `atMs` (also those they set), then moves the clock to `atMs`. */
  runUntil(atMs: number): number {
    let fired = 0;
    for (let next = this.nextAt(); next !== undefined && next <= atMs; next = this.nextAt()) {
      this.step();
      fired++;
    }
    this.time = Math.max(this.time, atMs);
    return fired;
  }

  /** `runUntil(now + ms)`. */
  advance(ms: number): number {
    return this.runUntil(this.time + Math.max(0, ms));
  }

  private dropCancelled(): void {
    while (this.heap.length > 0 && !this.heap[0]?.live) this.pop();
  }

  private push(entry: Entry): void {
    const h = this.heap;
    h.push(entry);
    let i = h.length - 1;
    while (i > 0) {
      const parent = (i - 1) >> 1;
      const p = h[parent] as Entry;
      if (!before(entry, p)) break;
      h[i] = p;
      i = parent;
    }
    h[i] = entry;
  }

  private pop(): Entry | undefined {
    const h = this.heap;
    const top = h[0];
    const last = h.pop();
    if (top === undefined || last === undefined || h.length === 0) return top;
    let i = 0;
    for (;;) {
      const l = 2 * i + 1;
      if (l >= h.length) break;
      const r = l + 1;
      const child = r < h.length && before(h[r] as Entry, h[l] as Entry) ? r : l;
      if (!before(h[child] as Entry, last)) break;
      h[i] = h[child] as Entry;
      i = child;
    }
    h[i] = last;
    return top;
  }
}
