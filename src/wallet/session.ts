/**
 * One wallet command's surroundings: the wallet directory, the node, the output mode, and
 * the steps every sending command shares (check arguments, sign locally, submit, wait).
 */
import { homedir } from "node:os";
import { join, resolve } from "node:path";
import { isRuleError } from "../core/errors.js";
import { isAddress, type KeyPair } from "../crypto/keys.js";
import { NodeClient, nodeUrl, type TokenInfo } from "./client.js";
import { badAddress, badTokenId, unknownToken, WalletError } from "./errors.js";
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
  block_index: number;
  status: "pending" | "confirmed";
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
    this.client = new NodeClient(nodeUrl(opts.node));
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

  /** Checks a token id argument and fetches the token (it must exist on the node). */
  async token(id: string): Promise<TokenInfo> {
    if (!HEX64.test(id)) throw badTokenId(id);
    const t = await this.client.token(id);
    if (t === undefined) throw unknownToken(id, this.client.url);
    return t;
  }

  /**
   * Signs `body` with the wallet's key, for the node's network and the sender's next nonce
   * (pending transactions included, so several sends in a row all land), and submits it.
   */
  async send(body: TxBody, opts: SendOptions): Promise<Sent> {
    const pair = await this.signingKey();
    const status = await this.client.status();
    const account = await this.client.account(pair.address);
    let signed: ReturnType<typeof signTransaction>;
    try {
      signed = signTransaction(pair, body, { network: status.network, nonce: account.pending.nonce, fee: opts.fee ?? 0 });
    } catch (err) {
      if (isRuleError(err)) throw new WalletError(`cannot make this transaction: ${err.message}`, err.code);
      throw err;
    }
    const accepted = await this.client.submit(signed.tx);
    if (accepted.id !== signed.id) {
      throw new WalletError(`the node reports id ${accepted.id} for transaction ${signed.id}; check --node`, "id-mismatch");
    }
    if (!opts.wait) return { id: signed.id, block_index: accepted.block_index, status: "pending" };
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
        : { id: sent.id, ...extra };
    const where = sent.status === "confirmed" ? `confirmed in block ${sent.block_index}` : `pending, expected in block ${sent.block_index}`;
    return { json, text: `${what}\ntransaction ${sent.id} (${where})` };
  }
}
