/**
 * The task machine: Conductor's `Task.Status`
 * (common/src/main/java/com/netflix/conductor/common/metadata/tasks/Task.java).
 * SCHEDULED and IN_PROGRESS are the only non-terminal states.
 */
import { setup } from 'xstate';

export type TaskEvent =
  | { type: 'START' }
  | { type: 'COMPLETE' }
  | { type: 'COMPLETE_WITH_ERRORS' }
  | { type: 'SKIP' }
  | { type: 'FAIL' }
  | { type: 'FAIL_WITH_TERMINAL_ERROR' }
  | { type: 'CANCEL' }
  | { type: 'TIME_OUT' };

export const taskMachine = setup({ types: { events: {} as TaskEvent } }).createMachine({
  id: 'task',
  initial: 'SCHEDULED',
  states: {
    SCHEDULED: { on: { START: 'IN_PROGRESS', SKIP: 'SKIPPED', CANCEL: 'CANCELED', TIME_OUT: 'TIMED_OUT' } },
    IN_PROGRESS: {
      on: {
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
