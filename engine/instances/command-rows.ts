/** Rows of the DolphinScheduler side: commands (t_ds_command) and workflow instances. */
import type { CommandState, InstanceState } from '../../spec/states.ts';

export const commandsTable = 't_ds_command';
export const instancesTable = 't_ds_process_instance';

export interface CommandRow {
  /** `cmd-<number>`; the number is what masters take modulo their count. */
  id: string;
  parentId: null;
  state: CommandState;
  number: number;
  requestId: string;
  /**
   * Only with dolphinscheduler-13355: the master and engine process whose handling pool
   * holds the claim (`<master>@pid-<pid>`), as upstream a claim names its master by host.
   */
  heldBy?: string;
  /** Only with dolphinscheduler-13355: when the claim was made (ms of this engine process's wall clock). */
  heldAtWallMs?: number;
}

export interface InstanceRow {
  id: string;
  parentId: null;
  state: InstanceState;
  requestId: string;
  commandId: string;
}
