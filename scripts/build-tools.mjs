// Builds the tooling (bench/ and test/harness/, run by `npm run bench` and `npm run soak`)
// into build/, apart from the product in dist/. The product code the tooling imports is then
// taken from dist/ (build/src is a link to it), so it runs exactly as the node does and finds
// native/build and web/dist where it looks for them. Run after `npm run build`.
import { execFileSync } from "node:child_process";
import { rmSync, symlinkSync } from "node:fs";
import { createRequire } from "node:module";

const tsc = createRequire(import.meta.url).resolve("typescript/bin/tsc");
rmSync("build", { recursive: true, force: true });
execFileSync(process.execPath, [tsc, "-p", "tsconfig.tools.json"], { stdio: "inherit" });
rmSync("build/src", { recursive: true, force: true });
symlinkSync("../dist", "build/src", "dir");
