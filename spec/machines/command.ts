/**
 * The command machine: a row of DolphinScheduler's `t_ds_command`, written by
 * `POST executors/start-process-instance` and turned into an instance by a master
 * (MasterSchedulerBootstrap in 3.1.x). CONSUMED means an instance was created and the
 * row deleted in one transaction; ERROR means the row moved to `t_ds_error_command`.
 * A claimed command that its master gives back is RELEASEd to CREATED. The life is ours:
 * upstream has no status column for a command (docs/spec-audit.md C01).
 */
import { setup } from 'xstate';

export type CommandEvent = { type: 'CLAIM' } | { type: 'RELEASE' } | { type: 'CONSUME' } | { type: 'MOVE_TO_ERROR' };

export const commandMachine = setup({ types: { events: {} as CommandEvent } }).createMachine({
  id: 'command',
  initial: 'CREATED',
  states: {
    CREATED: { on: { CLAIM: 'CLAIMED', MOVE_TO_ERROR: 'ERROR' } },
    CLAIMED: { on: { CONSUME: 'CONSUMED', RELEASE: 'CREATED', MOVE_TO_ERROR: 'ERROR' } },
    CONSUMED: { type: 'final' },
    ERROR: { type: 'final' },
  },
});
