/**
 * Upstream state vocabularies, kept in the upstream's own words.
 *
 * - Runs: Prefect state types and named sub-states (src/prefect/client/schemas/objects.py
 *   `StateType`; names from src/prefect/states.py and the server's `Scheduled(name=
 *   "Resuming")` of src/prefect/server/api/flow_runs.py `resume_flow_run`). Names that no
 *   rule or move of the machine depends on (`FAILED/TimedOut`, `PENDING/Submitting`, …)
 *   are not listed; docs/spec-audit.md says which and why. A run state is written
 *   `TYPE/Name` when it has a name other than the type's default, e.g. `SCHEDULED/Late`.
 *   Prefect's full default names (`SCHEDULED/Scheduled`, `RUNNING/Running`) are read as
 *   the plain type: `normaliseRunState` is the one place that decides what a run state
 *   text means.
 * - Workflows and tasks: Conductor's `Workflow.WorkflowStatus` and `Task.Status` enums
 *   (conductor-oss/conductor, common/src/main/java/com/netflix/conductor/common/run/).
 * - Commands and instances: DolphinScheduler 3.1.x `WorkflowExecutionStatus` for
 *   instances (`WAIT_TO_RUN` is 3.2.0's); commands are rows of `t_ds_command` whose life
 *   we name CREATED → CLAIMED → CONSUMED, or ERROR when moved to `t_ds_error_command`.
 *
 * Which states are terminal is not listed here: it is what the machines say (final
 * states), read through `isTerminal` in spec/transitions.ts.
 */
import { nearestHint } from '../trace/nearest-name.ts';

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
  SCHEDULED: ['Scheduled', 'Late', 'AwaitingRetry', 'AwaitingConcurrencySlot', 'Resuming'],
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

/** Every run state as the trace writes it, canonical form: `SCHEDULED`, `SCHEDULED/Late`, …, `CRASHED`. */
export const runStateTexts: readonly string[] = runStateTypes.flatMap((type) =>
  (runStateNames[type] as readonly string[]).map((name) => formatRunState({ type, name })),
);

/**
 * `SCHEDULED/Late` → `{type: 'SCHEDULED', name: 'Late'}`; `SCHEDULED` and Prefect's full
 * default name `SCHEDULED/Scheduled` both → `{type: 'SCHEDULED', name: 'Scheduled'}`.
 * Returns undefined when the type or the name is not an upstream one.
 */
export function readRunState(text: string): RunState | undefined {
  const parts = text.split('/');
  if (parts.length > 2) return undefined;
  const [type, name] = parts as [string, string | undefined];
  if (!(runStateTypes as readonly string[]).includes(type)) return undefined;
  const names = runStateNames[type as RunStateType] as readonly string[];
  const resolved = name ?? names[0]!;
  return names.includes(resolved) ? { type: type as RunStateType, name: resolved } : undefined;
}

/**
 * `SCHEDULED/Late` → `{type: 'SCHEDULED', name: 'Late'}`, accepting full default names
 * as `readRunState` does.
 * @throws Error when the type or name is not an upstream one; the message names the
 * nearest known run state.
 */
export function parseRunState(text: string): RunState {
  const state = readRunState(text);
  if (!state) throw new Error(`parseRunState: '${text}' is not a run state${nearestHint(text, runStateTexts)}`);
  return state;
}

/**
 * The canonical text of a run state (`SCHEDULED/Scheduled` → `SCHEDULED`,
 * `RUNNING/Retrying` unchanged), or undefined when it is not a run state.
 */
export function normaliseRunState(text: string): string | undefined {
  const state = readRunState(text);
  return state && formatRunState(state);
}

/**
 * Is the run "resuming" after the move `from → to`? Prefect's `empirical_policy.resuming`:
 * set when a run leaves PAUSED (core_policy.py `HandleResumingPausedFlows`), cleared when
 * it enters RUNNING (global_policy.py `RemoveResumingIndicator`, which also clears it on
 * a final state, where a run's story ends here anyway); `resuming` is the flag before the
 * move. Both states in trace text.
 */
export function resumingAfter(resuming: boolean, from: string | null, to: string): boolean {
  if (readRunState(to)?.type === 'RUNNING') return false;
  if (from !== null && readRunState(from)?.type === 'PAUSED') return true;
  return resuming;
}

/**
 * Does the move `from → to` add one to the run's run count? Prefect's `run_count` counts
 * the times a run entered RUNNING (global_policy.py `IncrementFlowRunCount`), except a
 * paused run resuming, which is the same attempt going on: a PAUSED run resumed straight
 * to RUNNING, and, when `resuming` (the flag of `resumingAfter` before this move) is
 * given, a suspended run's first entry into RUNNING after it left PAUSED (PAUSED/Suspended
 * → SCHEDULED/Resuming → PENDING → RUNNING). Without `resuming` only the move itself is
 * looked at. Both states in trace text.
 */
export function incrementsRunCount(from: string | null, to: string, resuming?: boolean): boolean {
  if (readRunState(to)?.type !== 'RUNNING') return false;
  const before = from === null ? undefined : readRunState(from)?.type;
  if (before === 'RUNNING' || before === 'PAUSED') return false;
  return resuming !== true;
}

/**
 * The run count a run's moves add up to, in order (each `from` the previous `to`), the
 * `resuming` flag carried along: `incrementsRunCount` over the whole story.
 */
export function runAttempts(moves: Iterable<{ from: string | null; to: string }>): number {
  let resuming = false;
  let attempts = 0;
  for (const { from, to } of moves) {
    if (incrementsRunCount(from, to, resuming)) attempts += 1;
    resuming = resumingAfter(resuming, from, to);
  }
  return attempts;
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
