/**
 * Copies known by their text (src/node/recent-texts.ts): bounded as said, and in the pool a
 * copy of a pending transaction is refused as "already-known" just as the full checks refuse
 * it, while the same text is taken again once the transaction has left the pool.
 */
import { afterEach, describe, expect, it } from "vitest";
import { RecentTexts, receivedText } from "../../src/node/recent-texts.js";
import { NET, signTx } from "../helpers/factory.js";
import { testKey } from "../helpers/keys.js";
import { outcome, poolOnChain } from "../helpers/pool-chain.js";

const cleanups: Array<() => void> = [];
afterEach(() => {
  for (const c of cleanups.splice(0).reverse()) c();
});

describe("recent texts", () => {
  it("keep at most the entries and characters allowed, the oldest going first", () => {
    const r = new RecentTexts(3, 100);
    for (const k of ["a", "b", "c", "d"]) r.remember(`text ${k}`, k);
    expect(["a", "b", "c", "d"].map((k) => r.get(`text ${k}`))).toEqual([undefined, "b", "c", "d"]);
    r.remember("x".repeat(30), "long"); // over a quarter of the characters: not kept
    expect(r.get("x".repeat(30))).toBeUndefined();
    const s = new RecentTexts(100, 40);
    for (const k of ["a", "b", "c"]) s.remember(`${k}`.repeat(10), k);
    s.remember("d".repeat(10), "d");
    s.remember("e".repeat(10), "e"); // 50 characters: the oldest goes
    expect(s.get("a".repeat(10))).toBeUndefined();
    expect(s.get("e".repeat(10))).toBe("e");
    expect(receivedText({ a: 1 })).toBe('{"a":1}');
    expect(receivedText("text")).toBeUndefined();
    expect(receivedText(null)).toBeUndefined();
    // nested deeper than JSON.stringify's stack: no text, and no exception (the schema refuses it next)
    let deep: unknown[] = [];
    for (let k = 0; k < 200_000; k++) deep = [deep];
    expect(receivedText(deep)).toBeUndefined();
  });

  it("in the pool: a pending transaction's copy is already known; once dropped, the same text is taken again", async () => {
    const alice = testKey("texts-alice");
    const { pool } = poolOnChain([alice], cleanups);
    const tx = signTx(alice, { type: "transfer", recipient: testKey("texts-bob").address, amount: 5, network: NET.name });
    const text = JSON.stringify(tx);
    const first = await pool.add(JSON.parse(text));
    expect(first.status).toBe("ready");
    for (let k = 0; k < 3; k++) expect(await outcome(pool.add(JSON.parse(text)))).toBe("already-known");
    expect(pool.remove(first.id)?.removed).toEqual([first.id]);
    expect(await outcome(pool.add(JSON.parse(text)))).toBe("ready");
  });
});
