/**
 * The whole on-disk layout of a node's SQLite store, in one place.
 *
 * meta          key → value: schema_version, network (JSON params), genesis hash, tip hash.
 * blocks        every block the node has checked and kept, main chain and side branches:
 *               hash, height, prev_hash, cumulative work (64 hex digits, so it sorts),
 *               status (see BlockStatus), and `json`: the block as the API serves it
 *               (with `hash`, and `id` on each transaction), ready to send as is, and
 *               `header`: its six header fields and `hash`, as GET /headers serves them.
 * main          height → hash of the main chain (the chain the node follows).
 * state         the ledger at the tip, as key → JSON value (keys in src/core/state.ts):
 *               accounts, tokens, token balances, allowances. Index state_token_holder:
 *               token-balance keys (b:<token>:<address>) by address (substr(key, 68)), so
 *               an account's holdings are found without a scan; SQLite keeps it with the table.
 * undo          per connected block: the state values it replaced (JSON [[key, old|null]]),
 *               so a reorganisation moves back without replaying the chain.
 * block_events  per main-chain block not yet indexed that has token events: hash → JSON
 *               events per position (the indexer's input; events cannot be recomputed later).
 * txs           main-chain transactions in chain order: (height, pos) → id, events; appended
 *               in order, so connecting a block writes a few adjacent pages.
 * tx_keys       the id index: (k, height, pos) with k = the id's first 52 bits (txKey), small
 *               rows, so the random inserts of an id index touch few pages; a lookup joins
 *               txs and compares the full id (prefix collisions are harmless).
 * account_txs   (address, height, pos), for account history (newest first; ids from txs).
 *               A disconnect deletes by the block's own addresses, so no height index.
 * token_events  (token, height, pos, seq) → event JSON, for a token's event list.
 * pool_log      pending transactions in arrival order (seq → id, JSON, arrival time), so accepted
 *               ones survive restarts; appended in order, so ingest does not scatter writes
 *               over an id index (the id → seq map is kept in memory by PoolStore).
 * peers         known peers: url → health (added, last seen, failures, next try).
 * tips          every stored block with no stored child (the active tip and the tips of side
 *               branches, invalid ones included): hash, height; kept by ChainStore.insertBlock
 *               in the block's own transaction, filled once from `blocks` for an older store
 *               (migration 5 → 6), so GET /chain/tips reads a few rows instead of scanning the blocks.
 * reorgs        the newest reorganisations (at most MAX_REORGS): seq → time (ms) and JSON
 *               (what left and joined, their work, the transactions returned to the pool),
 *               written inside the reorganisation's own transaction (src/node/forks.ts).
 *
 * txs, tx_keys, account_txs and token_events are the lookup indexes, written behind the tip
 * up to meta.indexed (tx-index.ts): every lookup first indexes what is missing.
 *
 * Every block connect or disconnect writes blocks/main/state/undo/block_events and meta.tip
 * (and, for an indexed block leaving the main chain, its index rows and meta.indexed) in one
 * SQLite transaction (WAL mode; the blocks of a synced chunk share one); each indexing step
 * writes its rows and meta.indexed in one. A crash at any instant leaves both whole.
 */
import type { Block } from "../core/types.js";
import { headerJson } from "./chain-store.js";
import type { Db } from "./db.js";

export const SCHEMA_VERSION = 6;

/** The id index key of a transaction: its first 13 hex digits (52 bits, a safe integer). */
export function txKey(id: string): number {
  return Number.parseInt(id.slice(0, 13), 16);
}

/**
 * Steps from an older layout, version n → n + 1, each run in one transaction when the store
 * opens, before the DDL below (which describes the current layout).
 */
export const MIGRATIONS: Record<number, (db: Db) => void> = {
  // 1 → 2: the pool table keyed by id becomes pool_log keyed by arrival order
  1: (db) =>
    db.exec(`CREATE TABLE pool_log (seq INTEGER PRIMARY KEY, id TEXT NOT NULL, tx TEXT NOT NULL, received INTEGER NOT NULL);
      INSERT INTO pool_log (id, tx, received) SELECT id, tx, received FROM pool ORDER BY received, id;
      DROP TABLE pool;`),
  // 2 → 3: txs keyed by id becomes txs in chain order plus the small tx_keys index;
  // account_txs loses its id column (read from txs) and its height index
  2: (db) => {
    db.function("tx_key", (id) => txKey(String(id)));
    db.exec(`CREATE TABLE IF NOT EXISTS txs (id TEXT PRIMARY KEY, height INTEGER NOT NULL, pos INTEGER NOT NULL,
        block_hash TEXT NOT NULL, events TEXT) WITHOUT ROWID;
      CREATE TABLE txs_v3 (height INTEGER NOT NULL, pos INTEGER NOT NULL, id TEXT NOT NULL, events TEXT,
        PRIMARY KEY (height, pos)) WITHOUT ROWID;
      INSERT INTO txs_v3 (height, pos, id, events) SELECT height, pos, id, events FROM txs ORDER BY height, pos;
      DROP TABLE txs;
      ALTER TABLE txs_v3 RENAME TO txs;
      CREATE TABLE tx_keys (k INTEGER NOT NULL, height INTEGER NOT NULL, pos INTEGER NOT NULL,
        PRIMARY KEY (k, height, pos)) WITHOUT ROWID;
      INSERT INTO tx_keys (k, height, pos) SELECT tx_key(id), height, pos FROM txs;
      CREATE TABLE IF NOT EXISTS account_txs (address TEXT NOT NULL, height INTEGER NOT NULL, pos INTEGER NOT NULL,
        id TEXT NOT NULL, PRIMARY KEY (address, height, pos)) WITHOUT ROWID;
      CREATE TABLE account_txs_v3 (address TEXT NOT NULL, height INTEGER NOT NULL, pos INTEGER NOT NULL,
        PRIMARY KEY (address, height, pos)) WITHOUT ROWID;
      INSERT INTO account_txs_v3 (address, height, pos) SELECT address, height, pos FROM account_txs;
      DROP TABLE account_txs;
      ALTER TABLE account_txs_v3 RENAME TO account_txs;`);
  },
  // 3 → 4: the indexes are built behind the tip; everything a version 3 store holds is indexed
  3: (db) => {
    const hasMain = db.prepare("SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = 'main'").get() !== undefined;
    const top = hasMain ? ((db.prepare("SELECT max(height) FROM main").pluck().get() as number | null) ?? 0) : 0;
    db.exec("CREATE TABLE IF NOT EXISTS block_events (hash TEXT PRIMARY KEY, data TEXT NOT NULL) WITHOUT ROWID");
    db.prepare("INSERT OR REPLACE INTO meta (key, value) VALUES ('indexed', ?)").run(String(top));
  },
  // 4 → 5: each block's header (six fields and hash) kept beside its JSON, for GET /headers and
  // headers-first sync; filled from the stored JSON once
  4: (db) => {
    const columns = db.prepare("SELECT name FROM pragma_table_info('blocks')").pluck().all() as string[];
    if (columns.length === 0 || columns.includes("header")) return; // no blocks yet (the DDL makes the table), or done
    db.exec("ALTER TABLE blocks ADD COLUMN header TEXT");
    db.function("tc_header_of", (json) => headerJsonOf(String(json)));
    db.exec("UPDATE blocks SET header = tc_header_of(json)");
  },
  // 5 → 6: the tips table (stored blocks without a stored child), filled from the blocks once:
  // each block looked up in the prev_hash index; the reorgs table starts empty (the DDL makes it)
  5: (db) => {
    db.exec(TIPS_DDL);
    const hasBlocks = db.prepare("SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = 'blocks'").get() !== undefined;
    if (!hasBlocks) return; // no blocks yet (the DDL makes the table)
    db.exec(`INSERT OR IGNORE INTO tips (hash, height)
        SELECT b.hash, b.height FROM blocks b WHERE NOT EXISTS (SELECT 1 FROM blocks c WHERE c.prev_hash = b.hash);`);
  },
};

/** The header text (the six header fields and `hash`) of a block's stored JSON text. */
export function headerJsonOf(blockJson: string): string {
  const b = JSON.parse(blockJson) as Block & { hash: string };
  return headerJson(b, b.hash);
}

const TIPS_DDL = `CREATE TABLE IF NOT EXISTS tips (
  hash   TEXT PRIMARY KEY,
  height INTEGER NOT NULL
) WITHOUT ROWID;
CREATE INDEX IF NOT EXISTS tips_height ON tips (height);`;

export const DDL = `
CREATE TABLE IF NOT EXISTS meta (
  key   TEXT PRIMARY KEY,
  value TEXT NOT NULL
) WITHOUT ROWID;

CREATE TABLE IF NOT EXISTS blocks (
  hash      TEXT PRIMARY KEY,
  height    INTEGER NOT NULL,
  prev_hash TEXT NOT NULL,
  work      TEXT NOT NULL,
  status    INTEGER NOT NULL,
  json      TEXT NOT NULL,
  header    TEXT
);
CREATE INDEX IF NOT EXISTS blocks_prev ON blocks (prev_hash);
CREATE INDEX IF NOT EXISTS blocks_work ON blocks (work);

CREATE TABLE IF NOT EXISTS main (
  height INTEGER PRIMARY KEY,
  hash   TEXT NOT NULL
);

CREATE TABLE IF NOT EXISTS state (
  key   TEXT PRIMARY KEY,
  value TEXT NOT NULL
) WITHOUT ROWID;
CREATE INDEX IF NOT EXISTS state_token_holder ON state (substr(key, 68)) WHERE substr(key, 1, 2) = 'b:';

CREATE TABLE IF NOT EXISTS undo (
  hash TEXT PRIMARY KEY,
  data TEXT NOT NULL
) WITHOUT ROWID;

CREATE TABLE IF NOT EXISTS block_events (
  hash TEXT PRIMARY KEY,
  data TEXT NOT NULL
) WITHOUT ROWID;

CREATE TABLE IF NOT EXISTS txs (
  height INTEGER NOT NULL,
  pos    INTEGER NOT NULL,
  id     TEXT NOT NULL,
  events TEXT,
  PRIMARY KEY (height, pos)
) WITHOUT ROWID;

CREATE TABLE IF NOT EXISTS tx_keys (
  k      INTEGER NOT NULL,
  height INTEGER NOT NULL,
  pos    INTEGER NOT NULL,
  PRIMARY KEY (k, height, pos)
) WITHOUT ROWID;

CREATE TABLE IF NOT EXISTS account_txs (
  address TEXT NOT NULL,
  height  INTEGER NOT NULL,
  pos     INTEGER NOT NULL,
  PRIMARY KEY (address, height, pos)
) WITHOUT ROWID;

CREATE TABLE IF NOT EXISTS token_events (
  token  TEXT NOT NULL,
  height INTEGER NOT NULL,
  pos    INTEGER NOT NULL,
  seq    INTEGER NOT NULL,
  tx_id  TEXT NOT NULL,
  event  TEXT NOT NULL,
  PRIMARY KEY (token, height, pos, seq)
) WITHOUT ROWID;
CREATE INDEX IF NOT EXISTS token_events_height ON token_events (height);

CREATE TABLE IF NOT EXISTS pool_log (
  seq      INTEGER PRIMARY KEY,
  id       TEXT NOT NULL,
  tx       TEXT NOT NULL,
  received INTEGER NOT NULL
);

${TIPS_DDL}

CREATE TABLE IF NOT EXISTS reorgs (
  seq  INTEGER PRIMARY KEY,
  at   INTEGER NOT NULL,
  data TEXT NOT NULL
);

CREATE TABLE IF NOT EXISTS peers (
  url        TEXT PRIMARY KEY,
  added      INTEGER NOT NULL,
  last_seen  INTEGER,
  failures   INTEGER NOT NULL DEFAULT 0,
  next_try   INTEGER NOT NULL DEFAULT 0
) WITHOUT ROWID;
`;

/** What the node knows of a stored block. */
export enum BlockStatus {
  /** Header, proof, shape and signatures checked; state not yet applied (a side branch). */
  Checked = 0,
  /** Connected to the state at least once: fully valid. */
  Valid = 1,
  /** Failed a rule, or descends from a block that did; never connected again. */
  Invalid = 2,
}
