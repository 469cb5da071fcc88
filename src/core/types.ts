/** Protocol data types (docs/protocol.md §3, §4, §6). */

export type Address = string;
export type Hash = string;

export interface CoinbaseTx {
  type: "coinbase";
  sender: "0";
  recipient: Address;
  amount: number;
  height: number;
}

interface SignedFields {
  network: string;
  sender: Address;
  fee: number;
  nonce: number;
  signature: string;
}

export interface TransferTx extends SignedFields {
  type: "transfer";
  recipient: Address;
  amount: number;
}

export interface TokenCreateTx extends SignedFields {
  type: "token_create";
  name: string;
  symbol: string;
  decimals: number;
  supply: number;
}

export interface TokenTransferTx extends SignedFields {
  type: "token_transfer";
  token: Hash;
  recipient: Address;
  amount: number;
}

export interface TokenApproveTx extends SignedFields {
  type: "token_approve";
  token: Hash;
  spender: Address;
  amount: number;
}

export interface TokenTransferFromTx extends SignedFields {
  type: "token_transfer_from";
  token: Hash;
  owner: Address;
  recipient: Address;
  amount: number;
}

export type SignedTx = TransferTx | TokenCreateTx | TokenTransferTx | TokenApproveTx | TokenTransferFromTx;
export type Transaction = CoinbaseTx | SignedTx;
export type TxType = Transaction["type"];
export type SignedTxType = SignedTx["type"];

/** A signed transaction before it is signed. */
export type UnsignedTx = { [T in SignedTx as T["type"]]: Omit<T, "signature"> }[SignedTxType];

export interface BlockHeader {
  index: number;
  timestamp: number;
  previous_hash: string;
  tx_root: Hash;
  difficulty: number;
  proof: number;
}

export interface Block extends BlockHeader {
  transactions: Transaction[];
}

export interface Retarget {
  /** Blocks between difficulty adjustments. */
  interval: number;
  /** Target seconds per block. */
  block_time: number;
}

export interface NetworkParams {
  name: string;
  genesis_timestamp: number;
  difficulty: number;
  reward: number;
  retarget: Retarget | null;
  max_block_txs: number;
  min_fee: number;
}

/** A token event (docs/protocol.md §3), kept per transaction. */
export type TokenEvent =
  | { event: "Transfer"; token: Hash; from: Address | "0"; to: Address; value: number }
  | { event: "Approval"; token: Hash; owner: Address; spender: Address; value: number };
