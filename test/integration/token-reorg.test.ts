/**
 * Tokens across a reorganisation and a restart (docs/protocol.md §3, §5): a token transfer confirmed only
 * on the losing branch returns to the pool, token balances move back with the switch, the
 * transfer is mined again, and the balances survive a restart.
 */
import { afterAll, describe, expect, it } from "vitest";
import { signTx } from "../helpers/factory.js";
import { key2, testKey } from "../helpers/keys.js";
import { http, startNode } from "../helpers/node-process.js";
import { Cleanup, hashAt, mineOn, statusOf } from "./p2p-support.js";

const DIFFICULTY = 16;
const cleanup = new Cleanup();
afterAll(() => cleanup.run());

const owner = testKey("token reorg owner");

async function tokenBalance(url: string, token: string, address: string): Promise<number> {
  const r = await http(`${url}/tokens/${token}/balances/${address}`);
  expect(r.status, r.text).toBe(200);
  return r.body.balance as number;
}

async function post(url: string, tx: object): Promise<string> {
  const r = await http(`${url}/transactions`, { body: tx });
  expect(r.status, r.text).toBe(201);
  return r.body.id as string;
}

describe("tokens and a reorganisation", () => {
  it("a token transfer on an abandoned branch returns to the pool, is mined again, and survives a restart", {
    timeout: 90_000,
  }, async () => {
    const a = cleanup.node(await startNode({ difficulty: DIFFICULTY, args: ["--sync-interval", "1"] }));
    const b = cleanup.node(await startNode({ difficulty: DIFFICULTY, args: ["--sync-interval", "1"] }));
    const net = { network: (await statusOf(a.url)).network };

    // shared history: the token is created in A's block 2, which B takes as an announcement (min_fee 0: no coins needed)
    const token = await post(a.url, signTx(owner, { type: "token_create", ...net, name: "Bar", symbol: "BAR", decimals: 2, supply: 1000 }));
    await mineOn(a.url);
    const r = await http(`${b.url}/blocks`, { body: (await http(`${a.url}/blocks/2`)).body });
    expect(r.status, r.text).toBe(202);
    expect(await tokenBalance(b.url, token, owner.address)).toBe(1000);

    // apart: A confirms a token transfer in its block 3; B mines two blocks of its own (more work)
    const transfer = await post(
      a.url,
      signTx(owner, { type: "token_transfer", ...net, nonce: 1, token, recipient: key2.address, amount: 250 }),
    );
    const aBlock3 = await mineOn(a.url);
    expect(aBlock3.transactions.map((t: { id: string }) => t.id)).toContain(transfer);
    expect(await tokenBalance(a.url, token, key2.address)).toBe(250);
    await mineOn(b.url);
    await mineOn(b.url);
    const bTip = await statusOf(b.url);

    // they meet: A follows B; the transfer is undone and pending again
    expect((await http(`${a.url}/nodes/register`, { body: { nodes: [b.url] } })).status).toBe(201);
    const res = await http(`${a.url}/nodes/resolve`, { timeoutMs: 20_000 });
    expect(res.body.message).toBe("Our chain was replaced");
    expect((await statusOf(a.url)).tip).toBe(bTip.tip);
    expect(await hashAt(a.url, 3)).not.toBe(aBlock3.hash);
    expect(await tokenBalance(a.url, token, key2.address)).toBe(0);
    expect(await tokenBalance(a.url, token, owner.address)).toBe(1000);
    expect((await http(`${a.url}/transactions/${transfer}`)).body.status).toBe("pending");
    const events = (await http(`${a.url}/tokens/${token}/events`)).body.events as Array<{ event: string }>;
    expect(events.map((e) => e.event)).toEqual(["Transfer"]); // only the creation's

    // mined again on the new chain
    const again = await mineOn(a.url);
    expect(again.transactions.map((t: { id: string }) => t.id)).toContain(transfer);
    expect(await tokenBalance(a.url, token, key2.address)).toBe(250);
    expect(await tokenBalance(a.url, token, owner.address)).toBe(750);

    // and after a restart
    expect(await a.stop()).toBe(0);
    const a2 = cleanup.node(await startNode({ difficulty: DIFFICULTY, dataDir: a.dataDir, args: ["--sync-interval", "1"] }));
    expect(await tokenBalance(a2.url, token, key2.address)).toBe(250);
    expect(await tokenBalance(a2.url, token, owner.address)).toBe(750);
    expect((await http(`${a2.url}/transactions/${transfer}`)).body.status).toBe("confirmed");
  });
});
