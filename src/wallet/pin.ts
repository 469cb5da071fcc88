/**
 * The network a wallet belongs to. At its first use of a node the wallet writes the node's
 * network name and genesis hash to `<wallet>/network.json`; afterwards it refuses a node of
 * another network, so a wrong or lying --node cannot make it sign for, or show balances of,
 * a chain the wallet never used.
 */
import { existsSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { WalletError } from "./errors.js";

export const PIN_FILE = "network.json";

export interface NetworkPin {
  network: string;
  genesis_hash: string;
}

function readPin(path: string): NetworkPin {
  let raw: unknown;
  try {
    raw = JSON.parse(readFileSync(path, "utf8"));
  } catch (err) {
    throw new WalletError(
      `cannot read ${path}: ${(err as Error).message} (delete it to pin the wallet to the next node it uses)`,
      "bad-pin",
    );
  }
  const p = raw as Partial<NetworkPin> | null;
  if (typeof p?.network !== "string" || typeof p.genesis_hash !== "string" || !/^[0-9a-f]{64}$/.test(p.genesis_hash)) {
    throw new WalletError(
      `${path} does not hold {"network", "genesis_hash"} (delete it to pin the wallet to the next node it uses)`,
      "bad-pin",
    );
  }
  return { network: p.network, genesis_hash: p.genesis_hash };
}

/**
 * Checks the node's network against the wallet's pin, writing the pin when the wallet has
 * keys but no pin yet. A directory without a wallet is not pinned (nothing to protect).
 */
export function checkNetworkPin(dir: string, nodeUrl: string, node: NetworkPin): void {
  const path = join(dir, PIN_FILE);
  if (!existsSync(path)) {
    if (existsSync(join(dir, "public.key"))) {
      writeFileSync(path, `${JSON.stringify({ network: node.network, genesis_hash: node.genesis_hash }, null, 2)}\n`, { mode: 0o644 });
    }
    return;
  }
  const pin = readPin(path);
  if (pin.network !== node.network || pin.genesis_hash !== node.genesis_hash) {
    throw new WalletError(
      `the node at ${nodeUrl} runs network "${node.network}" (genesis ${node.genesis_hash}), but this wallet belongs to network "${pin.network}" ` +
        `(genesis ${pin.genesis_hash}, pinned in ${path} at its first use): point --node at a node of that network, ` +
        `or use another --wallet; delete ${PIN_FILE} only if you mean to move this key to the other network`,
      "wrong-network",
    );
  }
}
