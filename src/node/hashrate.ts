/**
 * The miner's hash rate: tries reported by its threads over a sliding window, divided by the
 * time the window covers. The window starts when mining (re)started if that is more recent,
 * so the first seconds show the real rate, not that rate diluted by a fixed minimum span or
 * by tries of an earlier session of mining.
 */

/** Tries reported over the last WINDOW_MS count. */
const WINDOW_MS = 5000;
/** The longer view: the last minute. */
const MINUTE_MS = 60_000;
/** Mining that paused longer than this starts a new window (a pause shorter, as between two blocks, does not). */
const PAUSE_MS = 1000;

export class HashRate {
  private samples: Array<[at: number, tries: number]> = [];
  private activeSince = Number.NEGATIVE_INFINITY;
  private lastActive = Number.NEGATIVE_INFINITY;
  /** The last minute's reports, and the spans of time mining ran in it. */
  private minute: Array<[at: number, tries: number]> = [];
  private spans: Array<[start: number, end: number]> = [];

  /** Mining runs at `at` (ms): a job started, or a thread reported progress. */
  active(at: number): void {
    if (at - this.lastActive > PAUSE_MS) {
      this.activeSince = at;
      this.samples = [];
      this.spans.push([at, at]);
    } else {
      const span = this.spans.at(-1);
      if (span !== undefined) span[1] = Math.max(span[1], at);
    }
    this.lastActive = Math.max(this.lastActive, at);
  }

  /** A thread reports `tries` done since its previous report. */
  record(tries: number, at: number): void {
    this.active(at);
    this.samples.push([at, tries]);
    this.minute.push([at, tries]);
  }

  /**
   * Tries per second over the last minute, counting only the time mining ran in it (so it
   * still reads the machine's speed after mining stopped, until a minute has passed).
   */
  lastMinute(at: number): number {
    const from = at - MINUTE_MS;
    let drop = 0;
    while (drop < this.minute.length && (this.minute[drop] as [number, number])[0] < from) drop++;
    if (drop > 0) this.minute.splice(0, drop);
    this.spans = this.spans.filter(([, end]) => end >= from);
    let ms = 0;
    for (const [start, end] of this.spans) ms += Math.min(end, at) - Math.max(start, from);
    if (ms <= 0 || this.minute.length === 0) return 0;
    let total = 0;
    for (const [, n] of this.minute) total += n;
    return Math.round((total * 1000) / ms);
  }

  /** Tries per second at `at` (ms): the window's reported tries over the time it covers. */
  rate(at: number): number {
    const from = Math.max(at - WINDOW_MS, this.activeSince);
    let drop = 0;
    while (drop < this.samples.length && (this.samples[drop] as [number, number])[0] < from) drop++;
    if (drop > 0) this.samples.splice(0, drop);
    const span = at - from;
    if (this.samples.length === 0 || span <= 0) return 0;
    let total = 0;
    for (const [, n] of this.samples) total += n;
    return Math.round((total * 1000) / span);
  }
}
