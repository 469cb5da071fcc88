/**
 * What handing work to a worker thread costs on this machine: a message to a worker that
 * sleeps until it arrives and the worker's answer, one at a time (ping-pong), as a lone signed
 * transaction goes to the node's verify pool and back. The CPU it costs (both threads, the
 * kernel's part too) is what the hand-off adds to a transaction; on a paravirtualised VM,
 * waking a sleeping thread is a trip to the hypervisor and can cost more than the check itself.
 */
import { performance } from "node:perf_hooks";
import { Worker } from "node:worker_threads";

export interface Handoff {
  roundTrips: number;
  /** Wall-clock µs per round trip. */
  wallUs: number;
  /** CPU µs (user + system, every thread of this process) per round trip. */
  cpuUs: number;
  /** The system (kernel) part of cpuUs. */
  systemUs: number;
}

// plain JavaScript (Node 20 cannot start a worker from a .ts file): answers each message with a transferred byte
const ECHO = `const { parentPort } = require("node:worker_threads");
parentPort.on("message", (m) => { const ok = new Uint8Array(m.count); parentPort.postMessage({ id: m.id, ok }, [ok.buffer]); });`;

/** Ping-pong of `count` messages shaped like the verify pool's (one transaction's bytes, transferred). */
export async function measureHandoff(count = 5000, timeoutMs = 30_000): Promise<Handoff> {
  const w = new Worker(ECHO, { eval: true });
  try {
    const send = (id: number) => {
      const data = Buffer.allocUnsafeSlow(230);
      w.postMessage({ id, count: 1, senders: "", signatures: "", data, ends: Uint32Array.of(230) }, [data.buffer as ArrayBuffer]);
    };
    const run = (n: number) =>
      new Promise<void>((resolve, reject) => {
        let got = 0;
        const timer = setTimeout(() => reject(new Error(`the worker answered ${got} of ${n} messages in ${timeoutMs} ms`)), timeoutMs);
        const onMessage = () => {
          if (++got === n) {
            clearTimeout(timer);
            w.off("message", onMessage);
            resolve();
          } else send(got);
        };
        w.on("message", onMessage);
        w.once("error", reject);
        send(0);
      });
    await run(200); // warm up
    const c0 = process.cpuUsage();
    const t0 = performance.now();
    await run(count);
    const wall = performance.now() - t0;
    const c = process.cpuUsage(c0);
    return { roundTrips: count, wallUs: (wall * 1000) / count, cpuUs: (c.user + c.system) / count, systemUs: c.system / count };
  } finally {
    await w.terminate();
  }
}
