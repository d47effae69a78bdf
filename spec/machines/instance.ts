/**
 * The workflow-instance machine: DolphinScheduler 3.1.x `WorkflowExecutionStatus`
 * (dolphinscheduler-common/.../enums/WorkflowExecutionStatus.java; `WAIT_TO_RUN` is
 * 3.2.0's). SUCCESS, FAILURE and STOP are final here; PAUSE and BLOCK are "finished"
 * upstream but may be recovered. Moves from the master (WorkflowExecuteRunnable
 * `getProcessInstanceState`), the command handling (ProcessServiceImpl, serial
 * strategies) and the API (ExecutorServiceImpl `execute`, `checkExecuteType`):
 * - an instance is born RUNNING_EXECUTION, SERIAL_WAIT (serial definitions) or
 *   WAIT_TO_RUN (3.2's dynamic sub-instances), besides this machine's own initial
 *   SUBMITTED_SUCCESS (spec/transitions.ts `isCreatable`);
 * - stop is asked of a RUNNING_EXECUTION or READY_PAUSE instance (`canStop`), and of a
 *   submitted, serial-waiting or waiting one by a newer serial_priority instance; a
 *   serial_discard instance goes from SERIAL_WAIT straight to STOP;
 * - READY_PAUSE ends PAUSE, SUCCESS (nothing left to pause) or FAILURE (a retry was
 *   waiting); READY_STOP ends STOP or SUCCESS; READY_BLOCK ends BLOCK.
 * docs/spec-audit.md holds the audit and what is left out on purpose.
 */
import { setup } from 'xstate';

export type InstanceEvent =
  | { type: 'RUN' }
  | { type: 'DELAY' }
  | { type: 'SERIAL_WAIT' }
  | { type: 'WAIT_TO_RUN' }
  | { type: 'SUCCEED' }
  | { type: 'FAIL' }
  | { type: 'REQUEST_PAUSE' }
  | { type: 'PAUSED' }
  | { type: 'REQUEST_STOP' }
  | { type: 'STOPPED' }
  | { type: 'REQUEST_BLOCK' }
  | { type: 'BLOCKED' }
  | { type: 'RECOVER' };

export const instanceMachine = setup({ types: { events: {} as InstanceEvent } }).createMachine({
  id: 'instance',
  initial: 'SUBMITTED_SUCCESS',
  states: {
    SUBMITTED_SUCCESS: {
      on: {
        RUN: 'RUNNING_EXECUTION',
        DELAY: 'DELAY_EXECUTION',
        SERIAL_WAIT: 'SERIAL_WAIT',
        WAIT_TO_RUN: 'WAIT_TO_RUN',
        REQUEST_STOP: 'READY_STOP',
        FAIL: 'FAILURE',
      },
    },
    DELAY_EXECUTION: { on: { RUN: 'RUNNING_EXECUTION' } },
    SERIAL_WAIT: { on: { RUN: 'RUNNING_EXECUTION', REQUEST_STOP: 'READY_STOP', STOPPED: 'STOP' } },
    WAIT_TO_RUN: { on: { RUN: 'RUNNING_EXECUTION', REQUEST_STOP: 'READY_STOP' } },
    RUNNING_EXECUTION: {
      on: {
        SUCCEED: 'SUCCESS',
        FAIL: 'FAILURE',
        REQUEST_PAUSE: 'READY_PAUSE',
        REQUEST_STOP: 'READY_STOP',
        REQUEST_BLOCK: 'READY_BLOCK',
      },
    },
    READY_PAUSE: { on: { PAUSED: 'PAUSE', SUCCEED: 'SUCCESS', FAIL: 'FAILURE', REQUEST_STOP: 'READY_STOP' } },
    PAUSE: { on: { RECOVER: 'RUNNING_EXECUTION' } },
    READY_STOP: { on: { STOPPED: 'STOP', SUCCEED: 'SUCCESS' } },
    READY_BLOCK: { on: { BLOCKED: 'BLOCK' } },
    BLOCK: { on: { RECOVER: 'RUNNING_EXECUTION' } },
    SUCCESS: { type: 'final' },
    FAILURE: { type: 'final' },
    STOP: { type: 'final' },
  },
});
