#!/usr/bin/env node
// First step of `npm test`: the browser tests drive Debian's Chromium (never a browser that
// `playwright install` downloads), and the guide's doc test runs `jq`. What is missing is
// installed with apt-get if this runs as root on a machine that has apt-get; otherwise the
// tests stop before they start, with the exact command to run. CHROMIUM_PATH names another
// Chromium (it is then never installed).
import { spawnSync } from "node:child_process";
import { existsSync } from "node:fs";

const given = process.env.CHROMIUM_PATH;
const path = given ?? "/usr/bin/chromium";
const onPath = (cmd) => spawnSync("sh", ["-c", `command -v ${cmd}`], { stdio: "ignore" }).status === 0;

const stop = (why) => {
  process.stderr.write(`npm test: ${why}\n`);
  process.exit(1);
};
if (given !== undefined && !existsSync(given)) {
  stop(`CHROMIUM_PATH is ${given}, and there is no file there: point it at a Chromium, or unset it`);
}
const missing = [...(existsSync(path) ? [] : ["chromium"]), ...(onPath("jq") ? [] : ["jq"])];
if (missing.length === 0) process.exit(0);

const command = `apt-get update && apt-get install -y ${missing.join(" ")}`;
const root = process.getuid?.() === 0;
if (!root || !existsSync("/usr/bin/apt-get")) {
  stop(
    `the tests need ${missing.map((m) => (m === "chromium" ? `Debian's Chromium at ${path}` : "jq (the guide's commands use it)")).join(" and ")}, missing here. Install with\n` +
      `  sudo sh -c '${command}'\n` +
      "(as root, without sudo; npm test does it by itself when run as root), then run npm test again.",
  );
}
process.stdout.write(`npm test: installing what is missing (${missing.join(", ")}): ${command}\n`);
const env = { ...process.env, DEBIAN_FRONTEND: "noninteractive" };
for (const args of [
  ["update", "-q"],
  ["install", "-y", "-q", ...missing],
]) {
  const r = spawnSync("apt-get", args, { stdio: "inherit", env, timeout: 900_000 });
  if (r.status !== 0) stop(`apt-get ${args.join(" ")} failed (exit ${r.status ?? r.signal}); run ${command} by hand`);
}
if (!existsSync(path)) stop(`apt-get installed chromium, but there is still nothing at ${path}`);
if (!onPath("jq")) stop("apt-get installed jq, but it is still not on the PATH");
