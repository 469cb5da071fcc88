/** Builds the block explorer (web/index.html + web/src) into web/dist, which the node serves at /. */
import { fileURLToPath } from "node:url";
import { defineConfig } from "vite";

export default defineConfig({
  root: fileURLToPath(new URL(".", import.meta.url)),
  base: "/",
  publicDir: false,
  logLevel: "warn",
  build: {
    outDir: "dist",
    emptyOutDir: true,
    target: "es2022",
    sourcemap: false,
    // no data: URLs: the node's Content-Security-Policy (default-src 'self') would refuse them
    assetsInlineLimit: 0,
  },
});
