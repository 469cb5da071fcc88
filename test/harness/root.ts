/**
 * The repository root and the node's command line, found from this file wherever it runs:
 * as TypeScript under vitest (test/harness/) or compiled by `npm run build:tools` (build/test/harness/).
 */
import { existsSync } from "node:fs";
import { dirname, join } from "node:path";

function repositoryRoot(from: string): string {
  let dir = from;
  while (!existsSync(join(dir, "package.json"))) {
    const up = dirname(dir);
    if (up === dir) throw new Error(`no package.json above ${from}`);
    dir = up;
  }
  return dir;
}

export const ROOT = repositoryRoot(import.meta.dirname);
export const BIN = join(ROOT, "bin", "tinychain");
