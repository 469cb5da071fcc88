/** Ed25519 verification in a worker thread: batches in, booleans out (parsed keys cached per thread). */
import { parentPort } from "node:worker_threads";
import { verifyHex } from "../crypto/keys.js";

/** Transaction i's signing bytes are `data[ends[i - 1] ?? 0 … ends[i]]`. */
export interface VerifyBatch {
  id: number;
  count: number;
  /** The senders' addresses, comma-separated. */
  senders: string;
  /** The signatures (hex), comma-separated. */
  signatures: string;
  data: Uint8Array;
  ends: Uint32Array;
}

parentPort?.on("message", (b: VerifyBatch) => {
  const ok = new Uint8Array(b.count);
  const senders = b.senders.split(",");
  const signatures = b.signatures.split(",");
  let start = 0;
  for (let i = 0; i < ok.length; i++) {
    const end = b.ends[i] as number;
    ok[i] = verifyHex(senders[i] as string, b.data.subarray(start, end), signatures[i] as string) ? 1 : 0;
    start = end;
  }
  parentPort?.postMessage({ id: b.id, ok }, [ok.buffer]);
});
