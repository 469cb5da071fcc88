/**
 * `--wait`: polls GET /transactions/{id} until the transaction is confirmed, for a bounded
 * time. A spinner shows on a terminal only (never with --json or when stdout is piped).
 */
import type { NodeClient } from "./client.js";
import { WalletError } from "./errors.js";

export const DEFAULT_WAIT_SECONDS = 120;
const POLL_MS = 250;
/** How many polls in a row may miss the transaction before it is taken as dropped. */
const MISSING_POLLS = 8;
const FRAMES = ["⠋", "⠙", "⠹", "⠸", "⠼", "⠴", "⠦", "⠧", "⠇", "⠏"];

export interface Confirmed {
  block_index: number;
  confirmations: number;
}

export interface WaitOptions {
  timeoutSeconds?: number;
  spinner?: boolean;
  /** Sleep; tests may replace it. */
  sleep?: (ms: number) => Promise<void>;
}

const defaultSleep = (ms: number) => new Promise<void>((r) => setTimeout(r, ms));

export async function waitForConfirmation(client: NodeClient, id: string, opts: WaitOptions = {}): Promise<Confirmed> {
  const timeout = (opts.timeoutSeconds ?? DEFAULT_WAIT_SECONDS) * 1000;
  const sleep = opts.sleep ?? defaultSleep;
  const spin = opts.spinner === true;
  const start = Date.now();
  let missing = 0;
  let frame = 0;
  try {
    for (;;) {
      const s = await client.transaction(id);
      if (s?.status === "confirmed" && s.block_index !== null) return { block_index: s.block_index, confirmations: s.confirmations };
      missing = s === undefined ? missing + 1 : 0;
      if (missing >= MISSING_POLLS) {
        throw new WalletError(
          `the node at ${client.url} no longer knows transaction ${id}: it was dropped from the pool (perhaps replaced or made invalid by another transaction); check the balance and send again`,
          "tx-dropped",
        );
      }
      const elapsed = Date.now() - start;
      if (elapsed >= timeout) {
        throw new WalletError(
          `transaction ${id} is still pending after ${Math.round(elapsed / 1000)} s: a miner has to include it. ` +
            `Mine a block (GET ${client.url}/mine on the node's machine, or run the node with --mine), then check with ` +
            `GET ${client.url}/transactions/${id}; or wait longer with --timeout SECONDS`,
          "wait-timeout",
        );
      }
      if (spin) {
        process.stdout.write(
          `\r${FRAMES[frame++ % FRAMES.length]} waiting for ${id.slice(0, 12)}… to be confirmed (${Math.round(elapsed / 1000)} s)`,
        );
      }
      await sleep(POLL_MS);
    }
  } finally {
    if (spin) process.stdout.write("\r\x1b[2K");
  }
}
