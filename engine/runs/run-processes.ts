/**
 * The runner: starts flow-run processes, follows what their workers report, and cancels
 * them. It keeps Prefect's map from flow-run id to the pid of its process
 * (src/prefect/runner/runner.py `_flow_run_process_map`), which the kill routine reads.
 *
 * There are two submission paths, as upstream: `executeRun` starts an ad-hoc run at
 * once, `submitRun` starts a run a worker took from a deployment's schedule. Each root
 * run is a worker process in its own process group; its subflows are worker processes
 * it spawns itself, and the engine learns their pids from the lines the root relays.
 */
import { formatRunState } from '../../spec/states.ts';
import type { SubflowPlan } from '../../protocol/operations.ts';
import { bugIsOn, log, type EngineContext } from '../context.ts';
import type { Answer } from '../reference-engine.ts';
import type { ProcessHandle, WorkerMessage } from '../ports/process-host.ts';
import { workerArguments, workerCommand, type WorkerPlan } from '../adapters/linux-process-host.ts';
import { killAll, killTree, signalPid } from '../processes/kill-tree.ts';
import { allRuns, createRun, descendantRuns, getRun, isRunTerminal, moveRun, runStateType, type RunRow } from './run-row.ts';

/** Wait between two kill attempts of one cancellation (ms); upstream retries on the next poll. */
export const cancelRetryDelayMs = 250;

function toWorkerSubflows(parentId: string, plans: SubflowPlan[]): WorkerPlan[] {
  return plans.map((plan) => {
    const owner = `${parentId}.${plan.name}`;
    return {
      owner,
      durationMs: plan.durationMs ?? 300,
      exitCode: plan.exitCode ?? 0,
      ignoreSigterm: plan.ignoreSigterm ?? false,
      subflows: toWorkerSubflows(owner, plan.subflows ?? []),
    };
  });
}

/** The run id a subflow owner belongs under: `r1.a.b` → `r1.a`. */
function parentOf(owner: string): string {
  return owner.slice(0, owner.lastIndexOf('.'));
}

export class RunProcesses {
  /** flow-run id → pid of its process, as the upstream runner keeps it. */
  private readonly processMap = new Map<string, { pid: number }>();
  /** Subflow run id → pid, from the `started` lines the root worker relays. */
  private readonly subflowPids = new Map<string, number>();
  /** Every root process started (reaped or not), for teardown: reaped roots may leave orphans in their groups. */
  private readonly roots: ProcessHandle[] = [];
  /** Every pid this runner learnt of (roots and subflows), for teardown. */
  private readonly everyPid = new Set<number>();

  /** Cancellations whose kills are still under way; teardown waits for them. */
  private readonly pendingKills = new Set<Promise<void>>();

  constructor(private readonly context: EngineContext) {}

  /** The direct path: create the run PENDING and start its process now. */
  executeRun(run: RunRow): void {
    createRun(this.context, run, 'execute');
    const handle = this.spawnRun(run);
    if (!handle) return;
    // prefect-17792 puts the upstream defect back here: this path stored the process
    // object, not its pid, so the kill routine later calls process.kill(<ChildProcess>).
    const pid = bugIsOn(this.context, 'prefect-17792') ? (handle.child as number) : handle.pid;
    this.processMap.set(run.id, { pid });
  }

  /** The worker path: a run the dispatcher moved to PENDING starts its process. */
  submitRun(run: RunRow): void {
    const handle = this.spawnRun(run);
    if (handle) this.processMap.set(run.id, { pid: handle.pid });
  }

  private spawnRun(run: RunRow): ProcessHandle | null {
    const attempt = run.runCount + 1;
    const exitCode = run.plan.exitCodes[Math.min(attempt, run.plan.exitCodes.length) - 1] ?? 0;
    const { command } = workerCommand();
    const args = workerArguments(this.context.session, {
      owner: run.id,
      durationMs: run.plan.durationMs,
      exitCode,
      ignoreSigterm: run.plan.ignoreSigterm,
      subflows: toWorkerSubflows(run.id, run.plan.subflows),
    });
    let handle: ProcessHandle;
    try {
      handle = this.context.host.spawn({ owner: run.id, command, args, newProcessGroup: true }, (message) =>
        this.onWorkerMessage(run.id, message),
      );
    } catch (error) {
      log(this.context, 'error', `could not start the process of run ${run.id}: ${String(error)}`, run.id);
      moveRun(this.context, run.id, 'CRASHED', 'spawn-failed');
      return null;
    }
    this.context.trace.emit({ kind: 'process', action: 'spawn', pid: handle.pid, parentPid: process.pid, owner: run.id });
    this.roots.push(handle);
    this.everyPid.add(handle.pid);
    void handle.exited.then(({ code, signal }) => {
      this.onRootExit(run.id, handle.pid, code, signal);
    });
    return handle;
  }

  private onWorkerMessage(rootRunId: string, message: WorkerMessage): void {
    const run = getRun(this.context, message.owner);
    if (message.type === 'started') {
      if (message.owner === rootRunId) {
        if (run && runStateType(run) === 'PENDING') {
          const to = run.runCount > 0 ? 'RUNNING/Retrying' : 'RUNNING';
          moveRun(this.context, run.id, to, 'process-started', { runCount: run.runCount + 1 });
        }
        return;
      }
      this.subflowPids.set(message.owner, message.pid);
      this.everyPid.add(message.pid);
      this.context.trace.emit({ kind: 'process', action: 'spawn', pid: message.pid, parentPid: message.parentPid, owner: message.owner });
      if (run) return;
      const parent = getRun(this.context, parentOf(message.owner));
      const subflow: RunRow = {
        id: message.owner,
        parentId: parentOf(message.owner),
        state: 'PENDING',
        deploymentId: null,
        runCount: 0,
        autoScheduled: false,
        scheduledStartMs: this.context.clock.now(),
        slotMs: null,
        retries: 0,
        retryDelayMs: 0,
        plan: { durationMs: 0, exitCodes: [0], ignoreSigterm: false, subflows: [] },
      };
      createRun(this.context, subflow, 'subflow-started');
      if (parent && (runStateType(parent) === 'CANCELLING' || parent.state === 'CANCELLED')) {
        moveRun(this.context, subflow.id, 'CANCELLING', 'parent-cancelling');
        // Its line came after the parent's cancel had finished (lines lag behind the
        // processes): cancel it on its own, so it does not stay CANCELLING or end CRASHED.
        if (parent.state === 'CANCELLED') this.startKill(subflow.id);
      } else {
        moveRun(this.context, subflow.id, 'RUNNING', 'process-started', { runCount: 1 });
      }
      return;
    }
    this.context.trace.emit({
      kind: 'process',
      action: 'exit',
      pid: message.pid,
      parentPid: null,
      owner: message.owner,
      code: message.code,
      ...(message.signal ? { signal: message.signal } : {}),
    });
    this.subflowPids.delete(message.owner);
    if (!run || isRunTerminal(run) || runStateType(run) === 'CANCELLING') return;
    const to = message.signal !== null ? 'CRASHED' : message.code === 0 ? 'COMPLETED' : 'FAILED';
    moveRun(this.context, run.id, to, 'process-exited');
  }

  private onRootExit(runId: string, pid: number, code: number | null, signal: string | null): void {
    this.context.trace.emit({ kind: 'process', action: 'exit', pid, parentPid: process.pid, owner: runId, code, ...(signal ? { signal } : {}) });
    this.processMap.delete(runId);
    const run = getRun(this.context, runId);
    if (!run || isRunTerminal(run) || runStateType(run) === 'CANCELLING') {
      return;
    }
    this.crashOrphanedSubflows(runId);
    // bullmq-2979 puts the upstream defect back here: a process reused from the pool had no
    // exit handler, so a death nobody asked for left the job active.
    if (signal !== null && bugIsOn(this.context, 'bullmq-2979')) return;
    if (signal !== null || runStateType(run) !== 'RUNNING') {
      moveRun(this.context, runId, 'CRASHED', signal !== null ? 'process-killed' : 'process-exited', {}, signal !== null ? { signal } : { detail: `exited early with code ${code}` });
    } else if (code === 0) {
      moveRun(this.context, runId, 'COMPLETED', 'process-exited');
    } else if (run.runCount <= run.retries) {
      // Prefect's RetryFailedFlows: RUNNING → FAILED with retries left becomes AwaitingRetry.
      moveRun(this.context, runId, formatRunState({ type: 'SCHEDULED', name: 'AwaitingRetry' }), 'retry-failed-flow', {
        scheduledStartMs: this.context.clock.now() + run.retryDelayMs,
      });
    } else {
      moveRun(this.context, runId, 'FAILED', 'process-exited');
    }
  }

  /**
   * A root's worker is the one that reports its subflows' starts and exits: once it is
   * gone, a subflow still running would stay RUNNING for ever with nobody to report its
   * end (PROCESS-LOSS-01; explore, seed 1, run 128, after a worker kill). Its process, an
   * orphan now, is killed by pid, and the run goes CRASHED, as Prefect crashes runs whose
   * infrastructure is gone.
   */
  private crashOrphanedSubflows(rootRunId: string): void {
    for (const subflow of descendantRuns(this.context, rootRunId)) {
      if (isRunTerminal(subflow) || runStateType(subflow) === 'CANCELLING') continue;
      const orphan = this.subflowPids.get(subflow.id);
      if (orphan !== undefined && this.context.host.isAlive(orphan)) {
        // Not refused by the process-signal fault: the worker that reported for it is gone.
        signalPid(this.context, subflow.id, orphan, 'SIGKILL', { refusable: false });
      }
      this.subflowPids.delete(subflow.id);
      moveRun(this.context, subflow.id, 'CRASHED', 'process-killed', {}, { signal: 'SIGKILL', detail: `the worker of ${rootRunId}, which reported for it, is gone` });
    }
  }

  /**
   * Cancel a run (the UI's Cancel). A SCHEDULED or PAUSED run has no process and goes
   * straight to CANCELLED; a PENDING or RUNNING one goes to CANCELLING, its subflows too,
   * and its tree is killed in the background.
   */
  cancel(runId: string): Answer {
    const run = getRun(this.context, runId);
    if (!run) return { ok: false, code: 'not-found', error: `no run '${runId}'` };
    const type = runStateType(run);
    if (isRunTerminal(run)) return { ok: false, code: 'conflict', error: `run ${runId} is ${run.state}` };
    if (type === 'CANCELLING') return { ok: true, state: run.state };
    if (type === 'SCHEDULED' || type === 'PAUSED') {
      moveRun(this.context, runId, 'CANCELLED', 'cancel');
      return { ok: true, state: 'CANCELLED' };
    }
    moveRun(this.context, runId, 'CANCELLING', 'cancel');
    for (const subflow of descendantRuns(this.context, runId)) {
      if (!isRunTerminal(subflow) && runStateType(subflow) !== 'CANCELLING') {
        moveRun(this.context, subflow.id, 'CANCELLING', 'parent-cancelling');
      }
    }
    this.startKill(runId);
    return { ok: true, state: 'CANCELLING' };
  }

  /** Start killing a run's tree in the background; teardown waits for it. */
  private startKill(runId: string): void {
    const kill = this.killUntilCancelled(runId).finally(() => this.pendingKills.delete(kill));
    this.pendingKills.add(kill);
  }

  /**
   * Kill the run's tree, then mark it and its non-terminal subflows CANCELLED. A kill
   * that throws is reported (a kill-failed event and a warning, as upstream's "Flow run
   * may not be cancelled.") and tried again, at most killAttemptsMax times in all.
   */
  private async killUntilCancelled(runId: string): Promise<void> {
    const entry = this.processMap.get(runId) ?? (this.subflowPids.has(runId) ? { pid: this.subflowPids.get(runId)! } : undefined);
    if (!entry) {
      // Upstream treats "process not found" as done: nothing left to kill.
      this.finishCancel(runId);
      return;
    }
    const isRoot = this.processMap.has(runId);
    const attemptsMax = this.context.bounds.killAttemptsMax;
    for (let attempt = 1; attempt <= attemptsMax && this.context.phase === 'open'; attempt += 1) {
      const subflowTree = descendantRuns(this.context, runId)
        .map((run) => this.subflowPids.get(run.id))
        .filter((pid): pid is number => pid !== undefined);
      try {
        await killTree(this.context, runId, entry.pid, subflowTree, isRoot);
      } catch (error) {
        this.context.trace.emit({
          kind: 'process',
          action: 'kill-failed',
          pid: typeof entry.pid === 'number' ? entry.pid : null,
          parentPid: null,
          owner: runId,
          error: String(error),
        });
        log(this.context, 'warn', `Flow run ${runId} may not be cancelled. (${String(error)})`, runId);
        if (attempt < attemptsMax) await this.context.clock.sleep(cancelRetryDelayMs);
        continue;
      }
      this.finishCancel(runId);
      return;
    }
    if (this.context.phase === 'open') log(this.context, 'error', `giving up on cancelling run ${runId} after ${attemptsMax} failed kills`, runId);
  }

  private finishCancel(runId: string): void {
    for (const subflow of descendantRuns(this.context, runId)) {
      if (isRunTerminal(subflow)) continue;
      if (runStateType(subflow) !== 'CANCELLING') moveRun(this.context, subflow.id, 'CANCELLING', 'parent-cancelling');
      moveRun(this.context, subflow.id, 'CANCELLED', 'parent-cancelled');
    }
    const run = getRun(this.context, runId);
    if (run && runStateType(run) === 'CANCELLING') moveRun(this.context, runId, 'CANCELLED', 'process-tree-killed');
  }

  /**
   * After a restart, once every process the crashed engine left behind is dead: no run of
   * this engine has a process, so each run that needed one is settled (cause `recovery`).
   * - CANCELLING: its cancel was acknowledged and its tree is now dead, so it finishes
   *   as a cancel does: its open subflows CANCELLED, then the run CANCELLED.
   * - PENDING or RUNNING: its process vanished with the engine, so it is CRASHED (Prefect
   *   marks a run whose infrastructure vanished Crashed). A subflow of a cancelled or
   *   cancelling parent is cancelled instead, as the parent's cancel would have done.
   * Scheduled and paused runs have no process and wait as they were.
   */
  recover(): void {
    const cancelledTypes = new Set(['CANCELLING', 'CANCELLED']);
    const ancestorCancelled = (run: RunRow): boolean => {
      for (let parentId = run.parentId; parentId !== null; ) {
        const parent = getRun(this.context, parentId);
        if (!parent) return false;
        if (cancelledTypes.has(runStateType(parent))) return true;
        parentId = parent.parentId;
      }
      return false;
    };
    const depth = (run: RunRow): number => {
      let count = 0;
      for (let parentId = run.parentId; parentId !== null; parentId = getRun(this.context, parentId)?.parentId ?? null) count += 1;
      return count;
    };
    const cancelling = allRuns(this.context).filter((run) => runStateType(run) === 'CANCELLING');
    // Ancestors first, so a parent's cancel settles its subflows before they are looked at alone.
    for (const run of cancelling.sort((a, b) => depth(a) - depth(b))) {
      const current = getRun(this.context, run.id);
      if (!current || runStateType(current) !== 'CANCELLING') continue;
      for (const subflow of descendantRuns(this.context, run.id)) {
        if (isRunTerminal(subflow)) continue;
        if (runStateType(subflow) !== 'CANCELLING') moveRun(this.context, subflow.id, 'CANCELLING', 'parent-cancelling');
        moveRun(this.context, subflow.id, 'CANCELLED', 'recovery', {}, { detail: 'its process tree was dead when the engine started again' });
      }
      if (bugIsOn(this.context, 'dolphinscheduler-15573')) {
        // dolphinscheduler-15573: failover does not handle READY_STOP, so the instance is
        // taken as finished and its stop is never carried out.
        moveRun(this.context, run.id, 'COMPLETED', 'recovery', {}, { detail: 'taken as finished by recovery' });
        continue;
      }
      moveRun(this.context, run.id, 'CANCELLED', 'recovery', {}, { detail: 'its cancel was acknowledged and its process tree was dead when the engine started again' });
    }
    // prefect-16746: runs whose process went down with the engine are left as they were.
    if (bugIsOn(this.context, 'prefect-16746')) return;
    for (const run of allRuns(this.context)) {
      const type = runStateType(run);
      if (type !== 'PENDING' && type !== 'RUNNING') continue;
      if (ancestorCancelled(run)) {
        moveRun(this.context, run.id, 'CANCELLING', 'parent-cancelling');
        moveRun(this.context, run.id, 'CANCELLED', 'recovery', {}, { detail: 'its parent was cancelled and its process tree was dead when the engine started again' });
      } else {
        moveRun(this.context, run.id, 'CRASHED', 'recovery', {}, { detail: 'its process was gone when the engine started again' });
      }
    }
  }

  /** Teardown (the engine is `closing`, so kills are not retried): SIGKILL every process still alive, and wait until all are dead. */
  async close(): Promise<void> {
    await killAll(this.context.host, this.context.clock, this.roots, [...this.everyPid]);
    await Promise.all(this.pendingKills);
  }
}
