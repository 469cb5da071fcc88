#!/usr/bin/env node
// First step of `npm test`: the browser tests drive Debian's Chromium (never a browser that
// `playwright install` downloads). When it is missing, it is installed with apt-get if this
// runs as root on a machine that has apt-get; otherwise the tests stop before they start,
// with the exact command to run. CHROMIUM_PATH names another Chromium (nothing is installed then).
import { spawnSync } from "node:child_process";
import { existsSync } from "node:fs";

const given = process.env.CHROMIUM_PATH;
const path = given ?? "/usr/bin/chromium";
if (existsSync(path)) process.exit(0);

const stop = (why) => {
  process.stderr.write(`npm test: ${why}\n`);
  process.exit(1);
};
if (given !== undefined) stop(`CHROMIUM_PATH is ${given}, and there is no file there: point it at a Chromium, or unset it`);

const command = "apt-get update && apt-get install -y chromium";
const root = process.getuid?.() === 0;
if (!root || !existsSync("/usr/bin/apt-get")) {
  stop(
    `the browser tests need Debian's Chromium at ${path}, and it is missing. Install it with\n` +
      `  sudo sh -c '${command}'\n` +
      "(as root, without sudo; npm test does it by itself when run as root), then run npm test again.",
  );
}
process.stdout.write(`npm test: Debian's Chromium is missing; installing it: ${command}\n`);
const env = { ...process.env, DEBIAN_FRONTEND: "noninteractive" };
for (const args of [
  ["update", "-q"],
  ["install", "-y", "-q", "chromium"],
]) {
  const r = spawnSync("apt-get", args, { stdio: "inherit", env, timeout: 900_000 });
  if (r.status !== 0) stop(`apt-get ${args.join(" ")} failed (exit ${r.status ?? r.signal}); run ${command} by hand`);
}
if (!existsSync(path)) stop(`apt-get installed chromium, but there is still nothing at ${path}`);
