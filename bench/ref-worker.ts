/**
 * Reference loops run on a worker thread, one per core: OpenSSL's SHA-256 over a large
 * buffer (the compression rate bound for proof of work) and Ed25519 verification (the
 * bound for taking signed transactions). Each runs for the time asked and reports its count.
 */
import { createHash, createPublicKey, type KeyObject, verify } from "node:crypto";
import { setPriority } from "node:os";
import { performance } from "node:perf_hooks";
import { parentPort } from "node:worker_threads";
import { signingBytes } from "../src/core/encoding.js";
import { sha256 } from "../src/crypto/hash.js";
import { keyPairFromSeed, signHex } from "../src/crypto/keys.js";

/** `nice`: the thread's nice value (the miner's threads run at 10, so its reference does too). */
export type RefTask = { kind: "sha256"; ms: number; nice?: number } | { kind: "verify"; ms: number; reparse: boolean };

export interface RefResult {
  /** Bytes hashed (sha256) or signatures verified (verify). */
  count: number;
  seconds: number;
  /** Verifications that failed (must be 0). */
  failures: number;
}

const SPKI_PREFIX = Buffer.from("302a300506032b6570032100", "hex");

function sha256Loop(ms: number): RefResult {
  const buf = Buffer.alloc(4 * 1024 * 1024, 0x61);
  const h = createHash("sha256");
  h.update(buf); // warm up
  const t0 = performance.now();
  let bytes = 0;
  let now = t0;
  while (now - t0 < ms) {
    h.update(buf);
    bytes += buf.length;
    now = performance.now();
  }
  h.digest();
  return { count: bytes, seconds: (now - t0) / 1000, failures: 0 };
}

/** 64 signers and their signed transfers (realistic signing bytes), verified round-robin. */
function verifyLoop(ms: number, reparse: boolean): RefResult {
  const cases = Array.from({ length: 64 }, (_, i) => {
    const key = keyPairFromSeed(sha256(`tinychain bench verify ${i}`));
    const msg = signingBytes({
      type: "transfer",
      network: "devnet",
      sender: key.address,
      recipient: "ebd8faeecf90ae72b3d03a02aa2974636f4798e9c3e9a9d8142307ad4770a24f",
      amount: 1000 + i,
      fee: 1,
      nonce: i,
    });
    const der = Buffer.concat([SPKI_PREFIX, Buffer.from(key.address, "hex")]);
    const pub: KeyObject = createPublicKey({ key: der, format: "der", type: "spki" });
    return { der, pub, msg, sig: Buffer.from(signHex(key, msg), "hex") };
  });
  let count = 0;
  let failures = 0;
  const t0 = performance.now();
  let now = t0;
  while (now - t0 < ms) {
    const c = cases[count & 63] as (typeof cases)[number];
    const key = reparse ? createPublicKey({ key: c.der, format: "der", type: "spki" }) : c.pub;
    if (!verify(null, c.msg, key, c.sig)) failures++;
    count++;
    now = performance.now();
  }
  return { count, seconds: (now - t0) / 1000, failures };
}

parentPort?.on("message", (task: RefTask) => {
  if (task.kind === "sha256" && task.nice !== undefined) {
    try {
      setPriority(task.nice); // on Linux, this thread only
    } catch {
      // not permitted: normal priority
    }
  }
  const result = task.kind === "sha256" ? sha256Loop(task.ms) : verifyLoop(task.ms, task.reparse);
  parentPort?.postMessage(result satisfies RefResult);
});
