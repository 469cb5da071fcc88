/** The simulation's virtual clock: time moves only when told; timers fire in one fixed order. */
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { sleep } from "../../src/node/clock.js";
import { VirtualClock } from "../../src/sim/virtual-clock.js";

describe("VirtualClock", () => {
  it("keeps its time until told to move, and never moves back", () => {
    const c = new VirtualClock(1_000);
    expect(c.now()).toBe(1_000);
    expect(c.advance(250)).toBe(0);
    expect(c.now()).toBe(1_250);
    c.runUntil(500);
    expect(c.now()).toBe(1_250);
  });

  it("fires timers by due time, then in the order they were set, each at its own time", () => {
    const c = new VirtualClock(0);
    const seen: string[] = [];
    const at = (name: string) => () => seen.push(`${name}@${c.now()}`);
    c.after(30, at("c"));
    c.after(10, at("a1"));
    c.after(20, at("b"));
    c.after(10, at("a2"));
    c.after(-5, at("now")); // a negative delay is no delay
    expect(c.pending).toBe(5);
    expect(c.advance(25)).toBe(4);
    expect(seen).toEqual(["now@0", "a1@10", "a2@10", "b@20"]);
    expect(c.now()).toBe(25);
    expect(c.nextAt()).toBe(30);
    c.advance(100);
    expect(seen.at(-1)).toBe("c@30");
    expect(c.pending).toBe(0);
    expect(c.nextAt()).toBeUndefined();
  });

  it("fires within the same run the timers that firing timers set, when they fall due in it", () => {
    const c = new VirtualClock(0);
    const seen: number[] = [];
    const tick = () => {
      seen.push(c.now());
      if (seen.length < 100) c.after(7, tick);
    };
    c.after(0, tick);
    expect(c.runUntil(50)).toBe(8); // 0, 7, ..., 49
    expect(seen).toEqual([0, 7, 14, 21, 28, 35, 42, 49]);
    // a timer set for now while another fires runs after it, not before
    const order: string[] = [];
    c.after(0, () => {
      order.push("first");
      c.after(0, () => order.push("third"));
    });
    c.after(0, () => order.push("second"));
    c.advance(0);
    expect(order).toEqual(["first", "second", "third"]);
  });

  it("does not fire a cancelled timer; cancelling twice or after firing changes nothing", () => {
    const c = new VirtualClock(0);
    let fired = 0;
    const t = c.after(10, () => fired++);
    const u = c.after(5, () => fired++);
    t.cancel();
    t.cancel();
    expect(c.pending).toBe(1);
    expect(c.nextAt()).toBe(5);
    c.advance(20);
    u.cancel();
    expect(fired).toBe(1);
    expect(c.pending).toBe(0);
    expect(c.step()).toBe(false);
  });

  it("sleep resolves after the clock's time, or at once when cancelled", async () => {
    const c = new VirtualClock(0);
    let done = false;
    const s = sleep(c, 1_000);
    void s.done.then(() => {
      done = true;
    });
    c.advance(999);
    await Promise.resolve();
    expect(done).toBe(false);
    c.advance(1);
    await s.done;
    expect(done).toBe(true);
    const t = sleep(c, 60_000);
    t.cancel();
    await t.done;
    expect(c.pending).toBe(0);
  });

  it("gives the same history for the same timers: those not cancelled fire by due time, then order set", () => {
    fc.assert(
      fc.property(fc.array(fc.tuple(fc.integer({ min: 0, max: 50 }), fc.boolean()), { maxLength: 60 }), (plan) => {
        const run = () => {
          const c = new VirtualClock(0);
          const log: string[] = [];
          const timers = plan.map(([ms], i) => c.after(ms, () => log.push(`${i}@${c.now()}`)));
          plan.forEach(([, cancel], i) => {
            if (cancel) timers[i]?.cancel();
          });
          c.advance(100);
          return log;
        };
        const a = run();
        expect(run()).toEqual(a);
        // fired: exactly the timers not cancelled, in (due time, index) order, each at its due time
        const expected = plan
          .map(([ms, cancel], i) => ({ ms, cancel, i }))
          .filter((t) => !t.cancel)
          .sort((x, y) => x.ms - y.ms || x.i - y.i)
          .map((t) => `${t.i}@${t.ms}`);
        expect(a).toEqual(expected);
      }),
    );
  });
});
