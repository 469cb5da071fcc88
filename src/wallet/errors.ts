/**
 * What the wallet says when something fails: each message names the problem and what to do.
 * The CLI prints `message` and exits non-zero; `code` is for scripts (with --json).
 */
export class WalletError extends Error {
  override name = "WalletError";
  constructor(
    message: string,
    readonly code = "wallet-error",
  ) {
    super(message);
  }
}

/** The node answered with an error (docs/protocol.md §7: `{"error", "code"}`). */
export class ApiError extends WalletError {
  override name = "ApiError";
  constructor(
    readonly status: number,
    readonly nodeMessage: string,
    code: string | undefined,
    message: string,
  ) {
    super(message, code ?? `http-${status}`);
  }
}

export const DEFAULT_NODE_URL = "http://127.0.0.1:5000";

export function noWallet(dir: string): WalletError {
  return new WalletError(
    `no wallet in ${dir}: run \`tinychain wallet new\` to make one (or \`tinychain wallet import FILE\` to use an existing key), or pass --wallet DIR`,
    "no-wallet",
  );
}

export function walletAlreadyExists(dir: string, address: string | undefined): WalletError {
  return new WalletError(
    `a wallet already exists in ${dir}${address ? ` (address ${address})` : ""}; it is left as it is. ` +
      "Pass --wallet DIR to make or import one in another directory.",
    "wallet-exists",
  );
}

export function badAddress(what: string, value: string): WalletError {
  const shown = value.length > 80 ? `${value.slice(0, 80)}…` : value;
  const hint = /^[0-9A-Fa-f]{64}$/.test(value) ? " (write it in lowercase)" : "";
  return new WalletError(
    `${what} "${shown}" is not an address: a valid address is 64 lowercase hex characters, the Ed25519 public key${hint} ` +
      "(`tinychain wallet address` prints yours)",
    "bad-address",
  );
}

export function badTokenId(value: string): WalletError {
  const shown = value.length > 80 ? `${value.slice(0, 80)}…` : value;
  return new WalletError(
    `"${shown}" is not a token id: a token's id is the id of its token_create transaction, 64 lowercase hex characters ` +
      "(`tinychain wallet token create` prints it; GET /tokens lists them)",
    "bad-token",
  );
}

export function unknownToken(id: string, url: string): WalletError {
  return new WalletError(
    `the node at ${url} knows no token ${id}: check the id (GET ${url}/tokens lists tokens); ` +
      "a new token exists once its token_create transaction is confirmed (use --wait when creating it)",
    "unknown-token",
  );
}

export function nodeUnreachable(url: string, reason: string): WalletError {
  return new WalletError(
    `cannot reach a tinychain node at ${url} (${reason}). Start one with \`tinychain node\` ` +
      `(it listens on ${DEFAULT_NODE_URL} by default), or point the wallet at a running node with --node URL.`,
    "node-unreachable",
  );
}

export function notANode(url: string, detail: string): WalletError {
  return new WalletError(
    `${url} answered, but not like a tinychain node (${detail}); check --node (default ${DEFAULT_NODE_URL})`,
    "not-a-node",
  );
}

export function wrongPassphrase(file: string): WalletError {
  return new WalletError(
    `wrong passphrase for ${file}: give the passphrase the key was encrypted with, in the environment variable ` +
      "TINYCHAIN_PASSPHRASE or when asked on a terminal",
    "wrong-passphrase",
  );
}

export function passphraseNeeded(file: string): WalletError {
  return new WalletError(
    `${file} is encrypted and no passphrase was given: set the environment variable TINYCHAIN_PASSPHRASE, ` +
      "or run the command on a terminal to be asked for it",
    "passphrase-needed",
  );
}

/** Hints for the node's refusals of a transaction, by reason code. */
const REFUSAL_HINTS: Record<string, string> = {
  "insufficient-funds": "send coins to this wallet's address first (`tinychain wallet address`), or send less",
  "insufficient-token-balance": "check the balance with `tinychain wallet token balance TOKEN`",
  "insufficient-allowance": "the owner can raise the allowance with `tinychain wallet token approve TOKEN SPENDER AMOUNT`",
  "unknown-token": "check the token id; a new token exists once its creation is confirmed",
  "fee-too-low": "pass a higher --fee",
  "nonce-too-low": "another transaction of this wallet took that nonce; run the command again",
  "nonce-in-use": "another transaction of this wallet took that nonce; run the command again",
  "replacement-underpriced":
    "a pending transaction of this wallet uses that nonce: replace it with `tinychain wallet replace ID --fee F` at the fee named, or wait for it",
  "bad-network": "the wallet signs for the network the node reports in GET /status; check --node",
  "pool-full": "the node's pool is full: offer a higher --fee or try again later",
};

/** The node refused a transaction: its message, and what to do about it. */
export function refused(status: number, nodeMessage: string, code: string | undefined): ApiError {
  const hint = code !== undefined ? REFUSAL_HINTS[code] : undefined;
  return new ApiError(
    status,
    nodeMessage,
    code,
    `the node refused the transaction: ${nodeMessage}${code ? ` (${code})` : ""}${hint ? `; ${hint}` : ""}`,
  );
}
