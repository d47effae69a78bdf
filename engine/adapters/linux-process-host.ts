/**
 * The ProcessHost port on real Linux processes: spawn with cross-spawn, signals with
 * `process.kill`, process trees and liveness from /proc.
 */
import type { ChildProcess } from 'node:child_process';
import path from 'node:path';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import spawn from 'cross-spawn';
import type { Clock } from '../ports/clock.ts';
import type { ProcessHandle, ProcessHost, SpawnRequest, WorkerMessage, WorkerProcess } from '../ports/process-host.ts';
import { descendantsOf, isAliveInProc, listProcesses, readCommandLine } from '../../os/proc.ts';

/**
 * After a process has exited, how long `exited` waits for the rest of its stdout (ms).
 * Normally stdout ends at once; it stays open only when some other process inherited the
 * pipe (a backgrounded grandchild), and then `exited` must not wait for that process too.
 */
const stdoutDrainMsMax = 500;

/** A subflow plan for the flow worker: what one worker process does. */
export interface WorkerPlan {
  owner: string;
  /** How long the worker sleeps before exiting (ms). */
  durationMs: number;
  exitCode: number;
  /** When true, SIGTERM does nothing and only SIGKILL ends the worker. */
  ignoreSigterm: boolean;
  subflows: WorkerPlan[];
}

/** The program and leading arguments that start engine/workers/flow-worker.mjs with this Node. */
export function workerCommand(): { command: string; argsPrefix: string[] } {
  return {
    command: process.execPath,
    argsPrefix: [fileURLToPath(new URL('../workers/flow-worker.mjs', import.meta.url))],
  };
}

/** The full argument array (after `workerCommand().command`) for a worker following `plan`. */
export function workerArguments(session: string, plan: WorkerPlan): string[] {
  return [
    ...workerCommand().argsPrefix,
    '--session', session,
    '--owner', plan.owner,
    '--duration-ms', String(plan.durationMs),
    '--exit-code', String(plan.exitCode),
    ...(plan.ignoreSigterm ? ['--ignore-sigterm'] : []),
    '--subflows', JSON.stringify(plan.subflows),
  ];
}

/** Parses one stdout line into a WorkerMessage; null for anything else (not JSON, wrong shape). */
export function parseWorkerMessage(line: string): WorkerMessage | null {
  let value: unknown;
  try {
    value = JSON.parse(line);
  } catch {
    return null;
  }
  if (typeof value !== 'object' || value === null) return null;
  const message = value as Record<string, unknown>;
  if (typeof message.owner !== 'string' || typeof message.pid !== 'number') return null;
  if (message.type === 'started' && typeof message.parentPid === 'number') {
    return { type: 'started', owner: message.owner, pid: message.pid, parentPid: message.parentPid };
  }
  const isCodeOrNull = typeof message.code === 'number' || message.code === null;
  const isSignalOrNull = typeof message.signal === 'string' || message.signal === null;
  if (message.type === 'exited' && isCodeOrNull && isSignalOrNull) {
    return { type: 'exited', owner: message.owner, pid: message.pid, code: message.code as number | null, signal: message.signal as string | null };
  }
  return null;
}

/** The value after `flag` in an argument array, or null when it has none. */
function argumentAfter(commandLine: string[], flag: string): string | null {
  const index = commandLine.indexOf(flag);
  return index >= 0 && index + 1 < commandLine.length ? commandLine[index + 1]! : null;
}

export class LinuxProcessHost implements ProcessHost {
  /** @param clock the wall clock the drain bound of `exited` is measured on. */
  constructor(private readonly clock: Clock) {}

  /**
   * Starts `request.command` with stdin ignored and stdout/stderr piped. Stdout lines that
   * parse as WorkerMessage go to `onMessage`; other lines, and all of stderr, are read and
   * dropped so a chatty process never blocks on a full pipe.
   *
   * `exited` resolves after Node has reaped the process ('exit') and its stdout has ended,
   * waiting at most `stdoutDrainMsMax` for the latter, so every message the process wrote
   * has normally reached `onMessage` by then.
   *
   * An exception thrown by `onMessage` is not caught: it surfaces as an uncaught exception.
   * @throws Error when the program cannot be started (no pid was assigned, e.g. ENOENT).
   */
  spawn(request: SpawnRequest, onMessage: (message: WorkerMessage) => void): ProcessHandle {
    const child: ChildProcess = spawn(request.command, request.args, {
      stdio: ['ignore', 'pipe', 'pipe'],
      detached: request.newProcessGroup,
    });
    if (child.pid === undefined) {
      // Node reports the failure again as an 'error' event; without a listener that would crash the process.
      child.once('error', () => {});
      throw new Error(`LinuxProcessHost.spawn: cannot start ${JSON.stringify(request.command)} for ${request.owner}`);
    }
    const pid = child.pid;
    child.stderr!.resume();
    const stdoutEnded = new Promise<void>((resolve) => {
      const lines = createInterface({ input: child.stdout!, crlfDelay: Infinity });
      lines.on('line', (line) => {
        const message = parseWorkerMessage(line);
        if (message !== null) onMessage(message);
      });
      lines.on('close', () => resolve());
    });
    const exited = new Promise<{ code: number | null; signal: string | null }>((resolve) => {
      child.once('exit', (code, signal) => {
        const drained = new AbortController();
        const drainBound = this.clock.sleep(stdoutDrainMsMax, { signal: drained.signal });
        void Promise.race([stdoutEnded, drainBound]).then(() => {
          drained.abort();
          resolve({ code, signal });
        });
      });
    });
    return { pid, child, exited };
  }

  /**
   * Sends `signal` to a process (positive pid) or a process group (negative pid).
   *
   * The pid goes to `process.kill` unchecked, so a non-integer (say, a ChildProcess passed
   * by mistake) fails with Node's own `TypeError [ERR_INVALID_ARG_TYPE]` — a bug profile
   * relies on that. A zombie still counts as existing: signalling it returns true.
   * @returns false when no such process or group exists (ESRCH).
   * @throws RangeError for pid 0 and -1, which would signal the engine's own process
   *   group or every process of the user.
   * @throws Error from `process.kill` for any other failure (EPERM, an unknown signal name).
   */
  signal(pid: number, signal: NodeJS.Signals): boolean {
    // Strict comparisons let a non-number through to process.kill, which rejects it itself.
    if (pid === 0 || pid === -1) {
      throw new RangeError(`LinuxProcessHost.signal: refusing pid ${pid}; it would signal far more than one tree`);
    }
    try {
      return process.kill(pid, signal);
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === 'ESRCH') return false;
      throw error;
    }
  }

  /** Pids of every live descendant of `pid`, deepest first, from a /proc snapshot. */
  descendants(pid: number): number[] {
    return descendantsOf(pid);
  }

  groupMembers(groupId: number): number[] {
    return listProcesses()
      .filter((stat) => stat.processGroupId === groupId && stat.state !== 'Z' && stat.state !== 'X')
      .map((stat) => stat.pid);
  }

  /** True while the process exists and is not a zombie. */
  isAlive(pid: number): boolean {
    return isAliveInProc(pid);
  }

  /**
   * Live processes running the flow worker (a script named flow-worker.mjs, from the
   * sources or from dist/) with `--session <session>`, from a /proc snapshot: the exact
   * session value, never a pattern.
   */
  sessionWorkers(session: string): WorkerProcess[] {
    const script = path.basename(workerCommand().argsPrefix[0]!);
    const workers: WorkerProcess[] = [];
    for (const stat of listProcesses()) {
      if (stat.state === 'Z' || stat.state === 'X' || stat.pid === process.pid) continue;
      const commandLine = readCommandLine(stat.pid);
      if (commandLine === null || commandLine[1] === undefined || path.basename(commandLine[1]) !== script || argumentAfter(commandLine, '--session') !== session) continue;
      const owner = argumentAfter(commandLine, '--owner');
      if (owner === null) continue;
      workers.push({ pid: stat.pid, parentPid: stat.parentPid, processGroupId: stat.processGroupId, owner });
    }
    return workers;
  }
}
