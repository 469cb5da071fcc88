#!/usr/bin/env node
// Last step of `npm test`: runs vitest, measuring which lines of src/ ran, both in the test
// processes and in every node, wallet and CLI process the tests start, and prints one figure.
//
// - In the test processes, vitest's V8 coverage maps what ran back to src/*.ts.
// - The processes the tests start run the built dist/*.js. They inherit NODE_V8_COVERAGE
//   (set in each test worker by test/child-coverage.ts, not here, so the workers themselves
//   do not dump), and V8 writes what ran to that folder when each one exits normally; c8
//   maps it back to src/*.ts through dist's source maps. A process killed with SIGKILL (the
//   crash tests) writes nothing.
// - The two maps are merged per line: a line ran if it ran in either.
//
// Arguments go to vitest (`npm test -- test/unit`). TINYCHAIN_COVERAGE=0 runs without coverage.
// Writes coverage/coverage-final.json and coverage/summary.json; exits with vitest's status.
import { spawnSync } from "node:child_process";
import { mkdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { dirname, join, relative, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { Report } from "c8";
import libCoverage from "istanbul-lib-coverage";
import libReport from "istanbul-lib-report";
import reports from "istanbul-reports";

const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), "..");
const OUT = join(ROOT, "coverage");
const CHILDREN = join(OUT, "children-v8");
const IN_PROCESS = join(OUT, "in-process");
const args = process.argv.slice(2);
const vitest = join(ROOT, "node_modules", "vitest", "vitest.mjs");

if (process.env.TINYCHAIN_COVERAGE === "0") {
  const r = spawnSync(process.execPath, [vitest, "run", ...args], { cwd: ROOT, stdio: "inherit" });
  process.exit(r.status ?? 1);
}

rmSync(OUT, { recursive: true, force: true });
mkdirSync(CHILDREN, { recursive: true });
const run = spawnSync(process.execPath, [vitest, "run", "--coverage.enabled", `--coverage.reportsDirectory=${IN_PROCESS}`, ...args], {
  cwd: ROOT,
  stdio: "inherit",
  env: { ...process.env, TINYCHAIN_CHILD_COVERAGE: CHILDREN },
});

const map = libCoverage.createCoverageMap({});
try {
  map.merge(JSON.parse(readFileSync(join(IN_PROCESS, "coverage-final.json"), "utf8")));
} catch (err) {
  process.stderr.write(`coverage: no in-process report (${err.message})\n`);
}
const children = await Report({
  tempDirectory: CHILDREN,
  reportsDirectory: OUT,
  reporter: [],
  include: ["dist/**/*.js"],
  exclude: ["dist/web/**"],
  excludeAfterRemap: false,
  resolve: "",
  omitRelative: true,
  mergeAsync: true,
}).getCoverageMapFromAllCoverageFiles();
map.merge(children);
map.filter((file) => relative(ROOT, file).startsWith("src/") && file.endsWith(".ts"));

const context = libReport.createContext({ dir: OUT, coverageMap: map });
reports.create("json").execute(context);
const lines = map.getCoverageSummary().lines;
const layers = new Map();
for (const file of map.files()) {
  const layer = relative(ROOT, file).split("/").slice(0, 2).join("/");
  const s = layers.get(layer) ?? libCoverage.createCoverageSummary();
  s.merge(map.fileCoverageFor(file).toSummary());
  layers.set(layer, s);
}
const pct = (s) => `${s.lines.pct.toFixed(1)} %`.padStart(7);
const table = [...layers]
  .sort(([a], [b]) => a.localeCompare(b))
  .map(([layer, s]) => `  ${layer.padEnd(12)} ${pct(s)}  (${s.lines.covered} of ${s.lines.total} lines)`);
const figure = `src/ line coverage, test processes and the node processes they start: ${lines.pct.toFixed(1)} % (${lines.covered} of ${lines.total} lines, ${map.files().length} files)`;
process.stdout.write(`\n${figure}\n${table.join("\n")}\n`);
writeFileSync(
  join(OUT, "summary.json"),
  `${JSON.stringify({ lines, layers: Object.fromEntries([...layers].map(([k, s]) => [k, s.lines])) }, null, 2)}\n`,
);
process.exit(run.status ?? 1);
