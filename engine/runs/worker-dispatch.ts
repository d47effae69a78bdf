/**
 * What a Prefect worker and the server's services do on each tick: take due runs
 * (respecting the deployment's concurrency limit, else Scheduled/AwaitingConcurrencySlot),
 * and mark runs Late whose start has passed by the `lateAfterMs` bound (MarkLateRuns service).
 */
import { formatRunState } from '../../spec/states.ts';
import type { EngineContext } from '../context.ts';
import type { Deployments } from './deployments.ts';
import type { RunProcesses } from './run-processes.ts';
import { allRuns, isRunActive, moveRun, runStateName, runStateType } from './run-row.ts';

const awaitingSlot = formatRunState({ type: 'SCHEDULED', name: 'AwaitingConcurrencySlot' });
const late = formatRunState({ type: 'SCHEDULED', name: 'Late' });

export function dispatchDueRuns(context: EngineContext, deployments: Deployments, processes: RunProcesses): void {
  const now = context.clock.now();
  const due = allRuns(context)
    .filter((run) => run.parentId === null && runStateType(run) === 'SCHEDULED' && run.scheduledStartMs <= now)
    .sort((a, b) => a.scheduledStartMs - b.scheduledStartMs || a.id.localeCompare(b.id));
  for (const run of due) {
    const limit = run.deploymentId === null ? null : (deployments.get(run.deploymentId)?.concurrencyLimit ?? null);
    if (limit !== null) {
      const active = allRuns(context).filter((other) => other.deploymentId === run.deploymentId && isRunActive(other)).length;
      if (active >= limit) {
        if (run.state !== awaitingSlot) moveRun(context, run.id, awaitingSlot, 'concurrency-limit-full');
        continue;
      }
    }
    processes.submitRun(moveRun(context, run.id, 'PENDING', 'worker-acquired'));
  }
}

export function markLateRuns(context: EngineContext): void {
  const now = context.clock.now();
  // Prefect's PREFECT_API_SERVICES_LATE_RUNS_AFTER_SECONDS (15 s by default), in logical ms.
  const { lateAfterMs } = context.bounds;
  for (const run of allRuns(context)) {
    if (runStateType(run) === 'SCHEDULED' && runStateName(run) === 'Scheduled' && run.scheduledStartMs + lateAfterMs < now) {
      moveRun(context, run.id, late, 'mark-late-runs');
    }
  }
}
