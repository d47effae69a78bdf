/**
 * Everything the engine does with operating-system processes goes through this port, so
 * a simulated host can stand in later. The Linux adapter is engine/adapters/linux-process-host.ts.
 */

/** How a process tree is ended. */
export type KillStrategy =
  /** Signal the process group: SIGTERM, wait graceMs, then SIGKILL the group. */
  | 'posix'
  /** Find every process of the tree and kill each by its integer pid (`taskkill /T /F`). */
  | 'win32';

/** A line a worker program wrote on stdout (JSON), already parsed. */
export type WorkerMessage =
  | { type: 'started'; owner: string; pid: number; parentPid: number }
  | { type: 'exited'; owner: string; pid: number; code: number | null; signal: string | null };

export interface SpawnRequest {
  /** Entity id that owns the process (run id, task id). */
  owner: string;
  /** Program and arguments, as an array (never a shell string). */
  command: string;
  args: string[];
  /** Start in a new process group (POSIX strategy needs it). */
  newProcessGroup: boolean;
}

export interface ProcessHandle {
  pid: number;
  /** The underlying child process object (Node's ChildProcess). Never a pid. */
  child: unknown;
  /** Resolves once the process has exited and been reaped. */
  exited: Promise<{ code: number | null; signal: string | null }>;
}

export interface ProcessHost {
  /**
   * Start a process. `onMessage` receives each JSON line it (or a worker it relays for)
   * writes on stdout.
   * @throws Error when the program cannot be started.
   */
  spawn(request: SpawnRequest, onMessage: (message: WorkerMessage) => void): ProcessHandle;
  /**
   * Send a signal to one process by integer pid, or to a process group by negative pid.
   * Returns false when no such process exists (ESRCH). Other failures throw, with Node's
   * error (a non-integer pid throws `TypeError [ERR_INVALID_ARG_TYPE]`).
   */
  signal(pid: number, signal: NodeJS.Signals): boolean;
  /** Pids of every live descendant of `pid`, deepest first; [] when none. */
  descendants(pid: number): number[];
  /** True while the process exists and is not a zombie (state Z counts as dead). */
  isAlive(pid: number): boolean;
  /** Pids of the live members of a process group (orphans included); [] when none. */
  groupMembers(groupId: number): number[];
  /**
   * Every live worker process started for `session` (the `--session` its command line
   * carries), by whatever engine process started it: an engine started again on its data
   * finds with it the workers its crashed predecessor left behind. Zombies are left out.
   */
  sessionWorkers(session: string): WorkerProcess[];
}

/** A live worker process as the process table shows it. */
export interface WorkerProcess {
  pid: number;
  parentPid: number;
  processGroupId: number;
  /** The entity it was started for (its `--owner`). */
  owner: string;
}
