/**
 * Vitest global setup: builds dist/ before any test runs (scripts/build.mjs, incremental;
 * about a second when nothing changed). Tests import the sources through tsx, but the
 * CLI and the engine they spawn as separate processes (`node bin/flowconform.js …`) run
 * the compiled JavaScript in dist/, which must therefore match the sources under test.
 *
 * A failed build fails the run, loudly, without stopping it: the error (with the
 * compiler's diagnostics) is recorded as an unhandled error of the run, so vitest prints
 * it and exits 1, and the count reporter counts it in its last line `N passed, N failed`
 * (throwing here would end the run before any test with the count line printed BEFORE
 * the error, reading "0 failed"). The tests still run: on a type error tsc has written the
 * JavaScript anyway, so they show what else is wrong.
 */
import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import type { TestProject } from 'vitest/node';

const buildScript = fileURLToPath(new URL('../../scripts/build.mjs', import.meta.url));
/** Bound on one build (ms): a full build takes about 10 s on the two-core CI machine. */
const buildMsMax = 180_000;

export default function setup(project: TestProject): void {
  const result = spawnSync(process.execPath, [buildScript, '--quiet'], { encoding: 'utf8', timeout: buildMsMax });
  if (result.status === 0) return;
  const why = result.error !== undefined ? result.error.message : result.signal !== null ? `killed by ${result.signal}` : `exit code ${result.status}`;
  const error = new Error(
    `build of dist/ failed (${why}); the CLI and engine the tests spawn may not match the sources:\n${result.stdout}${result.stderr}`,
  );
  error.name = 'BuildError';
  // The state API is experimental (vitest is pinned); without it, fail the run up front.
  const state = project.vitest.state as { catchError?: (error: unknown, type: string) => void } | undefined;
  if (typeof state?.catchError !== 'function') throw error;
  state.catchError(error, 'Unhandled Error');
}
