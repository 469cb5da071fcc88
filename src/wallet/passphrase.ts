/**
 * The passphrase of an encrypted private.key: from the environment variable
 * TINYCHAIN_PASSPHRASE, or asked on the terminal without echo.
 */
import { WalletError } from "./errors.js";

export const PASSPHRASE_ENV = "TINYCHAIN_PASSPHRASE";

/** Whether a passphrase can be had at all (env set, or a terminal to ask on). */
export function canGetPassphrase(): boolean {
  return process.env[PASSPHRASE_ENV] !== undefined || (process.stdin.isTTY === true && process.stderr.isTTY === true);
}

/** Reads one line from the terminal with echo off; the prompt goes to stderr. */
export function askHidden(prompt: string): Promise<string> {
  const stdin = process.stdin;
  return new Promise((resolve, reject) => {
    process.stderr.write(prompt);
    let value = "";
    const done = (err?: Error) => {
      stdin.off("data", onData);
      stdin.setRawMode(false);
      stdin.pause();
      process.stderr.write("\n");
      if (err) reject(err);
      else resolve(value);
    };
    const onData = (chunk: Buffer) => {
      for (const ch of chunk.toString("utf8")) {
        if (ch === "\r" || ch === "\n" || ch === "\u0004") return done();
        if (ch === "\u0003") return done(new WalletError("cancelled", "cancelled"));
        if (ch === "\u007f" || ch === "\b") value = [...value].slice(0, -1).join("");
        else if (ch >= " ") value += ch;
      }
    };
    stdin.setRawMode(true);
    stdin.resume();
    stdin.on("data", onData);
  });
}

/**
 * The passphrase for `file`: TINYCHAIN_PASSPHRASE if set, otherwise asked on the terminal
 * (twice when `confirm`, for a new one). Undefined when neither is possible.
 */
export async function getPassphrase(file: string, opts: { confirm?: boolean } = {}): Promise<string | undefined> {
  const env = process.env[PASSPHRASE_ENV];
  if (env !== undefined) {
    if (opts.confirm && env.length === 0) throw new WalletError(`${PASSPHRASE_ENV} is empty: set it to the passphrase to encrypt with`);
    return env;
  }
  if (!canGetPassphrase()) return undefined;
  const first = await askHidden(opts.confirm ? `New passphrase for ${file}: ` : `Passphrase for ${file}: `);
  if (!opts.confirm) return first;
  if (first.length === 0) throw new WalletError("the passphrase is empty: type one, or leave out --encrypt");
  const again = await askHidden("Repeat the passphrase: ");
  if (again !== first) throw new WalletError("the two passphrases differ: run the command again", "passphrase-mismatch");
  return first;
}
