/** The loopback rule of docs/protocol.md §7 browser safety (src/http/auth.ts), case by case. */
import { describe, expect, it } from "vitest";
import { hostName, parseAllowHosts, whyNotLoopback } from "../../src/http/auth.js";

const req = (headers: Record<string, string>, remoteAddress = "127.0.0.1") =>
  ({ headers, socket: { remoteAddress } }) as unknown as Parameters<typeof whyNotLoopback>[0];

describe("hostName", () => {
  it.each([
    ["localhost:5000", "localhost"],
    ["LOCALHOST", "localhost"],
    ["127.0.0.1:80", "127.0.0.1"],
    ["[::1]:5000", "[::1]"],
    ["[::1]", "[::1]"],
    ["mynode.local:5001", "mynode.local"],
    ["", undefined],
    ["localhost:5000:6000", undefined],
    ["user@localhost:5000", undefined],
    ["localhost/x", undefined],
    ["local host", undefined],
    ["::1", undefined],
  ] as Array<[string, string | undefined]>)("%j → %s", (host, name) => {
    expect(hostName(host)).toBe(name);
  });
});

describe("parseAllowHosts", () => {
  it("takes names and addresses, lower-cased, without ports", () => {
    expect(parseAllowHosts("MyNode.local, 192.168.1.5,[fe80::1] ,")).toEqual(["mynode.local", "192.168.1.5", "[fe80::1]"]);
  });
  it.each(["evil.example:80", "http://evil.example", "a b", "x/y"])("refuses %j", (v) => {
    expect(() => parseAllowHosts(v)).toThrow(/not a host name/);
  });
});

describe("whyNotLoopback", () => {
  it.each([
    [{ host: "localhost:5000" }],
    [{ host: "127.0.0.1:5000", origin: "http://127.0.0.1:5000", "sec-fetch-site": "same-origin" }],
    [{ host: "localhost:5000", origin: "HTTP://LOCALHOST:5000" }],
    [{ host: "[::1]:5000", "sec-fetch-site": "none" }],
  ])("loopback: %j", (headers) => {
    expect(whyNotLoopback(req(headers))).toBeUndefined();
  });

  it.each([
    [{ host: "localhost:5000" }, "10.0.0.2", /non-loopback address/],
    [{}, "127.0.0.1", /Host header \(none\)/],
    [{ host: "attacker.example:5000" }, "127.0.0.1", /Host header \("attacker.example:5000"\) is not a loopback name/],
    [{ host: "localhost.attacker.example" }, "127.0.0.1", /not a loopback name/],
    [{ host: "127.0.0.2:5000" }, "127.0.0.1", /not a loopback name/],
    [{ host: "localhost:5000", origin: "null" }, "127.0.0.1", /another origin \(Origin "null"/],
    [{ host: "localhost:5000", origin: "http://localhost:5001" }, "127.0.0.1", /another origin/],
    [{ host: "localhost:5000", origin: "https://localhost:5000" }, "127.0.0.1", /another origin/],
    [{ host: "localhost:5000", "sec-fetch-site": "cross-site" }, "127.0.0.1", /Sec-Fetch-Site "cross-site"/],
    [{ host: "localhost:5000", "sec-fetch-site": "same-site" }, "127.0.0.1", /Sec-Fetch-Site "same-site"/],
  ] as Array<[Record<string, string>, string, RegExp]>)("not loopback: %j from %s", (headers, address, why) => {
    expect(whyNotLoopback(req(headers, address))).toMatch(why);
  });

  it("--allow-host names count, with their own origin, and nothing else does", () => {
    const allowed = ["mynode.local"];
    expect(whyNotLoopback(req({ host: "mynode.local:5000", origin: "http://mynode.local:5000" }), allowed)).toBeUndefined();
    expect(whyNotLoopback(req({ host: "other.local:5000" }), allowed)).toMatch(/not a loopback name/);
    expect(whyNotLoopback(req({ host: "mynode.local:5000" }, "192.168.1.9"), allowed)).toMatch(/non-loopback address/);
  });
});
