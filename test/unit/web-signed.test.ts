/** The explorer's signature and id check (web/src/signed.ts), run under Node's Web Crypto against the §9 vectors. */
import { describe, expect, it } from "vitest";
import { checkTx, fromHex, hexDump, idPreimage, signingText, toHex, utf8 } from "../../web/src/signed.js";

const KEY1 = "9645f2870e3d091a8e8868345698cbd6154fc192d983acb2f5931c88d8eb2ef7";
const KEY2 = "ebd8faeecf90ae72b3d03a02aa2974636f4798e9c3e9a9d8142307ad4770a24f";
const SIGNING = `{"amount":5,"fee":1,"network":"devnet","nonce":0,"recipient":"${KEY2}","sender":"${KEY1}","type":"transfer"}`;
const SIGNATURE =
  "db31feb732f1194c5b2c499f79cae06f61377f174cd17d01a151a716d24b496eb215d27cf018daf35e4db80534220d8770d794a9dcdc0529409dbc5804735f09";
const ID = "a943745caf48a302a96937b8027c01dc5f2b86ef38bb112c1e5d999f2b6d1420";

/** As the API answers it: id added, fields in the node's order, not sorted. */
const transfer = {
  type: "transfer",
  network: "devnet",
  sender: KEY1,
  recipient: KEY2,
  amount: 5,
  fee: 1,
  nonce: 0,
  signature: SIGNATURE,
  id: ID,
};
const coinbase = {
  type: "coinbase",
  sender: "0",
  recipient: KEY1,
  amount: 2,
  height: 2,
  id: "6f56c367610bbda6814b067f011f99c450c3db86a97ff9e840de5775aae43172",
};
const subtle = globalThis.crypto.subtle;

describe("what a transaction's sender signed", () => {
  it("the signing bytes and the id's preimage of the test-vector transfer (docs/protocol.md §9) are the vectors'", () => {
    expect(signingText(transfer)).toBe(SIGNING);
    expect(idPreimage(transfer)).toBe(`${SIGNING.slice(0, -'"type":"transfer"}'.length)}"signature":"${SIGNATURE}","type":"transfer"}`);
  });

  it("hex: round trip, dump, and refusal of anything but the exact length", () => {
    const bytes = utf8(SIGNING);
    expect(toHex(bytes)).toBe(Buffer.from(SIGNING).toString("hex"));
    expect(fromHex(KEY1, 32)).toEqual(new Uint8Array(Buffer.from(KEY1, "hex")));
    expect(fromHex(KEY1.slice(2), 32)).toBeUndefined();
    expect(fromHex(`${KEY1.slice(2)}zz`, 32)).toBeUndefined();
    const dump = hexDump(bytes);
    expect(dump.replace(/\s/g, "")).toBe(toHex(bytes));
    expect(dump.split("\n")[0]).toBe("7b22616d 6f756e74 223a352c 22666565 223a312c 226e6574 776f726b 223a2264");
  });

  it("the §9 transfer: id recomputed, signature valid", async () => {
    const c = await checkTx(subtle, transfer);
    expect(c).toMatchObject({ id: ID, idMatches: true, signature: "valid" });
  });

  it("a changed amount: the signature fails and the id differs", async () => {
    const c = await checkTx(subtle, { ...transfer, amount: 50 });
    expect(c.signature).toBe("invalid");
    expect(c.idMatches).toBe(false);
  });

  it("another key claimed as sender, or a malformed key or signature, fails with a reason", async () => {
    expect((await checkTx(subtle, { ...transfer, sender: KEY2 })).signature).toBe("invalid");
    expect(await checkTx(subtle, { ...transfer, sender: "abc" })).toMatchObject({
      signature: "malformed",
      why: expect.stringContaining("sender"),
    });
    expect(await checkTx(subtle, { ...transfer, signature: SIGNATURE.slice(2) })).toMatchObject({
      signature: "malformed",
      why: expect.stringContaining("128 hex"),
    });
  });

  it("a coinbase is not signed; its id is still checked (§9 vector)", async () => {
    const c = await checkTx(subtle, coinbase);
    expect(c).toMatchObject({ signature: "unsigned", idMatches: true });
    expect(c.preimage).toBe(`{"amount":2,"height":2,"recipient":"${KEY1}","sender":"0","type":"coinbase"}`);
  });

  it("a browser without Ed25519 in Web Crypto says the signature is not checked, and still checks the id", async () => {
    const noEd25519 = {
      digest: subtle.digest.bind(subtle),
      importKey: () => Promise.reject(new DOMException("Unrecognized name.", "NotSupportedError")),
      verify: () => Promise.reject(new Error("unreachable")),
    } as Parameters<typeof checkTx>[0];
    expect(await checkTx(noEd25519, transfer)).toMatchObject({
      idMatches: true,
      signature: "unsupported",
      why: expect.stringContaining("no Ed25519"),
    });
  });
});
