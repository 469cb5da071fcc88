/**
 * What `lab … --out DIR` writes: the reference node's main chain as JSON lines (one block a
 * line, as GET /blocks/{height} serves it, so any implementation of docs/protocol.md can
 * check it), the report, and a plot of how blocks spread (drawn with Vega-Lite).
 */
import { closeSync, mkdirSync, openSync, writeSync } from "node:fs";
import { join } from "node:path";
import type { Chain } from "../node/chain.js";

/** Writes `chain.jsonl` in `dir`: the chain's main-chain blocks from the genesis block up; returns how many. */
export function writeChainJsonl(dir: string, chain: Chain): number {
  mkdirSync(dir, { recursive: true });
  const fd = openSync(join(dir, "chain.jsonl"), "w");
  try {
    const top = chain.tip.height;
    for (let h = 1; h <= top; h++) writeSync(fd, `${chain.blockJson(h) as string}\n`);
    return top;
  } finally {
    closeSync(fd);
  }
}

/** Points of the distribution of `sorted` (ascending): at most `points` of them, each `{ms, share}`. */
export function cdfPoints(sorted: readonly number[], points = 400): Array<{ ms: number; share: number }> {
  const n = sorted.length;
  if (n === 0) return [];
  const out: Array<{ ms: number; share: number }> = [{ ms: 0, share: 0 }];
  const step = Math.max(1, Math.floor(n / points));
  for (let i = step - 1; i < n; i += step) out.push({ ms: sorted[i] as number, share: (i + 1) / n });
  if (out.at(-1)?.share !== 1) out.push({ ms: sorted[n - 1] as number, share: 1 });
  return out;
}

/**
 * An SVG plot of the share of (block, node) pairs in which the node had the block, against the
 * milliseconds since the block was mined, with the percentiles marked.
 */
export async function propagationPlot(
  sortedDelaysMs: readonly number[],
  marks: { p50: number; p90: number; p99: number },
  title: string,
): Promise<string> {
  const [vega, vl] = await Promise.all([import("vega"), import("vega-lite")]);
  // percentiles at the same delay share one rule and one label ("p50, p90")
  const byMs = new Map<number, string[]>();
  for (const [name, ms] of Object.entries(marks)) byMs.set(ms, [...(byMs.get(ms) ?? []), name]);
  const rules = [...byMs].map(([ms, names]) => ({ name: names.join(", "), ms }));
  const spec = vl.compile({
    $schema: "https://vega.github.io/schema/vega-lite/v6.json",
    title: { text: "How fast blocks reach the nodes", subtitle: title },
    width: 640,
    height: 320,
    background: "white",
    layer: [
      {
        data: { values: cdfPoints(sortedDelaysMs) },
        mark: { type: "line", interpolate: "step-after" },
        encoding: {
          x: { field: "ms", type: "quantitative", title: "milliseconds since the block was mined" },
          y: { field: "share", type: "quantitative", title: "share of (block, node) pairs that have it", axis: { format: "%" } },
        },
      },
      {
        data: { values: rules },
        mark: { type: "rule", strokeDash: [4, 3], color: "gray" },
        encoding: { x: { field: "ms", type: "quantitative" } },
      },
      {
        data: { values: rules },
        mark: { type: "text", align: "left", dx: 3, dy: -4, color: "gray" },
        encoding: { x: { field: "ms", type: "quantitative" }, y: { value: 12 }, text: { field: "name" } },
      },
    ],
  }).spec;
  const view = new vega.View(vega.parse(spec), { renderer: "none" });
  try {
    return await view.toSVG();
  } finally {
    view.finalize();
  }
}
