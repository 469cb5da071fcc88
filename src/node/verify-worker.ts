/** Ed25519 verification in a worker thread: batches in, booleans out (parsed keys cached per thread). */
import { parentPort } from "node:worker_threads";
import { verifyHex } from "../crypto/keys.js";

export interface VerifyBatch {
  id: number;
  senders: string[];
  messages: Uint8Array[];
  signatures: string[];
}

parentPort?.on("message", (b: VerifyBatch) => {
  const ok = new Uint8Array(b.senders.length);
  for (let i = 0; i < ok.length; i++)
    ok[i] = verifyHex(b.senders[i] as string, b.messages[i] as Uint8Array, b.signatures[i] as string) ? 1 : 0;
  parentPort?.postMessage({ id: b.id, ok }, [ok.buffer]);
});
