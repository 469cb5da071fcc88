/**
 * GET /events tells a block stored off the main chain as `side` (docs/protocol.md §7), and the
 * labs' watcher of a real node (src/sim/tip-watch.ts) counts it as had, as the simulator does.
 */
import type { FastifyInstance } from "fastify";
import pino from "pino";
import { afterEach, describe, expect, it } from "vitest";
import { blockHash } from "../../src/core/encoding.js";
import { buildServer } from "../../src/http/server.js";
import { createNode } from "../../src/node/create-node.js";
import type { TinyNode } from "../../src/node/node.js";
import { TipWatch } from "../../src/sim/tip-watch.js";
import { GENESIS, mineBlock, NET } from "../helpers/factory.js";
import { testKey } from "../helpers/keys.js";

const cleanups: Array<() => Promise<void> | void> = [];
afterEach(async () => {
  for (const c of cleanups.splice(0).reverse()) await c();
});

async function serve(): Promise<{ node: TinyNode; app: FastifyInstance; url: string }> {
  const node = createNode({ params: NET, logger: pino({ level: "silent" }), threads: 1, verifyThreads: 0 });
  const app = await buildServer(node);
  const url = await app.listen({ host: "127.0.0.1", port: 0 });
  cleanups.push(() => node.close());
  cleanups.push(() => app.close());
  return { node, app, url };
}

describe("the side event", () => {
  it("a competing block is streamed as side; the watcher has it, off the main chain, until its branch wins", async () => {
    const { node, url } = await serve();
    const watch = await TipWatch.open(url);
    cleanups.push(() => watch.close());
    const a = mineBlock(GENESIS, [], testKey("side a").address);
    const b = mineBlock(GENESIS, [], testKey("side b").address);
    const b3 = mineBlock(b, [], testKey("side b").address);
    expect(node.chain.submit(a).outcome).toBe("connected");
    expect(node.chain.submit(b).outcome).toBe("side");
    const until = async (ok: () => boolean) => {
      for (let i = 0; i < 200 && !ok(); i++) await new Promise((r) => setTimeout(r, 10));
    };
    await until(() => watch.hasAt.has(blockHash(b)));
    expect(watch.hasAt.has(blockHash(a))).toBe(true);
    expect(watch.hasAt.has(blockHash(b))).toBe(true);
    expect(watch.main.has(blockHash(b))).toBe(false);
    const hadB = watch.hasAt.get(blockHash(b));
    expect(node.chain.submit(b3).outcome).toBe("reorganized");
    await until(() => watch.tip === blockHash(b3));
    expect(watch.main.has(blockHash(b))).toBe(true);
    expect(watch.main.has(blockHash(a))).toBe(false);
    expect(watch.hasAt.get(blockHash(b))).toBe(hadB); // had since it was stored, not since it won
  });
});
