/** A failing peer is left alone for 1 s, 2 s, 4 s ...; failures of requests in flight together count once. */
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { type Peer, PeerSet } from "../../src/node/peers.js";
import { VirtualClock } from "../../src/sim/virtual-clock.js";
import { type Db, openDb } from "../../src/store/db.js";
import { PeerStore } from "../../src/store/peer-store.js";

const open: Array<{ db: Db; dir: string }> = [];
afterEach(() => {
  for (const { db, dir } of open.splice(0)) {
    db.close();
    rmSync(dir, { recursive: true, force: true });
  }
});

function peerSet(clock: VirtualClock, onHealth?: (p: Peer, change: "up" | "down") => void): PeerSet {
  const dir = mkdtempSync(join(tmpdir(), "tinychain-peers-"));
  const db = openDb(join(dir, "chain.db"));
  open.push({ db, dir });
  return new PeerSet(new PeerStore(db), { clock, ...(onHealth ? { onHealth } : {}) });
}

describe("peer back-off", () => {
  it("a burst of failures at one moment counts as one: the peer is back after 1 s, not minutes", () => {
    const clock = new VirtualClock(1_000_000);
    const peers = peerSet(clock);
    const p = peers.add("http://127.0.0.1:5001");
    if (p === undefined) throw new Error("added");
    for (let i = 0; i < 8; i++) peers.markFailed(p, "no answer within 3000 ms"); // eight announcements timing out together
    expect(p.failures).toBe(1);
    expect(peers.due()).toEqual([]);
    clock.advance(1_000);
    expect(peers.due()).toEqual([p]);
  });

  it("failures one after another double the wait, up to 5 minutes; an answer ends it", () => {
    const clock = new VirtualClock(1_000_000);
    const peers = peerSet(clock);
    const p = peers.add("http://127.0.0.1:5002");
    if (p === undefined) throw new Error("added");
    const waits: number[] = [];
    for (let i = 0; i < 12; i++) {
      peers.markFailed(p, "unreachable");
      waits.push(p.nextTry - clock.now());
      clock.advance(p.nextTry - clock.now());
    }
    expect(waits).toEqual([1, 2, 4, 8, 16, 32, 64, 128, 256, 300, 300, 300].map((s) => s * 1000));
    peers.markSeen(p);
    expect([p.failures, peers.due()]).toEqual([0, [p]]);
  });

  it("tells when a peer comes up, stops answering (once, however long it stays down) and is back", () => {
    const clock = new VirtualClock(1_000_000);
    const told: string[] = [];
    const peers = peerSet(clock, (p, change) => told.push(`${p.label} ${change}`));
    const p = peers.add("http://127.0.0.1:5001");
    if (p === undefined) throw new Error("added");
    peers.markSeen(p);
    peers.markSeen(p);
    peers.markFailed(p, "connection refused");
    clock.advance(1_000);
    peers.markFailed(p, "connection refused");
    clock.advance(2_000);
    peers.markSeen(p);
    expect(told).toEqual(["127.0.0.1:5001 up", "127.0.0.1:5001 down", "127.0.0.1:5001 up"]);
  });
});
