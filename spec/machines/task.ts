/**
 * The task machine: Conductor's `Task.Status`
 * (common/src/main/java/com/netflix/conductor/common/metadata/tasks/Task.java), for the
 * worker tasks a harness workflow has (SIMPLE tasks: the mappers create them SCHEDULED).
 * SCHEDULED and IN_PROGRESS are the only non-terminal states. Moves from
 * core/.../WorkflowExecutorOps.java and DeciderService.java:
 * - a worker polls a SCHEDULED task (IN_PROGRESS);
 * - `updateTask` sets a non-terminal task to what the worker reports (COMPLETED, FAILED,
 *   FAILED_WITH_TERMINAL_ERROR, CANCELED), polled or not; a worker task reported
 *   IN_PROGRESS (to be called back later) goes back to SCHEDULED and its queue;
 * - the decider times a task out: SCHEDULED past its poll timeout, IN_PROGRESS past its
 *   response or task timeout (TIMED_OUT);
 * - terminating the workflow cancels every non-terminal task (`cancelNonTerminalTasks`);
 * - a skipped task is a new row created SKIPPED (`skipTaskFromWorkflow` refuses a task
 *   that exists), so SKIPPED is reached by creation only (spec/transitions.ts
 *   `isCreatable`);
 * - a JOIN completes with errors when an optional forked task failed.
 * docs/spec-audit.md holds the audit and what is left out on purpose.
 */
import { setup } from 'xstate';

export type TaskEvent =
  | { type: 'START' }
  | { type: 'REQUEUE' }
  | { type: 'COMPLETE' }
  | { type: 'COMPLETE_WITH_ERRORS' }
  | { type: 'FAIL' }
  | { type: 'FAIL_WITH_TERMINAL_ERROR' }
  | { type: 'CANCEL' }
  | { type: 'TIME_OUT' };

export const taskMachine = setup({ types: { events: {} as TaskEvent } }).createMachine({
  id: 'task',
  initial: 'SCHEDULED',
  states: {
    SCHEDULED: {
      on: {
        START: 'IN_PROGRESS',
        COMPLETE: 'COMPLETED',
        FAIL: 'FAILED',
        FAIL_WITH_TERMINAL_ERROR: 'FAILED_WITH_TERMINAL_ERROR',
        CANCEL: 'CANCELED',
        TIME_OUT: 'TIMED_OUT',
      },
    },
    IN_PROGRESS: {
      on: {
        REQUEUE: 'SCHEDULED',
        COMPLETE: 'COMPLETED',
        COMPLETE_WITH_ERRORS: 'COMPLETED_WITH_ERRORS',
        FAIL: 'FAILED',
        FAIL_WITH_TERMINAL_ERROR: 'FAILED_WITH_TERMINAL_ERROR',
        CANCEL: 'CANCELED',
        TIME_OUT: 'TIMED_OUT',
      },
    },
    COMPLETED: { type: 'final' },
    COMPLETED_WITH_ERRORS: { type: 'final' },
    SKIPPED: { type: 'final' },
    FAILED: { type: 'final' },
    FAILED_WITH_TERMINAL_ERROR: { type: 'final' },
    CANCELED: { type: 'final' },
    TIMED_OUT: { type: 'final' },
  },
});
