/**
 * `node build/bench/profile-summary.js FILE.cpuprofile [N]`: where a V8 CPU profile (from
 * BENCH_CPU_PROF=DIR npm run bench) spends its time: self time by function and by file.
 */
import { readFileSync } from "node:fs";

interface ProfileNode {
  id: number;
  callFrame: { functionName: string; url: string; lineNumber: number };
  children?: number[];
}

interface Profile {
  nodes: ProfileNode[];
  samples: number[];
  timeDeltas: number[];
}

function short(url: string): string {
  if (url === "") return "(native/VM)";
  const m = /\/(dist|build|node_modules)\/(.*)$/.exec(url);
  if (m)
    return m[1] !== "node_modules"
      ? `${m[1]}/${m[2]}`
      : (m[2] as string)
          .split("/")
          .slice(0, m[2]?.startsWith("@") ? 2 : 1)
          .join("/");
  return url.replace(/^node:/, "node:");
}

process.stdout.on("error", () => process.exit(0)); // e.g. piped into head

function main(): void {
  const [file, topArg] = process.argv.slice(2);
  if (file === undefined) throw new Error("usage: profile-summary FILE.cpuprofile [N]");
  const top = Number(topArg ?? 25);
  const p = JSON.parse(readFileSync(file, "utf8")) as Profile;
  const byId = new Map(p.nodes.map((n) => [n.id, n]));
  const self = new Map<number, number>();
  p.samples.forEach((id, i) => {
    self.set(id, (self.get(id) ?? 0) + (p.timeDeltas[i] ?? 0));
  });
  const total = [...self.values()].reduce((a, b) => a + b, 0);
  const byFn = new Map<string, number>();
  const byFile = new Map<string, number>();
  for (const [id, us] of self) {
    const n = byId.get(id) as ProfileNode;
    const f = n.callFrame;
    const where = short(f.url);
    const key = `${f.functionName || "(anonymous)"}  ${where}${f.url ? `:${f.lineNumber + 1}` : ""}`;
    byFn.set(key, (byFn.get(key) ?? 0) + us);
    byFile.set(where, (byFile.get(where) ?? 0) + us);
  }
  const show = (title: string, m: Map<string, number>) => {
    process.stdout.write(`\n${title}\n`);
    for (const [k, us] of [...m].sort((a, b) => b[1] - a[1]).slice(0, top)) {
      process.stdout.write(`${((us / total) * 100).toFixed(1).padStart(5)} %  ${(us / 1000).toFixed(0).padStart(6)} ms  ${k}\n`);
    }
  };
  process.stdout.write(`${file}: ${(total / 1e6).toFixed(2)} s sampled\n`);
  show("self time by file", byFile);
  show("self time by function", byFn);
}

main();
