/** Reads a running node and checks it with the independent checks of check.ts. */
import { type ApiBlock, addressesIn, chainProblems, conservationProblems } from "./check.js";
import { getJson } from "./proc.js";

export interface Inspection {
  chain: ApiBlock[];
  tip: string;
  problems: string[];
}

async function mapLimited<T, R>(items: T[], limit: number, fn: (t: T) => Promise<R>): Promise<R[]> {
  const out: R[] = new Array(items.length);
  let next = 0;
  await Promise.all(
    Array.from({ length: Math.min(limit, items.length) }, async () => {
      while (next < items.length) {
        const i = next++;
        out[i] = await fn(items[i] as T);
      }
    }),
  );
  return out;
}

/**
 * The node's main chain, checked block by block, with coin conservation over every address
 * it mentions (balances read from GET /accounts). A tip that moves while reading is retried
 * (bounded); `stable: false` skips the balance check when it keeps moving (a mining node).
 */
export async function inspectNode(url: string, opts: { difficulty: number; reward: number; timeoutMs?: number }): Promise<Inspection> {
  const timeoutMs = opts.timeoutMs ?? 60_000;
  for (let attempt = 0; attempt < 8; attempt++) {
    const body = await getJson(`${url}/chain`, timeoutMs);
    const chain = body.chain as ApiBlock[];
    const problems = chainProblems(chain, opts);
    if (body.length !== chain.length) problems.push(`length ${body.length} but ${chain.length} blocks`);
    const tip = chain.at(-1)?.hash ?? "";
    const addresses = addressesIn(chain);
    const balances = await mapLimited(
      addresses,
      8,
      async (a) => [a, (await getJson(`${url}/accounts/${a}`, timeoutMs)).balance as number] as const,
    );
    const after = await getJson(`${url}/status`, timeoutMs);
    if (after.tip !== tip && attempt < 7) continue; // the chain moved while the balances were read
    if (after.tip === tip) problems.push(...conservationProblems(chain, new Map(balances), opts.reward));
    return { chain, tip, problems };
  }
  throw new Error("unreachable");
}
