/**
 * Why an entity changed state or was deleted: closed lists of the trace contract
 * (docs/trace.md "Causes"). A cause is one of these words, never a sentence; what
 * varies (an exit code, a master's id, a terminate reason) goes into the event's
 * `detail`, the signal that killed a process into `signal`, the deployment whose update
 * deleted a run into `deploymentId`. Checkers match causes by these constants, so a
 * cause means the same thing in every engine's trace.
 *
 * An engine whose reason fits none of them writes `engine` and says what in `detail`.
 */
import { z } from 'zod';
import { nearestHint } from './nearest-name.ts';

/** Each transition cause and its one meaning; the order is the order docs/trace.md lists them in. */
export const transitionCauseMeanings = {
  // Creation.
  scheduler: "The scheduler made the run from its deployment's schedule (Prefect's scheduler service).",
  'create-flow-run': 'A client created a run of a deployment by hand (Prefect `create_flow_run_from_deployment`).',
  execute: 'A client started an ad-hoc run, of no deployment, at once.',
  'subflow-started': "A run's process started this subflow run.",
  'start-workflow': 'A client started the workflow.',
  decide: "The decider scheduled the workflow's next task (Conductor `decide`).",
  'start-process-instance': "A client's creation request stored the command (DolphinScheduler `start-process-instance`).",
  'handle-command': 'A master handled the command: the instance was created and the command consumed (master id in `detail`).',
  // Scheduling and claiming.
  'mark-late-runs': 'The late-runs service marked a scheduled run Late (Prefect `MarkLateRuns`).',
  'concurrency-limit-full': "The run was due while its deployment's concurrency limit was full (→ SCHEDULED/AwaitingConcurrencySlot).",
  'worker-acquired': 'A worker took the run for execution (→ PENDING).',
  poll: 'A worker polled the task (→ IN_PROGRESS).',
  fetch: 'A master fetched the command to handle it (master id in `detail`).',
  'workflow-execute-runnable': "The instance's execution thread moved it on (DolphinScheduler `WorkflowExecuteRunnable`).",
  // The entity's process.
  'process-started': "The entity's process reported that it started (→ RUNNING).",
  'process-exited': "The entity's process exited by itself (the exit code, or that it exited before it started, in `detail`).",
  'process-killed': "The entity's process was ended by a signal that was not part of a cancel (the signal in `signal`).",
  'spawn-failed': "The entity's process could not be started (the error in `detail`).",
  // Outcomes.
  'task-completed': "The task's worker reported it completed.",
  'all-tasks-completed': 'Every task of the workflow completed.',
  'task-failed': 'A task of the workflow failed, so the workflow failed.',
  'retry-failed-flow': 'A failed attempt with retries left was rescheduled (Prefect `RetryFailedFlows`; → SCHEDULED/AwaitingRetry).',
  'time-out': "A time limit of the entity expired (Conductor's workflow and task timeouts).",
  // Pause and resume.
  pause: 'The entity was paused or suspended, by itself or by a client (Prefect `pause_flow_run`, Conductor `pauseWorkflow`).',
  resume: 'A client resumed the paused entity (Prefect `resume_flow_run`, Conductor `resumeWorkflow`).',
  reschedule: 'A paused run was sent back to SCHEDULED to start again later (Prefect `pause_flow_run(reschedule=True)`).',
  // Cancel and terminate.
  cancel: "A client asked to cancel the entity (a run's Cancel, an instance's stop).",
  'parent-cancelling': "The run's parent run is being cancelled, so this subflow run is too.",
  'parent-cancelled': "The run's parent run was cancelled, and this subflow run with it.",
  'process-tree-killed': "The engine killed the run's whole process tree, which finishes its cancel (CANCELLING → CANCELLED).",
  terminate: 'A client terminated the workflow (the reason in `detail`).',
  'workflow-terminated': 'The task was cancelled because its workflow was terminated (Conductor `cancelNonTerminalTasks`).',
  // Any engine.
  recovery: 'The engine, started again on its stored data, found the entity orphaned (its process gone, its work unfinished) and settled it.',
  engine: 'None of the above fits: a reason of the engine, said in `detail`.',
  // Not written by an engine.
  observed:
    "Derived by the harness, never written by an engine: a change between two read-backs (query) of an entity whose kind the engine pushes no transitions of, at the look that found it; or, for a kind it pushes, a first read after a restart that differs from the entity's last line.",
} as const;

export type TransitionCause = keyof typeof transitionCauseMeanings;
export const transitionCauses = Object.keys(transitionCauseMeanings) as [TransitionCause, ...TransitionCause[]];

/** Each delete cause and its one meaning. */
export const deleteCauseMeanings = {
  'deployment-update': 'An update of the deployment (its id in `deploymentId`) deleted the scheduled run.',
  consumed: 'The command row was deleted because its instance was created.',
  engine: 'None of the above fits: a reason of the engine, said in `detail`.',
} as const;

export type DeleteCause = keyof typeof deleteCauseMeanings;
export const deleteCauses = Object.keys(deleteCauseMeanings) as [DeleteCause, ...DeleteCause[]];

/**
 * The causes with which a parent's cancel reaches a subflow run; RUN-CANCEL-03 judges
 * every other cancel of a run as a cancel of its own.
 */
export const parentCancelCauses: readonly TransitionCause[] = ['parent-cancelling', 'parent-cancelled'];

/** Is `cause` one with which a parent's cancel reaches a subflow run? */
export function isParentCancelCause(cause: string): boolean {
  return (parentCancelCauses as readonly string[]).includes(cause);
}

/** A zod enum whose error names the nearest known word, and where the list is explained. */
function closedList<T extends string>(what: string, values: [T, ...T[]]) {
  return z.enum(values, {
    error: (issue) =>
      typeof issue.input === 'string'
        ? `unknown ${what} '${issue.input}'${nearestHint(issue.input, values)}; the ${what}s are listed in docs/trace.md`
        : `${what} must be a string`,
  });
}

/** Why an entity changed state: one of `transitionCauses`. */
export const TransitionCause = closedList('transition cause', transitionCauses);

/** Why an entity was deleted: one of `deleteCauses`. */
export const DeleteCause = closedList('delete cause', deleteCauses);
