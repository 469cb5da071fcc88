/**
 * `npm run soak -- --only attacks`: the six cheap attacks of issue 16 ("hostile peers and
 * spammers") against real node processes on 127.0.0.1, each scaled to run in seconds, with
 * what it costs the attacker (hashes, signatures, requests, bytes, wall time) and the node
 * (RSS growth, CPU, store bytes, worst GET /status latency meanwhile) and a target. The
 * attacks are those of the tests that cover them (named in each); blocks and transactions are
 * made with the project's own core. The same file runs on the code before the fixes (fields
 * that code lacks are reported as n/a), which gives RELIABILITY.md its "before" column.
 */

import {
  Attacker,
  type AttackResult,
  idleSocket,
  kb,
  Meter,
  openStream,
  readAnswer,
  type Stream,
  tally,
  tallyText,
  writeChainDir,
} from "./attack-kit.js";
import { type Block, childBlock, devnetAt, genesisBlock, keyFor, signTransfer } from "./chains.js";
import { getJson, type RunningNode, removeDir, request, sleep, startNode, tempDir } from "./proc.js";

export { type AttackResult, attackTable } from "./attack-kit.js";

type Log = (msg: string) => void;
type Run = (c: { log: Log; shared: () => Promise<RunningNode> }) => Promise<Omit<AttackResult, "id" | "name" | "test">>;

const P16 = devnetAt(16);
const P1 = devnetAt(1);
const G16 = genesisBlock(P16);
const MINER = keyFor("attack miner").address;
const started: Array<{ node: RunningNode; dir: string }> = [];

async function node(difficulty: number, args: string[] = []): Promise<RunningNode> {
  const dir = tempDir("tc-attack-");
  const n = await startNode({ dataDir: dir, difficulty, args: ["--sync-interval", "0", ...args] });
  started.push({ node: n, dir });
  return n;
}

async function stopAll(): Promise<void> {
  for (const { node: n, dir } of started.splice(0)) {
    await n.stop();
    removeDir(dir);
  }
}

async function mine(n: RunningNode) {
  const r = await request(`${n.url}/mine`, { timeoutMs: 60_000 });
  if (r.status !== 200) throw new Error(`GET /mine: ${r.status} ${r.text.slice(0, 200)}`);
  return r.body as { index: number; transactions: Array<{ id: string }> };
}

/** A chain of `count` blocks on `parent`, each holding `txsAt(i)`, at the difficulty of `params`. */
function chainOn(parent: Block, count: number, params = P16, txsAt: (i: number) => ReturnType<Attacker["freeTokens"]> = () => []): Block[] {
  const out: Block[] = [];
  for (let i = 0; i < count; i++) out.push((parent = childBlock(parent, txsAt(i), MINER, params)));
  return out;
}

const statusOf = (n: RunningNode) => getJson(`${n.url}/status`, 15_000);

// 1. test/integration/pool-jam.test.ts
const poolJam: Run = async () => {
  const n = await node(16, ["--pool-size", "50"]);
  for (let i = 0; i < 3; i++) await mine(n);
  const honest = keyFor("attack pool honest");
  const fund = await request(`${n.url}/transactions/new`, { json: { recipient: honest.address, amount: 2 } });
  if (fund.status !== 201) throw new Error(`funding: ${fund.status} ${fund.text}`);
  await mine(n);
  const a = new Attacker();
  const keys = Array.from({ length: 120 }, (_, i) => keyFor(`attack pool jam ${i}`));
  const fee = Number.MAX_SAFE_INTEGER;
  const jam = keys.map((k) => JSON.stringify(signTransfer(k, { recipient: MINER, amount: 1, fee, nonce: 1, network: P16.name })));
  a.cost.signatures += jam.length;
  const meter = new Meter(n);
  meter.start();
  const answers = [];
  const deadline = Date.now() + 60_000;
  for (const t of jam) if (Date.now() < deadline) answers.push(await a.post(`${n.url}/transactions`, t, { timeoutMs: 10_000 }));
  const attacker = a.done();
  const senders = new Set(keys.map((k) => k.address));
  const pending = (await getJson(`${n.url}/transactions/pending`)).transactions as Array<{ sender: string }>;
  const jammed = pending.filter((t) => senders.has(t.sender)).length;
  const tx = signTransfer(honest, { recipient: MINER, amount: 1, fee: 1, nonce: 0, network: P16.name });
  const sent = await request(`${n.url}/transactions`, { json: tx });
  const mined = sent.status === 201 && (await mine(n)).transactions.some((t) => t.id === tx.id);
  const cost = await meter.stop();
  const why = sent.status === 201 ? "" : ` (${sent.body?.code ?? sent.body?.error})`;
  return {
    attacker,
    node: cost,
    outcome: `answers ${tallyText(tally(answers))}; jam pending ${jammed}/50; honest fee-1 transfer ${sent.status}${why}, mined: ${mined ? "yes" : "no"}`,
    figures: { answers: tally(answers), jamPending: jammed, honestStatus: sent.status, honestMined: mined },
    target: "honest transfer 201 and mined; jam pending 0",
    met: sent.status === 201 && mined && jammed === 0,
  };
};

// 2. test/integration/p2p-long-split.test.ts
const longSplit: Run = async ({ log }) => {
  const [LIGHT, HEAVY, BOUND_MS] = [21_000, 24_000, 120_000];
  const lightDir = tempDir("tc-attack-light-");
  const heavyDir = tempDir("tc-attack-heavy-");
  writeChainDir(lightDir, P16, LIGHT, keyFor("attack split light").address);
  const a = new Attacker(); // the heavier side: its branch is what it had to mine
  a.cost.hashes += writeChainDir(heavyDir, P16, HEAVY, keyFor("attack split heavy").address);
  log(`  long split: ${LIGHT} and ${HEAVY} blocks written`);
  const start = async (dir: string) => {
    const n = await startNode({ dataDir: dir, difficulty: 16, args: ["--sync-interval", "0"] });
    started.push({ node: n, dir });
    return n;
  };
  const heavy = await start(heavyDir);
  const light = await start(lightDir);
  const target = (await statusOf(heavy)).tip as string;
  const meter = new Meter(light);
  meter.start();
  const t0 = performance.now();
  const reg = await a.post(`${light.url}/nodes/register`, JSON.stringify({ nodes: [heavy.url] }));
  if (reg.status !== 201) throw new Error(`register: ${reg.status} ${reg.text}`);
  let converged = false;
  const messages: string[] = [];
  for (let i = 0; i < 200 && !converged && performance.now() - t0 < BOUND_MS; i++) {
    a.gets(1);
    const left = BOUND_MS - (performance.now() - t0);
    const r = await readAnswer(`${light.url}/nodes/resolve`, Math.max(1000, Math.min(60_000, left)));
    messages.push(/"message":"([^"]*)"/.exec(r.head)?.[1] ?? r.error ?? String(r.status));
    converged = (await statusOf(light)).tip === target;
    if (!converged) await sleep(1000);
  }
  const ms = Math.round(performance.now() - t0);
  const cost = await meter.stop();
  const result = converged ? `converged in ${(ms / 1000).toFixed(1)} s` : `not converged after ${Math.round(ms / 1000)} s`;
  return {
    attacker: a.done(),
    node: cost,
    outcome: `${result}; ${messages.length} resolve calls (${[...new Set(messages)].join("; ")})`,
    figures: { converged, ms, resolveCalls: messages.length, messages, light: LIGHT, heavy: HEAVY },
    target: `converged (same tip) within ${BOUND_MS / 1000} s`,
    met: converged,
  };
};

// 3. test/integration/p2p-hostile-blocks.test.ts "a side branch with less work than the tip is not stored"
const lowWork: Run = async () => {
  const n = await node(16);
  for (let i = 0; i < 5; i++) await mine(n); // tip at 6
  const a = new Attacker();
  const txs = a.freeTokens("attack low-work spammer", 400, P16.name);
  const blocks = Array.from({ length: 20 }, (_, i) => childBlock(G16, txs, keyFor(`attack low-work miner ${i}`).address, P16));
  a.mined(blocks);
  const texts = blocks.map((b) => JSON.stringify(b));
  const meter = new Meter(n);
  meter.start();
  const answers = [];
  for (const t of texts) answers.push(await a.post(`${n.url}/blocks`, t));
  const attacker = a.done();
  const cost = await meter.stop();
  return {
    attacker,
    node: cost,
    outcome: `${tallyText(tally(answers))}; store ${cost.storeGrowthBytes < 0 ? "" : "+"}${kb(cost.storeGrowthBytes)} for ${kb(attacker.bytesSent)} sent`,
    figures: { answers: tally(answers) },
    target: "store grows < 200 KB",
    met: cost.storeGrowthBytes < 200_000,
  };
};

interface Orphans {
  count: number;
  bytes: number;
  max_count: number;
  max_bytes: number;
}

// 4a. test/integration/p2p-hostile-blocks.test.ts "an orphan must carry the network's difficulty"
const orphans: Run = async () => {
  const n = await node(16);
  const a = new Attacker();
  const missing = childBlock(G16, [], MINER, P16); // never sent
  const txs = a.freeTokens("attack orphan spammer", 999, P16.name);
  const right = chainOn(missing, 60, P16, () => txs);
  const easy = chainOn(missing, 30, P1, () => txs);
  a.mined([missing, ...right, ...easy]);
  const texts = [...right, ...easy].map((b) => JSON.stringify(b));
  const meter = new Meter(n);
  meter.start();
  const answers = [];
  for (const t of texts) answers.push(await a.post(`${n.url}/blocks`, t));
  const attacker = a.done();
  const held = (await statusOf(n)).orphans as Orphans | undefined;
  const cost = await meter.stop();
  const mib = (b: number) => `${(b / 2 ** 20).toFixed(1)} MiB`;
  const heldText = held ? `held ${held.count} blocks, ${mib(held.bytes)} (max ${held.max_count}, ${mib(held.max_bytes)})` : "held: n/a";
  return {
    attacker,
    node: cost,
    outcome: `60 at difficulty 16: ${tallyText(tally(answers.slice(0, 60)))}; 30 at difficulty 1: ${tallyText(tally(answers.slice(60)))}; ${heldText}`,
    figures: { right: tally(answers.slice(0, 60)), easy: tally(answers.slice(60)), held: held ?? "n/a" },
    target: "held bytes ≤ /status orphans.max_bytes; RSS growth < 150 MB",
    met: held !== undefined && held.bytes <= held.max_bytes && cost.rssGrowthMb < 150,
  };
};

// 4b. test/integration/p2p-hostile-blocks.test.ts "children of an orphan's arriving parent are connected off the request path"
const orphanChildren: Run = async () => {
  const n = await node(16);
  const a = new Attacker();
  const parent = childBlock(G16, [], MINER, P16);
  const children = chainOn(parent, 30, P16, (i) => a.freeTokens("attack orphan children", 999, P16.name, i * 999));
  a.mined([parent, ...children]);
  const texts = children.map((b) => JSON.stringify(b));
  const meter = new Meter(n);
  meter.start();
  const answers = [];
  for (const t of texts) answers.push(await a.post(`${n.url}/blocks`, t, { timeoutMs: 60_000 }));
  meter.mark();
  const t0 = performance.now();
  const last = await a.post(`${n.url}/blocks`, JSON.stringify(parent), { timeoutMs: 60_000 });
  let height = 0;
  for (let i = 0; i < 600 && height < 32; i++) {
    height = (await statusOf(n)).height;
    if (height < 32) await sleep(100);
  }
  const connectMs = Math.round(performance.now() - t0);
  const attacker = a.done();
  const cost = await meter.stop();
  const worst = cost.worstStatusSinceMarkMs ?? cost.worstStatusMs;
  return {
    attacker,
    node: cost,
    outcome: `children: ${tallyText(tally(answers))}; parent ${last.status} ${last.body?.outcome ?? ""}; height ${height} after ${(connectMs / 1000).toFixed(1)} s; worst /status while connecting ${worst} ms`,
    figures: { children: tally(answers), parent: last.status, height, connectMs, worstWhileConnectingMs: worst },
    target: "all 30 connected; worst /status latency < 1 s while they connect",
    met: height === 32 && worst < 1000,
  };
};

// 5. test/robust/big-answers.test.ts
const bigAnswers: Run = async ({ log }) => {
  const n = await node(1);
  const builder = new Attacker(); // the node's own chain, not the attacker's work
  const t0 = Date.now() / 1000 - 3600;
  let parent = genesisBlock(P1);
  for (let i = 0; i < 320; i++) {
    const txs = i < 20 ? builder.freeTokens("attack big chain", 999, P1.name, i * 999) : [];
    parent = childBlock(parent, txs, MINER, P1, Math.round((t0 + i) * 1000) / 1000);
    const r = await builder.post(`${n.url}/blocks`, JSON.stringify(parent), { timeoutMs: 60_000 });
    if (r.status !== 202) throw new Error(`big chain block ${parent.index}: ${r.status} ${r.text.slice(0, 200)}`);
  }
  log(`  big answers: a chain of ${kb(builder.cost.bytesSent)} built`);
  const a = new Attacker();
  const meter = new Meter(n);
  meter.start();
  const reads = await Promise.all(Array.from({ length: 20 }, () => readAnswer(`${n.url}/chain`, 120_000)));
  a.gets(
    reads.length,
    reads.reduce((s, r) => s + r.bytes, 0),
  );
  const attacker = a.done();
  const cost = await meter.stop();
  const whole = reads.filter((r) => r.status === 200 && r.error === undefined).length;
  return {
    attacker,
    node: cost,
    outcome: `${whole}/20 complete answers of ${kb(reads[0]?.bytes ?? 0)} (${kb(attacker.bytesReceived)} in all) in ${(attacker.ms / 1000).toFixed(1)} s`,
    figures: { chainBytes: reads[0]?.bytes, complete: whole, received: attacker.bytesReceived },
    target: "RSS growth < 100 MB",
    met: cost.rssGrowthMb < 100 && whole === 20,
  };
};

// 6a. test/robust/connections.test.ts
const idleConnections: Run = async ({ shared }) => {
  const n = await shared();
  const a = new Attacker();
  const meter = new Meter(n);
  meter.start();
  const t0 = Date.now();
  const socks = await Promise.all(Array.from({ length: 200 }, () => idleSocket(n.port)));
  a.cost.connections += socks.length;
  while (Date.now() - t0 < 30_000 && socks.some((w) => w.closedAt === undefined)) await sleep(100);
  const open = socks.filter((w) => w.closedAt === undefined).length;
  const lastClosed = Math.max(...socks.map((w) => w.closedAt ?? 0)) - t0;
  for (const w of socks) w.socket.destroy();
  const attacker = a.done();
  const cost = await meter.stop();
  return {
    attacker,
    node: cost,
    outcome: `${open}/200 open after 30 s${open === 0 ? ` (the last closed at ${(lastClosed / 1000).toFixed(1)} s)` : ""}`,
    figures: { open, lastClosedMs: open === 0 ? lastClosed : null },
    target: "0 open after 30 s",
    met: open === 0,
  };
};

// 6b. test/browser/explorer-api.test.ts "GET /events"
const eventStreams: Run = async ({ shared }) => {
  const n = await shared();
  const a = new Attacker();
  const meter = new Meter(n);
  meter.start();
  const streams: Stream[] = [];
  for (let i = 0; i < 120; i++) streams.push(await openStream(n.url));
  a.gets(streams.length);
  await sleep(1000);
  const open = streams.filter((s) => s.status === 200 && !s.closed).length;
  const refused = streams.filter((s) => s.status !== 200).length;
  const evicted = streams.filter((s) => s.evicted).length;
  const newest = streams.at(-1);
  const newestOpen = newest !== undefined && newest.status === 200 && !newest.closed;
  for (const s of streams) s.close();
  const attacker = a.done();
  const cost = await meter.stop();
  return {
    attacker,
    node: cost,
    outcome: `${open} open, ${refused} refused, ${evicted} evicted; the newest stream ${newestOpen ? "served" : "refused"}`,
    figures: { open, refused, evicted, newestOpen },
    target: "≤ 10 open for one address",
    met: open <= 10,
  };
};

// 6c. test/robust/limits.test.ts "batches of badly signed transactions are charged by the work"
const badSignatures: Run = async ({ shared }) => {
  const n = await shared();
  const a = new Attacker();
  const key = keyFor("attack bad signer");
  // one signature, made for nonce 0, on transfers of other nonces: each check is a full one, and false
  const signature = signTransfer(key, { recipient: MINER, amount: 1, nonce: 0, network: P16.name }).signature;
  a.cost.signatures++;
  let nonce = 1;
  const batch = () =>
    JSON.stringify(
      Array.from({ length: 1000 }, () => ({
        ...{ type: "transfer", network: P16.name, sender: key.address, recipient: MINER },
        ...{ amount: 1, fee: 0, nonce: nonce++, signature },
      })),
    );
  const batches = Array.from({ length: 30 }, batch);
  const meter = new Meter(n);
  meter.start();
  let checked = 0;
  let limited: number | undefined;
  for (const [i, b] of batches.entries()) {
    const r = await a.post(`${n.url}/transactions`, b, { localAddress: "127.0.0.2" });
    if (r.status === 429) {
      limited = i + 1;
      break;
    }
    if (r.status === 200) checked += (r.body?.results as unknown[] | undefined)?.length ?? 1000;
  }
  const attacker = a.done();
  const cost = await meter.stop();
  return {
    attacker,
    node: cost,
    outcome: `${checked.toLocaleString("en")} signatures checked, ${limited ? `429 at batch ${limited}` : `no 429 in ${batches.length} batches`}; node CPU ${cost.cpuMs.toLocaleString("en")} ms`,
    figures: { checked, firstLimitedBatch: limited ?? null },
    target: "≤ 2,000 signatures checked before the first 429",
    met: limited !== undefined && checked <= 2000,
  };
};

const ATTACKS: Array<{ id: string; name: string; test: string; run: Run; shared?: true }> = [
  { id: "1", name: "pool jam", test: "test/integration/pool-jam.test.ts", run: poolJam },
  { id: "2", name: "long split", test: "test/integration/p2p-long-split.test.ts", run: longSplit },
  { id: "3", name: "low-work side branch", test: "test/integration/p2p-hostile-blocks.test.ts", run: lowWork },
  { id: "4a", name: "orphans", test: "test/integration/p2p-hostile-blocks.test.ts", run: orphans },
  { id: "4b", name: "orphan children", test: "test/integration/p2p-hostile-blocks.test.ts", run: orphanChildren },
  { id: "5", name: "big answers", test: "test/robust/big-answers.test.ts", run: bigAnswers },
  { id: "6a", name: "idle connections", test: "test/robust/connections.test.ts", run: idleConnections, shared: true },
  { id: "6b", name: "event streams", test: "test/browser/explorer-api.test.ts", run: eventStreams, shared: true },
  { id: "6c", name: "bad signatures", test: "test/robust/limits.test.ts", run: badSignatures, shared: true },
];

/** Runs the attacks (`ids`: a subset), one after another, each on fresh nodes (6a-6c share one, `--rate-limit-loopback`). */
export async function runAttacks(opts: { log: Log; ids?: readonly string[] }): Promise<AttackResult[]> {
  const out: AttackResult[] = [];
  let shared: RunningNode | undefined;
  try {
    for (const x of ATTACKS.filter((x) => opts.ids === undefined || opts.ids.includes(x.id))) {
      opts.log(`attack ${x.id}: ${x.name}`);
      const r = await x.run({ log: opts.log, shared: async () => (shared ??= await node(16, ["--rate-limit-loopback"])) });
      if (!x.shared) {
        await stopAll();
        shared = undefined;
      }
      const res = { id: x.id, name: x.name, test: x.test, ...r };
      opts.log(`  ${res.met ? "met" : "MISSED"}: ${res.outcome}`);
      out.push(res);
    }
  } finally {
    await stopAll();
  }
  return out;
}
