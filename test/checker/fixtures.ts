/**
 * Hand-made stories for the checker tests, one per clause family, each with knobs that
 * put in exactly one of the upstream defects of the bug profiles (docs/architecture.md "Bug profiles") (or leave it out). With the
 * defaults every story is a conformant history; a test turns one knob and expects the
 * clause that exists for that defect to answer false (or 'unknown' when the trace is cut
 * short before the bound). The failing and passing cases share all their code, so a test
 * that says "this holds" and one that says "this is violated" differ in the defect only.
 *
 * Times: wall times are given in ms after a story's key moment (the cancel, the
 * terminate, the acknowledgement), so a test states them relative to the bound it is
 * about (`bound - 1`, `bound + 1`), never as bare numbers.
 */
import { defaultBounds, type Bounds, type DeleteEvent, type ObserveEvent, type RequestEvent, type TraceEvent, type TransitionCause, type TransitionEvent } from '../../trace/events.ts';
import { pollMs } from '../../harness/runner/session.ts';
import { runAttributes, TraceBuilder, type RunAttributes } from './trace-builder.ts';

// ---------------------------------------------------------------------------------------
// Runs: helpers shared by the run-cancel and deployment stories.

/** Create a run (SCHEDULED) with all its attributes; later `move`s carry them over. */
export function createRun(trace: TraceBuilder, id: string, attributes: Partial<RunAttributes> = {}, options: { parentId?: string | null; to?: string; cause?: TransitionCause } = {}): TransitionEvent {
  return trace.transition('run', id, null, options.to ?? 'SCHEDULED', {
    parentId: options.parentId ?? null,
    cause: options.cause ?? 'scheduler',
    attributes: { ...runAttributes(attributes) },
  });
}

/**
 * A run the engine pushes (PENDING), then read back PENDING and RUNNING: a kind it pushes
 * transitions of, so nothing is derived from the read-backs (no RUNNING state).
 */
export function pushedRunReadBackRunning(): TraceEvent[] {
  const trace = new TraceBuilder();
  trace.meta();
  trace.move('run', 'r1', 'PENDING', { cause: 'execute' });
  trace.observe('run', 'r1', 'PENDING');
  trace.observe('run', 'r1', 'RUNNING');
  trace.end();
  return trace.build();
}

/** PENDING then RUNNING (or RUNNING/Retrying), counting the attempt in `runCount` as Prefect does. */
export function startRun(trace: TraceBuilder, id: string, options: { retrying?: boolean } = {}): TransitionEvent {
  trace.move('run', id, 'PENDING', { cause: 'worker-acquired' });
  const runCount = Number(trace.lastOf('run', id)?.attributes?.runCount ?? 0) + 1;
  return trace.move('run', id, options.retrying ? 'RUNNING/Retrying' : 'RUNNING', { cause: 'process-started', attributes: { runCount } });
}

// ---------------------------------------------------------------------------------------
// Run cancel (PrefectHQ/prefect#17792): a parent run with one subflow, each with a process.

export const cancelIds = { parent: 'run-parent', subflow: 'run-subflow', parentPid: 4101, subflowPid: 4102 } as const;

/** What becomes of the subflow after its parent is cancelled. */
export type SubflowFate =
  | { to: 'CANCELLED'; afterMs: number }
  | { to: 'COMPLETED'; afterMs: number }
  /** Moved to CANCELLING with the parent, then never further. */
  | { to: 'CANCELLING' }
  /** Never told: left RUNNING. */
  | { to: 'RUNNING' };

export interface CancelOptions {
  bounds?: Partial<Bounds>;
  /** Wall ms after CANCELLING when the parent is CANCELLED and read back so; null: never. */
  parentCancelledAfterMs?: number | null;
  /** Wall ms after CANCELLING when the parent's process is seen dead; null: never. Defaults to the moment it is CANCELLED. */
  parentProcessDeadAfterMs?: number | null;
  subflow?: SubflowFate;
  /** Wall ms after CANCELLING when the subflow's process is seen dead in /proc; null: never. */
  subflowProcessDeadAfterMs?: number | null;
  /** kill-failed events for the parent, one every 100 ms from the cancel, each with `error` unless `killErrorMissing`. */
  killFailures?: number;
  killErrorMissing?: boolean;
  /** Wall ms after CANCELLING when the trace ends. */
  endAfterMs?: number;
  /** Write the teardown line, the scenario-end sweep and the end line (default true). */
  withEnd?: boolean;
}

export interface CancelStory {
  events: TraceEvent[];
  bounds: Bounds;
  /** The parent's transition into CANCELLING. */
  cancelling: TransitionEvent;
  parentCancelled: TransitionEvent | undefined;
  subflowCancelled: TransitionEvent | undefined;
  subflowEnded: TransitionEvent | undefined;
  killFailures: TraceEvent[];
  /** The last /proc look at the subflow's process. */
  subflowProcessLastSeen: TraceEvent;
}

/** Events to write at a wall time; `writeInOrder` sorts by time, then by order of declaration. */
interface Timed {
  atMs: number;
  write: () => void;
}

function writeInOrder(trace: TraceBuilder, actions: Timed[]): void {
  const sorted = actions.map((action, index) => ({ ...action, index })).sort((a, b) => a.atMs - b.atMs || a.index - b.index);
  for (const action of sorted) {
    trace.atWall(action.atMs);
    action.write();
  }
}

/**
 * Parent and subflow RUNNING, each with one live process; the parent is cancelled at
 * wall 1000 ms. Defaults: the subflow goes CANCELLING with its parent and is CANCELLED
 * 800 ms later, its process dies at 700 ms, the parent's at 1000 ms, just before the
 * parent is CANCELLED; the trace ends cancelBoundMs + 500 ms after the cancel with a
 * clean sweep. A death is read as the harness reads one: the read a poll before
 * (`pollMs`) found the process alive (`seenAliveWallMs`). (Actions at one wall time are
 * written in the order declared here.)
 */
export function cancelStory(options: CancelOptions = {}): CancelStory {
  const trace = new TraceBuilder();
  const bounds = { ...defaultBounds, ...options.bounds };
  const parentCancelledAfterMs = options.parentCancelledAfterMs === undefined ? 1000 : options.parentCancelledAfterMs;
  const parentProcessDeadAfterMs = options.parentProcessDeadAfterMs === undefined ? parentCancelledAfterMs : options.parentProcessDeadAfterMs;
  const subflow = options.subflow ?? { to: 'CANCELLED', afterMs: 800 };
  const subflowProcessDeadAfterMs = options.subflowProcessDeadAfterMs === undefined ? 700 : options.subflowProcessDeadAfterMs;
  const endAfterMs = options.endAfterMs ?? bounds.cancelBoundMs + 500;
  const { parent, subflow: subflowId, parentPid, subflowPid } = cancelIds;

  trace.meta(bounds);
  trace.atWall(10);
  trace.step(0, 'begin', { startRun: { run: parent } });
  createRun(trace, parent, {}, { cause: 'execute' });
  startRun(trace, parent);
  trace.processEvent('spawn', parent, { pid: parentPid });
  trace.request('start-run', 'req-start', { args: { run: parent }, answer: { run: parent } });
  trace.step(0, 'end', {}, { outcome: 'ok' });
  trace.atWall(20);
  createRun(trace, subflowId, {}, { parentId: parent, cause: 'subflow-started' });
  startRun(trace, subflowId);
  trace.processEvent('spawn', subflowId, { pid: subflowPid, parentPid });
  trace.observe('run', parent, 'RUNNING');
  trace.observe('run', subflowId, 'RUNNING', { parentId: parent });
  trace.observeProcess(parentPid, parent, true);
  let subflowProcessLastSeen: TraceEvent = trace.observeProcess(subflowPid, subflowId, true);

  const t0 = 1000;
  trace.atWall(t0);
  trace.step(1, 'begin', { cancel: { run: parent } });
  const cancelling = trace.move('run', parent, 'CANCELLING', { cause: 'cancel' });
  if (subflow.to !== 'RUNNING' && subflow.to !== 'COMPLETED') trace.move('run', subflowId, 'CANCELLING', { cause: 'parent-cancelling' });
  trace.request('cancel-run', 'req-cancel', { args: { run: parent }, answer: {} });
  trace.step(1, 'end', {}, { outcome: 'ok' });

  const story: CancelStory = {
    events: [],
    bounds,
    cancelling,
    parentCancelled: undefined,
    subflowCancelled: undefined,
    subflowEnded: undefined,
    killFailures: [],
    subflowProcessLastSeen,
  };
  const actions: Timed[] = [];
  for (let attempt = 1; attempt <= (options.killFailures ?? 0); attempt += 1) {
    actions.push({
      atMs: t0 + 100 * attempt,
      write: () => {
        const error = options.killErrorMissing ? {} : { error: `TypeError [ERR_INVALID_ARG_TYPE]: The "pid" argument must be of type number (attempt ${attempt})` };
        story.killFailures.push(trace.processEvent('kill-failed', parent, { pid: null, ...error }));
        trace.log('warn', `Flow run ${parent} may not be cancelled.`, parent);
      },
    });
  }
  if (subflowProcessDeadAfterMs !== null) {
    actions.push({
      atMs: t0 + subflowProcessDeadAfterMs,
      write: () => {
        trace.processEvent('exit', subflowId, { pid: subflowPid, signal: 'SIGTERM', code: null });
        story.subflowProcessLastSeen = trace.observeProcess(subflowPid, subflowId, false, { seenAliveWallMs: trace.nowWallMs - pollMs });
      },
    });
  }
  if (subflow.to === 'CANCELLED' || subflow.to === 'COMPLETED') {
    actions.push({
      atMs: t0 + subflow.afterMs,
      write: () => {
        story.subflowEnded = trace.move('run', subflowId, subflow.to, { cause: subflow.to === 'CANCELLED' ? 'parent-cancelled' : 'process-exited' });
        if (subflow.to === 'CANCELLED') story.subflowCancelled = story.subflowEnded;
        trace.observe('run', subflowId, subflow.to, { parentId: parent });
      },
    });
  }
  if (parentProcessDeadAfterMs !== null) {
    actions.push({
      atMs: t0 + parentProcessDeadAfterMs,
      write: () => {
        trace.processEvent('exit', parent, { pid: parentPid, signal: 'SIGTERM', code: null });
        trace.observeProcess(parentPid, parent, false, { seenAliveWallMs: trace.nowWallMs - pollMs });
      },
    });
  }
  if (parentCancelledAfterMs !== null) {
    actions.push({
      atMs: t0 + parentCancelledAfterMs,
      write: () => {
        story.parentCancelled = trace.move('run', parent, 'CANCELLED', { cause: 'process-exited' });
        trace.observe('run', parent, 'CANCELLED');
      },
    });
  }
  if (endAfterMs >= bounds.cancelBoundMs) {
    // The harness keeps polling /proc; this look at the survivors lands on the cancel bound itself.
    actions.push({
      atMs: t0 + bounds.cancelBoundMs,
      write: () => {
        if (parentProcessDeadAfterMs === null) trace.observeProcess(parentPid, parent, true);
        if (subflowProcessDeadAfterMs === null) story.subflowProcessLastSeen = trace.observeProcess(subflowPid, subflowId, true);
      },
    });
  }
  actions.push({
    atMs: t0 + endAfterMs,
    write: () => {
      if (options.withEnd === false) return;
      trace.teardown();
      trace.observeProcess(parentPid, parent, parentProcessDeadAfterMs === null, { reason: 'scenario-end' });
      trace.observeProcess(subflowPid, subflowId, subflowProcessDeadAfterMs === null, { reason: 'scenario-end' });
      trace.end();
    },
  });
  writeInOrder(trace, actions);
  story.events = trace.build();
  return story;
}

// ---------------------------------------------------------------------------------------
// Deployment update (PrefectHQ/prefect#17764): a backlog run and a future run, an update.

export const deploymentIds = {
  deployment: 'nightly',
  /** Slot 60 s: its start has passed when the update comes (Late). */
  lateRun: 'run-slot-60',
  /** Slot 180 s: still in the future at the update, so the update may delete and remake it. */
  futureRun: 'run-slot-180',
  /** The run the scheduler makes again for the future slot after the update. */
  remadeRun: 'run-slot-180-v2',
} as const;

export const deploymentTimes = { lateSlotMs: 60_000, futureSlotMs: 180_000, updateAtMs: 120_000 } as const;

/** A deploy request as the harness writes it: step begin, the answered request, step end. */
export function deployRequest(trace: TraceBuilder, index: number, options: { deployment: string; created: boolean; concurrencyLimit?: number; requestId?: string }): RequestEvent {
  const args = { deployment: options.deployment, ...(options.concurrencyLimit === undefined ? {} : { concurrencyLimit: options.concurrencyLimit }) };
  trace.step(index, 'begin', { deploy: args });
  const request = trace.request('deploy', options.requestId ?? `deploy-${index}`, { args, answer: { created: options.created } });
  trace.step(index, 'end', {}, { outcome: 'ok' });
  return request;
}

export interface DeploymentOptions {
  /** Runs the update deletes (cause `deployment-update`, deployment `nightly`). */
  deleteOnUpdate?: string[];
  /** Make a new run for the future slot after the update (the scheduler's job). */
  remakeFutureSlot?: boolean;
  /** The late run's state at the update: Late by default; AwaitingRetry and AwaitingConcurrencySlot are backlog too. */
  backlogState?: 'SCHEDULED/Late' | 'SCHEDULED/AwaitingRetry' | 'SCHEDULED/AwaitingConcurrencySlot';
  /** After the update, workers come back and run the backlog run. */
  executeBacklog?: boolean;
  withEnd?: boolean;
}

export interface DeploymentStory {
  events: TraceEvent[];
  update: RequestEvent;
  /** The update's step begin: the moment the backlog is taken. */
  updateBegin: TraceEvent;
  deletes: Map<string, DeleteEvent>;
  remade: TransitionEvent | undefined;
}

/**
 * Deployment `nightly` is created at logical 0 with two auto-scheduled runs (slots 60 s
 * and 180 s). The clock moves to 120 s: the first run is now Late. The deployment is
 * updated; by default the update deletes only the future run and the scheduler makes it
 * again, then the workers run the Late one to completion.
 */
export function deploymentStory(options: DeploymentOptions = {}): DeploymentStory {
  const { deployment, lateRun, futureRun, remadeRun } = deploymentIds;
  const { lateSlotMs, futureSlotMs, updateAtMs } = deploymentTimes;
  const deleteOnUpdate = options.deleteOnUpdate ?? [futureRun];
  const trace = new TraceBuilder();
  trace.meta();
  trace.atWall(10);
  deployRequest(trace, 0, { deployment, created: true });
  const auto = { deploymentId: deployment, autoScheduled: true };
  createRun(trace, lateRun, { ...auto, scheduledStartMs: lateSlotMs, slotMs: lateSlotMs });
  createRun(trace, futureRun, { ...auto, scheduledStartMs: futureSlotMs, slotMs: futureSlotMs });

  trace.atWall(50);
  trace.step(1, 'begin', { advance: { ms: updateAtMs } });
  trace.atTime(updateAtMs);
  const backlogState = options.backlogState ?? 'SCHEDULED/Late';
  if (backlogState === 'SCHEDULED/AwaitingRetry') {
    // It ran once and failed with a retry left: Prefect puts it back as AwaitingRetry.
    trace.move('run', lateRun, 'PENDING', { cause: 'worker-acquired' });
    trace.move('run', lateRun, 'RUNNING', { cause: 'process-started', attributes: { runCount: 1, retries: 1 } });
    trace.move('run', lateRun, backlogState, { cause: 'retry-failed-flow' });
  } else if (backlogState === 'SCHEDULED/AwaitingConcurrencySlot') {
    trace.move('run', lateRun, backlogState, { cause: 'concurrency-limit-full' });
  } else {
    trace.move('run', lateRun, backlogState, { cause: 'mark-late-runs' });
  }
  trace.request('advance-clock', 'req-advance', { args: { ms: updateAtMs } });
  trace.step(1, 'end', {}, { outcome: 'ok' });

  trace.atWall(100);
  const updateBegin = trace.step(2, 'begin', { deploy: { deployment } });
  const deletes = new Map<string, DeleteEvent>();
  for (const runId of deleteOnUpdate) deletes.set(runId, trace.del('run', runId, 'deployment-update', { deploymentId: deployment }));
  const update = trace.request('deploy', 'deploy-2', { args: { deployment }, answer: { created: false } });
  const remade = options.remakeFutureSlot === false ? undefined : createRun(trace, remadeRun, { ...auto, scheduledStartMs: futureSlotMs, slotMs: futureSlotMs });
  trace.step(2, 'end', {}, { outcome: 'ok' });

  trace.atWall(200);
  if (options.executeBacklog !== false && !deletes.has(lateRun)) {
    trace.step(3, 'begin', { workers: { up: true } });
    startRun(trace, lateRun, { retrying: backlogState === 'SCHEDULED/AwaitingRetry' });
    trace.move('run', lateRun, 'COMPLETED', { cause: 'process-exited' });
    trace.step(3, 'end', {}, { outcome: 'ok' });
  }
  if (options.withEnd !== false) {
    trace.teardown();
    trace.end();
  }
  return { events: trace.build(), update, updateBegin, deletes, remade };
}

// ---------------------------------------------------------------------------------------
// Workflow terminate (conductor-oss/conductor#303): one workflow, one task with a process.

export const workflowIds = { workflow: 'wf-1', task: 'task-1', taskPid: 5101, listener: 'archive' } as const;

/**
 * A workflow started with one task, SCHEDULED then IN_PROGRESS, as the engine writes it;
 * with `taskPid`, the spawn of the task's process too.
 */
export function startWorkflowWithTask(trace: TraceBuilder, ids: { workflow: string; task: string; taskPid?: number }): void {
  trace.move('workflow', ids.workflow, 'RUNNING', { cause: 'start-workflow' });
  trace.move('task', ids.task, 'SCHEDULED', { parentId: ids.workflow, cause: 'decide' });
  trace.move('task', ids.task, 'IN_PROGRESS', { cause: 'poll' });
  if (ids.taskPid !== undefined) trace.processEvent('spawn', ids.task, { pid: ids.taskPid });
}

export interface TerminateOptions {
  bounds?: Partial<Bounds>;
  /** cancelNonTerminalTasks ran (false: the listener's exception skipped it). */
  taskCancelled?: boolean;
  /** The task's process is killed shortly after the terminate. */
  taskProcessKilled?: boolean;
  /** The archive listener: ok; fails then succeeds on attempt 2; fails every attempt then is dead-lettered; fails once and is dropped. */
  listener?: 'ok' | 'error-retried' | 'error-dead-lettered' | 'error-dropped';
  /** A second terminate after the first: a no-op answered ok, answered fail, or one that re-writes the workflow or calls the listener. */
  secondTerminate?: 'noop' | 'fail' | 'transition' | 'listener';
  /** Wall ms after the terminate step began when the trace ends. */
  endAfterMs?: number;
  /** Write the teardown line, the scenario-end sweep and the end line (default true). */
  withEnd?: boolean;
}

export interface TerminateStory {
  events: TraceEvent[];
  bounds: Bounds;
  terminateBegin: TraceEvent;
  terminate: RequestEvent;
  /** The first read-back of the workflow as TERMINATED. */
  workflowReadTerminated: ObserveEvent;
  /** The last read-back of the task (IN_PROGRESS when it was never cancelled). */
  taskLastRead: ObserveEvent;
  taskProcessLastSeen: TraceEvent;
  listenerFailure: TraceEvent | undefined;
  secondTerminate: RequestEvent | undefined;
  /** The transition or listener call the second terminate caused, if any. */
  secondTerminateEffect: TraceEvent | undefined;
}

/**
 * A workflow with one IN_PROGRESS task (and its process) is terminated at wall 1000 ms.
 * Defaults: the archive listener succeeds, the task is CANCELED and its process killed,
 * the trace ends terminateBoundMs + 500 ms later with a clean sweep.
 */
export function terminateStory(options: TerminateOptions = {}): TerminateStory {
  const trace = new TraceBuilder();
  const bounds = { ...defaultBounds, ...options.bounds };
  const { workflow, task, taskPid, listener } = workflowIds;
  const taskCancelled = options.taskCancelled ?? true;
  const taskProcessKilled = options.taskProcessKilled ?? true;
  const listenerMode = options.listener ?? 'ok';
  const endAfterMs = options.endAfterMs ?? bounds.terminateBoundMs + 500;

  trace.meta(bounds);
  trace.atWall(10);
  trace.step(0, 'begin', { startWorkflow: { workflow } });
  startWorkflowWithTask(trace, { workflow, task, taskPid });
  trace.request('start-workflow', 'req-start', { args: { workflow }, answer: { workflow } });
  trace.step(0, 'end', {}, { outcome: 'ok' });
  trace.observe('workflow', workflow, 'RUNNING', { archived: false });
  let taskLastRead = trace.observe('task', task, 'IN_PROGRESS', { parentId: workflow });
  let taskProcessLastSeen: TraceEvent = trace.observeProcess(taskPid, task, true);

  const t0 = 1000;
  trace.atWall(t0);
  // Every attempt fails because the archive store is down, and stays down (WF-ARCHIVE-01 then judges nothing).
  if (listenerMode === 'error-dead-lettered') trace.fault('inject', 'archive-listener');
  const terminateBegin = trace.step(1, 'begin', { terminate: { workflow } });
  trace.move('workflow', workflow, 'TERMINATED', { cause: 'terminate' });
  // The fixed order (PR #304): cancel the tasks, then call the listener. In the defect the
  // listener is called first, throws, and the task cancel never happens.
  if (taskCancelled) trace.move('task', task, 'CANCELED', { cause: 'workflow-terminated' });
  let listenerFailure: TraceEvent | undefined;
  if (listenerMode === 'ok') trace.sideEffect(listener, workflow, 1, 'ok');
  else listenerFailure = trace.sideEffect(listener, workflow, 1, 'error', 'Error: workflow has non-terminal tasks, cannot archive');
  const answeredFail = !taskCancelled && listenerMode !== 'ok';
  const terminate = trace.request('terminate-workflow', 'req-terminate', {
    args: { workflow },
    outcome: answeredFail ? 'fail' : 'ok',
    answer: answeredFail ? { error: 'archive listener failed' } : {},
  });
  trace.step(1, 'end', {}, { outcome: 'ok' });

  trace.atWall(t0 + 50);
  // The query API shows the workflow archived once its archive listener succeeded (WF-ARCHIVE-01).
  const workflowReadTerminated = trace.observe('workflow', workflow, 'TERMINATED', { archived: listenerMode === 'ok' });
  if (taskCancelled) taskLastRead = trace.observe('task', task, 'CANCELED', { parentId: workflow });
  if (taskProcessKilled) {
    trace.atWall(t0 + 60);
    trace.processEvent('signal', task, { pid: taskPid, signal: 'SIGTERM' });
    trace.processEvent('exit', task, { pid: taskPid, signal: 'SIGTERM', code: null });
    taskProcessLastSeen = trace.observeProcess(taskPid, task, false);
  }

  const actions: Timed[] = [];
  if (listenerMode === 'error-retried') {
    actions.push({ atMs: t0 + 200, write: () => trace.sideEffect(listener, workflow, 2, 'ok') });
    actions.push({ atMs: t0 + 220, write: () => trace.observe('workflow', workflow, 'TERMINATED', { archived: true }) });
  }
  if (listenerMode === 'error-dead-lettered') {
    for (let attempt = 2; attempt <= bounds.listenerAttemptsMax; attempt += 1) {
      actions.push({ atMs: t0 + 100 * attempt, write: () => trace.sideEffect(listener, workflow, attempt, 'error', 'Error: archive store down') });
    }
    actions.push({ atMs: t0 + 100 * bounds.listenerAttemptsMax + 50, write: () => trace.sideEffect(listener, workflow, bounds.listenerAttemptsMax, 'dead-letter') });
  }
  if (!taskProcessKilled && workflowReadTerminated.wallMs + bounds.terminateBoundMs <= t0 + endAfterMs) {
    // The harness keeps polling /proc; this look lands on the terminate bound itself.
    actions.push({ atMs: workflowReadTerminated.wallMs + bounds.terminateBoundMs, write: () => (taskProcessLastSeen = trace.observeProcess(taskPid, task, true)) });
  }
  let secondTerminate: RequestEvent | undefined;
  let secondTerminateEffect: TraceEvent | undefined;
  if (options.secondTerminate) {
    const mode = options.secondTerminate;
    actions.push({
      atMs: t0 + 300,
      write: () => {
        trace.step(2, 'begin', { terminate: { workflow } });
        if (mode === 'transition') secondTerminateEffect = trace.transition('workflow', workflow, 'TERMINATED', 'TERMINATED', { cause: 'terminate' });
        if (mode === 'listener') secondTerminateEffect = trace.sideEffect(listener, workflow, 1, 'ok');
        secondTerminate = trace.request('terminate-workflow', 'req-terminate-2', {
          args: { workflow },
          outcome: mode === 'fail' ? 'fail' : 'ok',
          answer: mode === 'fail' ? { error: 'workflow is already TERMINATED' } : {},
        });
        trace.step(2, 'end', {}, { outcome: 'ok' });
      },
    });
  }
  actions.push({
    atMs: t0 + endAfterMs,
    write: () => {
      if (options.withEnd === false) return;
      trace.teardown();
      trace.observeProcess(taskPid, task, !taskProcessKilled, { reason: 'scenario-end' });
      trace.end();
    },
  });
  writeInOrder(trace, actions);
  return {
    events: trace.build(),
    bounds,
    terminateBegin,
    terminate,
    workflowReadTerminated,
    taskLastRead,
    taskProcessLastSeen,
    listenerFailure,
    secondTerminate,
    secondTerminateEffect,
  };
}

// ---------------------------------------------------------------------------------------
// Instance creation (apache/dolphinscheduler#16572): request → command → instance.

export const instanceIds = { request: 'req-1', command: 'cmd-1' } as const;

export interface InstanceOptions {
  bounds?: Partial<Bounds>;
  /** When the command row is written relative to the success answer; 'none': never. */
  command?: 'before-ack' | 'after-ack' | 'none';
  /** The answer to the request. */
  outcome?: RequestEvent['outcome'];
  /** How many instances masters make from the command (2: double consumption). */
  instances?: number;
  /** Wall ms after the ack when a master takes the command. */
  consumedAfterMs?: number;
  /** What becomes of the command: consumed, moved to ERROR, deleted or read back gone without either, left CLAIMED, or never touched. */
  commandFate?: 'consumed' | 'error' | 'vanished-delete' | 'vanished-read' | 'left-claimed' | 'left-created';
  /** Wall ms after the ack when the trace ends. */
  endAfterMs?: number;
  /** Masters registered before the request (a `set-consumers` request, as the reference harness writes). */
  consumers?: number;
  /** Wall ms after the ack when one master joins (a second `set-consumers`); none by default. */
  consumerJoinsAfterMs?: number;
  /** ms after the ack at which every consumer leaves (set-consumers 0), before the instance is made. */
  consumersLeaveAfterMs?: number;
}

export interface InstanceStory {
  events: TraceEvent[];
  bounds: Bounds;
  ack: RequestEvent;
  instances: TransitionEvent[];
  /** The delete or read-back that shows the command gone. */
  commandGone: TraceEvent | undefined;
}

/**
 * One master is registered (`set-consumers`), then a start-process-instance request at
 * wall 100 ms: its command is stored, the request answered ok, and 200 ms later a master
 * claims the command, makes one instance, marks the command CONSUMED and deletes the row.
 * The trace ends instanceBoundMs + 500 ms after the answer.
 */
export function instanceStory(options: InstanceOptions = {}): InstanceStory {
  const trace = new TraceBuilder();
  const bounds = { ...defaultBounds, ...options.bounds };
  const { request: requestId, command: commandId } = instanceIds;
  const commandTiming = options.command ?? 'before-ack';
  const instanceCount = options.instances ?? 1;
  const consumedAfterMs = options.consumedAfterMs ?? 200;
  const fate = options.commandFate ?? 'consumed';
  const endAfterMs = options.endAfterMs ?? bounds.instanceBoundMs + 500;
  const storeCommand = (): TransitionEvent => trace.move('command', commandId, 'CREATED', { cause: 'start-process-instance', attributes: { requestId } });

  trace.meta(bounds);
  trace.atWall(50);
  const consumers = options.consumers ?? 1;
  trace.step(0, 'begin', { consumers: { count: consumers } });
  trace.request('set-consumers', 'req-consumers', { args: { count: consumers } });
  trace.step(0, 'end', {}, { outcome: 'ok' });
  trace.atWall(100);
  trace.step(1, 'begin', { startProcessInstance: { requestId } });
  if (commandTiming === 'before-ack') storeCommand();
  const ack = trace.request('start-process-instance', requestId, {
    args: { requestId },
    outcome: options.outcome ?? 'ok',
    answer: options.outcome === 'fail' ? { ok: false, error: 'no master' } : { ok: true, commandId },
  });
  if (commandTiming === 'after-ack') storeCommand();
  trace.step(1, 'end', {}, { outcome: 'ok' });

  const instances: TransitionEvent[] = [];
  let commandGone: TraceEvent | undefined;
  const hasCommand = commandTiming !== 'none';
  const actions: Timed[] = [];
  if (options.consumersLeaveAfterMs !== undefined) {
    actions.push({
      atMs: ack.wallMs + options.consumersLeaveAfterMs,
      write: () => {
        trace.step(2, 'begin', { consumers: { count: 0 } });
        trace.request('set-consumers', 'req-consumers-0', { args: { count: 0 } });
        trace.step(2, 'end', {}, { outcome: 'ok' });
      },
    });
  }
  if (options.consumerJoinsAfterMs !== undefined) {
    actions.push({
      atMs: ack.wallMs + options.consumerJoinsAfterMs,
      write: () => {
        trace.step(2, 'begin', { consumers: { count: consumers + 1 } });
        trace.request('set-consumers', 'req-consumers-2', { args: { count: consumers + 1 } });
        trace.step(2, 'end', {}, { outcome: 'ok' });
      },
    });
  }
  actions.push({
    atMs: ack.wallMs + consumedAfterMs,
    write: () => {
      if (fate === 'left-created') return;
      if (hasCommand) trace.move('command', commandId, 'CLAIMED', { cause: 'fetch', detail: 'master-1' });
      for (let index = 1; index <= instanceCount; index += 1) {
        const instanceId = `instance-${index}`;
        instances.push(trace.move('instance', instanceId, 'SUBMITTED_SUCCESS', { cause: 'handle-command', detail: `master-${index}`, attributes: { requestId, commandId } }));
        trace.move('instance', instanceId, 'RUNNING_EXECUTION', { cause: 'workflow-execute-runnable' });
      }
      if (!hasCommand) return;
      if (fate === 'consumed') {
        trace.move('command', commandId, 'CONSUMED', { cause: 'handle-command', detail: 'master-1' });
        trace.del('command', commandId, 'consumed');
      } else if (fate === 'error') {
        trace.move('command', commandId, 'ERROR', { cause: 'handle-command', detail: 'failed: Error: deadlock' });
        trace.log('error', `command ${commandId} moved to t_ds_error_command`, commandId);
      } else if (fate === 'vanished-delete') {
        commandGone = trace.del('command', commandId, 'engine', { detail: 'slot check skipped' });
      }
    },
  });
  if (fate === 'vanished-read' && hasCommand) {
    actions.push({ atMs: ack.wallMs + consumedAfterMs + 50, write: () => (commandGone = trace.observe('command', commandId, null)) });
  }
  actions.push({
    atMs: ack.wallMs + consumedAfterMs + 100,
    write: () => {
      for (let index = 1; index <= instanceCount; index += 1) trace.move('instance', `instance-${index}`, 'SUCCESS', { cause: 'workflow-execute-runnable' });
    },
  });
  actions.push({
    atMs: ack.wallMs + endAfterMs,
    write: () => {
      trace.teardown();
      trace.end();
    },
  });
  writeInOrder(trace, actions.filter((action) => action.atMs <= ack.wallMs + endAfterMs));
  return { events: trace.build(), bounds, ack, instances, commandGone };
}
