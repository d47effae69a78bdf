/**
 * Vitest global setup: the process-leak check of a whole test run (docs/architecture.md
 * "Processes and cleanup": "when a scenario ends, no process the engine spawned is
 * alive", applied to the test suite).
 *
 * Setup marks the run: it puts a unique id in `FLOWCONFORM_TEST_RUN`, which every test
 * worker, every engine worker (`engine/workers/flow-worker.mjs`) and every CLI process
 * (`bin/flowconform.js`) the tests start inherits. That tells this run's processes from
 * those of another test run in the same checkout, which may be going on at the same time
 * and must neither fail this run nor be killed by it.
 *
 * The check runs twice, because of when vitest calls what:
 * - The count reporter (test/support/count-reporter.ts) calls `settleLeakedProcesses`
 *   in `onTestRunEnd`, BEFORE it prints the final `N passed, N failed` line, so a leak
 *   is counted as a failure in that line and sets the exit code to 1.
 * - The teardown returned here runs later: vitest calls global teardowns from
 *   `Vitest.close()`, after every reporter's `onTestRunEnd`. It is the backstop for a run
 *   without the count reporter (say `--reporter=verbose`, which replaces the configured
 *   reporters): it throws, and vitest prints "error during close". When the reporter has
 *   already reported the leak, the teardown does not throw again, so the reporter's line
 *   stays the last line of the output.
 * Either way the teardown then kills the leaked processes (by pid, SIGKILL), so a failed
 * run does not leave workers behind on the CI machine.
 *
 * Hazard: /proc is read file by file; a process may vanish between reads, and is then
 * simply not reported (see os/proc.ts).
 */
import { readFileSync, readlinkSync } from 'node:fs';
import { isAbsolute, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { listProcesses, readCommandLine } from '../../os/proc.ts';

/** Environment variable that carries the id of one test run into every process it starts. */
export const runMarkerVariable = 'FLOWCONFORM_TEST_RUN';

/** Root directory of this checkout (no trailing slash). */
export const checkoutRoot = fileURLToPath(new URL('../..', import.meta.url)).replace(/\/$/, '');

/** Scripts of this checkout whose processes must all be gone when the tests end. */
export const watchedScripts: readonly string[] = [
  resolve(checkoutRoot, 'engine/workers/flow-worker.mjs'),
  resolve(checkoutRoot, 'bin/flowconform.js'),
  resolve(checkoutRoot, 'dist/engine/workers/flow-worker.mjs'),
  resolve(checkoutRoot, 'dist/bin/flowconform.js'),
  resolve(checkoutRoot, 'examples/python-engine/engine.py'),
];

/**
 * How long a process may take to die after the last test ended before it counts as
 * leaked (wall ms): a test may end right after sending SIGKILL, before the kernel has
 * finished the process.
 */
export const settleMsMax = 2000;
/** How often the settle wait looks again (wall ms). */
const settlePollMs = 50;

/** Set on globalThis by the count reporter once it has reported the leaks of this run. */
export const leaksReportedKey = Symbol.for('flowconform.test.leaksReported');

/** A process of this checkout's watched scripts that is still alive. */
export interface LeakedProcess {
  pid: number;
  /** One-letter state from /proc/<pid>/stat (never Z or X: those are dead). */
  state: string;
  commandLine: string[];
}

/** Reads /proc/<pid>/environ as NAME=value entries; null when unreadable (gone, or another user's). */
function readEnvironment(pid: number): string[] | null {
  try {
    return readFileSync(`/proc/${pid}/environ`, 'utf8').split('\0').filter((entry) => entry !== '');
  } catch {
    return null;
  }
}

/** Working directory of a process, to resolve a relative script argument; null when unreadable. */
function readWorkingDirectory(pid: number): string | null {
  try {
    return readlinkSync(`/proc/${pid}/cwd`);
  } catch {
    return null;
  }
}

/** True when one argument of the command line names a watched script of this checkout. */
function runsWatchedScript(pid: number, commandLine: string[]): boolean {
  let workingDirectory: string | null | undefined;
  return commandLine.some((argument) => {
    if (!argument.endsWith('.mjs') && !argument.endsWith('.js') && !argument.endsWith('.py')) return false;
    if (isAbsolute(argument)) return watchedScripts.includes(resolve(argument));
    workingDirectory ??= readWorkingDirectory(pid);
    return workingDirectory !== null && watchedScripts.includes(resolve(workingDirectory, argument));
  });
}

/**
 * Live processes of this checkout's watched scripts, now. With `marker` (the default is
 * this run's id from the environment) only processes that inherited that id count; with
 * null, every such process of this checkout counts, whatever started it.
 */
export function findLeakedProcesses(marker: string | null = process.env[runMarkerVariable] ?? null): LeakedProcess[] {
  const leaked: LeakedProcess[] = [];
  for (const stat of listProcesses()) {
    if (stat.state === 'Z' || stat.state === 'X' || stat.pid === process.pid) continue;
    const commandLine = readCommandLine(stat.pid);
    if (commandLine === null || !runsWatchedScript(stat.pid, commandLine)) continue;
    if (marker !== null) {
      const environment = readEnvironment(stat.pid);
      if (environment === null || !environment.includes(`${runMarkerVariable}=${marker}`)) continue;
    }
    leaked.push({ pid: stat.pid, state: stat.state, commandLine });
  }
  return leaked;
}

/** Waits at most `settleMsMax` for leaked processes to die; returns those still alive then. */
export async function settleLeakedProcesses(boundMs: number = settleMsMax): Promise<LeakedProcess[]> {
  const deadline = Date.now() + boundMs;
  let leaked = findLeakedProcesses();
  while (leaked.length > 0 && Date.now() < deadline) {
    await new Promise((resolveWait) => setTimeout(resolveWait, settlePollMs));
    leaked = findLeakedProcesses();
  }
  return leaked;
}

/** Text that names every leaked process, one per line, for the test output. */
export function describeLeakedProcesses(leaked: readonly LeakedProcess[]): string {
  const lines = leaked.map(({ pid, state, commandLine }) => `  pid ${pid} (state ${state}): ${commandLine.join(' ')}`);
  return `${leaked.length} process(es) of ${checkoutRoot} still alive after the tests ended (wait bound ${settleMsMax} ms):\n${lines.join('\n')}`;
}

/** Thrown by the teardown when processes outlived the test run and no reporter said so. */
export class LeakedProcessesError extends Error {
  constructor(readonly leaked: readonly LeakedProcess[]) {
    super(describeLeakedProcesses(leaked));
    this.name = 'LeakedProcessesError';
  }
}

function killLeakedProcesses(leaked: readonly LeakedProcess[]): void {
  for (const { pid } of leaked) {
    try {
      process.kill(pid, 'SIGKILL');
    } catch {
      // Gone meanwhile (ESRCH): nothing left to clean up.
    }
  }
}

/** Vitest globalSetup: marks the run, and returns the teardown that checks for leaks. */
export default function setup(): () => Promise<void> {
  process.env[runMarkerVariable] ??= `${process.pid}-${Date.now()}`;
  return async function teardown(): Promise<void> {
    const leaked = await settleLeakedProcesses();
    if (leaked.length === 0) return;
    const reported = (globalThis as Record<symbol, unknown>)[leaksReportedKey] === true;
    killLeakedProcesses(leaked);
    // Vitest only logs an error thrown from a global teardown; the exit code is ours to set.
    process.exitCode = 1;
    if (!reported) throw new LeakedProcessesError(leaked);
  };
}
