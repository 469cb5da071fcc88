/**
 * The node's clock: one interface, one unit (milliseconds since the epoch), for reading the
 * time and for waiting. Every part that reads the time or sets a timer takes a Clock in its
 * constructor, so a simulation can run real nodes on virtual time; block timestamps are
 * seconds, derived with `nowSeconds`.
 */
export interface Clock {
  /** Milliseconds since the epoch. */
  now(): number;
  /**
   * Calls `fn` once, `ms` milliseconds of this clock's time from now. `keepAlive: false`: the
   * timer alone does not keep the process running (the machine's clock only).
   */
  after(ms: number, fn: () => void, opts?: { keepAlive?: boolean }): Timer;
}

/** A timer set with `Clock.after`. */
export interface Timer {
  /** Stops it from firing; does nothing once it has fired or been cancelled. */
  cancel(): void;
}

/** The machine's clock. */
export const systemClock: Clock = {
  now: () => Date.now(),
  after(ms, fn, opts) {
    const t = setTimeout(fn, ms);
    if (opts?.keepAlive === false) t.unref();
    return { cancel: () => clearTimeout(t) };
  },
};

/** The clock's time in (fractional) seconds since the epoch: the unit of block timestamps. */
export function nowSeconds(clock: Clock): number {
  return clock.now() / 1000;
}

/** Resolves after `ms` of the clock's time; the returned `cancel` resolves it at once. */
export function sleep(clock: Clock, ms: number): { done: Promise<void>; cancel(): void } {
  let timer: Timer | undefined;
  let wake: () => void = () => undefined;
  const done = new Promise<void>((resolve) => {
    wake = resolve;
    timer = clock.after(ms, resolve);
  });
  return {
    done,
    cancel: () => {
      timer?.cancel();
      wake();
    },
  };
}
