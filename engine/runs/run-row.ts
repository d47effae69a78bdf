/**
 * Rows of the Prefect side of the engine: deployments and flow runs, and the one way a
 * run's state changes (`moveRun`).
 */
import { parseRunState, runActiveTypes, type RunStateType } from '../../spec/states.ts';
import { isTerminal } from '../../spec/transitions.ts';
import type { SubflowPlan } from '../../protocol/operations.ts';
import type { RunAttributes, TransitionCause } from '../../trace/events.ts';
import { recordTransition, type EngineContext, type TransitionDetails } from '../context.ts';

export const runsTable = 'flow_run';
export const deploymentsTable = 'deployment';

/** What a run's process does. Durations in wall ms. */
export interface RunPlanRow {
  durationMs: number;
  /** Exit code of attempt 1, 2, …; the last repeats. */
  exitCodes: number[];
  ignoreSigterm: boolean;
  subflows: SubflowPlan[];
}

/** A flow run: the facts its transitions carry (RunAttributes), and what only the engine needs. */
export interface RunRow extends RunAttributes {
  id: string;
  parentId: string | null;
  /** `TYPE` or `TYPE/Name`, e.g. `SCHEDULED/Late`. */
  state: string;
  /** Delay before a retry, logical ms. */
  retryDelayMs: number;
  plan: RunPlanRow;
}

export interface DeploymentRow {
  id: string;
  intervalMs: number;
  concurrencyLimit: number | null;
  retries: number;
  retryDelayMs: number;
  scheduleAheadCount: number;
  /** First slot of the schedule, logical ms (the time of the first deploy). */
  anchorMs: number;
  run: { durationMs: number; exitCodes: number[]; ignoreSigterm: boolean };
}

export function runStateType(run: RunRow): RunStateType {
  return parseRunState(run.state).type;
}

export function runStateName(run: RunRow): string {
  return parseRunState(run.state).name;
}

export function isRunTerminal(run: RunRow): boolean {
  return isTerminal('run', run.state);
}

export function isRunActive(run: RunRow): boolean {
  return runActiveTypes.includes(runStateType(run));
}

/** Facts the checker needs about a run, carried on each of its transitions. */
function runAttributes(run: RunRow): RunAttributes {
  return {
    deploymentId: run.deploymentId,
    runCount: run.runCount,
    autoScheduled: run.autoScheduled,
    scheduledStartMs: run.scheduledStartMs,
    slotMs: run.slotMs,
    retries: run.retries,
  };
}

/**
 * What the query API shows of a run besides its state: the attempts it has made (its run
 * count) and its attributes, so that the deployment and retry clauses can judge it from
 * read-backs alone (docs/engine-protocol.md `query`).
 */
export function runQueryFacts(run: RunRow): { attempts: number; attributes: Omit<RunAttributes, 'runCount'> } {
  const { runCount, ...attributes } = runAttributes(run);
  return { attempts: runCount, attributes };
}

/** Create a run row in `run.state` and record it (a transition from null). */
export function createRun(context: EngineContext, run: RunRow, cause: TransitionCause): void {
  recordTransition(context, 'run', runsTable, run, null, cause, runAttributes(run));
}

/**
 * Move a run to `to`, applying `changes` to the row first. A move to the state it is
 * already in is not a transition and records nothing.
 */
export function moveRun(
  context: EngineContext,
  runId: string,
  to: string,
  cause: TransitionCause,
  changes: Partial<RunRow> = {},
  details: TransitionDetails = {},
): RunRow {
  const before = context.store.table<RunRow>(runsTable).get(runId);
  if (!before) throw new Error(`moveRun: no run '${runId}'`);
  const after: RunRow = { ...before, ...changes, state: to };
  if (before.state === to) {
    context.store.table<RunRow>(runsTable).update(after);
    return after;
  }
  recordTransition(context, 'run', runsTable, after, before.state, cause, runAttributes(after), details);
  return after;
}

export function getRun(context: EngineContext, runId: string): RunRow | undefined {
  return context.store.table<RunRow>(runsTable).get(runId);
}

export function allRuns(context: EngineContext): RunRow[] {
  return context.store.table<RunRow>(runsTable).all();
}

/** Runs whose parent chain leads to `runId` (subflows, their subflows, …). */
export function descendantRuns(context: EngineContext, runId: string): RunRow[] {
  const runs = allRuns(context);
  const result: RunRow[] = [];
  const queue = [runId];
  while (queue.length > 0) {
    const parent = queue.shift()!;
    for (const run of runs) {
      if (run.parentId === parent) {
        result.push(run);
        queue.push(run.id);
      }
    }
  }
  return result;
}
