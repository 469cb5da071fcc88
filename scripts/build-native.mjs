#!/usr/bin/env node
// Builds the optional native proof-of-work addon (native/). It uses the CPU's SHA
// instructions when present and portable C otherwise. If the build fails (no compiler,
// no headers), tinychain still works with its JavaScript miner, only slower.
import { spawnSync } from "node:child_process";
import { existsSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";

const root = join(dirname(fileURLToPath(import.meta.url)), "..");
const dir = join(root, "native");
if (process.env.TINYCHAIN_SKIP_NATIVE === "1") {
  console.log("native miner: skipped (TINYCHAIN_SKIP_NATIVE=1)");
  process.exit(0);
}
const gyp = process.env.npm_config_node_gyp;
const [cmd, args] = gyp && existsSync(gyp) ? [process.execPath, [gyp, "rebuild"]] : ["node-gyp", ["rebuild"]];
const r = spawnSync(cmd, args, { cwd: dir, stdio: ["ignore", "pipe", "pipe"], encoding: "utf8", timeout: 300_000 });
if (r.status === 0 && existsSync(join(dir, "build", "Release", "tinychain_pow.node"))) {
  console.log("native miner: built");
} else {
  const why = (r.error?.message ?? r.stderr ?? "").split("\n").filter((l) => /error|ERR/i.test(l)).slice(0, 5).join("\n");
  console.log(`native miner: not built, using the JavaScript miner (slower)${why ? `\n${why}` : ""}`);
}
