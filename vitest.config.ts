import { defineConfig } from "vitest/config";

export default defineConfig({
  test: {
    include: ["test/**/*.test.ts"],
    setupFiles: ["test/child-coverage.ts"],
    testTimeout: 30_000,
    hookTimeout: 60_000,
    pool: "forks",
    // enabled by test/run-with-coverage.mjs (npm test), which merges it with the child processes'
    coverage: {
      provider: "v8",
      include: ["src/**/*.ts"],
      reporter: ["json"],
      // the figure is printed even when a test fails
      reportOnFailure: true,
    },
  },
});
