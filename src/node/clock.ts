/**
 * The node's clock: one interface, one unit (milliseconds since the epoch). Every part that
 * reads the time takes a Clock in its constructor, so a simulation can run real nodes
 * on virtual time; block timestamps are seconds, derived with `nowSeconds`.
 */
export interface Clock {
  /** Milliseconds since the epoch. */
  now(): number;
}

/** The machine's clock. */
export const systemClock: Clock = { now: () => Date.now() };

/** The clock's time in (fractional) seconds since the epoch: the unit of block timestamps. */
export function nowSeconds(clock: Clock): number {
  return clock.now() / 1000;
}
