/**
 * 3. Ingest: signed transactions a real node process takes per second over HTTP
 * (POST /transactions), from many concurrent keep-alive clients on the same machine.
 */
import { writeFileSync } from "node:fs";
import { availableParallelism } from "node:os";
import { join } from "node:path";
import type { NetworkParams, TransferTx } from "../src/core/types.js";
import type { KeyPair } from "../src/crypto/keys.js";
import { processCpuSeconds, round, selfCpuSeconds, type ThreadCpu, threadCpuSeconds, threadCpuSince } from "./cpu.js";
import { benchKey, benchKeys, benchNetwork, transfer } from "./fixtures.js";
import { HttpClient } from "./http-client.js";
import { measureHttpFloor } from "./http-floor.js";
import { removeDir, tempDir } from "./lifecycle.js";
import { batchItems, judgeBatch, judgeSingle, type LoadResult, runLoad } from "./load.js";
import { startNode } from "./node-proc.js";
import { atLeast, type Figure, fmt, medianBy } from "./report.js";
import type { VerifyLimit } from "./verify.js";

const SECTION = "3. Ingest over HTTP";
const SENDERS = 500;
const PER_SENDER = 40;
/** Single-request runs, each with the next PER_SENDER nonces of the same senders; the figure is their median. */
const ROUNDS = 3;
const CLIENTS = 48;
const BATCH = 100;
const BATCH_CLIENTS = 8;
const FUNDING = 1000;
const LOAD_DEADLINE_MS = 60_000;

export const INGEST_NETWORK: NetworkParams = benchNetwork("bench", 1_000_000_000, 5000);

/** Each sender's `count` transfers (nonces 0 …) to one sink, signed now. */
function presign(senders: KeyPair[], sink: string, count: number): TransferTx[][] {
  return senders.map((k) => Array.from({ length: count }, (_, n) => transfer(k, INGEST_NETWORK.name, sink, 1, n)));
}

/** Client c takes senders c, c + clients, …; it sends nonce 0 of each, then nonce 1 of each, … */
function perClient<T>(bySender: T[][], clients: number): T[][] {
  const out: T[][] = Array.from({ length: clients }, () => []);
  for (let n = 0; n < PER_SENDER; n++) {
    bySender.forEach((txs, s) => {
      (out[s % clients] as T[]).push(txs[n] as T);
    });
  }
  return out;
}

async function fund(admin: HttpClient, senders: KeyPair[]): Promise<void> {
  await admin.expect([200], "POST", "/mine", undefined, 60_000);
  let next = 0;
  await Promise.all(
    Array.from({ length: 8 }, async () => {
      while (next < senders.length) {
        const k = senders[next++] as KeyPair;
        await admin.expect([201], "POST", "/transactions/new", { recipient: k.address, amount: FUNDING });
      }
    }),
  );
  const mined = await admin.expect<{ transactions: unknown[] }>([200], "POST", "/mine", undefined, 60_000);
  if (mined.transactions.length !== senders.length + 1) {
    throw new Error(`the funding block holds ${mined.transactions.length - 1} transfers, not ${senders.length}`);
  }
}

/** POST /transactions with a one-item array (an unfunded sender): does the node take batches? */
async function probeBatch(admin: HttpClient): Promise<{ supported: boolean; answer: string }> {
  const probe = transfer(benchKey("ingest probe"), INGEST_NETWORK.name, benchKey("ingest sink").address, 1, 0);
  const r = await admin.send("POST", "/transactions", JSON.stringify([probe]));
  let body: unknown;
  try {
    body = JSON.parse(r.text);
  } catch {
    body = undefined;
  }
  const items = batchItems(body);
  const supported = [200, 201, 207].includes(r.status) && items !== undefined && items.length === 1;
  return { supported, answer: `${r.status} ${r.text.slice(0, 200)}` };
}

function describeErrors(r: LoadResult): string {
  const list = Object.entries(r.errors).map(([k, v]) => `${v}× ${k}`);
  if (r.unsent > 0) list.push(`${r.unsent} not sent before the ${LOAD_DEADLINE_MS / 1000} s deadline`);
  return list.length === 0 ? "no errors" : list.join(", ");
}

export async function benchIngest(limit: VerifyLimit): Promise<Figure[]> {
  const cores = availableParallelism();
  const dir = tempDir("ingest");
  const netFile = join(dir, "network.json");
  writeFileSync(netFile, JSON.stringify(INGEST_NETWORK));
  const node = await startNode(join(dir, "data"), ["--network", netFile, "--pool-size", "100000"]);
  const admin = new HttpClient(node.url, 8);
  try {
    const batch = await probeBatch(admin);
    const nSenders = batch.supported ? 2 * SENDERS : SENDERS;
    const senders = benchKeys("ingest sender", nSenders);
    const sink = benchKey("ingest sink").address;
    await fund(admin, senders);
    const signed = [...presign(senders.slice(0, SENDERS), sink, ROUNDS * PER_SENDER), ...presign(senders.slice(SENDERS), sink, PER_SENDER)];
    // round k sends nonces k·PER_SENDER … of the same senders (the pool holds the earlier ones)
    const roundLists = Array.from({ length: ROUNDS }, (_, k) =>
      perClient(
        signed.slice(0, SENDERS).map((txs) => txs.slice(k * PER_SENDER, (k + 1) * PER_SENDER).map((t) => Buffer.from(JSON.stringify(t)))),
        CLIENTS,
      ),
    );
    const single = roundLists[0] as Buffer[][];
    const total = SENDERS * PER_SENDER;
    const cpu = () => ({ node: processCpuSeconds(node.proc.pid) ?? Number.NaN, client: selfCpuSeconds() });
    const rounds: Array<{ r: LoadResult; nodeCpu: number; nodeThreads: ThreadCpu | undefined; clientCpu: number; rate: number }> = [];
    for (const lists of roundLists) {
      const c0 = cpu();
      const t0 = threadCpuSeconds(node.proc.pid);
      const r = await runLoad(node.url, "/transactions", lists, judgeSingle, LOAD_DEADLINE_MS);
      const nodeThreads = threadCpuSince(t0, node.proc.pid);
      const c1 = cpu();
      rounds.push({ r, nodeCpu: c1.node - c0.node, nodeThreads, clientCpu: c1.client - c0.client, rate: r.accepted / r.seconds });
    }
    const med = medianBy(rounds, (x) => x.rate);
    const r = med.r;
    const status = await admin.expect<{ pending: number }>([200], "GET", "/status");
    const ref = limit.perCore * cores;
    const rate = med.rate;
    const figures: Figure[] = [
      {
        id: "ingest.single",
        section: SECTION,
        label: "Ingest, signed tx/s accepted (one per request)",
        value: rate,
        unit: "tx/s",
        method:
          `a real node process (dist, network "bench": difficulty 1, max_block_txs 5000, --pool-size 100000) on 127.0.0.1; ` +
          `${SENDERS} funded senders × ${PER_SENDER} pre-signed transfers (consecutive nonces) = ${total} POST /transactions ` +
          `from ${CLIENTS} concurrent keep-alive clients (raw HTTP/1.1 over node:net, one connection each, requests encoded before the clock starts so the load generator costs little, as wrk would; each client sends its senders' ` +
          `transfers in nonce order), client and node on the same ${cores} cores; accepted (201) ÷ seconds from the first request to the last answer; ` +
          `the median of ${ROUNDS} such runs one after the other (the next ${PER_SENDER} nonces of the same senders each time; details: runs_tx_per_s)`,
        reference: {
          label: `verify limit × ${cores} cores`,
          value: ref,
          unit: "tx/s",
          method: `the highest Ed25519 verify/s on 1 thread (key reused) measured in this run (section 2, and again just before this section: ${limit.samples.map((x) => fmt(x)).join(", ")}) × ${cores}`,
        },
        ratio: rate / ref,
        target: atLeast(rate, 6000, "≥ 6,000 tx/s on 2 cores", " tx/s"),
        details: {
          sent: total,
          accepted: r.accepted,
          seconds: r.seconds,
          errors: describeErrors(r),
          runs_tx_per_s: rounds.map((x) => round(x.rate)),
          runs_errors: rounds.map((x) => describeErrors(x.r)),
          pool_after: status.pending,
          node_cpu_s: round(med.nodeCpu),
          node_cpu_us_per_tx: round((med.nodeCpu * 1e6) / r.accepted, 1),
          // the node's main thread (HTTP, parse, pool, store) apart from its other threads (verify workers, V8's helpers)
          node_main_thread_us_per_tx: med.nodeThreads && round((med.nodeThreads.main * 1e6) / r.accepted, 1),
          node_other_threads_us_per_tx: med.nodeThreads && round((med.nodeThreads.others * 1e6) / r.accepted, 1),
          client_cpu_s: round(med.clientCpu),
          client_cpu_us_per_tx: round((med.clientCpu * 1e6) / r.accepted, 1),
        },
      },
    ];
    if (batch.supported) {
      const lists = perClient(
        signed.slice(SENDERS).map((txs) => txs),
        BATCH_CLIENTS,
      ).map((txs) => {
        const bodies: Buffer[] = [];
        for (let i = 0; i < txs.length; i += BATCH) bodies.push(Buffer.from(JSON.stringify(txs.slice(i, i + BATCH))));
        return bodies;
      });
      const b0 = cpu();
      const b = await runLoad(node.url, "/transactions", lists, judgeBatch, LOAD_DEADLINE_MS, (body) =>
        Math.min(BATCH, (JSON.parse(body.toString()) as unknown[]).length),
      );
      const b1 = cpu();
      const brate = b.accepted / b.seconds;
      figures.push({
        id: "ingest.batch",
        section: SECTION,
        label: `Ingest, signed tx/s accepted (batches of ${BATCH})`,
        value: brate,
        unit: "tx/s",
        method:
          `as above with ${SENDERS} other senders, the transfers sent as JSON arrays of ${BATCH} to POST /transactions ` +
          `from ${BATCH_CLIENTS} concurrent keep-alive clients; accepted items ÷ seconds`,
        reference: { label: `verify limit × ${cores} cores`, value: ref, unit: "tx/s", method: `as above` },
        ratio: brate / ref,
        details: {
          sent: total,
          accepted: b.accepted,
          requests: b.requests,
          seconds: b.seconds,
          errors: describeErrors(b),
          node_cpu_s: round(b1.node - b0.node),
          node_cpu_us_per_tx: round(((b1.node - b0.node) * 1e6) / b.accepted, 1),
          client_cpu_s: round(b1.client - b0.client),
        },
      });
    } else {
      (figures[0] as Figure).details = { ...(figures[0] as Figure).details, batch_probe: `not supported: ${batch.answer}` };
    }
    // the floor: a bare node:http server on the same requests (new ones would do: it checks nothing)
    const floor = await measureHttpFloor(single, LOAD_DEADLINE_MS);
    const perTx = 1 / limit.perCore + (floor.serverUsPerRequest + floor.clientUsPerRequest) / 1e6;
    const ceiling = cores / perTx;
    figures.push({
      id: "ingest.http_floor",
      section: SECTION,
      label: "Bare node:http server, requests/s (same load)",
      value: floor.requestsPerS,
      unit: "req/s",
      method:
        `the single-request load above (${CLIENTS} keep-alive clients, the same ${total} bodies) against a bare node:http server in its own process ` +
        `that only reads each body, JSON.parse's it and answers 201 with a body like the node's: no checks, no signature, no store. ` +
        `Its CPU per request (${fmt(floor.serverUsPerRequest)} µs) and the load generator's (${fmt(floor.clientUsPerRequest)} µs) plus one Ed25519 verification ` +
        `(${fmt(1e6 / limit.perCore)} µs) give the most one-per-request ingest these ${cores} cores could reach: ${cores} ÷ their sum = ${fmt(ceiling)} tx/s`,
      reference: { label: "single-request ingest above", value: rate, unit: "tx/s", method: "figure ingest.single" },
      ratio: floor.requestsPerS / rate,
      details: {
        server_cpu_us_per_request: round(floor.serverUsPerRequest, 1),
        client_cpu_us_per_request: round(floor.clientUsPerRequest, 1),
        verify_us: round(1e6 / limit.perCore, 1),
        ceiling_single_request_tx_per_s: round(ceiling),
        node_share_of_that_ceiling: round(rate / ceiling, 3),
      },
    });
    process.stdout.write(`  ingest: ${rounds.map((x) => fmt(x.rate)).join(", ")} tx/s (median ${fmt(rate)}), ${describeErrors(r)}\n`);
    return figures;
  } finally {
    admin.close();
    await node.stop();
    removeDir(dir);
  }
}
