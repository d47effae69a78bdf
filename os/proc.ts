/**
 * Readers for Linux /proc: process state, parent, process group, command line and
 * environment. Shared by the reference engine, which finds a process tree with them (the
 * `win32` kill strategy) and tells a live process from a zombie, and by the harness,
 * which finds every process of an engine's session (os/session-marker.ts).
 *
 * Hazard: /proc is a snapshot taken file by file. A process may vanish, or its pid be
 * reused, between two reads; every reader here treats a vanished process as absent
 * rather than as an error.
 */
import { readdirSync, readFileSync } from 'node:fs';

/** The fields of /proc/<pid>/stat the engine needs. */
export interface ProcessStat {
  pid: number;
  /** Executable name as the kernel records it (at most 15 bytes; may contain spaces and parentheses). */
  commandName: string;
  /** One-letter state: R running, S sleeping, D disk wait, Z zombie, T stopped, X dead, … */
  state: string;
  parentPid: number;
  processGroupId: number;
}

/**
 * Parses the text of /proc/<pid>/stat.
 *
 * The second field is the executable name in parentheses, and that name may itself
 * contain spaces and parentheses (a process can name itself `a) (b`). So the name runs
 * from the first '(' to the LAST ')', and the remaining fields are split after it.
 * @throws Error when the text is not a stat line.
 */
export function parseProcessStat(text: string): ProcessStat {
  const open = text.indexOf('(');
  const close = text.lastIndexOf(')');
  if (open < 0 || close < open) throw new Error(`parseProcessStat: no "(name)" field in ${JSON.stringify(text.slice(0, 80))}`);
  const pid = Number(text.slice(0, open).trim());
  const fields = text.slice(close + 1).trim().split(/\s+/);
  // After the name: state, parent pid, process group, session, …
  const [state, parentPidText, processGroupIdText] = fields;
  const parentPid = Number(parentPidText);
  const processGroupId = Number(processGroupIdText);
  if (!Number.isInteger(pid) || state === undefined || !Number.isInteger(parentPid) || !Number.isInteger(processGroupId)) {
    throw new Error(`parseProcessStat: malformed stat line ${JSON.stringify(text.slice(0, 80))}`);
  }
  return { pid, commandName: text.slice(open + 1, close), state, parentPid, processGroupId };
}

/** Reads /proc/<pid>/stat. Returns null when the process does not exist (or vanished while reading). */
export function readProcessStat(pid: number): ProcessStat | null {
  let text: string;
  try {
    text = readFileSync(`/proc/${pid}/stat`, 'utf8');
  } catch {
    return null;
  }
  return parseProcessStat(text);
}

/** True while the process exists and has not finished: zombie (Z) and dead (X) count as not alive. */
export function isAliveInProc(pid: number): boolean {
  const stat = readProcessStat(pid);
  return stat !== null && stat.state !== 'Z' && stat.state !== 'X';
}

/** Pids of every process now in /proc (numeric directory names). */
function listPids(): number[] {
  return readdirSync('/proc')
    .filter((name) => /^\d+$/.test(name))
    .map(Number);
}

/** Stat of every process in /proc, zombies included; processes that vanish meanwhile are left out. */
export function listProcesses(): ProcessStat[] {
  const processes: ProcessStat[] = [];
  for (const pid of listPids()) {
    const stat = readProcessStat(pid);
    if (stat !== null) processes.push(stat);
  }
  return processes;
}

/**
 * Reads /proc/<pid>/cmdline as an argument array (program first).
 * Returns null when the process does not exist; [] for a zombie or kernel thread,
 * whose command line the kernel no longer shows.
 */
export function readCommandLine(pid: number): string[] | null {
  let text: string;
  try {
    text = readFileSync(`/proc/${pid}/cmdline`, 'utf8');
  } catch {
    return null;
  }
  if (text === '') return [];
  // Arguments are NUL-terminated, so the last split element is the empty string after the final NUL.
  const parts = text.split('\0');
  if (parts[parts.length - 1] === '') parts.pop();
  return parts;
}

/**
 * Pids of the live descendants of `rootPid`, deepest first (so killing them in order
 * never leaves a parent dead before its children are signalled). The root itself is
 * not included.
 *
 * Hazard: a process whose parent died has been re-parented (to pid 1 or a subreaper), so
 * it is no longer found under `rootPid`. That is the gap a kill-by-tree strategy has.
 * @param processes a snapshot from `listProcesses()`; taken now when omitted.
 */
export function descendantsOf(rootPid: number, processes: ProcessStat[] = listProcesses()): number[] {
  const childrenByParent = new Map<number, ProcessStat[]>();
  for (const stat of processes) {
    const siblings = childrenByParent.get(stat.parentPid);
    if (siblings === undefined) childrenByParent.set(stat.parentPid, [stat]);
    else siblings.push(stat);
  }
  const found: Array<{ stat: ProcessStat; depth: number }> = [];
  // The visited set guards against a cycle that a pid reused mid-snapshot could create.
  const visited = new Set<number>([rootPid]);
  const queue: Array<{ pid: number; depth: number }> = [{ pid: rootPid, depth: 0 }];
  while (queue.length > 0) {
    const { pid, depth } = queue.shift()!;
    for (const child of childrenByParent.get(pid) ?? []) {
      if (visited.has(child.pid)) continue;
      visited.add(child.pid);
      found.push({ stat: child, depth: depth + 1 });
      queue.push({ pid: child.pid, depth: depth + 1 });
    }
  }
  return found
    .filter(({ stat }) => stat.state !== 'Z' && stat.state !== 'X')
    .sort((left, right) => right.depth - left.depth)
    .map(({ stat }) => stat.pid);
}

/**
 * The value of environment variable `name` in /proc/<pid>/environ, or null when the
 * process does not exist, has no such variable, or its environment cannot be read (a
 * zombie's is empty; another user's is unreadable). The environment is the one the
 * process was started with: a marker set there is inherited by every descendant, also
 * after its parent died, which is why the harness marks engines this way.
 */
export function readEnvironmentValue(pid: number, name: string): string | null {
  let text: string;
  try {
    text = readFileSync(`/proc/${pid}/environ`, 'utf8');
  } catch {
    return null;
  }
  const prefix = `${name}=`;
  for (const entry of text.split('\0')) if (entry.startsWith(prefix)) return entry.slice(prefix.length);
  return null;
}
