/**
 * The optional native proof-of-work addon (native/, built at install when a compiler is
 * there). Undefined when it is not built or cannot load: the JavaScript search is used then.
 */
import { existsSync } from "node:fs";
import { createRequire } from "node:module";
import { fileURLToPath } from "node:url";

export interface NativePow {
  search(prefix: Buffer, suffix: Buffer, target: Buffer, start: number, count: number): number;
  sha256(data: Buffer): Buffer;
  implementation: "sha-ni" | "portable";
}

let cached: NativePow | undefined | null = null;

export function loadNativePow(): NativePow | undefined {
  if (cached !== null) return cached;
  cached = undefined;
  if (process.env.TINYCHAIN_NATIVE_POW === "0") return cached;
  // src/node or dist/node → the package root
  const path = fileURLToPath(new URL("../../native/build/Release/tinychain_pow.node", import.meta.url));
  if (!existsSync(path)) return cached;
  try {
    cached = createRequire(import.meta.url)(path) as NativePow;
  } catch {
    cached = undefined;
  }
  return cached;
}
