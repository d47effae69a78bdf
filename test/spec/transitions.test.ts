/**
 * Goal: the machines in spec/machines say what the upstream systems say about legal and
 * illegal transitions: Prefect's orchestration policy and the moves its own parts make,
 * Conductor's WorkflowExecutorOps and DeciderService, DolphinScheduler's master, command
 * handling and API. Every row of the audit tables in docs/spec-audit.md is a row here,
 * under the audit's rule id (`[R08]`), with its upstream source. A row the spec refuses on
 * purpose although upstream accepts it says so ("deliberately differs", and why); a row
 * the spec keeps although upstream never makes the move says "kept".
 * Method: one table of rows per entity kind, each row a `from → to` pair (`from: null`
 * is creation), judged twice: through the table that `eventsBetween` builds from the
 * machine, and by driving the XState machine itself with `transition()` (a legal row must
 * land on `to` with every event `eventsBetween` names; for an illegal row no enabled
 * event may reach `to`). A row that fails because the machine disagrees with its upstream
 * rule and is not fixed yet is marked with `knownDiscrepancy` and runs as `it.fails`.
 */
import { describe, expect, it } from 'vitest';
import { transition, type AnyMachineSnapshot, type StateValue } from 'xstate';
import type { CommandEvent, InstanceEvent, RunEvent, TaskEvent, WorkflowEvent } from '../../spec/machines/index.ts';
import {
  eventsBetween,
  fromStateValue,
  isCreatable,
  isTerminal,
  machinesByKind,
  toStateValue,
  transitionTable,
} from '../../spec/transitions.ts';
import type { EntityKind } from '../../trace/events.ts';

/** Every event type of every machine; a new event is a compile error here until listed. */
const eventTypesByKind: Record<EntityKind, readonly string[]> = {
  run: Object.keys({
    MARK_LATE: true,
    AWAIT_CONCURRENCY_SLOT: true,
    ACQUIRE: true,
    START: true,
    START_RETRY: true,
    COMPLETE: true,
    FAIL: true,
    FAIL_WITH_RETRY: true,
    RESUBMIT: true,
    LOSE_SLOT: true,
    PAUSE: true,
    SUSPEND: true,
    RESUME: true,
    RESUME_SUSPENDED: true,
    RESCHEDULE: true,
    CANCEL: true,
    CANCEL_WITH_PROCESS: true,
    CONFIRM_CANCELLED: true,
    CRASH: true,
  } satisfies Record<RunEvent['type'], true>),
  workflow: Object.keys({
    PAUSE: true,
    RESUME: true,
    COMPLETE: true,
    FAIL: true,
    TIME_OUT: true,
    TERMINATE: true,
  } satisfies Record<WorkflowEvent['type'], true>),
  task: Object.keys({
    START: true,
    REQUEUE: true,
    COMPLETE: true,
    COMPLETE_WITH_ERRORS: true,
    FAIL: true,
    FAIL_WITH_TERMINAL_ERROR: true,
    CANCEL: true,
    TIME_OUT: true,
  } satisfies Record<TaskEvent['type'], true>),
  command: Object.keys({ CLAIM: true, RELEASE: true, CONSUME: true, MOVE_TO_ERROR: true } satisfies Record<
    CommandEvent['type'],
    true
  >),
  instance: Object.keys({
    RUN: true,
    DELAY: true,
    SERIAL_WAIT: true,
    WAIT_TO_RUN: true,
    SUCCEED: true,
    FAIL: true,
    REQUEST_PAUSE: true,
    PAUSED: true,
    REQUEST_STOP: true,
    STOPPED: true,
    REQUEST_BLOCK: true,
    BLOCKED: true,
    RECOVER: true,
  } satisfies Record<InstanceEvent['type'], true>),
};

interface Row {
  /** The rule's id in docs/spec-audit.md. */
  id: string;
  /** null: the entity is created in `to`. */
  from: string | null;
  to: string;
  legal: boolean;
  /** The upstream file and function or class the row comes from. */
  source: string;
  /** Where the spec differs from upstream on purpose: what it does, and why. */
  note?: string;
  /** Set when the machine disagrees with the upstream rule: why the row is expected to fail. */
  knownDiscrepancy?: string;
}

const allow = (id: string, from: string | null, to: string, source: string): Row => ({ id, from, to, legal: true, source });
const refuse = (id: string, from: string | null, to: string, source: string): Row => ({ id, from, to, legal: false, source });
/** Upstream accepts (or makes) the move; the spec refuses it on purpose. */
const differs = (id: string, from: string | null, to: string, source: string, why: string): Row => ({
  id,
  from,
  to,
  legal: false,
  source,
  note: `deliberately differs: ${why}`,
});
/** Upstream never makes the move; the spec allows it on purpose. */
const kept = (id: string, from: string | null, to: string, source: string, why: string): Row => ({
  id,
  from,
  to,
  legal: true,
  source,
  note: `kept: ${why}`,
});

function snapshotOf(kind: EntityKind, state: string): AnyMachineSnapshot {
  return machinesByKind[kind].resolveState({ value: toStateValue(kind, state), context: {} });
}

/** The state `type` leads to from `from`, or undefined when no transition is enabled for it. */
function step(kind: EntityKind, from: string, type: string): string | undefined {
  const snapshot = snapshotOf(kind, from);
  // `can` is true for any enabled transition, a self-transition included.
  if (!snapshot.can({ type })) return undefined;
  const [next] = transition(machinesByKind[kind], snapshot, { type });
  return fromStateValue(kind, next.value as StateValue);
}

/** Asserts one row through `eventsBetween` and through the machine. */
function checkRow(kind: EntityKind, row: Row): void {
  const label = `${kind} [${row.id}] ${row.from ?? '(new)'} → ${row.to} (${row.source})`;
  const events = eventsBetween(kind, row.from, row.to);
  if (row.from === null) {
    expect(events, `${label}: eventsBetween`).toEqual(row.legal ? ['CREATE'] : []);
    expect(isCreatable(kind, row.to), `${label}: isCreatable`).toBe(row.legal);
    return;
  }
  if (row.legal) {
    expect(events, `${label}: eventsBetween finds no event`).not.toEqual([]);
    for (const type of events) expect(step(kind, row.from, type), `${label}: machine.transition with ${type}`).toBe(row.to);
    return;
  }
  expect(events, `${label}: eventsBetween allows it`).toEqual([]);
  for (const type of eventTypesByKind[kind]) {
    expect(step(kind, row.from, type) === row.to, `${label}: machine.transition with ${type} reaches ${row.to}`).toBe(false);
  }
}

// ---------------------------------------------------------------------------------------
// Sources. Prefect paths are under PrefectHQ/prefect src/prefect/; core_policy.py is
// server/orchestration/core_policy.py (CoreFlowPolicy's rules).
// ---------------------------------------------------------------------------------------

const prefect = {
  terminal: 'core_policy.py HandleFlowTerminalStateTransitions',
  cancellingToCancelled: 'core_policy.py EnforceCancellingToCancelledTransition',
  bypass: 'core_policy.py BypassCancellingFlowRunsWithNoInfra',
  preventPending: 'core_policy.py PreventPendingTransitions',
  late: 'core_policy.py EnsureOnlyScheduledFlowsMarkedLate; server/services/late_runs.py MarkLateRuns',
  secureSlots: 'core_policy.py SecureFlowConcurrencySlots',
  runnerSlot: 'runner/runner.py Runner._submit_run → _propose_scheduled_state (3.0.2–3.0.3)',
  validateAtRunning: 'core_policy.py ValidateDeploymentConcurrencyAtRunning (3.7+)',
  pausing: 'core_policy.py HandlePausingFlows',
  resuming: 'core_policy.py HandleResumingPausedFlows',
  resumeApi: 'server/api/flow_runs.py resume_flow_run',
  retryFailed: 'core_policy.py RetryFailedFlows',
  inProcessRetry: 'flow_engine.py FlowRunEngine.handle_exception (set_state(Running()) after AwaitingRetry)',
  sigterm: 'runner/runner.py Runner.reschedule_current_flow_runs; cli/flow_run.py execute (SIGTERM → AwaitingRetry)',
  cancel: 'cli/flow_run.py cancel; flow_engine.py FlowRunEngine.handle_cancellation (Cancelling, then Cancelled)',
  submit: 'runner/_state_proposer.py StateProposer.propose_pending; flow_engine.py FlowRunEngine.begin_run (Running)',
  crash: 'runner/_state_proposer.py StateProposer.propose_crashed, propose_failed; flow_engine.py handle_crash',
  flowEngine: 'flow_engine.py FlowRunEngine (Completed, Failed)',
  renameReruns: 'core_policy.py RenameReruns (CoreTaskPolicy only)',
  create: 'server/services/scheduler.py (Scheduled); flow_engine.py create_flow_run (ad-hoc runs Pending)',
} as const;

const runTerminal = ['COMPLETED', 'FAILED', 'CANCELLED', 'CRASHED'];
const scheduledSubStates = ['SCHEDULED', 'SCHEDULED/Late', 'SCHEDULED/AwaitingRetry', 'SCHEDULED/AwaitingConcurrencySlot', 'SCHEDULED/Resuming'];
/** SCHEDULED sub-states a run without a process is in (AwaitingRetry of an in-process retry has one). */
const scheduledWithoutProcess = ['SCHEDULED', 'SCHEDULED/Late', 'SCHEDULED/AwaitingConcurrencySlot', 'SCHEDULED/Resuming'];
const rerunsNotModelled = 're-running a finished run (UI Retry, a client proposing a new state) is not an operation of the harness; terminal states are absorbing (TRANSITION-02)';

const runRows: Row[] = [
  // R01: a terminal run is never marked CANCELLING, PAUSED or CRASHED.
  ...runTerminal.flatMap((from) => ['CANCELLING', 'PAUSED', 'PAUSED/Suspended', 'CRASHED'].map((to) => refuse('R01', from, to, prefect.terminal))),
  // R02: the rest of a terminal run's exits, which Prefect allows (with a deployment, and no persisted COMPLETED result).
  ...[
    ['CRASHED', 'SCHEDULED/AwaitingRetry'],
    ['FAILED', 'SCHEDULED/AwaitingRetry'],
    ['CANCELLED', 'SCHEDULED'],
    ['COMPLETED', 'RUNNING'],
    ['FAILED', 'PENDING'],
    ['CRASHED', 'PENDING'],
    ['COMPLETED', 'FAILED'],
    ['FAILED', 'COMPLETED'],
  ].map(([from, to]) => differs('R02', from!, to!, prefect.terminal, rerunsNotModelled)),
  // R03: CANCELLING goes only to CANCELLED.
  allow('R03', 'CANCELLING', 'CANCELLED', prefect.cancellingToCancelled),
  ...transitionTable('run')
    .states.filter((to) => to !== 'CANCELLED')
    .map((to) => refuse('R03', 'CANCELLING', to, prefect.cancellingToCancelled)),
  // R04: cancelling a run with no process to tear down goes straight to CANCELLED.
  ...scheduledSubStates.map((from) => allow('R04', from, 'CANCELLED', prefect.bypass)),
  ...scheduledWithoutProcess.map((from) => refuse('R04', from, 'CANCELLING', prefect.bypass)),
  allow('R04', 'PAUSED/Suspended', 'CANCELLED', prefect.bypass),
  refuse('R04', 'PAUSED/Suspended', 'CANCELLING', prefect.bypass),
  // R05: an AwaitingRetry run of an in-process retry still has its process: its cancel goes through CANCELLING.
  allow('R05', 'SCHEDULED/AwaitingRetry', 'CANCELLING', prefect.bypass),
  // R06: nothing goes back to PENDING from PENDING, RUNNING, CANCELLING or CANCELLED.
  ...['PENDING', 'RUNNING', 'RUNNING/Retrying', 'CANCELLING', 'CANCELLED'].map((from) => refuse('R06', from, 'PENDING', prefect.preventPending)),
  // R07: only a plain Scheduled run is marked Late.
  allow('R07', 'SCHEDULED', 'SCHEDULED/Late', prefect.late),
  refuse('R07', 'SCHEDULED/Late', 'SCHEDULED/Late', prefect.late),
  ...['PENDING', 'RUNNING', 'RUNNING/Retrying', 'PAUSED', 'PAUSED/Suspended', 'CANCELLING', ...runTerminal].map((from) =>
    refuse('R07', from, 'SCHEDULED/Late', prefect.late),
  ),
  ...['SCHEDULED/AwaitingRetry', 'SCHEDULED/AwaitingConcurrencySlot', 'SCHEDULED/Resuming'].map((from) =>
    differs('R07', from, 'SCHEDULED/Late', prefect.late, 'the policy would accept it, but MarkLateRuns marks only runs named Scheduled, and no other part of Prefect proposes Late'),
  ),
  // R08: → PENDING while the deployment's limit is full becomes AwaitingConcurrencySlot, again while it stays full.
  ...['SCHEDULED', 'SCHEDULED/Late', 'SCHEDULED/AwaitingRetry', 'SCHEDULED/Resuming'].map((from) =>
    allow('R08', from, 'SCHEDULED/AwaitingConcurrencySlot', prefect.secureSlots),
  ),
  allow('R08', 'SCHEDULED/AwaitingConcurrencySlot', 'SCHEDULED/AwaitingConcurrencySlot', prefect.secureSlots),
  ...scheduledSubStates.map((from) => allow('R08', from, 'PENDING', `${prefect.secureSlots} (a slot is free); ${prefect.submit}`)),
  // R09: a runner that took the run to PENDING and then finds no slot proposes AwaitingConcurrencySlot.
  allow('R09', 'PENDING', 'SCHEDULED/AwaitingConcurrencySlot', prefect.runnerSlot),
  // R10: a PENDING run whose slot lease was lost is cancelled instead of starting.
  allow('R10', 'PENDING', 'CANCELLED', prefect.validateAtRunning),
  // R11: pausing only from RUNNING.
  ...['RUNNING', 'RUNNING/Retrying'].flatMap((from) => ['PAUSED', 'PAUSED/Suspended'].map((to) => allow('R11', from, to, prefect.pausing))),
  ...[...scheduledSubStates, 'PENDING', 'CANCELLING'].flatMap((from) => ['PAUSED', 'PAUSED/Suspended'].map((to) => refuse('R11', from, to, prefect.pausing))),
  refuse('R11', 'PAUSED', 'PAUSED/Suspended', prefect.pausing),
  refuse('R11', 'PAUSED/Suspended', 'PAUSED', prefect.pausing),
  // R12: from PAUSED only to RUNNING, SCHEDULED or a terminal state.
  ...['PAUSED', 'PAUSED/Suspended'].flatMap((from) => ['RUNNING', 'SCHEDULED', ...runTerminal].map((to) => allow('R12', from, to, prefect.resuming))),
  ...['PAUSED', 'PAUSED/Suspended'].flatMap((from) => ['PENDING', 'CANCELLING'].map((to) => refuse('R12', from, to, prefect.resuming))),
  differs('R12', 'PAUSED', 'RUNNING/Retrying', prefect.resuming, 'the policy accepts any RUNNING name, but a resume is the same attempt going on and Prefect resumes to Running'),
  // R13: resuming a Suspended run makes it Scheduled/Resuming; a worker then takes it as any scheduled run.
  allow('R13', 'PAUSED/Suspended', 'SCHEDULED/Resuming', prefect.resumeApi),
  differs('R13', 'PAUSED', 'SCHEDULED/Resuming', prefect.resumeApi, 'resume_flow_run takes a Paused (not rescheduled) run to RUNNING; only a Suspended one becomes Resuming'),
  // R14: RUNNING → FAILED with retries left becomes AwaitingRetry; without, FAILED.
  ...['RUNNING', 'RUNNING/Retrying'].map((from) => allow('R14', from, 'SCHEDULED/AwaitingRetry', prefect.retryFailed)),
  ...['RUNNING', 'RUNNING/Retrying'].map((from) => allow('R14', from, 'FAILED', prefect.retryFailed)),
  // R15: the flow engine retries in process: AwaitingRetry → RUNNING, no worker and no PENDING.
  allow('R15', 'SCHEDULED/AwaitingRetry', 'RUNNING', prefect.inProcessRetry),
  allow('R15', 'SCHEDULED/AwaitingRetry', 'RUNNING/Retrying', prefect.inProcessRetry),
  ...scheduledWithoutProcess.map((from) =>
    differs('R15', from, 'RUNNING', 'core_policy.py WaitForScheduledTime', 'the policy accepts SCHEDULED → RUNNING, but only the in-process retry of an AwaitingRetry run skips PENDING in what Prefect itself proposes'),
  ),
  // R16: a runner shutting down on SIGTERM sends its PENDING and RUNNING runs back for resubmission.
  allow('R16', 'PENDING', 'SCHEDULED/AwaitingRetry', prefect.sigterm),
  allow('R16', 'RUNNING', 'SCHEDULED/AwaitingRetry', prefect.sigterm),
  // R18: cancelling a run that has a process goes through CANCELLING.
  ...['PENDING', 'RUNNING', 'RUNNING/Retrying'].map((from) => allow('R18', from, 'CANCELLING', prefect.cancel)),
  ...['RUNNING', 'RUNNING/Retrying'].map((from) =>
    differs('R18', from, 'CANCELLED', prefect.cancel, 'no rule refuses it, but every cancel Prefect makes proposes Cancelling first, and RUN-CANCEL-01..03 judge the cancel of a run with a process through CANCELLING'),
  ),
  // R19: the ordinary life: submitted, started, finished, failed or crashed.
  allow('R19', 'PENDING', 'RUNNING', prefect.submit),
  allow('R19', 'PENDING', 'RUNNING/Retrying', `${prefect.submit} (a later attempt, named as states.py Retrying)`),
  ...['RUNNING', 'RUNNING/Retrying'].map((from) => allow('R19', from, 'COMPLETED', prefect.flowEngine)),
  ...['SCHEDULED', 'PENDING', 'RUNNING', 'PAUSED'].map((from) => allow('R19', from, 'CRASHED', prefect.crash)),
  ...['SCHEDULED', 'PENDING', 'RUNNING'].map((from) => allow('R19', from, 'FAILED', prefect.crash)),
  differs('R19', 'PENDING', 'COMPLETED', prefect.flowEngine, 'no rule refuses it, but no part of Prefect reports a run completed that never ran'),
  // R20: RUNNING does not move to RUNNING.
  differs('R20', 'RUNNING', 'RUNNING/Retrying', prefect.renameReruns, 'flow runs are not renamed on a rerun, and no part of Prefect proposes RUNNING for a RUNNING flow run'),
  differs('R20', 'RUNNING/Retrying', 'RUNNING', prefect.renameReruns, 'no part of Prefect proposes RUNNING for a RUNNING flow run'),
  // R21: a SCHEDULED run is not rescheduled to plain Scheduled.
  differs('R21', 'SCHEDULED', 'SCHEDULED', 'core_policy.py CoreFlowPolicy (no rule)', 'a client may propose a new Scheduled time, but no part of Prefect does'),
  differs('R21', 'SCHEDULED/Late', 'SCHEDULED', 'core_policy.py CoreFlowPolicy (no rule)', 'a client may propose a new Scheduled time, but no part of Prefect does'),
  // R23: creation.
  allow('R23', null, 'SCHEDULED', prefect.create),
  allow('R23', null, 'PENDING', prefect.create),
  differs('R23', null, 'RUNNING', 'server/models/flow_runs.py create_flow_run', 'the API takes any initial state, but Prefect creates runs Scheduled or Pending'),
  refuse('R23', null, 'CANCELLING', prefect.create),
];

const conductor = {
  pause: 'WorkflowExecutorOps.java pauseWorkflow',
  resume: 'WorkflowExecutorOps.java resumeWorkflow',
  decide: 'WorkflowExecutorOps.java decide → DeciderService.java decide (endExecution, TerminateWorkflowException)',
  decidePaused: 'DeciderService.java decide (checkWorkflowTimeout, then return for PAUSED)',
  terminate: 'WorkflowExecutorOps.java terminateWorkflow(String, String)',
  reruns: 'WorkflowExecutorOps.java restart, retry, rerun',
  start: 'WorkflowExecutorOps.java startWorkflow',
  taskMappers: 'mapper/SimpleTaskMapper.java (SCHEDULED)',
  skip: 'WorkflowExecutorOps.java skipTaskFromWorkflow',
  poll: 'ExecutionService.java poll (SCHEDULED → IN_PROGRESS)',
  updateTask: 'WorkflowExecutorOps.java updateTask',
  timeouts: 'DeciderService.java checkTaskPollTimeout, checkTaskTimeout, isResponseTimedOut',
  cancelTasks: 'WorkflowExecutorOps.java cancelNonTerminalTasks',
  join: 'tasks/Join.java execute',
  optional: 'DeciderService.java decide (optional task failure → COMPLETED_WITH_ERRORS)',
  rerunTask: 'WorkflowExecutorOps.java rerunWF (rerunFromTask.setStatus(SCHEDULED))',
  systemMappers: 'mapper/*TaskMapper.java (system tasks born IN_PROGRESS, COMPLETED, FAILED)',
} as const;
const workflowTerminal = ['COMPLETED', 'FAILED', 'TIMED_OUT', 'TERMINATED'];
const taskTerminal = ['COMPLETED', 'COMPLETED_WITH_ERRORS', 'SKIPPED', 'FAILED', 'FAILED_WITH_TERMINAL_ERROR', 'CANCELED', 'TIMED_OUT'];

const workflowRows: Row[] = [
  allow('W01', 'RUNNING', 'PAUSED', conductor.pause),
  ...workflowTerminal.map((from) => refuse('W01', from, 'PAUSED', conductor.pause)),
  allow('W02', 'PAUSED', 'RUNNING', conductor.resume),
  ...['COMPLETED', 'FAILED', 'TIMED_OUT', 'TERMINATED'].map((to) => allow('W03', 'RUNNING', to, conductor.decide)),
  allow('W04', 'PAUSED', 'TIMED_OUT', conductor.decidePaused),
  ...['COMPLETED', 'FAILED'].map((to) => refuse('W04', 'PAUSED', to, conductor.decidePaused)),
  allow('W05', 'PAUSED', 'TERMINATED', conductor.terminate),
  refuse('W05', 'COMPLETED', 'TERMINATED', conductor.terminate),
  ...transitionTable('workflow').states.map((to) => refuse('W05', 'TERMINATED', to, `${conductor.terminate} (no-op, conductor-oss/conductor PR #766)`)),
  ...['FAILED', 'TIMED_OUT'].map((from) =>
    differs('W06', from, 'TERMINATED', conductor.terminate, "Conductor rewrites every status but COMPLETED and TERMINATED; the spec keeps Conductor's isTerminal() statuses final, as the checkers and the reference engine read them"),
  ),
  ...workflowTerminal.map((from) => differs('W07', from, 'RUNNING', conductor.reruns, 're-running a finished workflow is not an operation of the harness')),
  allow('W08', null, 'RUNNING', conductor.start),
  refuse('W08', null, 'PAUSED', conductor.start),
  refuse('W08', null, 'COMPLETED', conductor.start),
];

const taskRows: Row[] = [
  allow('T01', null, 'SCHEDULED', conductor.taskMappers),
  allow('T01', null, 'SKIPPED', conductor.skip),
  refuse('T01', 'SCHEDULED', 'SKIPPED', `${conductor.skip} (refuses a task that exists)`),
  refuse('T01', 'IN_PROGRESS', 'SKIPPED', `${conductor.skip} (refuses a task that exists)`),
  allow('T02', 'SCHEDULED', 'IN_PROGRESS', conductor.poll),
  ...['SCHEDULED', 'IN_PROGRESS'].flatMap((from) =>
    ['COMPLETED', 'FAILED', 'FAILED_WITH_TERMINAL_ERROR', 'CANCELED'].map((to) => allow('T03', from, to, `${conductor.updateTask} (TaskResult.Status)`)),
  ),
  allow('T03', 'IN_PROGRESS', 'SCHEDULED', `${conductor.updateTask} (a worker task reported IN_PROGRESS goes back to SCHEDULED)`),
  ...taskTerminal.flatMap((from) => ['IN_PROGRESS', 'COMPLETED', 'SCHEDULED'].filter((to) => to !== from).map((to) => refuse('T03', from, to, `${conductor.updateTask} (a terminal task's update is ignored)`))),
  ...['SCHEDULED', 'IN_PROGRESS'].map((from) => allow('T04', from, 'TIMED_OUT', conductor.timeouts)),
  ...['SCHEDULED', 'IN_PROGRESS'].map((from) => allow('T05', from, 'CANCELED', conductor.cancelTasks)),
  allow('T06', 'IN_PROGRESS', 'COMPLETED_WITH_ERRORS', conductor.join),
  refuse('T06', 'SCHEDULED', 'COMPLETED_WITH_ERRORS', conductor.join),
  ...['FAILED', 'TIMED_OUT', 'CANCELED'].map((from) =>
    differs('T07', from, 'COMPLETED_WITH_ERRORS', conductor.optional, 'the decider rewrites an optional task within one decide; the trace writes its last word, and terminal task statuses stay absorbing'),
  ),
  ...['COMPLETED', 'FAILED'].map((from) => differs('T08', from, 'SCHEDULED', conductor.rerunTask, 're-running a finished workflow is not an operation of the harness')),
  ...['IN_PROGRESS', 'COMPLETED', 'FAILED'].map((to) =>
    differs('T09', null, to, conductor.systemMappers, 'a harness workflow has worker (SIMPLE) tasks only, and those are born SCHEDULED'),
  ),
];

const dolphin = {
  newInstance: 'ProcessServiceImpl.java generateNewProcessInstance ("init running")',
  serial: 'ProcessServiceImpl.java saveSerialProcess',
  dynamic: 'DynamicLogicTask.java generateSubWorkflowInstance (3.2)',
  pause: 'ExecutorServiceImpl.java execute PAUSE, checkExecuteType (isRunning)',
  stop: 'ExecutorServiceImpl.java execute STOP, checkExecuteType (canStop)',
  state: 'WorkflowExecuteRunnable.java getProcessInstanceState',
  readyPause: 'WorkflowExecuteRunnable.java processReadyPause',
  readyBlock: 'WorkflowExecuteRunnable.java processReadyBlock; BlockingTaskProcessor.java',
  submitFailed: 'WorkflowStartEventHandler.java (PROCESS_SUBMIT_FAILED → FAILURE)',
  recover: 'ExecutorServiceImpl.java checkExecuteType RECOVER_SUSPENDED_PROCESS (isPause or isStop)',
  rerun: 'ExecutorServiceImpl.java checkExecuteType REPEAT_RUNNING (isFinished), START_FAILURE_TASK_PROCESS',
  enumOnly: 'WorkflowExecutionStatus.java (no 3.1.9 or 3.2.2 code writes it for an instance)',
  command: 'MasterSchedulerBootstrap.java command2ProcessInstance; ProcessServiceImpl.java handleCommand, moveToErrorCommand',
} as const;

const instanceRows: Row[] = [
  ...['RUNNING_EXECUTION', 'SERIAL_WAIT'].map((to) => allow('I01', null, to, to === 'SERIAL_WAIT' ? dolphin.serial : dolphin.newInstance)),
  allow('I01', null, 'WAIT_TO_RUN', dolphin.dynamic),
  kept('I01', null, 'SUBMITTED_SUCCESS', dolphin.enumOnly, 'the machine starts where an engine shows an accepted instance not yet running, as the reference engine does'),
  refuse('I01', null, 'SUCCESS', dolphin.newInstance),
  allow('I02', 'SERIAL_WAIT', 'RUNNING_EXECUTION', dolphin.serial),
  allow('I02', 'SERIAL_WAIT', 'STOP', `${dolphin.serial} (serial_discard)`),
  ...['SUBMITTED_SUCCESS', 'SERIAL_WAIT', 'WAIT_TO_RUN', 'RUNNING_EXECUTION'].map((from) => allow('I02', from, 'READY_STOP', `${dolphin.serial} (serial_priority stops RUNNING_PROCESS_STATE instances)`)),
  allow('I03', 'RUNNING_EXECUTION', 'READY_PAUSE', dolphin.pause),
  ...['SERIAL_WAIT', 'READY_STOP', 'PAUSE'].map((from) => refuse('I03', from, 'READY_PAUSE', dolphin.pause)),
  allow('I04', 'READY_PAUSE', 'READY_STOP', dolphin.stop),
  ...['PAUSE', 'BLOCK', 'DELAY_EXECUTION', 'READY_BLOCK'].map((from) => refuse('I04', from, 'READY_STOP', dolphin.stop)),
  ...['PAUSE', 'SUCCESS', 'FAILURE'].map((to) => allow('I05', 'READY_PAUSE', to, dolphin.readyPause)),
  ...['STOP', 'SUCCESS'].map((to) => allow('I06', 'READY_STOP', to, dolphin.state)),
  refuse('I06', 'READY_STOP', 'FAILURE', dolphin.state),
  allow('I07', 'RUNNING_EXECUTION', 'READY_BLOCK', dolphin.readyBlock),
  allow('I07', 'READY_BLOCK', 'BLOCK', dolphin.readyBlock),
  refuse('I07', 'READY_BLOCK', 'FAILURE', dolphin.readyBlock),
  ...['SUCCESS', 'FAILURE'].map((to) => allow('I08', 'RUNNING_EXECUTION', to, dolphin.state)),
  kept('I09', 'SUBMITTED_SUCCESS', 'FAILURE', dolphin.submitFailed, 'upstream fails the instance it was submitting, born RUNNING_EXECUTION; here the instance not yet running'),
  allow('I10', 'PAUSE', 'RUNNING_EXECUTION', dolphin.recover),
  differs('I10', 'STOP', 'RUNNING_EXECUTION', dolphin.recover, 'STOP is final here: recovering a stopped instance is a re-run, not an operation of the harness'),
  allow('I11', 'BLOCK', 'RUNNING_EXECUTION', dolphin.rerun),
  ...['SUCCESS', 'FAILURE'].map((from) => differs('I11', from, 'RUNNING_EXECUTION', dolphin.rerun, 're-running a finished instance is not an operation of the harness')),
  kept('I12', 'SUBMITTED_SUCCESS', 'RUNNING_EXECUTION', dolphin.enumOnly, 'the reference engine shows the accepted instance SUBMITTED_SUCCESS, then runs it'),
  kept('I12', 'SUBMITTED_SUCCESS', 'DELAY_EXECUTION', dolphin.enumOnly, 'an enum status of instances; harmless'),
  kept('I12', 'DELAY_EXECUTION', 'RUNNING_EXECUTION', dolphin.enumOnly, 'an enum status of instances; harmless'),
  kept('I12', 'SUBMITTED_SUCCESS', 'SERIAL_WAIT', dolphin.enumOnly, 'as SUBMITTED_SUCCESS → RUNNING_EXECUTION, for a serial definition'),
  allow('I13', 'WAIT_TO_RUN', 'RUNNING_EXECUTION', dolphin.dynamic),
  kept('I13', 'SUBMITTED_SUCCESS', 'WAIT_TO_RUN', dolphin.enumOnly, 'as SUBMITTED_SUCCESS → RUNNING_EXECUTION, for a dynamic sub-instance'),
];

const commandRows: Row[] = [
  allow('C01', null, 'CREATED', 'ExecutorServiceImpl.java execProcessInstance → createCommand'),
  allow('C01', 'CREATED', 'CLAIMED', dolphin.command),
  allow('C01', 'CLAIMED', 'CONSUMED', dolphin.command),
  allow('C01', 'CLAIMED', 'CREATED', `${dolphin.command} (a master that gives the command back)`),
  ...['CREATED', 'CLAIMED'].map((from) => allow('C01', from, 'ERROR', dolphin.command)),
  refuse('C01', 'CREATED', 'CONSUMED', dolphin.command),
  ...['CONSUMED', 'ERROR'].flatMap((from) => transitionTable('command').states.map((to) => refuse('C01', from, to, dolphin.command))),
];

const rowsByKind: Record<EntityKind, Row[]> = {
  run: runRows,
  workflow: workflowRows,
  task: taskRows,
  command: commandRows,
  instance: instanceRows,
};

/** Terminal (absorbing) states per kind as the upstream enums list them; the others must not be terminal. */
const terminalByKind: Record<EntityKind, { terminal: string[]; nonTerminal: string[] }> = {
  run: { terminal: runTerminal, nonTerminal: [...scheduledSubStates, 'PENDING', 'RUNNING', 'RUNNING/Retrying', 'PAUSED', 'PAUSED/Suspended', 'CANCELLING'] },
  workflow: { terminal: workflowTerminal, nonTerminal: ['RUNNING', 'PAUSED'] },
  task: { terminal: taskTerminal, nonTerminal: ['SCHEDULED', 'IN_PROGRESS'] },
  command: { terminal: ['CONSUMED', 'ERROR'], nonTerminal: ['CREATED', 'CLAIMED'] },
  // DolphinScheduler also calls PAUSE and BLOCK "finished", but they can be recovered, so they are not absorbing.
  instance: {
    terminal: ['SUCCESS', 'FAILURE', 'STOP'],
    nonTerminal: ['SUBMITTED_SUCCESS', 'DELAY_EXECUTION', 'SERIAL_WAIT', 'WAIT_TO_RUN', 'RUNNING_EXECUTION', 'READY_PAUSE', 'PAUSE', 'READY_STOP', 'READY_BLOCK', 'BLOCK'],
  },
};

/** How a row reads in the test's name. */
function title(row: Row): string {
  const move = `${row.from ?? '(created)'} → ${row.to}`;
  const verb = row.legal ? 'allows' : 'refuses';
  return `[${row.id}] ${verb} ${move} (${row.source})${row.note ? ` — ${row.note}` : ''}`;
}

const kinds = Object.keys(rowsByKind) as EntityKind[];

describe.each(kinds)('the %s machine', (kind) => {
  const rows = rowsByKind[kind];
  const agreeing = rows.filter((row) => row.knownDiscrepancy === undefined);
  const disagreeing = rows.filter((row) => row.knownDiscrepancy !== undefined);

  it.each(agreeing.map((row) => [title(row), row] as const))('%s', (_title, row) => checkRow(kind, row));
  if (disagreeing.length > 0) {
    it.fails.each(disagreeing.map((row) => [title(row), row] as const))('known discrepancy: %s', (_title, row) => checkRow(kind, row));
  }

  it('has no two rows for the same move that disagree', () => {
    const verdicts = new Map<string, boolean>();
    for (const row of rows) {
      const key = `${row.from ?? '(created)'} → ${row.to}`;
      expect(verdicts.get(key) ?? row.legal, `${kind} ${key}: rows disagree`).toBe(row.legal);
      verdicts.set(key, row.legal);
    }
  });

  it.each(terminalByKind[kind].terminal)('treats %s as terminal', (state) => {
    expect(isTerminal(kind, state)).toBe(true);
    expect(snapshotOf(kind, state).status).toBe('done');
  });
  it.each(terminalByKind[kind].nonTerminal)('treats %s as non-terminal', (state) => {
    expect(isTerminal(kind, state)).toBe(false);
  });
});
