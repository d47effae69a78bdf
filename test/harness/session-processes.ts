/**
 * Test helpers for the rule "when a scenario ends, no process the engine spawned is
 * alive" (docs/architecture.md), read from the operating system, not from the engine.
 *
 * The harness starts every engine with a session marker in its environment
 * (FLOWCONFORM_SESSION, os/session-marker.ts) that every process the engine starts
 * inherits, and puts it in `result.engine.session`. So a test finds the processes of one
 * engine by its marker, and those of every engine started by one harness process (this
 * test worker, or a CLI process it spawned) by the marker's prefix `fc-<pid>-`.
 * Zombies do not count: a zombie is dead.
 */
import { listProcesses, readEnvironmentValue } from '../../os/proc.ts';
import { sessionVariable } from '../../os/session-marker.ts';
import type { ScenarioResult } from '../../harness/result.ts';

/** Pids of the live (non-zombie) processes whose session marker is `session`, or starts with it when `prefix`. */
export function livePidsOfSession(session: string, prefix = false): number[] {
  return listProcesses()
    .filter((stat) => stat.state !== 'Z' && stat.state !== 'X' && stat.pid !== process.pid)
    .filter((stat) => {
      const value = readEnvironmentValue(stat.pid, sessionVariable);
      return value !== null && (prefix ? value.startsWith(session) : value === session);
    })
    .map((stat) => stat.pid);
}

/** The session marker of the engine a scenario ran against. @throws Error when the engine never started. */
export function sessionOf(result: ScenarioResult): string {
  if (!result.engine) throw new Error(`scenario ${result.scenario} has no engine (it could not be started)`);
  return result.engine.session;
}

/** Session marker prefix of every engine started by the harness process `pid`. */
export function sessionPrefixOf(pid: number): string {
  return `fc-${pid}-`;
}
