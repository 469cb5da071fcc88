/**
 * Runs in each test worker before its tests (vitest `setupFiles`). Under `npm test`
 * (test/run-with-coverage.mjs), hands the coverage folder to the processes the tests start:
 * they inherit NODE_V8_COVERAGE and write what ran there when they exit. The worker sets it
 * only now, after its own start, so it does not dump its own coverage there too.
 */
const dir = process.env.TINYCHAIN_CHILD_COVERAGE;
if (dir) process.env.NODE_V8_COVERAGE = dir;
