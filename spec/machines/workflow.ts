/**
 * The workflow machine: Conductor's `Workflow.WorkflowStatus`
 * (common/src/main/java/com/netflix/conductor/common/run/Workflow.java). Terminal:
 * COMPLETED, FAILED, TIMED_OUT, TERMINATED. Moves from core/.../WorkflowExecutorOps.java
 * and DeciderService.java: `pauseWorkflow` (RUNNING only), `resumeWorkflow` (PAUSED
 * only), `decide` (COMPLETED, FAILED, TIMED_OUT, TERMINATED from RUNNING; a PAUSED
 * workflow can only time out), `terminateWorkflow`. A second terminate of a TERMINATED
 * workflow is a no-op (conductor-oss/conductor PR #766), so it is no transition at all.
 * Conductor's terminate also turns a FAILED or TIMED_OUT workflow TERMINATED, and
 * restart, retry and rerun take a finished workflow back to RUNNING: the spec keeps the
 * terminal statuses final (docs/spec-audit.md W06, W07).
 */
import { setup } from 'xstate';

export type WorkflowEvent =
  | { type: 'PAUSE' }
  | { type: 'RESUME' }
  | { type: 'COMPLETE' }
  | { type: 'FAIL' }
  | { type: 'TIME_OUT' }
  | { type: 'TERMINATE' };

export const workflowMachine = setup({ types: { events: {} as WorkflowEvent } }).createMachine({
  id: 'workflow',
  initial: 'RUNNING',
  states: {
    RUNNING: {
      on: { PAUSE: 'PAUSED', COMPLETE: 'COMPLETED', FAIL: 'FAILED', TIME_OUT: 'TIMED_OUT', TERMINATE: 'TERMINATED' },
    },
    PAUSED: { on: { RESUME: 'RUNNING', TERMINATE: 'TERMINATED', TIME_OUT: 'TIMED_OUT' } },
    COMPLETED: { type: 'final' },
    FAILED: { type: 'final' },
    TIMED_OUT: { type: 'final' },
    TERMINATED: { type: 'final' },
  },
});
