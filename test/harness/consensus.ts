/**
 * Consensus fuzzing: valid branches built offline (with transfers between funded keys) and
 * random mutations of their blocks, delivered to a node by POST /blocks (in order, or
 * shuffled) or served by a scripted peer and pulled with /nodes/resolve; meanwhile the node
 * mines blocks of its own and takes transactions that may conflict with the branches.
 * After every case: no 5xx; the mutated block (and anything built on it) is not on the main
 * chain; the chain passes the independent checks (check.ts); coins are conserved; no
 * transaction is confirmed twice; an honest branch with more work is followed.
 */

import { Rng } from "../../src/sim/rng.js";
import {
  type ApiForm,
  type Block,
  blockHash,
  childBlock,
  devnetAt,
  fromApi,
  genesisBlock,
  keyFor,
  nowSeconds,
  regrind,
  type SignedTx,
  signTransfer,
  type Transaction,
  toApi,
  txRootOf,
  withBadPow,
} from "./chains.js";
import { replayLedger } from "./check.js";
import { type FakePeer, type Handler, serveChain, startFakePeer } from "./fake-peer.js";
import { inspectNode } from "./inspect.js";
import { getJson, removeDir, request, startNode, tempDir } from "./proc.js";

const DIFFICULTY = 16;
const PARAMS = devnetAt(DIFFICULTY);
const KEYS = Array.from({ length: 5 }, (_, i) => keyFor(`consensus sender ${i}`));
const OUTSIDER = keyFor("consensus outsider");
const SPENDER = keyFor("consensus coinbase spender"); // never paid by a transfer

export interface ConsensusOptions {
  cases: number;
  seed: number;
  timeLimitMs?: number;
  log?: (msg: string) => void;
}

export interface ConsensusReport {
  cases: number;
  honest: number;
  /** Honest branches with more work that the node then followed. */
  honestFollowed: number;
  lies: number;
  /** Mutated blocks the node refused (never on its main chain). */
  liesRefused: number;
  byMutation: Record<string, { sent: number; refused: number }>;
  reorgs: number;
  nodeMined: number;
  poolTxs: number;
  fiveXX: number;
  height: number;
  problems: string[];
  ms: number;
  stoppedEarly?: string;
}

type Mutation = (b: Block, ctx: MutationContext) => Block | undefined;

interface MutationContext {
  rng: Rng;
  /** Transactions already confirmed on the branch below this block. */
  earlier: SignedTx[];
  /** A valid transfer on the block's parent state (if any funded key can pay). */
  validTx: () => SignedTx | undefined;
  /** The parent block. */
  parent: Block;
}

const signed = (b: Block): SignedTx[] => b.transactions.slice(1) as SignedTx[];
const cb = (b: Block) => b.transactions[0] as Extract<Transaction, { type: "coinbase" }>;

/** The block with new transactions, tx_root recomputed, proof ground again. */
function withTxs(b: Block, transactions: Transaction[]): Block {
  return regrind(b, { transactions, tx_root: txRootOf(transactions) });
}

/** Ensures the block has a transfer to tamper with (adds a valid one, coinbase amount fixed). */
function withTransfer(b: Block, ctx: MutationContext): Block | undefined {
  if (signed(b).length > 0) return b;
  const tx = ctx.validTx();
  if (tx === undefined) return undefined;
  const coinbase = { ...cb(b), amount: PARAMS.reward + tx.fee };
  return withTxs(b, [coinbase, tx]);
}

function resign(
  tx: SignedTx,
  key = KEYS.find((k) => k.address === tx.sender),
  edit: Partial<{ amount: number; nonce: number; network: string; fee: number }> = {},
) {
  if (key === undefined || tx.type !== "transfer") return undefined;
  return signTransfer(key, { recipient: tx.recipient, amount: tx.amount, fee: tx.fee, nonce: tx.nonce, network: tx.network, ...edit });
}

/** Every mutation makes the block invalid (or, for an unknown parent, unconnectable). */
export const MUTATIONS: Record<string, Mutation> = {
  "transfer amount changed (tx_root no longer matches)": (b, c) => {
    const w = withTransfer(b, c);
    if (!w) return undefined;
    return { ...w, transactions: w.transactions.map((t, i) => (i === 1 && t.type === "transfer" ? { ...t, amount: t.amount + 1 } : t)) };
  },
  "tx_root of other transactions": (b) => regrind(b, { tx_root: txRootOf([]) === b.tx_root ? "ab".repeat(32) : txRootOf([]) }),
  "proof of work not met": (b) => withBadPow(b),
  "previous_hash unknown": (b, c) => regrind(b, { previous_hash: blockHash({ ...c.parent, proof: c.parent.proof + 1 }) }),
  "index skips one": (b) =>
    regrind(b, {
      index: b.index + 1,
      transactions: [{ ...cb(b), height: b.index + 1 }, ...signed(b)],
      tx_root: txRootOf([{ ...cb(b), height: b.index + 1 }, ...signed(b)]),
    }),
  "timestamp before the parent's": (b, c) => regrind(b, { timestamp: Math.max(0, c.parent.timestamp - 1) }),
  "timestamp over 120 s ahead": (b) => regrind(b, { timestamp: Math.round(nowSeconds() + 600) }),
  "timestamp with 4 decimals": (b) => regrind(b, { timestamp: Math.floor(b.timestamp) + 0.0001 }),
  "difficulty below the required": (b) => regrind(b, { difficulty: DIFFICULTY - 1 }),
  "difficulty above the required (claims more work)": (b) => regrind(b, { difficulty: DIFFICULTY * 4 }),
  "coinbase amount + 1": (b) => withTxs(b, [{ ...cb(b), amount: cb(b).amount + 1 }, ...signed(b)]),
  "coinbase height wrong": (b) => withTxs(b, [{ ...cb(b), height: b.index + 1 }, ...signed(b)]),
  "no coinbase": (b, c) => {
    const w = withTransfer(b, c);
    return w ? withTxs(w, signed(w)) : undefined;
  },
  "two coinbases": (b) => withTxs(b, [cb(b), { ...cb(b), amount: 1 }, ...signed(b)]),
  "coinbase not first": (b, c) => {
    const w = withTransfer(b, c);
    return w ? withTxs(w, [...signed(w), cb(w)]) : undefined;
  },
  "the same transfer twice": (b, c) => {
    const w = withTransfer(b, c);
    if (!w) return undefined;
    const t = signed(w)[0] as SignedTx;
    return withTxs(w, [{ ...cb(w), amount: cb(w).amount + t.fee }, ...signed(w), t]);
  },
  "replay of a transfer confirmed below": (b, c) => {
    const t = c.earlier.at(-1 - c.rng.int(0, Math.max(0, c.earlier.length - 1)));
    return t ? withTxs(b, [{ ...cb(b), amount: cb(b).amount + t.fee }, ...signed(b), t]) : undefined;
  },
  "transfer with a bad signature": (b, c) => {
    const w = withTransfer(b, c);
    if (!w) return undefined;
    const txs = w.transactions.map((t, i) =>
      i === 1 && t.type === "transfer" ? { ...t, signature: (t.signature[0] === "0" ? "1" : "0") + t.signature.slice(1) } : t,
    );
    return withTxs(w, txs);
  },
  "transfer of more than the sender has (validly signed)": (b, c) => {
    const w = withTransfer(b, c);
    const t = w ? (signed(w)[0] as SignedTx) : undefined;
    const over = t ? resign(t, undefined, { amount: 10 ** 12 }) : undefined;
    return w && over ? withTxs(w, [cb(w), over]) : undefined;
  },
  "transfer with a nonce gap (validly signed)": (b, c) => {
    const w = withTransfer(b, c);
    const t = w ? (signed(w)[0] as SignedTx) : undefined;
    const gap = t ? resign(t, undefined, { nonce: t.nonce + 1 }) : undefined;
    return w && gap ? withTxs(w, [cb(w), gap]) : undefined;
  },
  "transfer for another network (validly signed)": (b, c) => {
    const w = withTransfer(b, c);
    const t = w ? (signed(w)[0] as SignedTx) : undefined;
    const other = t ? resign(t, undefined, { network: "othernet" }) : undefined;
    return w && other ? withTxs(w, [cb(w), other]) : undefined;
  },
  "fee left out of the coinbase": (b, c) => {
    const w = withTransfer(b, c);
    const t = w ? (signed(w)[0] as SignedTx) : undefined;
    const paid = t ? resign(t, undefined, { fee: t.fee + 2 }) : undefined;
    return w && paid ? withTxs(w, [{ ...cb(w), amount: PARAMS.reward }, paid]) : undefined;
  },
  "miner spends its own coinbase in the block": (b) => {
    const spend = signTransfer(SPENDER, { recipient: KEYS[0]?.address as string, amount: 1, nonce: 0, network: PARAMS.name });
    return withTxs(b, [{ ...cb(b), recipient: SPENDER.address }, spend]);
  },
  "transfer amount 0 (validly signed)": (b, c) => {
    const w = withTransfer(b, c);
    const t = w ? (signed(w)[0] as SignedTx) : undefined;
    const zero = t ? resign(t, undefined, { amount: 0 }) : undefined;
    return w && zero ? withTxs(w, [cb(w), zero]) : undefined;
  },
  "more transactions than max_block_txs": (b, c) => {
    const w = withTransfer(b, c);
    const t = w ? (signed(w)[0] as SignedTx) : undefined;
    return w && t ? withTxs(w, [cb(w), ...Array(PARAMS.max_block_txs).fill(t)]) : undefined;
  },
  "proof 1.5": (b) => ({ ...b, proof: b.proof + 0.5 }),
  "index as a string": (b) => ({ ...b, index: String(b.index) as unknown as number }),
};

const SHAPE_LIES: Record<string, (api: ApiForm) => unknown> = {
  "unknown field in the block": (a) => ({ ...a, extra: 1 }),
  "unknown field in a transaction": (a) => ({ ...a, transactions: a.transactions.map((t, i) => (i === 0 ? { ...t, memo: "x" } : t)) }),
  "hash field lies": (a) => ({ ...a, hash: "0".repeat(64) }),
  "transaction id field lies": (a) => ({ ...a, transactions: a.transactions.map((t, i) => (i === 0 ? { ...t, id: "1".repeat(64) } : t)) }),
};

export async function consensusFuzz(opts: ConsensusOptions): Promise<ConsensusReport> {
  const t0 = Date.now();
  const rng = new Rng(opts.seed);
  const report: ConsensusReport = {
    cases: 0,
    honest: 0,
    honestFollowed: 0,
    lies: 0,
    liesRefused: 0,
    byMutation: {},
    reorgs: 0,
    nodeMined: 0,
    poolTxs: 0,
    fiveXX: 0,
    height: 0,
    problems: [],
    ms: 0,
  };
  const problem = (msg: string) => {
    if (report.problems.length < 50) report.problems.push(msg);
  };
  const dir = tempDir("tc-consensus-");
  const node = await startNode({ dataDir: dir, difficulty: DIFFICULTY, args: ["--sync-interval", "0"] });
  let peer: FakePeer | undefined;
  const known = new Map<string, Block>();
  const genesis = genesisBlock(PARAMS);
  known.set(blockHash(genesis), genesis);
  const quiet: Handler = serveChain([genesis]);
  try {
    peer = await startFakePeer(quiet);
    const post = async (path: string, json: unknown) => {
      const r = await request(`${node.url}${path}`, { json, timeoutMs: 60_000 });
      if (r.status >= 500) {
        report.fiveXX++;
        problem(`${path} answered ${r.status}: ${r.text.slice(0, 200)}`);
      }
      return r;
    };
    /** The path genesis → `hash` through known blocks. */
    const pathTo = (hash: string): Block[] => {
      const out: Block[] = [];
      let cur = known.get(hash);
      while (cur !== undefined) {
        out.push(cur);
        cur = cur.index === 1 ? undefined : known.get(cur.previous_hash);
      }
      return out.reverse();
    };
    const learnMain = async (): Promise<Block[]> => {
      const status = await getJson(`${node.url}/status`);
      if (!known.has(status.tip)) {
        const body = await getJson(`${node.url}/chain`, 60_000);
        for (const b of body.chain as ApiForm[]) if (!known.has(b.hash)) known.set(b.hash, fromApi(b));
      }
      return pathTo(status.tip);
    };
    /** A valid transfer on the state after `chain`, from a funded key, nonce as the chain says. */
    const transferOn = (chain: Block[], extraNonce = new Map<string, number>()) => {
      const ledger = replayLedger(chain.map(toApi));
      const payers = KEYS.filter((k) => (ledger.balances.get(k.address) ?? 0) >= 2 && !extraNonce.has(k.address));
      if (payers.length === 0) return undefined;
      const k = rng.pick(payers);
      const balance = ledger.balances.get(k.address) ?? 0;
      const nonce = ledger.nonces.get(k.address) ?? 0;
      const fee = rng.int(0, 1);
      const amount = rng.int(1, Math.min(3, balance - fee));
      extraNonce.set(k.address, 1);
      return signTransfer(k, { recipient: rng.pick([...KEYS, OUTSIDER]).address, amount, fee, nonce, network: PARAMS.name });
    };
    /** `count` honest blocks on `base`, each with up to 2 valid transfers, coinbase to a funded key. */
    const honestBranch = (base: Block[], count: number): Block[] => {
      const chain = [...base];
      for (let i = 0; i < count; i++) {
        const used = new Map<string, number>();
        const txs: SignedTx[] = [];
        const n = rng.int(0, 2);
        // only one transfer per sender per block keeps the replay simple (nonces still consecutive)
        for (let j = 0; j < n; j++) {
          const tx = transferOn(chain, used);
          if (tx) txs.push(tx);
        }
        const b = childBlock(chain.at(-1) as Block, txs, rng.pick(KEYS).address, PARAMS);
        known.set(blockHash(b), b);
        chain.push(b);
      }
      return chain.slice(base.length);
    };
    const onMain = async (hash: string) => {
      const r = await request(`${node.url}/blocks/${hash}`, { timeoutMs: 30_000 });
      if (r.status !== 200) return false;
      const at = await request(`${node.url}/blocks/${r.body.index}`, { timeoutMs: 30_000 });
      return at.status === 200 && at.body.hash === hash;
    };
    const ensurePeer = async () => {
      const nodes = (await getJson(`${node.url}/nodes`)).nodes as string[];
      if (!nodes.includes(`127.0.0.1:${peer?.port}`)) {
        const r = await post("/nodes/register", { nodes: [peer?.url] });
        if (r.status !== 201) problem(`registering the scripted peer: ${r.status} ${r.text.slice(0, 200)}`);
      }
    };

    // fund the keys: a few honest blocks
    for (const b of honestBranch([genesis], 6)) {
      const r = await post("/blocks", toApi(b));
      if (r.status !== 202) throw new Error(`funding block ${b.index}: ${r.status} ${r.text}`);
    }

    const mutationNames = Object.keys(MUTATIONS);
    const shapeNames = Object.keys(SHAPE_LIES);
    for (let i = 0; i < opts.cases; i++) {
      if (opts.timeLimitMs !== undefined && Date.now() - t0 > opts.timeLimitMs) {
        report.stoppedEarly = `time limit of ${opts.timeLimitMs} ms reached after ${i} cases`;
        break;
      }
      if (!node.alive()) {
        problem("the node exited");
        break;
      }
      report.cases++;
      // now and then: the node mines a block of its own, or takes a transaction into its pool
      if (rng.chance(0.25)) {
        const main = await learnMain();
        const tx = transferOn(main);
        if (tx) {
          const acct = await getJson(`${node.url}/accounts/${tx.sender}`);
          const k = KEYS.find((x) => x.address === tx.sender);
          const pooled =
            k && signTransfer(k, { recipient: tx.recipient, amount: 1, fee: tx.fee, nonce: acct.pending.nonce, network: PARAMS.name });
          if (pooled) {
            const r = await post("/transactions", pooled);
            if (r.status === 201) report.poolTxs++;
          }
        }
      }
      if (rng.chance(0.2)) {
        const r = await request(`${node.url}/mine`, { timeoutMs: 60_000 });
        if (r.status === 200) report.nodeMined++;
        else problem(`/mine: ${r.status} ${r.text.slice(0, 200)}`);
      }
      const main = await learnMain();
      const tipBefore = blockHash(main.at(-1) as Block);
      const depth = rng.int(0, Math.min(4, main.length - 2));
      const base = main.slice(0, main.length - depth);
      const longer = rng.chance(0.75);
      const count = Math.max(1, depth + (longer ? rng.int(1, 3) : rng.int(-depth, 0)));
      const branch = honestBranch(base, count);
      const full = [...base, ...branch];
      const lie = rng.chance(0.65);
      const viaPeer = rng.chance(0.35);
      let delivered: unknown[] = branch.map(toApi);
      let badHash: string | undefined;
      let name = "honest";
      if (lie) {
        const j = rng.int(0, branch.length - 1);
        const shape = rng.chance(0.15);
        const parent = full[base.length + j - 1] as Block;
        const earlier = full.slice(1, base.length + j).flatMap(signed);
        const ctx: MutationContext = { rng, earlier, parent, validTx: () => transferOn(full.slice(0, base.length + j)) };
        let bad: Block | undefined;
        let badApi: unknown;
        for (let tries = 0; tries < 5 && badApi === undefined; tries++) {
          name = shape ? rng.pick(shapeNames) : rng.pick(mutationNames);
          if (shape) {
            bad = branch[j] as Block;
            badApi = (SHAPE_LIES[name] as (a: ApiForm) => unknown)(toApi(bad));
          } else {
            bad = (MUTATIONS[name] as Mutation)(branch[j] as Block, ctx);
            if (bad !== undefined) badApi = safeApi(bad);
          }
        }
        if (bad === undefined || badApi === undefined) {
          name = "honest";
        } else {
          badHash = safeHash(bad);
          // the blocks after it are built on the bad one
          const after: unknown[] = [];
          let p = bad;
          for (let k = j + 1; k < branch.length; k++) {
            try {
              const c = childBlock(p, signed(branch[k] as Block), cb(branch[k] as Block).recipient, PARAMS);
              after.push(toApi(c));
              p = c;
            } catch {
              break; // a parent whose header cannot be hashed has no children
            }
          }
          delivered = [...branch.slice(0, j).map(toApi), badApi, ...after];
        }
      }
      const stat = (report.byMutation[name] ??= { sent: 0, refused: 0 });
      stat.sent++;
      let shuffled = false;
      const answers: string[] = [];
      if (viaPeer) {
        peer.setHandler(serveChain(full, { raw: [...base.map(toApi), ...delivered] }));
        await ensurePeer();
        const r = await request(`${node.url}/nodes/resolve`, { timeoutMs: 120_000 });
        if (r.status !== 200) problem(`/nodes/resolve: ${r.status} ${r.text.slice(0, 200)}`);
        peer.setHandler(quiet);
      } else {
        shuffled = rng.chance(0.2);
        const order = shuffled ? shuffle(delivered, rng) : delivered;
        for (const b of order) {
          const r = await post("/blocks", b);
          answers.push(`${(b as { index?: unknown }).index}:${r.status}${r.body?.outcome ? `/${r.body.outcome}` : ""}`);
          if (badHash !== undefined && (b as { hash?: string }).hash === badHash) {
            // 200 low-work: held in memory, not stored (its signatures and state are checked if its branch ever gets the work)
            const held = r.status === 200 && r.body?.outcome === "low-work";
            if (r.status !== 400 && r.status !== 202 && !held)
              problem(`${name}: POST /blocks answered ${r.status} ${r.text.slice(0, 200)}`);
          }
        }
        // blocks sent out of order connect once their parents are in
      }
      const after = await learnMain();
      const tipAfter = blockHash(after.at(-1) as Block);
      if (tipAfter !== tipBefore && !after.some((b) => blockHash(b) === tipBefore)) report.reorgs++;
      if (name === "honest") {
        report.honest++;
        if (full.length > main.length) {
          if (tipAfter === blockHash(full.at(-1) as Block)) report.honestFollowed++;
          else if (!viaPeer)
            problem(
              `case ${i}: an honest branch with more work (${full.length} blocks vs ${main.length}, forking at ${base.length}) was not followed; POSTed ${shuffled ? "shuffled" : "in order"}: ${answers.join(" ")}`,
            );
          else report.honestFollowed += (await onMain(blockHash(full.at(-1) as Block))) ? 1 : 0;
        }
      } else {
        report.lies++;
        if (badHash !== undefined && (await onMain(badHash)))
          problem(`case ${i}: ${name}: the mutated block ${badHash} is on the main chain`);
        else if (after.some((b) => safeHash(b) === badHash)) problem(`case ${i}: ${name}: the mutated block is on the main chain`);
        else {
          report.liesRefused++;
          stat.refused++;
        }
      }
      const inspection = await inspectNode(node.url, { difficulty: DIFFICULTY, reward: PARAMS.reward });
      for (const p of inspection.problems) problem(`case ${i} (${name}${viaPeer ? ", via a peer" : ""}): ${p}`);
      if (report.problems.length > 0) break;
      if (opts.log && (i + 1) % 25 === 0)
        opts.log(`consensus: ${i + 1} cases, height ${after.length}, ${report.lies} lies refused ${report.liesRefused}`);
    }
    report.height = (await getJson(`${node.url}/status`)).height;
    if (!node.alive()) problem("the node exited");
    const logErrors = node
      .output()
      .split("\n")
      .filter((l) => /"level":(50|60)/.test(l));
    for (const l of logErrors.slice(0, 5)) problem(`logged an error: ${l.slice(0, 300)}`);
  } finally {
    await node.stop();
    await peer?.close();
    removeDir(dir);
    report.ms = Date.now() - t0;
  }
  return report;
}

function safeApi(b: Block): unknown {
  try {
    return toApi(b);
  } catch {
    return { ...b };
  }
}

function safeHash(b: Block): string | undefined {
  try {
    return blockHash(b);
  } catch {
    return undefined;
  }
}

function shuffle<T>(xs: T[], rng: Rng): T[] {
  const a = [...xs];
  for (let i = a.length - 1; i > 0; i--) {
    const j = rng.int(0, i);
    [a[i], a[j]] = [a[j] as T, a[i] as T];
  }
  return a;
}
