/**
 * The audit's "free pool jamming" (issue 16) on a small scale, against a real node: with
 * `--pool-size 50`, 120 keys that never held a coin each send a nonce-1 transfer (their next
 * nonce is 0, so it would wait in the pool) at a fee of 2^53−1. Before the pool checked that
 * future nonces can be paid, 50 of them filled the pool, every honest transaction was told to
 * offer a fee above 2^53−1, and the jam came back after a restart. Now none is taken, an
 * honest funded transfer is taken (201) and mined; and a jam left in the saved pool by the
 * older code (written into the stopped node's store here) is dropped when the node restarts.
 * Transactions are signed with the project's own core (test/helpers/factory.ts).
 */
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { txId } from "../../src/core/encoding.js";
import { openDb } from "../../src/store/db.js";
import { PoolStore } from "../../src/store/pool-store.js";
import { signTx } from "../helpers/factory.js";
import { key2, testKey } from "../helpers/keys.js";
import { http, type NodeProc, removeDir, startNode, tempDir } from "../helpers/node-process.js";
import { idsOf, mine, mineN, sendFromNode } from "./support.js";

const DIFFICULTY = 16;
const POOL_SIZE = 50;
const ATTACKERS = 120;
const ARGS = ["--pool-size", String(POOL_SIZE), "--sync-interval", "0"];

let node: NodeProc | undefined;
let dataDir: string | undefined;

afterAll(async () => {
  await node?.stop();
  if (dataDir) removeDir(dataDir);
});

/** The rows of a stopped node's saved pool; `add` saves more first, as the pool would have. */
function savedPool(dir: string, add: ReadonlyArray<{ id: string; json: string; received: number }> = []): string[] {
  const db = openDb(join(dir, "chain.db"));
  try {
    const store = new PoolStore(db);
    store.addMany(add);
    return store.all().map((r) => r.id);
  } finally {
    db.close();
  }
}

const pendingIds = async (url: string): Promise<string[]> => idsOf((await http(`${url}/transactions/pending`)).body.transactions);

describe("free pool jamming (issue 16)", () => {
  it(`${ATTACKERS} unfunded future nonces at fee 2^53-1 cannot fill --pool-size ${POOL_SIZE}: an honest transfer is taken and mined, and a saved jam is dropped at restart`, {
    timeout: 180_000,
  }, async () => {
    dataDir = tempDir("tc-pool-jam-");
    node = await startNode({ dataDir, difficulty: DIFFICULTY, args: ARGS });
    const network = (await http(`${node.url}/status`)).body.network as string;

    // an honest sender with 2 coins, from the node's wallet
    const honest = testKey("pool jam honest");
    await mineN(node.url, 3);
    await sendFromNode(node.url, honest.address, 2);
    await mine(node.url);
    expect((await http(`${node.url}/accounts/${honest.address}`)).body).toMatchObject({ balance: 2, nonce: 0 });

    // the attack: one request at a time, bounded in count and time
    const jam = Array.from({ length: ATTACKERS }, (_, i) =>
      signTx(testKey(`pool jam attacker ${i}`), {
        type: "transfer",
        network,
        recipient: key2.address,
        amount: 1,
        fee: Number.MAX_SAFE_INTEGER,
        nonce: 1,
      }),
    );
    const answers = new Map<string, number>();
    const deadline = Date.now() + 60_000;
    for (const tx of jam) {
      if (Date.now() > deadline) throw new Error(`the attack's ${ATTACKERS} requests took over 60 s`);
      const r = await http(`${node.url}/transactions`, { body: tx, timeoutMs: 10_000 });
      const key = `${r.status} ${r.body?.code ?? ""}`.trim();
      answers.set(key, (answers.get(key) ?? 0) + 1);
    }
    const pendingAfterJam = (await pendingIds(node.url)).length;

    // an honest transfer at a fee of 1
    const tx = signTx(honest, { type: "transfer", network, recipient: key2.address, amount: 1, fee: 1, nonce: 0 });
    const sent = await http(`${node.url}/transactions`, { body: tx });
    const block = await mine(node.url);
    const mined = sent.status === 201 && idsOf(block.transactions).includes(sent.body.id);

    // the older code saved what it took: the whole jam is in the saved pool when the node restarts
    await node.stop();
    const saved = savedPool(
      dataDir,
      jam.map((t) => ({ id: txId(t), json: JSON.stringify(t), received: Date.now() })),
    );
    node = await startNode({ dataDir, difficulty: DIFFICULTY, args: ARGS });
    const pendingAfterRestart = await pendingIds(node.url);
    console.log(
      `pool jam: answers to the ${ATTACKERS} attackers ${JSON.stringify(Object.fromEntries(answers))}; pending after the attack ${pendingAfterJam}; ` +
        `honest transfer ${sent.status}${sent.status === 201 ? "" : ` (${sent.body?.error})`}, mined ${mined}; ` +
        `saved pool before the restart ${saved.length} rows, pending after it ${pendingAfterRestart.length}`,
    );

    expect(Object.fromEntries(answers)).toEqual({ "400 insufficient-funds": ATTACKERS });
    expect(pendingAfterJam).toBe(0);
    expect(sent.status, sent.text).toBe(201);
    expect(mined).toBe(true);
    expect(saved.length).toBeGreaterThanOrEqual(ATTACKERS);
    expect(pendingAfterRestart).toEqual([]);
    expect((await http(`${node.url}/transactions/${sent.body.id}`)).body).toMatchObject({ status: "confirmed", block_index: block.index });
    expect((await http(`${node.url}/accounts/${honest.address}`)).body).toMatchObject({ balance: 0, nonce: 1 });
    // and the node still refuses the jam after the restart
    const again = await http(`${node.url}/transactions`, { body: jam[0] });
    expect(again.status, again.text).toBe(400);
    expect(again.body.code).toBe("insufficient-funds");
    // and the dropped jam is gone from the saved pool too
    await node.stop();
    expect(savedPool(dataDir)).toEqual([]);
  });
});
