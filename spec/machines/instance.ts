/**
 * The workflow-instance machine: DolphinScheduler 3.1.x `WorkflowExecutionStatus`
 * (dolphinscheduler-common/.../enums/WorkflowExecutionStatus.java). SUCCESS, FAILURE and
 * STOP are final here; PAUSE and BLOCK are "finished" upstream but may be recovered.
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
    DELAY_EXECUTION: { on: { RUN: 'RUNNING_EXECUTION', REQUEST_STOP: 'READY_STOP' } },
    SERIAL_WAIT: { on: { RUN: 'RUNNING_EXECUTION', REQUEST_STOP: 'READY_STOP' } },
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
    READY_PAUSE: { on: { PAUSED: 'PAUSE', FAIL: 'FAILURE' } },
    PAUSE: { on: { RECOVER: 'RUNNING_EXECUTION', REQUEST_STOP: 'READY_STOP' } },
    READY_STOP: { on: { STOPPED: 'STOP', FAIL: 'FAILURE' } },
    READY_BLOCK: { on: { BLOCKED: 'BLOCK', FAIL: 'FAILURE' } },
    BLOCK: { on: { RECOVER: 'RUNNING_EXECUTION', REQUEST_STOP: 'READY_STOP' } },
    SUCCESS: { type: 'final' },
    FAILURE: { type: 'final' },
    STOP: { type: 'final' },
  },
});
