/** `tinychain wallet SUBCOMMAND [--wallet DIR] [--node URL] [--json]` (docs/protocol.md §8). */
import { type Command, InvalidArgumentError } from "commander";
import { addressCommand, balanceCommand, historyCommand, importCommand, newCommand, sendCommand } from "../wallet/account-commands.js";
import { parseCoinAmount } from "../wallet/amounts.js";
import { DEFAULT_NODE_URL, WalletError } from "../wallet/errors.js";
import { PASSPHRASE_ENV } from "../wallet/passphrase.js";
import { dropCommand, replaceCommand } from "../wallet/pool-commands.js";
import { type GlobalOptions, type Output, WalletSession } from "../wallet/session.js";
import {
  tokenAllowanceCommand,
  tokenApproveCommand,
  tokenBalanceCommand,
  tokenCreateCommand,
  tokenInfoCommand,
  tokenTransferCommand,
  tokenTransferFromCommand,
} from "../wallet/token-commands.js";
import { DEFAULT_WAIT_SECONDS } from "../wallet/wait.js";
import { intOption } from "./options.js";

// biome-ignore lint/suspicious/noExplicitAny: commander hands actions their arguments untyped (strings, then the options)
type Action = (s: WalletSession, ...args: any[]) => Promise<Output>;

function feeOption(value: string): number {
  try {
    return parseCoinAmount(value, "--fee", 0);
  } catch (err) {
    throw new InvalidArgumentError((err as Error).message);
  }
}

function print(json: boolean, out: Output): void {
  process.stdout.write(json ? `${JSON.stringify(out.json)}\n` : `${out.text}\n`);
}

function fail(json: boolean, err: unknown): void {
  const message = err instanceof Error ? err.message : String(err);
  const code = err instanceof WalletError ? err.code : (err as { code?: unknown })?.code;
  if (json) process.stdout.write(`${JSON.stringify({ error: message, ...(typeof code === "string" ? { code } : {}) })}\n`);
  process.stderr.write(`tinychain wallet: ${message}\n`);
  process.exitCode = 1;
}

/** Wraps a command: builds the session from the global options, prints the result or the failure. */
function run(fn: Action) {
  return async (...args: unknown[]): Promise<void> => {
    const cmd = args.at(-1) as Command;
    const opts = cmd.optsWithGlobals() as GlobalOptions & Record<string, unknown>;
    const json = opts.json === true;
    try {
      const session = new WalletSession(opts);
      print(json, await fn(session, ...args.slice(0, -2), opts));
    } catch (err) {
      fail(json, err);
    }
  };
}

/** --fee, --wait and --timeout, for commands that send a transaction. */
function sending(cmd: Command): Command {
  return cmd
    .option("--fee <coins>", "fee in whole coins", feeOption, 0)
    .option("--wait", "wait until the transaction is confirmed in a block")
    .option("--timeout <seconds>", "with --wait: give up after this long", intOption(1, 86_400), DEFAULT_WAIT_SECONDS);
}

/** --yes / --new-address, for commands that send to a recipient (src/wallet/address-check.ts). */
function toNewAddress(cmd: Command): Command {
  return cmd
    .option("--yes", "send even if the recipient has never been seen on the chain")
    .option("--new-address", "the same as --yes: the recipient is a new address on purpose");
}

function tokenAmounts(cmd: Command): Command {
  return sending(cmd).option("--raw", "amounts are in base units, not whole tokens");
}

export function registerWalletCommand(program: Command): void {
  const wallet = program
    .command("wallet")
    .description("a wallet over a node's HTTP API: keys stay here, transactions are signed locally")
    .option("--wallet <dir>", "the wallet directory, holding private.key and public.key (default: ~/.tinychain/wallet)")
    .option("--node <url>", "the node to talk to", DEFAULT_NODE_URL)
    .option("--json", "print one JSON object (for scripts)")
    .addHelpText(
      "after",
      `\nAn encrypted private.key asks for its passphrase on the terminal, or takes it from ${PASSPHRASE_ENV}.\n` +
        "Coin amounts are whole numbers. Token amounts are whole tokens with up to the token's decimals\n" +
        "(12.50 of a 2-decimal token is 1250 base units); --raw takes base units.\n",
    );

  wallet
    .command("new")
    .description("make a new key pair in the wallet directory (never overwrites one)")
    .option("--encrypt", "encrypt private.key with a passphrase")
    .action(run((s, o) => newCommand(s, o)));
  wallet
    .command("import")
    .argument("<file>", "a PEM Ed25519 private key, e.g. from openssl genpkey -algorithm ed25519")
    .description("copy an existing private key into the wallet directory and write public.key")
    .option("--encrypt", "store a plain key encrypted with a passphrase (an encrypted one stays as it is)")
    .action(run((s, file, o) => importCommand(s, file, o)));
  wallet
    .command("address")
    .description("print the wallet's address")
    .action(run((s) => addressCommand(s)));
  wallet
    .command("balance")
    .description("coins (confirmed and pending) and token holdings")
    .action(run((s) => balanceCommand(s)));
  sending(
    toNewAddress(wallet.command("send"))
      .argument("<to>", "recipient address")
      .argument("<amount>", "whole coins")
      .description("send coins"),
  ).action(run((s, to, amount, o) => sendCommand(s, to, amount, o)));
  wallet
    .command("history")
    .description("pending and confirmed transactions of this wallet, newest first")
    .option("--limit <n>", "how many confirmed transactions", intOption(1, 500), 20)
    .action(run((s, o) => historyCommand(s, o)));
  wallet
    .command("replace")
    .argument("<id>", "a pending transaction of this wallet")
    .description("sign the pending transaction again with the same nonce and a higher fee, so it takes the pending one's place")
    .requiredOption("--fee <coins>", "the new fee: at least 10 % more than the pending one's, and at least 1 more", feeOption)
    .option("--wait", "wait until the replacement is confirmed in a block")
    .option("--timeout <seconds>", "with --wait: give up after this long", intOption(1, 86_400), DEFAULT_WAIT_SECONDS)
    .action(run((s, id, o) => replaceCommand(s, id, o)));
  wallet
    .command("drop")
    .argument("<id>", "a pending transaction")
    .description("remove a pending transaction from the pool of the node (--node) only: an operator route of that node")
    .option("--api-token-file <file>", "the node's <data-dir>/api.token, when the node is not on this machine")
    .action(run((s, id, o) => dropCommand(s, id, o)));

  const token = wallet.command("token").description("ERC-20 tokens");
  tokenAmounts(
    token
      .command("create")
      .description("create a token; its whole supply goes to this wallet, and its id is the transaction's id")
      .requiredOption("--name <name>", "1-64 characters")
      .requiredOption("--symbol <symbol>", "1-12 of A-Z 0-9")
      .requiredOption("--decimals <d>", "0-18")
      .requiredOption("--supply <amount>", "total supply in whole tokens (base units with --raw)"),
  ).action(run((s, o) => tokenCreateCommand(s, o)));
  tokenAmounts(
    toNewAddress(token.command("transfer"))
      .argument("<token>")
      .argument("<to>")
      .argument("<amount>")
      .description("send tokens (ERC-20 transfer)"),
  ).action(run((s, t, to, amount, o) => tokenTransferCommand(s, t, to, amount, o)));
  tokenAmounts(
    token
      .command("approve")
      .argument("<token>")
      .argument("<spender>")
      .argument("<amount>")
      .description("set how much SPENDER may move of this wallet's tokens (ERC-20 approve; replaces the earlier allowance)"),
  ).action(run((s, t, spender, amount, o) => tokenApproveCommand(s, t, spender, amount, o)));
  tokenAmounts(
    toNewAddress(token.command("transfer-from"))
      .argument("<token>")
      .argument("<owner>")
      .argument("<to>")
      .argument("<amount>")
      .description("move OWNER's tokens within this wallet's allowance (ERC-20 transferFrom)"),
  ).action(run((s, t, owner, to, amount, o) => tokenTransferFromCommand(s, t, owner, to, amount, o)));
  token
    .command("balance")
    .argument("<token>")
    .argument("[address]", "default: this wallet")
    .description("a token balance (ERC-20 balanceOf)")
    .action(run((s, t, address) => tokenBalanceCommand(s, t, address)));
  token
    .command("allowance")
    .argument("<token>")
    .argument("<owner>")
    .argument("<spender>")
    .description("what SPENDER may still move of OWNER's tokens (ERC-20 allowance)")
    .action(run((s, t, owner, spender) => tokenAllowanceCommand(s, t, owner, spender)));
  token
    .command("info")
    .argument("<token>")
    .description("a token's name, symbol, decimals, total supply and creator")
    .action(run((s, t) => tokenInfoCommand(s, t)));
}
