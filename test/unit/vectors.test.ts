import { describe, expect, it } from "vitest";
import { blockHash, canonical, signingBytes, txId } from "../../src/core/encoding.js";
import { merkleRoot, txRootHex } from "../../src/core/merkle.js";
import { DEVNET, genesisBlock, genesisHash } from "../../src/core/network.js";
import { meetsDifficulty } from "../../src/core/pow.js";
import type { CoinbaseTx, TransferTx } from "../../src/core/types.js";
import { signatureValid } from "../../src/core/verify.js";
import { sha256 } from "../../src/crypto/hash.js";
import { signHex } from "../../src/crypto/keys.js";
import { key1, key2 } from "../helpers/keys.js";

// Every test vector of docs/protocol.md §9.
describe("docs/protocol.md §9 test vectors", () => {
  it("derives the two test keys", () => {
    expect(key1.address).toBe("9645f2870e3d091a8e8868345698cbd6154fc192d983acb2f5931c88d8eb2ef7");
    expect(key2.address).toBe("ebd8faeecf90ae72b3d03a02aa2974636f4798e9c3e9a9d8142307ad4770a24f");
  });

  it("empty tx_root", () => {
    expect(txRootHex([])).toBe("e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855");
  });

  it("Merkle root of three leaves", () => {
    const leaves = [0, 1, 2].map((b) => sha256(Buffer.from([b])));
    expect(merkleRoot(leaves).toString("hex")).toBe("d1f13800048f5909d4043fc0c152f6643280cba608b672715e56ce159a20629f");
  });

  it("devnet genesis header and hash", () => {
    const g = genesisBlock(DEVNET);
    const { transactions: _, ...header } = g;
    expect(canonical(header)).toBe(
      '{"difficulty":65536,"index":1,"previous_hash":"1","proof":100,"timestamp":1506092455,"tx_root":"e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855"}',
    );
    expect(blockHash(g)).toBe("e1b03b99166f892f46298d17fb00088a472df555a0f98b4a58855ba2aee125d2");
    expect(genesisHash(DEVNET)).toBe("e1b03b99166f892f46298d17fb00088a472df555a0f98b4a58855ba2aee125d2");
  });

  const unsigned = {
    type: "transfer" as const,
    network: "devnet",
    sender: key1.address,
    recipient: key2.address,
    amount: 5,
    fee: 1,
    nonce: 0,
  };
  const SIG =
    "db31feb732f1194c5b2c499f79cae06f61377f174cd17d01a151a716d24b496eb215d27cf018daf35e4db80534220d8770d794a9dcdc0529409dbc5804735f09";
  const transfer: TransferTx = { ...unsigned, signature: SIG };

  it("transfer signing bytes, signature and id", () => {
    expect(signingBytes(transfer).toString()).toBe(
      '{"amount":5,"fee":1,"network":"devnet","nonce":0,"recipient":"ebd8faeecf90ae72b3d03a02aa2974636f4798e9c3e9a9d8142307ad4770a24f","sender":"9645f2870e3d091a8e8868345698cbd6154fc192d983acb2f5931c88d8eb2ef7","type":"transfer"}',
    );
    expect(signHex(key1, signingBytes(unsigned))).toBe(SIG);
    expect(signatureValid(transfer)).toBe(true);
    expect(txId(transfer)).toBe("a943745caf48a302a96937b8027c01dc5f2b86ef38bb112c1e5d999f2b6d1420");
    expect(txId({ ...transfer, id: "ignored" })).toBe("a943745caf48a302a96937b8027c01dc5f2b86ef38bb112c1e5d999f2b6d1420");
  });

  const coinbase: CoinbaseTx = { type: "coinbase", sender: "0", recipient: key1.address, amount: 2, height: 2 };

  it("coinbase id", () => {
    expect(txId(coinbase)).toBe("6f56c367610bbda6814b067f011f99c450c3db86a97ff9e840de5775aae43172");
  });

  it("block tx_root, first valid proof and hash at difficulty 256", () => {
    const txRoot = txRootHex([txId(coinbase), txId(transfer)]);
    expect(txRoot).toBe("fb9e72ff90c6ec5b84d4d1580e69260b01225be68b4bff6a64c61018e8da173c");
    const header = {
      index: 2,
      previous_hash: genesisHash(DEVNET),
      difficulty: 256,
      timestamp: 1506092460.5,
      tx_root: txRoot,
      proof: 0,
    };
    let proof = 0;
    while (!meetsDifficulty(blockHash({ ...header, proof }), 256)) proof++;
    expect(proof).toBe(631);
    expect(blockHash({ ...header, proof })).toBe("006f6bd8d065e145de45d04153261d1694bca7142bc9b89d079ba975c09bfc6c");
  });
});
