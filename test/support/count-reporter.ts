/**
 * A vitest reporter that ends the whole output with one line CI can read:
 * `N passed, N failed`, followed by `, N skipped` when tests were skipped.
 *
 * It counts tests, not files. So that a broken run never says "0 failed", it also counts
 * as failed:
 * - one per test module that failed outside its tests (an import or syntax error during
 *   collection, a failing `beforeAll`/`afterAll`) or never finished, when none of its
 *   tests is already counted failed;
 * - one per unhandled error (an error vitest could not attach to a test);
 * - a test still pending when the run ended (an interrupted run);
 * - one per process of this run left alive, found by the leak check of
 *   test/support/global-teardown.ts, which runs here, before the line is printed,
 *   because vitest calls global teardowns only after every reporter's `onTestRunEnd`.
 *
 * Configured after 'default' in vitest.config.ts, so the line comes after vitest's own
 * summary; nothing vitest prints on a normal run comes after `onTestRunEnd`.
 */
import type { Reporter, SerializedError, TestModule, TestRunEndReason, Vitest } from 'vitest/node';
import { describeLeakedProcesses, leaksReportedKey, settleLeakedProcesses } from './global-teardown.ts';

export interface RunCounts {
  passed: number;
  failed: number;
  skipped: number;
}

/** Counts tests of finished modules; see the file comment for what else counts as failed. */
export function countRun(testModules: ReadonlyArray<TestModule>, unhandledErrors: ReadonlyArray<SerializedError>): RunCounts {
  const counts: RunCounts = { passed: 0, failed: 0, skipped: 0 };
  for (const testModule of testModules) {
    let failedInModule = 0;
    for (const test of testModule.children.allTests()) {
      const state = test.result().state;
      switch (state) {
        case 'passed':
          counts.passed += 1;
          break;
        case 'skipped':
          counts.skipped += 1;
          break;
        case 'failed':
        case 'pending':
          failedInModule += 1;
          break;
        default: {
          const unknownState: never = state;
          throw new Error(`count-reporter: unknown test state ${String(unknownState)}`);
        }
      }
    }
    if (failedInModule === 0 && moduleFailedOutsideTests(testModule)) failedInModule = 1;
    counts.failed += failedInModule;
  }
  counts.failed += unhandledErrors.length;
  return counts;
}

function moduleFailedOutsideTests(testModule: TestModule): boolean {
  const state = testModule.state();
  if (state === 'failed' || state === 'queued' || state === 'pending') return true;
  if (testModule.errors().length > 0) return true;
  for (const suite of testModule.children.allSuites()) {
    if (suite.state() === 'failed' || suite.errors().length > 0) return true;
  }
  return false;
}

/** `12 passed, 0 failed` or `12 passed, 1 failed, 3 skipped`. */
export function formatCountLine(counts: RunCounts): string {
  const line = `${counts.passed} passed, ${counts.failed} failed`;
  return counts.skipped > 0 ? `${line}, ${counts.skipped} skipped` : line;
}

export default class CountReporter implements Reporter {
  private vitest: Vitest | undefined;

  onInit(vitest: Vitest): void {
    this.vitest = vitest;
  }

  async onTestRunEnd(
    testModules: ReadonlyArray<TestModule>,
    unhandledErrors: ReadonlyArray<SerializedError>,
    _reason: TestRunEndReason,
  ): Promise<void> {
    const counts = countRun(testModules, unhandledErrors);
    const leaked = await settleLeakedProcesses();
    if (leaked.length > 0) {
      counts.failed += leaked.length;
      process.exitCode = 1;
      (globalThis as Record<symbol, unknown>)[leaksReportedKey] = true;
      this.error(describeLeakedProcesses(leaked));
    }
    // Vitest sets the exit code from test results only; a count above 0 must fail CI too.
    if (counts.failed > 0) process.exitCode = 1;
    this.log(formatCountLine(counts));
  }

  private log(line: string): void {
    if (this.vitest) this.vitest.logger.log(line);
    else process.stdout.write(`${line}\n`);
  }

  private error(text: string): void {
    if (this.vitest) this.vitest.logger.error(text);
    else process.stderr.write(`${text}\n`);
  }
}
