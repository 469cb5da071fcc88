/**
 * A node's own view of the world's virtual clock: the same time plus a fixed offset (the
 * node's clock skew), and the timers the node set, so that a crash can stop them all at once
 * (a process that dies fires none of its timers).
 */
import type { Clock, Timer } from "../node/clock.js";

const NEVER: Timer = { cancel: () => undefined };

export class NodeClock implements Clock {
  private readonly timers = new Set<Timer>();
  private stopped = false;

  /** `skewMs`: how far this node's clock reads ahead of the world's (negative: behind). */
  constructor(
    private readonly base: Clock,
    readonly skewMs = 0,
  ) {}

  /** False once stopped (the node crashed). */
  get running(): boolean {
    return !this.stopped;
  }

  now(): number {
    return this.base.now() + this.skewMs;
  }

  after(ms: number, fn: () => void): Timer {
    if (this.stopped) return NEVER;
    const holder: { timer?: Timer } = {};
    const timer = this.base.after(ms, () => {
      this.timers.delete(holder.timer as Timer);
      fn();
    });
    holder.timer = timer;
    this.timers.add(timer);
    return {
      cancel: () => {
        this.timers.delete(timer);
        timer.cancel();
      },
    };
  }

  /** Cancels every timer set and fires none set from now on. */
  stop(): void {
    this.stopped = true;
    for (const t of this.timers) t.cancel();
    this.timers.clear();
  }
}
