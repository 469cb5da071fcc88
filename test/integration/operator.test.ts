/**
 * Operator routes (docs/protocol.md §7): open to loopback without a token. (Requests from a non-loopback
 * address need a second interface; the address check itself is tested here directly.)
 */
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { isLoopback } from "../../src/http/auth.js";
import { key1 } from "../helpers/keys.js";
import { http, type NodeProc, startNode, stopAndRemove } from "../helpers/node-process.js";
import { expectChainValidAt, expectErrorBody } from "./support.js";

const DIFFICULTY = 16;
let node: NodeProc;

beforeAll(async () => {
  node = await startNode({ difficulty: DIFFICULTY });
});

afterAll(() => stopAndRemove(node));

describe("operator routes from loopback", () => {
  it("the node made an API token at first start", () => {
    expect(readFileSync(join(node.dataDir, "api.token"), "utf8").trim()).toMatch(/^\S{16,}$/);
  });

  it("GET and POST /mine work without a token", async () => {
    const g = await http(`${node.url}/mine`);
    expect(g.status, g.text).toBe(200);
    expect(g.body.message).toBe("Forged new block.");
    const p = await http(`${node.url}/mine`, { method: "POST" });
    expect(p.status, p.text).toBe(200);
    expect(p.body.index).toBe(g.body.index + 1);
  });

  it("sending from the node's wallet works without a token", async () => {
    const r = await http(`${node.url}/transactions/new`, { body: { recipient: key1.address, amount: 1 } });
    expect(r.status, r.text).toBe(201);
  });

  it("a wrong or malformed token does not lock loopback out", async () => {
    const token = readFileSync(join(node.dataDir, "api.token"), "utf8").trim();
    for (const authorization of ["Bearer wrong", "Basic Zm9vOmJhcg==", "Bearer", `Bearer ${token}`, `bearer  ${token} `]) {
      const r = await http(`${node.url}/mine`, { headers: { authorization } });
      expect(r.status, `${authorization}: ${r.text}`).toBe(200);
    }
    await expectChainValidAt(node.url, DIFFICULTY);
  });

  it("reads need no token either, and errors keep the shape of docs/protocol.md §7", async () => {
    expect((await http(`${node.url}/status`)).status).toBe(200);
    const r = await http(`${node.url}/transactions/new`, { body: { recipient: key1.address, amount: 10 ** 9 } });
    expect(r.status).toBe(400);
    expectErrorBody(r.body, "insufficient-funds");
  });
});

describe("isLoopback (src/http/auth.ts)", () => {
  it.each([
    ["127.0.0.1", true],
    ["127.1.2.3", true],
    ["127.255.255.255", true],
    ["::1", true],
    ["::ffff:127.0.0.1", true],
    ["10.0.0.1", false],
    ["192.168.1.10", false],
    ["0.0.0.0", false],
    ["::", false],
    ["::ffff:10.0.0.1", false],
    ["::ffff:192.168.0.1", false],
    ["fe80::1", false],
    ["128.0.0.1", false],
    ["1127.0.0.1", false],
    ["127.0.0.1.evil.example", false],
    ["127.0.0.1:80", false],
    ["localhost", false],
    ["", false],
    [undefined, false],
  ] as Array<[string | undefined, boolean]>)("%s → %s", (address, expected) => {
    expect(isLoopback(address)).toBe(expected);
  });
});
