/**
 * The flow-run machine: Prefect's state types as parent states, named sub-states as
 * children (`SCHEDULED.Late`). Rules taken from Prefect's orchestration
 * policy (src/prefect/server/orchestration/core_policy.py):
 * - a terminal state is final: → CANCELLING, PAUSED or CRASHED from it is refused;
 * - CANCELLING goes only to CANCELLED;
 * - cancelling a SCHEDULED run (no process yet) goes straight to CANCELLED;
 * - nothing goes back to PENDING from PENDING, RUNNING, CANCELLING or CANCELLED;
 * - only a SCHEDULED run is marked Late;
 * - → PENDING while the concurrency limit is full becomes Scheduled/AwaitingConcurrencySlot;
 * - pausing only from RUNNING; from PAUSED only to RUNNING, SCHEDULED or a terminal state;
 * - RUNNING → FAILED with retries left becomes Scheduled/AwaitingRetry.
 */
import { setup } from 'xstate';

export type RunEvent =
  | { type: 'MARK_LATE' }
  | { type: 'AWAIT_CONCURRENCY_SLOT' }
  | { type: 'ACQUIRE' }
  | { type: 'START' }
  | { type: 'START_RETRY' }
  | { type: 'COMPLETE' }
  | { type: 'FAIL' }
  | { type: 'FAIL_WITH_RETRY' }
  | { type: 'PAUSE' }
  | { type: 'SUSPEND' }
  | { type: 'RESUME' }
  | { type: 'RESCHEDULE' }
  | { type: 'CANCEL' }
  | { type: 'CONFIRM_CANCELLED' }
  | { type: 'CRASH' };

export const runMachine = setup({ types: { events: {} as RunEvent } }).createMachine({
  id: 'run',
  initial: 'SCHEDULED',
  states: {
    SCHEDULED: {
      initial: 'Scheduled',
      states: {
        Scheduled: { on: { MARK_LATE: 'Late' } },
        Late: {},
        AwaitingRetry: {},
        AwaitingConcurrencySlot: {},
      },
      on: {
        AWAIT_CONCURRENCY_SLOT: '.AwaitingConcurrencySlot',
        ACQUIRE: 'PENDING',
        CANCEL: 'CANCELLED',
        CRASH: 'CRASHED',
        FAIL: 'FAILED',
      },
    },
    PENDING: {
      on: {
        START: 'RUNNING.Running',
        START_RETRY: 'RUNNING.Retrying',
        CANCEL: 'CANCELLING',
        CRASH: 'CRASHED',
        FAIL: 'FAILED',
      },
    },
    RUNNING: {
      initial: 'Running',
      states: { Running: {}, Retrying: {} },
      on: {
        COMPLETE: 'COMPLETED',
        FAIL: 'FAILED',
        FAIL_WITH_RETRY: 'SCHEDULED.AwaitingRetry',
        PAUSE: 'PAUSED.Paused',
        SUSPEND: 'PAUSED.Suspended',
        CANCEL: 'CANCELLING',
        CRASH: 'CRASHED',
      },
    },
    PAUSED: {
      initial: 'Paused',
      states: { Paused: {}, Suspended: {} },
      on: {
        RESUME: 'RUNNING.Running',
        RESCHEDULE: 'SCHEDULED.Scheduled',
        COMPLETE: 'COMPLETED',
        FAIL: 'FAILED',
        CANCEL: 'CANCELLED',
        CRASH: 'CRASHED',
      },
    },
    CANCELLING: { on: { CONFIRM_CANCELLED: 'CANCELLED' } },
    COMPLETED: { type: 'final' },
    FAILED: { type: 'final' },
    CANCELLED: { type: 'final' },
    CRASHED: { type: 'final' },
  },
});
