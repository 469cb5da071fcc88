import { sha256 } from "../../src/crypto/hash.js";
import { type KeyPair, keyPairFromSeed } from "../../src/crypto/keys.js";

/** docs/protocol.md §9 test keys: seed = SHA-256("tinychain test key N"). */
export const key1: KeyPair = keyPairFromSeed(sha256("tinychain test key 1"));
export const key2: KeyPair = keyPairFromSeed(sha256("tinychain test key 2"));

/** A deterministic key for tests, from a label. */
export function testKey(label: string): KeyPair {
  return keyPairFromSeed(sha256(`tinychain test ${label}`));
}
