/**
 * One wallet command's surroundings: the wallet directory, the node, the output mode, and
 * the steps every sending command shares (check arguments, sign locally, submit, wait).
 */

import { homedir } from "node:os";
import { join, resolve } from "node:path";
import type { TokenInfo } from "../api/contract.js";
import { txId } from "../core/encoding.js";
import { isRuleError } from "../core/errors.js";
import { isAddress, type KeyPair } from "../crypto/keys.js";
import { NodeClient, nodeUrl } from "./client.js";
import { badAddress, badTokenId, unknownToken, WalletError } from "./errors.js";
import { checkNetworkPin } from "./pin.js";
import { signTransaction, type TxBody } from "./sign.js";
import { DEFAULT_WAIT_SECONDS, waitForConfirmation } from "./wait.js";
import { loadSigningKey, walletAddress } from "./wallet-keys.js";

export const DEFAULT_WALLET_DIR = join(homedir(), ".tinychain", "wallet");

export interface GlobalOptions {
  wallet?: string;
  node?: string;
  json?: boolean;
}

export interface SendOptions {
  fee?: number;
  wait?: boolean;
  timeout?: number;
}

/** What a command prints: one JSON object with --json, text otherwise. */
export interface Output {
  json: Record<string, unknown>;
  text: string;
}

export interface Sent {
  id: string;
  /** The block it is in (confirmed) or expected in (pending); null for a queued one. */
  block_index: number | null;
  status: "pending" | "confirmed";
  /** A queued transaction (pending, waiting for an earlier nonce): the sender's nonce it waits for. */
  waiting_for_nonce?: number;
}

const HEX64 = /^[0-9a-f]{64}$/;

export class WalletSession {
  readonly dir: string;
  readonly client: NodeClient;
  readonly json: boolean;
  private key: KeyPair | undefined;

  constructor(opts: GlobalOptions) {
    const dir = opts.wallet ?? DEFAULT_WALLET_DIR;
    this.dir = resolve(dir === "~" || dir.startsWith("~/") ? join(homedir(), dir.slice(1)) : dir);
    const url = nodeUrl(opts.node);
    this.client = new NodeClient(url, { checkStatus: (s) => checkNetworkPin(this.dir, url, s) });
    this.json = opts.json === true;
  }

  /** This wallet's address (no passphrase needed). */
  address(): Promise<string> {
    return this.key ? Promise.resolve(this.key.address) : walletAddress(this.dir);
  }

  async signingKey(): Promise<KeyPair> {
    this.key ??= await loadSigningKey(this.dir);
    return this.key;
  }

  /** Checks an address argument. */
  addressArg(what: string, value: string): string {
    if (!isAddress(value)) throw badAddress(what, value);
    return value;
  }

  /**
   * Checks a token id argument and fetches the token (it must exist on the node). Its name,
   * symbol and decimals are read from the token's own `token_create` transaction, whose id the
   * wallet computes and compares with the token id: a node that misreported `decimals` in its
   * summary could make "1 ALC" sign a transfer of a hundred times more.
   */
  async token(id: string): Promise<TokenInfo> {
    if (!HEX64.test(id)) throw badTokenId(id);
    const [t, created] = await Promise.all([this.client.token(id), this.client.transaction(id)]);
    if (t === undefined) throw unknownToken(id, this.client.url);
    const tx = created?.transaction;
    if (tx === undefined || tx.type !== "token_create" || txId(tx) !== id) {
      throw new WalletError(
        `the node at ${this.client.url} lists token ${id} but does not serve its token_create transaction (GET /transactions/${id.slice(0, 8)}…): ` +
          "without it the wallet cannot check the token's decimals; use another --node",
        "unverified-token",
      );
    }
    if (t.decimals !== tx.decimals || t.symbol !== tx.symbol || t.name !== tx.name) {
      throw new WalletError(
        `the node at ${this.client.url} describes token ${id} as ${JSON.stringify(t.name)} (${t.symbol}, ${t.decimals} decimals), ` +
          `but the token's own token_create transaction says ${JSON.stringify(tx.name)} (${tx.symbol}, ${tx.decimals} decimals): ` +
          "the node misreports the token; use another --node",
        "token-mismatch",
      );
    }
    return { ...t, name: tx.name, symbol: tx.symbol, decimals: tx.decimals };
  }

  /**
   * Signs `body` with the wallet's key, for the node's network and the sender's next nonce
   * (pending transactions included, so several sends in a row all land), and submits it.
   */
  async send(body: TxBody, opts: SendOptions, at?: { network: string; nonce: number }): Promise<Sent> {
    const pair = await this.signingKey();
    // `at`: a replacement keeps the network and nonce of the transaction it replaces
    const network = at?.network ?? (await this.client.status()).network;
    const nonce = at?.nonce ?? (await this.client.account(pair.address)).pending.nonce;
    let signed: ReturnType<typeof signTransaction>;
    try {
      signed = signTransaction(pair, body, { network, nonce, fee: opts.fee ?? 0 });
    } catch (err) {
      if (isRuleError(err)) throw new WalletError(`cannot make this transaction: ${err.message}`, err.code);
      throw err;
    }
    const accepted = await this.client.submit(signed.tx);
    if (accepted.id !== signed.id) {
      throw new WalletError(`the node reports id ${accepted.id} for transaction ${signed.id}; check --node`, "id-mismatch");
    }
    if (!opts.wait) {
      const waiting =
        accepted.status === "queued" && typeof accepted.waiting_for_nonce === "number" ? accepted.waiting_for_nonce : undefined;
      return {
        id: signed.id,
        block_index: accepted.block_index,
        status: "pending",
        ...(waiting !== undefined ? { waiting_for_nonce: waiting } : {}),
      };
    }
    const c = await waitForConfirmation(this.client, signed.id, {
      timeoutSeconds: opts.timeout ?? DEFAULT_WAIT_SECONDS,
      spinner: !this.json && process.stdout.isTTY === true,
    });
    return { id: signed.id, block_index: c.block_index, status: "confirmed" };
  }

  /** The usual output of a sending command: the id (and where it landed, with --wait). */
  sentOutput(sent: Sent, what: string, extra: Record<string, unknown> = {}): Output {
    const json =
      sent.status === "confirmed"
        ? { id: sent.id, status: sent.status, block_index: sent.block_index, ...extra }
        : {
            id: sent.id,
            ...(sent.waiting_for_nonce !== undefined ? { status: "queued", waiting_for_nonce: sent.waiting_for_nonce } : {}),
            ...extra,
          };
    const where =
      sent.status === "confirmed"
        ? `confirmed in block ${sent.block_index}`
        : sent.waiting_for_nonce !== undefined
          ? `queued: waits for nonce ${sent.waiting_for_nonce} of this sender`
          : `pending, expected in block ${sent.block_index}`;
    return { json, text: `${what}\ntransaction ${sent.id} (${where})` };
  }
}
