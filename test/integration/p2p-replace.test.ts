/**
 * Replace by fee across peers (issue 19): a transaction replaced on one node reaches its peer,
 * whose pool takes the replacement by the same rule and lets the replaced one go.
 */
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { keyPairFromPem } from "../../src/crypto/keys.js";
import { signTx } from "../helpers/factory.js";
import { key2 } from "../helpers/keys.js";
import { http, startNode, waitFor } from "../helpers/node-process.js";
import { Cleanup, statusOf } from "./p2p-support.js";
import { mineN } from "./support.js";

const cleanup = new Cleanup();
afterAll(() => cleanup.run());

describe("replace by fee between two peers", () => {
  it("the replacement is relayed and replaces the pending one on the peer too", { timeout: 60_000 }, async () => {
    const a = cleanup.node(await startNode({ difficulty: 16, args: ["--sync-interval", "1"] }));
    const b = cleanup.node(await startNode({ difficulty: 16, args: ["--sync-interval", "1"] }));
    expect((await http(`${a.url}/nodes/register`, { body: { nodes: [b.url] } })).status).toBe(201);
    expect((await http(`${b.url}/nodes/register`, { body: { nodes: [a.url] } })).status).toBe(201);
    await mineN(a.url, 5);
    const tip = await statusOf(a.url);
    await waitFor(async () => (await statusOf(b.url)).tip === tip.tip, 15_000, 100);

    const key = keyPairFromPem(readFileSync(join(a.dataDir, "wallet", "private.key"), "utf8"));
    const pay = (fee: number) => signTx(key, { type: "transfer", network: "devnet", recipient: key2.address, amount: 1, fee, nonce: 0 });
    const first = await http(`${a.url}/transactions`, { body: pay(1) });
    expect(first.status, first.text).toBe(201);
    await waitFor(async () => (await http(`${b.url}/transactions/${first.body.id}`)).status === 200, 15_000, 100);

    const bumped = await http(`${a.url}/transactions`, { body: pay(2) });
    expect(bumped.status, bumped.text).toBe(201);
    await waitFor(async () => (await http(`${b.url}/transactions/${bumped.body.id}`)).status === 200, 15_000, 100);
    expect((await http(`${b.url}/transactions/${first.body.id}`)).status).toBe(404);
    // the old one sent to the peer again is refused: it no longer pays enough to take the place back
    const again = await http(`${b.url}/transactions`, { body: pay(1) });
    expect(again.status).toBe(409);
    expect(again.body.code).toBe("replacement-underpriced");
  });
});
