/**
 * The session marker: an environment variable the harness sets on every engine process
 * it starts, with a value unique to that engine process. Every process the engine starts
 * inherits it (unless the engine scrubs its children's environment), so the harness
 * finds the whole family in /proc, orphans included, without the engine's help.
 */
import { randomBytes } from 'node:crypto';
import { listProcesses, readEnvironmentValue, type ProcessStat } from './proc.ts';

export const sessionVariable = 'FLOWCONFORM_SESSION';

/** A fresh marker value: `fc-<harness pid>-<8 hex digits>`. */
export function newSessionMarker(): string {
  return `fc-${process.pid}-${randomBytes(4).toString('hex')}`;
}

/**
 * Finds the live processes of one engine session: every descendant of `rootPid` and every
 * process whose environment carries the marker. The marker is read once per process
 * (keyed by pid and start position in the process list), so repeated scans stay cheap.
 */
export class SessionScanner {
  /** pid → whether it carries the marker, for pids seen before. */
  private readonly marked = new Map<number, boolean>();

  constructor(
    private readonly marker: string,
    /** The engine process; not itself reported (it is the engine, not one of its workers). */
    private readonly rootPid: number,
  ) {}

  /** Live (not zombie) processes of the session, root excluded, from one /proc snapshot. */
  scan(): ProcessStat[] {
    const processes = listProcesses();
    const byPid = new Map(processes.map((stat) => [stat.pid, stat]));
    const inSession = new Set<number>();
    for (const stat of processes) {
      if (stat.pid === this.rootPid || stat.state === 'Z' || stat.state === 'X') continue;
      if (this.isDescendant(stat, byPid) || this.carriesMarker(stat.pid)) inSession.add(stat.pid);
    }
    // Forget pids that are gone, so a reused pid is looked at afresh.
    for (const pid of this.marked.keys()) if (!byPid.has(pid)) this.marked.delete(pid);
    return processes.filter((stat) => inSession.has(stat.pid));
  }

  private isDescendant(stat: ProcessStat, byPid: Map<number, ProcessStat>): boolean {
    let current: ProcessStat | undefined = stat;
    // A bounded walk: pid reuse mid-snapshot could make a cycle.
    for (let depth = 0; current !== undefined && depth < 64; depth += 1) {
      if (current.parentPid === this.rootPid) return true;
      current = byPid.get(current.parentPid);
    }
    return false;
  }

  private carriesMarker(pid: number): boolean {
    let known = this.marked.get(pid);
    if (known === undefined) {
      known = readEnvironmentValue(pid, sessionVariable) === this.marker;
      this.marked.set(pid, known);
    }
    return known;
  }
}
