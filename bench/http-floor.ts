/**
 * The floor under the ingest figure: what a bare node:http server costs per request with the
 * same load generator on the same cores. It reads the body, JSON.parse's it and answers 201
 * with a body shaped like the node's, nothing else (no checks, no signature, no store). What
 * it spends per request, the node cannot avoid; with one Ed25519 verification added per
 * transaction it gives the most single-request ingest these cores could reach.
 */
import { spawn } from "node:child_process";
import { once } from "node:events";
import { processCpuSeconds, selfCpuSeconds } from "./cpu.js";
import { judgeSingle, runLoad } from "./load.js";

const SERVER = `
const http = require("node:http");
const server = http.createServer((req, res) => {
  const parts = [];
  req.on("data", (c) => parts.push(c));
  req.on("end", () => {
    let body;
    try { body = JSON.parse(Buffer.concat(parts).toString("utf8")); } catch { body = undefined; }
    const out = JSON.stringify({ message: "Transaction will be added to Block 3", id: String(body && body.signature).slice(0, 64), block_index: 3, status: "ready" });
    res.writeHead(201, { "content-type": "application/json; charset=utf-8", "content-length": Buffer.byteLength(out) });
    res.end(out);
  });
});
server.keepAliveTimeout = 60000;
server.listen(0, "127.0.0.1", () => console.log(server.address().port));
`;

export interface HttpFloor {
  requestsPerS: number;
  serverUsPerRequest: number;
  clientUsPerRequest: number;
}

/** Runs the same request lists (one transaction per request) against a bare server. */
export async function measureHttpFloor(lists: Buffer[][], deadlineMs: number): Promise<HttpFloor> {
  const child = spawn(process.execPath, ["-e", SERVER], { stdio: ["ignore", "pipe", "inherit"] });
  try {
    const [first] = (await once(child.stdout, "data")) as [Buffer];
    const port = Number(first.toString().trim());
    if (!Number.isInteger(port) || port <= 0) throw new Error(`the bare server printed ${first.toString().slice(0, 80)}`);
    const s0 = processCpuSeconds(child.pid) ?? Number.NaN;
    const c0 = selfCpuSeconds();
    const r = await runLoad(`http://127.0.0.1:${port}`, "/transactions", lists, judgeSingle, deadlineMs);
    const s1 = processCpuSeconds(child.pid) ?? Number.NaN;
    const c1 = selfCpuSeconds();
    if (r.accepted === 0) throw new Error(`the bare server answered no request with 201: ${JSON.stringify(r.errors).slice(0, 200)}`);
    return {
      requestsPerS: r.accepted / r.seconds,
      serverUsPerRequest: ((s1 - s0) * 1e6) / r.accepted,
      clientUsPerRequest: ((c1 - c0) * 1e6) / r.accepted,
    };
  } finally {
    child.kill();
  }
}
