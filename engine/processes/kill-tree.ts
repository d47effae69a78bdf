/**
 * Ending a process tree, per platform strategy (docs/architecture.md "Platforms"):
 * - posix: SIGTERM to the process group, wait up to graceMs for the tree to die, then
 *   SIGKILL to the group (Prefect's POSIX kill: SIGTERM, grace, SIGKILL);
 * - win32: there are no groups to signal, so find every process of the tree and kill each
 *   by its integer pid, deepest first (what `taskkill /T /F` does).
 * Signals sent are written to the trace as process events. A subflow is not a group
 * leader; on POSIX its tree is signalled pid by pid instead.
 *
 * The nemesis's `process-signal` fault acts here, in `killTree` alone: while it is on,
 * every signal a kill sends is refused (`KillRefusedError`) before it reaches the
 * ProcessHost, so the caller's own failure path runs (a kill-failed event, a retry).
 * Teardown (`killAll`) and recovery (`killLeftBehind`) are not refused: they clean up
 * after the scenario, and the faults are the scenario's. Nor is the kill of an orphaned
 * subflow (`signalPid` with `refusable: false`), which follows its root worker's death.
 */
import { killWaitMsMax } from '../../trace/events.ts';
import type { EngineContext } from '../context.ts';
import type { Clock } from '../ports/clock.ts';
import type { KillStrategy, ProcessHandle, ProcessHost, WorkerProcess } from '../ports/process-host.ts';

/** How often liveness is polled while waiting for a tree to die (ms). */
export const treePollMs = 20;
/** How long a tree may take to die after SIGKILL before the kill counts as failed (ms). */
export { killWaitMsMax };

export class TreeSurvivedKillError extends Error {
  constructor(owner: string, pids: number[]) {
    super(`process tree of ${owner} still alive after SIGKILL: ${pids.join(', ')}`);
    this.name = 'TreeSurvivedKillError';
  }
}

/**
 * Thrown for each signal of a kill while the `process-signal` fault is on, with the text
 * the operating system gives when it refuses a kill: `EPERM` on POSIX (a process of
 * another user), "Access is denied." on Windows (as `taskkill` or `os.kill` say). The
 * kill did not happen; the caller reports it and may try again once the fault is healed.
 */
class KillRefusedError extends Error {
  /** The errno name, as on Node's own errors. */
  readonly code = 'EPERM';

  constructor(strategy: KillStrategy, pid: number) {
    super(strategy === 'win32' ? `[WinError 5] Access is denied: kill ${pid}` : `EPERM: operation not permitted, kill ${pid}`);
    this.name = 'KillRefusedError';
  }
}

/**
 * Send signal `name` to `pid` (a negative pid: its process group) on behalf of entity
 * `owner`, and write it to the trace as a process event (`error: 'ESRCH'` when nobody was
 * there to get it). When `refusable`, the `process-signal` fault refuses it first.
 * @throws KillRefusedError while refusable and the `process-signal` fault is on, and
 *   whatever the ProcessHost throws for a bad pid.
 */
export function signalPid(context: EngineContext, owner: string, pid: number, name: NodeJS.Signals, { refusable }: { refusable: boolean }): void {
  if (refusable && context.faults.processSignalFailing) throw new KillRefusedError(context.strategy, pid);
  const delivered = context.host.signal(pid, name);
  context.trace.emit({ kind: 'process', action: 'signal', pid, parentPid: null, owner, signal: name, ...(delivered ? {} : { error: 'ESRCH' }) });
}

/**
 * End the tree rooted at `rootPid`, owned by entity `owner`. `knownPids` are pids the
 * engine learnt from its workers (subflows), checked for liveness besides the root's
 * current descendants.
 * @throws whatever the ProcessHost throws for a bad pid (e.g. TypeError
 *   [ERR_INVALID_ARG_TYPE] for a non-integer), KillRefusedError while the
 *   `process-signal` fault is on, and TreeSurvivedKillError when processes outlive
 *   SIGKILL by killWaitMsMax.
 */
export async function killTree(
  context: EngineContext,
  owner: string,
  rootPid: number,
  knownPids: number[],
  /** The root leads its own process group (roots do; a subflow shares its root's group). */
  groupLeader: boolean,
): Promise<void> {
  const { host, clock } = context;
  const known = new Set<number>([rootPid, ...knownPids]);
  // Looked up afresh each time: a parent may fork a child after the first look.
  const tree = () => {
    for (const pid of host.descendants(rootPid)) known.add(pid);
    if (groupLeader && typeof rootPid === 'number') for (const pid of host.groupMembers(rootPid)) known.add(pid);
    return [...known];
  };
  const alive = (pids: number[]) => pids.filter((pid) => typeof pid === 'number' && host.isAlive(pid));
  const signal = (pid: number, name: NodeJS.Signals) => signalPid(context, owner, pid, name, { refusable: true });
  const waitForDeath = async (waitMs: number) => {
    const deadline = clock.wallNowMs() + waitMs;
    while (alive(tree()).length > 0 && clock.wallNowMs() < deadline) await clock.sleep(treePollMs);
    return alive(tree());
  };

  if (context.strategy === 'posix') {
    const signalTree = (name: NodeJS.Signals) => {
      if (groupLeader) signal(-rootPid, name);
      else for (const pid of alive(tree())) signal(pid, name);
    };
    tree();
    signalTree('SIGTERM');
    if ((await waitForDeath(context.bounds.graceMs)).length === 0) return;
    signalTree('SIGKILL');
    const survivors = await waitForDeath(killWaitMsMax);
    if (survivors.length > 0) throw new TreeSurvivedKillError(owner, survivors);
    return;
  }

  // win32: kill by pid, deepest first, as taskkill /T /F walks the tree; walk again while
  // new members appear (a parent forking as it is killed), until none is left.
  const deadline = clock.wallNowMs() + killWaitMsMax;
  const killed = new Set<number>();
  for (;;) {
    // The root's group stands in for the Windows job object: a child forked as its parent
    // died is orphaned out of the tree walk but stays in the group.
    const members = groupLeader && typeof rootPid === 'number' ? host.groupMembers(rootPid) : [];
    const targets = [...host.descendants(rootPid), ...members, ...alive([...known]).filter((pid) => pid !== rootPid), rootPid].filter(
      (pid) => !killed.has(pid),
    );
    for (const pid of targets) {
      signal(pid, 'SIGKILL');
      killed.add(pid);
    }
    const survivors = alive([...known, ...killed, ...host.descendants(rootPid), ...(groupLeader && typeof rootPid === 'number' ? host.groupMembers(rootPid) : [])]);
    if (survivors.length === 0) return;
    if (clock.wallNowMs() >= deadline) throw new TreeSurvivedKillError(owner, survivors);
    await clock.sleep(treePollMs);
  }
}

/**
 * Teardown of everything: SIGKILL each root's process group (roots already reaped
 * included, for the orphans they left) and every known pid still alive, then wait until the roots are reaped, every pid is dead and the groups are
 * empty, at most killWaitMsMax. Errors of single signals (already gone) are ignored.
 */
export async function killAll(host: ProcessHost, clock: Clock, roots: ProcessHandle[], pids: number[]): Promise<void> {
  const attempt = (pid: number) => {
    try {
      host.signal(pid, 'SIGKILL');
    } catch {
      // Gone between the look and the signal.
    }
  };
  // Roots already reaped may have left orphans in their groups: signal every group that
  // still has members (a group id whose leader is gone is not reused while it has any).
  for (const root of roots) if (host.groupMembers(root.pid).length > 0) attempt(-root.pid);
  for (const pid of pids) if (host.isAlive(pid)) attempt(pid);
  const deadline = clock.wallNowMs() + killWaitMsMax;
  // An unreferenced bound: once the roots are reaped it must not keep the engine alive.
  const reaped = new AbortController();
  await Promise.race([Promise.all(roots.map((root) => root.exited)), clock.sleep(killWaitMsMax, { ref: false, signal: reaped.signal })]);
  reaped.abort();
  // Members the engine never heard of (spawned just before teardown) are in the groups too.
  const stragglers = () => [...pids.filter((pid) => host.isAlive(pid)), ...roots.flatMap((root) => host.groupMembers(root.pid))];
  while (stragglers().length > 0 && clock.wallNowMs() < deadline) await clock.sleep(treePollMs);
}

/**
 * After a restart: end every worker a crashed engine process left behind, found by the
 * session marker (`ProcessHost.sessionWorkers`), and wait until none is left, at most
 * killWaitMsMax. Nothing can be re-attached to them (their output went to the dead
 * engine's pipes), so they are killed at once with SIGKILL, not asked with SIGTERM: a
 * group leader (a root run, a task) by its process group, on both platforms (the group
 * stands in for win32's job object); any other by its pid. Each signal goes to the trace
 * with the worker's owner. Looks again while new workers appear (one forked just before
 * its parent died).
 * @returns the workers found (alive or not by now), and those still alive at the bound.
 */
export async function killLeftBehind(context: EngineContext): Promise<{ found: WorkerProcess[]; survivors: WorkerProcess[] }> {
  const { host, clock } = context;
  const found = new Map<number, WorkerProcess>();
  const signalled = new Set<number>();
  const deadline = clock.wallNowMs() + killWaitMsMax;
  for (;;) {
    const live = host.sessionWorkers(context.session);
    for (const worker of live) {
      found.set(worker.pid, worker);
      if (signalled.has(worker.pid)) continue;
      const target = worker.processGroupId === worker.pid ? -worker.pid : worker.pid;
      let delivered = false;
      try {
        delivered = host.signal(target, 'SIGKILL');
      } catch {
        // Gone between the look and the signal.
      }
      signalled.add(worker.pid);
      context.trace.emit({ kind: 'process', action: 'signal', pid: target, parentPid: null, owner: worker.owner, signal: 'SIGKILL', ...(delivered ? {} : { error: 'ESRCH' }) });
    }
    const survivors = [...found.values()].filter((worker) => host.isAlive(worker.pid));
    if (live.length === 0 && survivors.length === 0) return { found: [...found.values()], survivors: [] };
    if (clock.wallNowMs() >= deadline) return { found: [...found.values()], survivors };
    await clock.sleep(treePollMs);
  }
}
