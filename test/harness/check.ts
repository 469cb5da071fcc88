/**
 * The one chain checker: independent checks of what a node serves, written from docs/protocol.md §1–§4
 * without the node's own code (no src/core), for the soak, the robust and integration tests: canonical JSON of flat objects, SHA-256 hashes, RFC 6962 Merkle roots,
 * proof of work, coinbase amounts, one confirmation per transaction, and a replay of the
 * coin ledger. Each check returns the problems it found (an empty list: all good).
 */
import { createHash } from "node:crypto";

export interface ApiTx {
  id: string;
  type: string;
  sender: string;
  recipient?: string;
  amount?: number;
  fee?: number;
  nonce?: number;
  height?: number;
  [field: string]: unknown;
}

export interface ApiBlock {
  index: number;
  timestamp: number;
  transactions: ApiTx[];
  proof: number;
  previous_hash: string;
  difficulty: number;
  tx_root: string;
  hash: string;
}

function sha256(data: string | Buffer): Buffer {
  return createHash("sha256").update(data).digest();
}

export function sha256Hex(data: string | Buffer): string {
  return sha256(data).toString("hex");
}

/** Canonical JSON (docs/protocol.md §1, RFC 8785) of a flat object of strings and finite numbers. */
export function canonicalFlat(o: Record<string, unknown>): string {
  const parts = Object.keys(o)
    .sort()
    .map((k) => {
      const v = o[k];
      if (typeof v !== "string" && !(typeof v === "number" && Number.isFinite(v))) throw new Error(`field ${k} is not a string or number`);
      return `${JSON.stringify(k)}:${JSON.stringify(v)}`;
    });
  return `{${parts.join(",")}}`;
}

export function txIdOf(tx: Record<string, unknown>): string {
  const { id: _id, ...rest } = tx;
  return sha256(canonicalFlat(rest)).toString("hex");
}

export function merkleRoot(ids: string[]): string {
  const mth = (leaves: Buffer[]): Buffer => {
    if (leaves.length === 0) return sha256("");
    if (leaves.length === 1) return sha256(Buffer.concat([Buffer.from([0]), leaves[0] as Buffer]));
    let k = 1;
    while (k * 2 < leaves.length) k *= 2;
    return sha256(Buffer.concat([Buffer.from([1]), mth(leaves.slice(0, k)), mth(leaves.slice(k))]));
  };
  return mth(ids.map((id) => Buffer.from(id, "hex"))).toString("hex");
}

/** The header fields a block hash covers (docs/protocol.md §4), whatever their types as served. */
type HeaderFields = { [K in "index" | "timestamp" | "proof" | "previous_hash" | "difficulty" | "tx_root"]: unknown };

export function blockHashOf(b: HeaderFields): string {
  const { index, timestamp, proof, previous_hash, difficulty, tx_root } = b;
  return sha256(canonicalFlat({ index, timestamp, proof, previous_hash, difficulty, tx_root })).toString("hex");
}

export function meetsWork(hash: string, difficulty: number): boolean {
  return BigInt(`0x${hash}`) * BigInt(difficulty) < 1n << 256n;
}

const BLOCK_KEYS = ["difficulty", "hash", "index", "previous_hash", "proof", "timestamp", "transactions", "tx_root"].join();

/**
 * Checks a whole chain as GET /chain serves it (genesis first): shape, indexes, links, hashes,
 * proof of work, transaction ids, tx_root, the coinbase (first, only first, height, amount =
 * reward + fees), and that no transaction id appears twice.
 */
export function chainProblems(chain: ApiBlock[], opts: { difficulty: number; reward: number; genesisTimestamp?: number }): string[] {
  const problems: string[] = [];
  const add = (msg: string) => {
    if (problems.length < 50) problems.push(msg);
  };
  if (!Array.isArray(chain) || chain.length === 0) return ["the chain is empty or not a list"];
  const g = chain[0] as ApiBlock;
  if (g.index !== 1 || g.previous_hash !== "1" || g.proof !== 100 || g.transactions?.length !== 0) add("block 1 is not a genesis block");
  if (opts.genesisTimestamp !== undefined && g.timestamp !== opts.genesisTimestamp) add("genesis timestamp differs");
  const seen = new Map<string, number>();
  for (const [i, b] of chain.entries()) {
    const at = `block ${i + 1}`;
    if (typeof b !== "object" || b === null) {
      add(`${at}: not an object`);
      continue;
    }
    if (Object.keys(b).sort().join() !== BLOCK_KEYS) add(`${at}: fields ${Object.keys(b).sort().join()}`);
    if (b.index !== i + 1) add(`${at}: index ${b.index}`);
    if (b.difficulty !== opts.difficulty) add(`${at}: difficulty ${b.difficulty}`);
    let hash: string;
    try {
      hash = blockHashOf(b);
    } catch (err) {
      add(`${at}: header not hashable: ${(err as Error).message}`);
      continue;
    }
    if (b.hash !== hash) add(`${at}: hash ${b.hash} is not the header's hash ${hash}`);
    if (!Array.isArray(b.transactions)) {
      add(`${at}: transactions not a list`);
      continue;
    }
    const ids: string[] = [];
    for (const t of b.transactions) {
      let id: string;
      try {
        id = txIdOf(t as Record<string, unknown>);
      } catch (err) {
        add(`${at}: transaction not hashable: ${(err as Error).message}`);
        continue;
      }
      if (t.id !== id) add(`${at}: transaction id ${t.id} is not ${id}`);
      ids.push(id);
      const before = seen.get(id);
      if (before !== undefined) add(`transaction ${id} is confirmed twice: blocks ${before} and ${b.index}`);
      else seen.set(id, b.index);
    }
    if (b.tx_root !== merkleRoot(ids)) add(`${at}: tx_root does not match its transactions`);
    if (i === 0) continue;
    const prev = chain[i - 1] as ApiBlock;
    if (b.previous_hash !== prev.hash) add(`${at}: previous_hash does not link to block ${i}`);
    if (!(b.timestamp >= prev.timestamp)) add(`${at}: timestamp before its parent's`);
    if (!meetsWork(hash, b.difficulty)) add(`${at}: proof of work does not meet difficulty ${b.difficulty}`);
    const [cb, ...rest] = b.transactions;
    if (cb === undefined || cb.type !== "coinbase") {
      add(`${at}: first transaction is not a coinbase`);
      continue;
    }
    if (cb.height !== b.index) add(`${at}: coinbase height ${cb.height}`);
    const fees = rest.reduce((s, t) => s + (t.fee ?? 0), 0);
    if (cb.amount !== opts.reward + fees) add(`${at}: coinbase amount ${cb.amount} is not reward ${opts.reward} + fees ${fees}`);
    for (const t of rest) if (t.type === "coinbase") add(`${at}: a second coinbase`);
  }
  return problems;
}

export interface Ledger {
  /** Coin balances after replaying the chain. */
  balances: Map<string, number>;
  /** Nonces (confirmed transactions sent) per sender. */
  nonces: Map<string, number>;
  minted: number;
  fees: number;
  /** Every transaction id on the chain, with its block index. */
  txs: Map<string, number>;
  problems: string[];
}

/**
 * Replays the coin side of the chain (docs/protocol.md §3): coinbase credits; every signed transaction
 * pays its fee, a transfer moves its amount; nonces count up from 0. Token balances are not
 * replayed (coins only).
 */
/** What the replay reads of a block: its index and the coin fields of its transactions. */
type LedgerBlock = {
  index: number;
  transactions: Array<{ id: string; type: string; sender: string; recipient?: string; amount?: number; fee?: number; nonce?: number }>;
};

export function replayLedger(chain: LedgerBlock[]): Ledger {
  const balances = new Map<string, number>();
  const nonces = new Map<string, number>();
  const txs = new Map<string, number>();
  const problems: string[] = [];
  let minted = 0;
  let fees = 0;
  const credit = (a: string, v: number) => balances.set(a, (balances.get(a) ?? 0) + v);
  for (const b of chain) {
    const [cb, ...rest] = b.transactions;
    for (const t of rest) {
      txs.set(t.id, b.index);
      const fee = t.fee ?? 0;
      const amount = t.type === "transfer" ? (t.amount ?? 0) : 0;
      const nonce = nonces.get(t.sender) ?? 0;
      if (t.nonce !== nonce) problems.push(`block ${b.index}: ${t.id} has nonce ${t.nonce}, the sender's next is ${nonce}`);
      nonces.set(t.sender, nonce + 1);
      if ((balances.get(t.sender) ?? 0) < fee + amount) problems.push(`block ${b.index}: ${t.id} spends more than its sender has`);
      credit(t.sender, -(fee + amount));
      if (t.type === "transfer" && t.recipient !== undefined) credit(t.recipient, amount);
      fees += fee;
    }
    if (cb !== undefined) {
      txs.set(cb.id, b.index);
      credit(cb.recipient as string, cb.amount ?? 0);
      minted += cb.amount ?? 0;
    }
  }
  return { balances, nonces, minted, fees, txs, problems };
}

/** The addresses a chain mentions (senders, recipients, owners, spenders). */
export function addressesIn(chain: ApiBlock[]): string[] {
  const out = new Set<string>();
  for (const b of chain)
    for (const t of b.transactions) {
      for (const k of ["sender", "recipient", "owner", "spender"]) {
        const v = t[k];
        if (typeof v === "string" && /^[0-9a-f]{64}$/.test(v)) out.add(v);
      }
    }
  return [...out];
}

/**
 * Coins are conserved: the balances the node reports for every address the chain mentions
 * add up to what the coinbases minted minus the fees paid (which the coinbases re-mint), i.e.
 * reward × (height − 1); each equals the independent replay.
 */
export function conservationProblems(chain: ApiBlock[], reported: Map<string, number>, reward: number): string[] {
  const ledger = replayLedger(chain);
  const problems = [...ledger.problems];
  let sum = 0;
  for (const [a, v] of reported) {
    sum += v;
    const want = ledger.balances.get(a) ?? 0;
    if (v !== want) problems.push(`balance of ${a}: the node says ${v}, the chain gives ${want}`);
  }
  const expected = ledger.minted - ledger.fees;
  if (sum !== expected) problems.push(`balances add up to ${sum}; the coinbases minted ${ledger.minted} of which ${ledger.fees} were fees`);
  if (expected !== reward * (chain.length - 1))
    problems.push(`minted minus fees is ${expected}, not reward × blocks = ${reward * (chain.length - 1)}`);
  return problems;
}
