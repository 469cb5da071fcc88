/**
 * TypeBox schemas of the API, for the OpenAPI description and for checking route params
 * and query strings. Transaction and block bodies are checked by the core rules instead
 * (src/core/schema.ts), which give reason codes and messages that say what to fix.
 */
import { Type } from "typebox";

export const Hex64 = Type.String({ pattern: "^[0-9a-f]{64}$", description: "64 lowercase hex characters" });
const Address = Type.String({ pattern: "^[0-9a-f]{64}$", description: "an address: the Ed25519 public key, 64 lowercase hex" });
const Uint = Type.Integer({ minimum: 0, maximum: Number.MAX_SAFE_INTEGER });

export const ErrorBody = Type.Object(
  {
    error: Type.String({ description: "what is wrong, in words a user can act on" }),
    code: Type.Optional(Type.String({ description: "reason code, e.g. bad-signature, nonce-too-low, insufficient-funds" })),
  },
  { $id: "Error" },
);

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

export const WalletTransfer = Type.Object(
  {
    recipient: Address,
    amount: Type.Integer({ minimum: 1 }),
    fee: Type.Optional(Uint),
    sender: Type.Optional(Address),
  },
  { description: "a transfer from the node's own wallet, filled in and signed by the node (operator route)" },
);

export const Block = Type.Object(
  {
    index: Type.Integer({ minimum: 1 }),
    timestamp: Type.Number({ minimum: 0, description: "seconds since the epoch, at most 3 decimals" }),
    transactions: Type.Array(Transaction),
    proof: Uint,
    previous_hash: Type.String(),
    difficulty: Type.Integer({ minimum: 1 }),
    tx_root: Hex64,
    hash: Type.Optional(Hex64),
  },
  { description: "a block; `hash` (SHA-256 of the canonical JSON of its header) is added by the API" },
);

export const Header = Type.Object(
  {
    index: Type.Integer({ minimum: 1 }),
    timestamp: Type.Number({ minimum: 0, description: "seconds since the epoch, at most 3 decimals" }),
    proof: Uint,
    previous_hash: Type.String(),
    difficulty: Type.Integer({ minimum: 1 }),
    tx_root: Hex64,
    hash: Hex64,
  },
  { description: "a block header: the six fields the block hash is made of, and that hash" },
);

export const TxAccepted = Type.Object({
  message: Type.String({ examples: ["Transaction will be added to Block 3"] }),
  id: Hex64,
  block_index: Type.Integer(),
  status: Type.Union([Type.Literal("ready"), Type.Literal("queued")], {
    description: "queued: held until the sender's earlier nonces arrive",
  }),
});

export const Status = Type.Object({
  network: Type.String(),
  genesis_hash: Hex64,
  height: Type.Integer(),
  tip: Hex64,
  total_work: Type.Union([Type.Integer(), Type.String()], {
    description: "sum of the difficulties of the main chain (a decimal string beyond 2^53)",
  }),
  difficulty: Type.Integer({ description: "difficulty the next block must carry" }),
  min_fee: Type.Integer({ description: "the network's minimum fee" }),
  reward: Type.Integer({ description: "coins minted per block" }),
  max_block_txs: Type.Integer(),
  peers: Type.Integer(),
  pending: Type.Integer(),
  address: Address,
  mining: Type.Boolean(),
  hashrate: Type.Integer({ description: "proof-of-work tries per second, all threads" }),
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

export const IdParam = Type.Object({
  id: Type.String({ description: "block index (digits) or block hash (64 hex)" }),
});

export const AddressParam = Type.Object({ address: Address });

export const Paging = Type.Object({
  limit: Type.Optional(Type.Integer({ minimum: 1, maximum: 1000 })),
});
