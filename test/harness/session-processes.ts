/**
 * Test helpers for the rule "when a scenario ends, no process the engine spawned is
 * alive" (DESIGN.md), read from the operating system, not from the engine.
 *
 * Every worker process of one engine instance carries `--session <id>`
 * (engine/adapters/linux-process-host.ts); the reference engine names its session
 * `fc-<pid of the process that made the engine>-<random>`. So a test can find the
 * workers of one engine by its session, and the workers of every engine made by one
 * process (this test worker, or a CLI process it spawned) by the session prefix.
 * Zombies do not count: their command line is empty, and a zombie is dead anyway.
 */
import { fileURLToPath } from 'node:url';
import { listProcesses, processesWithArgument, readCommandLine } from '../../engine/adapters/proc.ts';
import { ReferenceEngine, type EngineOptions } from '../../engine/reference-engine.ts';

/** Absolute path of the worker script every engine process runs. */
export const flowWorkerScript = fileURLToPath(new URL('../../engine/workers/flow-worker.mjs', import.meta.url));

/**
 * A `createEngine` for `runScenario` that makes the reference engine (or `make`'s engine)
 * and records its session, so the test can look for its processes afterwards.
 */
export function recordingSessions(
  sessions: string[],
  make: (options: EngineOptions) => ReferenceEngine = (options) => new ReferenceEngine(options),
): (options: EngineOptions) => ReferenceEngine {
  return (options) => {
    const engine = make(options);
    sessions.push(engine.session);
    return engine;
  };
}

/** Pids of the live (non-zombie) processes that carry `--session <session>`. */
export function livePidsOfSession(session: string): number[] {
  return processesWithArgument('--session', session).map((found) => found.pid);
}

/** A live flow-worker process and the session it carries. */
export interface LiveWorker {
  pid: number;
  session: string;
  commandLine: string[];
}

/** Every live flow-worker process of any engine, now (zombies left out). */
export function liveFlowWorkers(): LiveWorker[] {
  const workers: LiveWorker[] = [];
  for (const stat of listProcesses()) {
    if (stat.state === 'Z' || stat.state === 'X') continue;
    const commandLine = readCommandLine(stat.pid);
    if (commandLine === null || !commandLine.includes(flowWorkerScript)) continue;
    const index = commandLine.indexOf('--session');
    const session = index >= 0 ? commandLine[index + 1] : undefined;
    if (session !== undefined) workers.push({ pid: stat.pid, session, commandLine });
  }
  return workers;
}

/** Session prefix of every engine made by the process `pid` (see ReferenceEngine's constructor). */
export function sessionPrefixOf(pid: number): string {
  return `fc-${pid}-`;
}
