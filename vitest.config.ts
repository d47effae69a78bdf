/**
 * Test configuration. The tests start real processes (engine workers, the CLI), so they
 * run in child-process workers (`forks`), at most two at a time: the CI machine has two
 * cores, and more workers only make process timings flakier.
 *
 * `globalSetup` first builds dist/ (the spawned CLI and engine run the compiled JavaScript;
 * the tests themselves run the sources through tsx), then marks the run and checks, at the
 * end, that none of its processes is still alive; the count reporter prints the last line
 * of the output, `N passed, N failed` (see test/support/).
 */
import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['test/**/*.test.ts'],
    // Vitest 4 removed `poolOptions` (and `minWorkers`); `maxWorkers` is top-level.
    pool: 'forks',
    maxWorkers: 2,
    testTimeout: 60_000,
    hookTimeout: 30_000,
    globalSetup: ['./test/support/build.ts', './test/support/global-teardown.ts'],
    reporters: ['default', './test/support/count-reporter.ts'],
  },
});
