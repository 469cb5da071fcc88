/**
 * The HTTP API's contract: the TypeBox schema of every request and answer of the node's
 * routes, and the static type of each, derived from it (`Static<>`), so a shape is written
 * once. Who uses it:
 * - src/http: the route schemas (checking params and query strings, the OpenAPI description
 *   at /openapi.json) and, through the TypeBox type provider, typed handlers;
 * - src/wallet/client.ts and src/p2p/ (peer-client.ts, http-client.ts): the answers they read;
 * - web/src/api.ts and web/src/live.ts (type-only): the explorer's view of the answers;
 * - the tests' typed helpers.
 * It depends on `typebox` alone, so every layer may import it. Transaction and block bodies
 * sent to a node are checked by the core rules (src/core/schema.ts), which give reason codes;
 * their schemas here describe them, the routes do not validate bodies with them.
 * Shared words and the error answer are in ./common.ts, the token routes in ./tokens.ts, the
 * fork routes (GET /chain/tips, /reorgs) in ./forks.ts (all exported from here too), the SSE
 * events of GET /events in ./events.ts.
 */
import { type Static, Type } from "typebox";
import { Address, Hex64, Next, Uint, Work } from "./common.js";
import { TokenEvent } from "./tokens.js";

export * from "./common.js";
export * from "./forks.js";
export * from "./tokens.js";

// --- transactions and blocks ----------------------------------------------------------

const signed = {
  network: Type.String(),
  sender: Address,
  fee: Uint,
  nonce: Uint,
  signature: Type.String({ pattern: "^[0-9a-f]{128}$" }),
  id: Type.Optional(Hex64),
};

export const Transaction = Type.Union(
  [
    Type.Object({
      type: Type.Literal("coinbase"),
      sender: Type.Literal("0"),
      recipient: Address,
      amount: Uint,
      height: Uint,
      id: Type.Optional(Hex64),
    }),
    Type.Object({ type: Type.Literal("transfer"), ...signed, recipient: Address, amount: Type.Integer({ minimum: 1 }) }),
    Type.Object({
      type: Type.Literal("token_create"),
      ...signed,
      name: Type.String({ minLength: 1, maxLength: 64 }),
      symbol: Type.String({ pattern: "^[A-Z0-9]{1,12}$" }),
      decimals: Type.Integer({ minimum: 0, maximum: 18 }),
      supply: Uint,
    }),
    Type.Object({ type: Type.Literal("token_transfer"), ...signed, token: Hex64, recipient: Address, amount: Uint }),
    Type.Object({ type: Type.Literal("token_approve"), ...signed, token: Hex64, spender: Address, amount: Uint }),
    Type.Object({
      type: Type.Literal("token_transfer_from"),
      ...signed,
      token: Hex64,
      owner: Address,
      recipient: Address,
      amount: Uint,
    }),
  ],
  { description: "a transaction; `id` (SHA-256 of its canonical JSON without `id`) is added by the API" },
);
export type Transaction = Static<typeof Transaction>;
/** A transaction as the node answers it: with its `id`. */
export type TxWithId = Transaction & { id: string };
/** The fields of any member of a union, each optional (with the type it has where it is). */
type AnyFields<U> = { [K in U extends unknown ? keyof U : never]?: U extends { [k in K]?: infer V } ? V : never };
/** A transaction seen by a reader that shows whichever fields it has (the explorer). */
export type TxView = TxWithId & AnyFields<Transaction>;

export const WalletTransfer = Type.Object(
  {
    recipient: Address,
    amount: Type.Integer({ minimum: 1 }),
    fee: Type.Optional(Uint),
    sender: Type.Optional(Address),
  },
  { description: "a transfer from the node's own wallet, filled in and signed by the node (operator route)" },
);
export type WalletTransfer = Static<typeof WalletTransfer>;
/** POST /transactions/new: a signed transaction, or a transfer from the node's wallet. */
export const NewTx = Type.Union([Transaction, WalletTransfer]);

const headerFields = {
  index: Type.Integer({ minimum: 1 }),
  timestamp: Type.Number({ minimum: 0, description: "seconds since the epoch, at most 3 decimals" }),
  proof: Uint,
  previous_hash: Type.String(),
  difficulty: Type.Integer({ minimum: 1 }),
  tx_root: Hex64,
};

export const Block = Type.Object(
  {
    index: headerFields.index,
    timestamp: headerFields.timestamp,
    transactions: Type.Array(Transaction),
    proof: headerFields.proof,
    previous_hash: headerFields.previous_hash,
    difficulty: headerFields.difficulty,
    tx_root: headerFields.tx_root,
    hash: Type.Optional(Hex64),
  },
  { description: "a block; `hash` (SHA-256 of the canonical JSON of its header) is added by the API" },
);
/** A block as the node answers it: with its `hash`, and its transactions with their ids. */
export type Block = Omit<Static<typeof Block>, "hash" | "transactions"> & { hash: string; transactions: TxWithId[] };

export const Header = Type.Object(
  { ...headerFields, hash: Hex64 },
  { description: "a block header: the six fields the block hash is made of, and that hash" },
);
export type Header = Static<typeof Header>;

const acceptedStatus = Type.Union([Type.Literal("ready"), Type.Literal("queued")], {
  description: "ready: can go into the next block; queued: held until the sender's earlier nonce (waiting_for_nonce) arrives",
});
const acceptedFields = {
  id: Hex64,
  block_index: Type.Union([Type.Integer(), Type.Null()], {
    description: "the block a ready transaction is expected in (the next one); null for a queued one, which no block is due to hold",
  }),
  status: acceptedStatus,
  waiting_for_nonce: Type.Optional(
    Type.Union([Type.Integer(), Type.Null()], {
      description: "for a queued transaction: the sender's nonce it waits for (the first one the pool is missing)",
    }),
  ),
};
export const TxAccepted = Type.Object({
  message: Type.String({
    examples: [
      "Transaction will be added to Block 3",
      "Transaction queued: it waits for nonce 3 of this sender before it can go into a block",
    ],
  }),
  ...acceptedFields,
});
export type TxAccepted = Static<typeof TxAccepted>;

// --- the chain --------------------------------------------------------------------------

export const Status = Type.Object({
  network: Type.String(),
  genesis_hash: Hex64,
  height: Type.Integer(),
  tip: Hex64,
  total_work: Work("sum of the difficulties of the main chain (a decimal string beyond 2^53)"),
  difficulty: Type.Integer({ description: "difficulty the next block must carry" }),
  min_fee: Type.Integer({ description: "the network's minimum fee" }),
  reward: Type.Integer({ description: "coins minted per block" }),
  max_block_txs: Type.Integer(),
  peers: Type.Integer(),
  pending: Type.Integer(),
  address: Address,
  mining: Type.Boolean(),
  hashrate: Type.Integer({ description: "proof-of-work tries per second, all threads, over the last few seconds (0 when not mining)" }),
  hashrate_last_minute: Type.Integer({
    description: "proof-of-work tries per second over the time this node spent mining in the last minute (still shown after mining stops)",
  }),
  search: Type.Union(
    [
      Type.Object({
        height: Type.Integer({ description: "the height of the block being searched for" }),
        difficulty: Type.Integer(),
        tries: Type.Integer({ description: "proofs tried so far for a block at this height" }),
        expected_tries: Type.Integer({
          description: "tries a block takes on average (its difficulty); any one block may take more or fewer",
        }),
        seconds: Type.Number({ description: "since the search for this height began" }),
      }),
      Type.Null(),
    ],
    { description: "the proof-of-work search under way (null when not mining)" },
  ),
  threads: Type.Integer(),
  pow: Type.String({ description: "how the miner hashes: sha-ni or portable (native addon), or javascript" }),
  store: Type.String({
    description: "the SQLite driver the store runs on: node:sqlite (built into Node.js 22.16 and later) or better-sqlite3 (Node.js 20)",
  }),
  uptime: Type.Integer(),
  version: Type.Integer(),
  node_id: Type.String({
    description: "a random id this node makes at each start, by which it recognises itself among the peers it is given",
  }),
  orphans: Type.Object(
    { count: Type.Integer(), bytes: Type.Integer(), max_count: Type.Integer(), max_bytes: Type.Integer() },
    { description: "blocks announced before their parents, held (within these bounds) while the parents are fetched" },
  ),
});
export type Status = Static<typeof Status>;

export const IdParam = Type.Object({
  id: Type.String({ description: "block index (digits) or block hash (64 hex)" }),
});

/** `?from=I&limit=N` of a main-chain range: N defaults to `limit` and is capped at `cap`. */
export function RangeQuery(limit: number, cap: number) {
  return Type.Object({
    from: Type.Integer({ minimum: 1, maximum: Number.MAX_SAFE_INTEGER, default: 1 }),
    limit: Type.Integer({ minimum: 1, maximum: Number.MAX_SAFE_INTEGER, default: limit, description: `capped at ${cap}` }),
  });
}

export const BlockList = Type.Object({ blocks: Type.Array(Block) });
export const HeaderList = Type.Object({ headers: Type.Array(Header) });
export type HeaderList = Static<typeof HeaderList>;
export const ChainAnswer = Type.Object({ chain: Type.Array(Block), length: Type.Integer() });

export const BlockAnnounced = Type.Object({
  message: Type.String(),
  hash: Type.String(),
  outcome: Type.Union(
    [
      Type.Literal("known"),
      Type.Literal("low-work"),
      Type.Literal("connected"),
      Type.Literal("reorganized"),
      Type.Literal("side"),
      Type.Literal("orphan"),
    ],
    { description: "what the node did with the block" },
  ),
});

export const Mined = Type.Object({
  message: Type.Literal("Forged new block."),
  index: Type.Integer(),
  transactions: Type.Array(Transaction),
  proof: Type.Integer(),
  previous_hash: Type.String(),
  hash: Type.String(),
  difficulty: Type.Integer(),
  timestamp: Type.Number(),
  tx_root: Type.String(),
});
/** GET /mine's answer: the block forged, its transactions with their ids. */
export type Mined = Omit<Static<typeof Mined>, "transactions"> & { transactions: TxWithId[] };

// --- transactions -----------------------------------------------------------------------

/** POST /transactions: one transaction, or a batch of at most `maxItems`. */
export const TxBatch = (maxItems: number) => Type.Union([Transaction, Type.Array(Transaction, { maxItems })]);
export const TxIdParam = Type.Object({ id: Hex64 });
export const TxBatchResult = Type.Object({
  accepted: Type.Integer(),
  results: Type.Array(Type.Union([Type.Object(acceptedFields), Type.Object({ error: Type.String(), code: Type.String() })]), {
    description: "one per item sent, in order",
  }),
});
export const TxDropped = Type.Object({
  message: Type.String(),
  dropped: Type.Array(Hex64, {
    description: "the ids that left this node's pool: the one named first, then later ones of its sender that could not wait",
  }),
  queued: Type.Array(Hex64, { description: "later transactions of its sender that now wait (queued) for the dropped nonce" }),
});
export type TxDropped = Static<typeof TxDropped>;
export const PendingList = Type.Object({
  transactions: Type.Array(Transaction),
  queued: Type.Record(Type.String(), Type.Integer(), {
    description:
      "the queued transactions (waiting for an earlier nonce of their sender, so not due in the next block): id → the nonce each waits for",
  }),
});
export type PendingList = { transactions: TxWithId[]; queued: Record<string, number> };

export const TxLookup = Type.Object({
  transaction: Transaction,
  status: Type.Union([Type.Literal("pending"), Type.Literal("confirmed")]),
  queued: Type.Optional(
    Type.Boolean({
      description: "for a pending transaction: whether it waits for an earlier nonce of its sender (then not due in the next block)",
    }),
  ),
  waiting_for_nonce: Type.Optional(Type.Integer({ description: "for a queued transaction: the sender's nonce it waits for" })),
  block_index: Type.Union([Type.Integer(), Type.Null()]),
  block_hash: Type.Union([Type.String(), Type.Null()]),
  confirmations: Type.Integer(),
  events: Type.Array(TokenEvent, { description: "the token events the transaction made (none while pending)" }),
  signature_valid: Type.Union([Type.Boolean(), Type.Null()], {
    description: "whether the signature verifies against the sender's key over the signing bytes (null: a coinbase, unsigned)",
  }),
});
/** GET /transactions/{id}'s answer. */
export type TxLookup = Omit<Static<typeof TxLookup>, "transaction"> & { transaction: TxWithId };

// --- accounts ---------------------------------------------------------------------------

export const AddressParam = Type.Object({ address: Address });

export const TokenHolding = Type.Object({
  token: Type.String({ description: "token id" }),
  name: Type.String(),
  symbol: Type.String(),
  decimals: Type.Integer(),
  balance: Type.Integer({ description: "confirmed balance in base units (divide by 10^decimals)" }),
});
export type TokenHolding = Static<typeof TokenHolding>;

export function AccountAnswer(maxHoldings: number) {
  return Type.Object({
    address: Type.String(),
    balance: Type.Integer(),
    nonce: Type.Integer({ description: "confirmed transactions sent" }),
    pending: Type.Object({
      balance: Type.Integer({
        description: "balance once the pending transactions are confirmed (queued ones, waiting for an earlier nonce, not counted)",
      }),
      nonce: Type.Integer({ description: "the nonce the sender's next transaction must use" }),
      transactions: Type.Integer({ description: "pending transactions sent or received, queued ones not counted" }),
      queued: Type.Optional(
        Type.Integer({ description: "pending transactions sent or received that wait for an earlier nonce of their sender" }),
      ),
    }),
    tokens: Type.Array(TokenHolding, {
      description: `confirmed non-zero token balances, in token-id order (at most ${maxHoldings})`,
    }),
  });
}
export type Account = Static<ReturnType<typeof AccountAnswer>>;

export const HistoryQuery = Type.Object({
  limit: Type.Integer({ minimum: 1, maximum: 500, default: 50 }),
  before: Type.Optional(
    Type.String({
      pattern: "^[0-9]{1,16}:[0-9]{1,6}$",
      description: "a cursor HEIGHT:POSITION (two numbers), as a page's `next` gives it",
    }),
  ),
});
export const HistoryPage = Type.Object({
  transactions: Type.Array(Type.Object({ transaction: Transaction, block_index: Type.Integer(), position: Type.Integer() })),
  next: Next,
});
/** An entry of GET /accounts/{address}/transactions. */
export type HistoryEntry = { transaction: TxWithId; block_index: number; position: number };
export type HistoryPage = { transactions: HistoryEntry[]; next: string | null };

// --- peers ------------------------------------------------------------------------------

export const Peer = Type.Object({
  node: Type.String(),
  url: Type.String(),
  last_seen: Type.Union([Type.Integer(), Type.Null()], { description: "ms since the epoch" }),
  failures: Type.Integer(),
  next_try: Type.Integer(),
  last_error: Type.Optional(Type.String()),
  height: Type.Optional(Type.Integer()),
  tip: Type.Optional(Type.String()),
  total_work: Type.Optional(Work()),
});
export type Peer = Static<typeof Peer>;
export const PeerList = Type.Object({ nodes: Type.Array(Type.String()), peers: Type.Array(Peer) });

export const RegisterBody = Type.Object({ nodes: Type.Array(Type.String(), { examples: [["http://127.0.0.1:5001"]] }) });
export const Registered = Type.Object({ message: Type.Literal("New nodes have been added"), total_nodes: Type.Array(Type.String()) });
export const Resolved = Type.Union([
  Type.Object({ message: Type.Literal("Our chain was replaced"), new_chain: Type.Array(Block) }),
  Type.Object({ message: Type.Literal("Our chain is authoritative"), chain: Type.Array(Block) }),
]);

// --- the explorer -----------------------------------------------------------------------

export const SearchQuery = Type.Object({ q: Type.String({ maxLength: 200 }) });
export const SearchMatch = Type.Object({
  kind: Type.Union([Type.Literal("block"), Type.Literal("transaction"), Type.Literal("token"), Type.Literal("address")]),
  id: Type.String({ description: "block hash, transaction id, token id or address" }),
  index: Type.Optional(Type.Integer({ description: "a block's height" })),
  main: Type.Optional(Type.Boolean({ description: "a block: whether it is on the main chain" })),
  status: Type.Optional(Type.String({ description: "a transaction: pending or confirmed" })),
});
export type SearchMatch = Static<typeof SearchMatch>;
export const SearchAnswer = Type.Object({ query: Type.String(), matches: Type.Array(SearchMatch) });
