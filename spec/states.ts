/**
 * Upstream state vocabularies, kept in the upstream's own words.
 *
 * - Runs: Prefect state types and named sub-states (src/prefect/client/schemas/objects.py
 *   `StateType`; names from src/prefect/states.py). A run state is written `TYPE/Name`
 *   when it has a name other than the type's default, e.g. `SCHEDULED/Late`.
 * - Workflows and tasks: Conductor's `Workflow.WorkflowStatus` and `Task.Status` enums
 *   (conductor-oss/conductor, common/src/main/java/com/netflix/conductor/common/run/).
 * - Commands and instances: DolphinScheduler 3.1.x `WorkflowExecutionStatus` for
 *   instances; commands are rows of `t_ds_command` whose life we name CREATED → CLAIMED →
 *   CONSUMED, or ERROR when moved to `t_ds_error_command`.
 *
 * Which states are terminal is not listed here: it is what the machines say (final
 * states), read through `isTerminal` in spec/transitions.ts.
 */

export const runStateTypes = [
  'SCHEDULED',
  'PENDING',
  'RUNNING',
  'PAUSED',
  'CANCELLING',
  'COMPLETED',
  'FAILED',
  'CANCELLED',
  'CRASHED',
] as const;
export type RunStateType = (typeof runStateTypes)[number];

/** Named sub-states per state type; the first of each list is the plain default name. */
export const runStateNames = {
  SCHEDULED: ['Scheduled', 'Late', 'AwaitingRetry', 'AwaitingConcurrencySlot'],
  PENDING: ['Pending'],
  RUNNING: ['Running', 'Retrying'],
  PAUSED: ['Paused', 'Suspended'],
  CANCELLING: ['Cancelling'],
  COMPLETED: ['Completed'],
  FAILED: ['Failed'],
  CANCELLED: ['Cancelled'],
  CRASHED: ['Crashed'],
} as const satisfies Record<RunStateType, readonly string[]>;

/** Run states that hold a deployment concurrency slot. */
export const runActiveTypes: readonly RunStateType[] = ['PENDING', 'RUNNING', 'CANCELLING'];

export interface RunState {
  type: RunStateType;
  name: string;
}

/** `{type: 'SCHEDULED', name: 'Late'}` → `SCHEDULED/Late`; a default name is left out. */
export function formatRunState(state: RunState): string {
  return state.name === runStateNames[state.type][0] ? state.type : `${state.type}/${state.name}`;
}

/**
 * `SCHEDULED/Late` → `{type: 'SCHEDULED', name: 'Late'}`.
 * @throws Error when the type or name is not an upstream one.
 */
export function parseRunState(text: string): RunState {
  const [type, name] = text.split('/') as [string, string | undefined];
  if (!(runStateTypes as readonly string[]).includes(type)) {
    throw new Error(`parseRunState: unknown run state type '${type}' in '${text}'`);
  }
  const names = runStateNames[type as RunStateType] as readonly string[];
  const resolved = name ?? names[0]!;
  if (!names.includes(resolved)) {
    throw new Error(`parseRunState: '${resolved}' is not a named sub-state of ${type}`);
  }
  return { type: type as RunStateType, name: resolved };
}

export const workflowStates = ['RUNNING', 'PAUSED', 'COMPLETED', 'FAILED', 'TIMED_OUT', 'TERMINATED'] as const;
export type WorkflowState = (typeof workflowStates)[number];

export const taskStates = [
  'SCHEDULED',
  'IN_PROGRESS',
  'COMPLETED',
  'COMPLETED_WITH_ERRORS',
  'SKIPPED',
  'FAILED',
  'FAILED_WITH_TERMINAL_ERROR',
  'CANCELED',
  'TIMED_OUT',
] as const;
export type TaskState = (typeof taskStates)[number];

export const commandStates = ['CREATED', 'CLAIMED', 'CONSUMED', 'ERROR'] as const;
export type CommandState = (typeof commandStates)[number];

export const instanceStates = [
  'SUBMITTED_SUCCESS',
  'RUNNING_EXECUTION',
  'READY_PAUSE',
  'PAUSE',
  'READY_STOP',
  'STOP',
  'FAILURE',
  'SUCCESS',
  'DELAY_EXECUTION',
  'SERIAL_WAIT',
  'READY_BLOCK',
  'BLOCK',
  'WAIT_TO_RUN',
] as const;
export type InstanceState = (typeof instanceStates)[number];
