/**
 * The flow-run machine: Prefect's state types as parent states, named sub-states as
 * children (`SCHEDULED.Late`). Rules taken from Prefect's orchestration policy
 * (src/prefect/server/orchestration/core_policy.py `CoreFlowPolicy`), and the moves that
 * Prefect's own parts make (the server's services and API, workers and runners, the flow
 * engine); docs/spec-audit.md holds the audit, rule by rule, and what is left out on
 * purpose:
 * - a terminal state is final: → CANCELLING, PAUSED or CRASHED from it is refused
 *   (`HandleFlowTerminalStateTransitions`); re-running a finished run is not modelled;
 * - CANCELLING goes only to CANCELLED (`EnforceCancellingToCancelledTransition`);
 * - cancelling a SCHEDULED run that has no process goes straight to CANCELLED, and so
 *   does cancelling a Suspended or Resuming one (`BypassCancellingFlowRunsWithNoInfra`);
 *   an AwaitingRetry run of an in-process retry still has its process and goes through
 *   CANCELLING;
 * - nothing goes back to PENDING from PENDING, RUNNING, CANCELLING or CANCELLED
 *   (`PreventPendingTransitions`);
 * - only a plain Scheduled run is marked Late (`EnsureOnlyScheduledFlowsMarkedLate`, and
 *   the MarkLateRuns service picks only `Scheduled` runs);
 * - → PENDING while the deployment's concurrency limit is full becomes
 *   Scheduled/AwaitingConcurrencySlot (`SecureFlowConcurrencySlots`), again and again while
 *   it stays full; a runner that took the run to PENDING and then finds no slot proposes
 *   AwaitingConcurrencySlot itself (`Runner._submit_run`, Prefect 3.0.2–3.0.3);
 * - a PENDING run whose slot lease was lost is CANCELLED instead of starting
 *   (`ValidateDeploymentConcurrencyAtRunning`, Prefect 3.7+);
 * - pausing only from RUNNING (`HandlePausingFlows`); from PAUSED only to RUNNING,
 *   SCHEDULED or a terminal state (`HandleResumingPausedFlows`); resuming a Suspended run
 *   makes it Scheduled/Resuming (`resume_flow_run`);
 * - RUNNING → FAILED with retries left becomes Scheduled/AwaitingRetry
 *   (`RetryFailedFlows`), and the flow engine then retries in process, AwaitingRetry →
 *   RUNNING without PENDING; a runner shutting down on SIGTERM sends its PENDING and
 *   RUNNING runs back to AwaitingRetry for resubmission.
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
  | { type: 'RESUBMIT' }
  | { type: 'LOSE_SLOT' }
  | { type: 'PAUSE' }
  | { type: 'SUSPEND' }
  | { type: 'RESUME' }
  | { type: 'RESUME_SUSPENDED' }
  | { type: 'RESCHEDULE' }
  | { type: 'CANCEL' }
  | { type: 'CANCEL_WITH_PROCESS' }
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
        AwaitingRetry: {
          on: {
            // The flow engine's in-process retry (FlowRunEngine.handle_exception): no worker, no PENDING.
            START: '#run.RUNNING.Running',
            START_RETRY: '#run.RUNNING.Retrying',
            // The retrying process is alive, so the run has infrastructure to tear down.
            CANCEL_WITH_PROCESS: '#run.CANCELLING',
          },
        },
        AwaitingConcurrencySlot: {},
        Resuming: {},
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
        AWAIT_CONCURRENCY_SLOT: 'SCHEDULED.AwaitingConcurrencySlot',
        RESUBMIT: 'SCHEDULED.AwaitingRetry',
        LOSE_SLOT: 'CANCELLED',
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
        RESUBMIT: 'SCHEDULED.AwaitingRetry',
        PAUSE: 'PAUSED.Paused',
        SUSPEND: 'PAUSED.Suspended',
        CANCEL: 'CANCELLING',
        CRASH: 'CRASHED',
      },
    },
    PAUSED: {
      initial: 'Paused',
      states: {
        Paused: {},
        Suspended: { on: { RESUME_SUSPENDED: '#run.SCHEDULED.Resuming' } },
      },
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
