/**
 * Deployments and their interval schedules on the logical clock. Creating or updating a
 * deployment follows Prefect's server: delete the deployment's not-yet-started scheduled
 * runs, then schedule runs from the (new) schedule for the next `scheduleAheadCount` slots.
 * Past slots are never backfilled, so a run deleted from a past slot is lost for good.
 */
import { bugIsOn, type EngineContext } from '../context.ts';
import type { z } from 'zod';
import type { DeployArgs } from '../../protocol/operations.ts';
import { allRuns, createRun, deploymentsTable, runStateName, runStateType, runsTable, type DeploymentRow, type RunRow } from './run-row.ts';

export type DeploySpec = z.output<typeof DeployArgs>;

/**
 * Which of a deployment's runs an update deletes.
 *
 * Fixed rule (PrefectHQ/prefect PR #17769, src/prefect/server/models/deployments.py
 * `_delete_scheduled_runs`): SCHEDULED type, not AwaitingConcurrencySlot, run_count == 0,
 * auto-scheduled, next scheduled start strictly in the future.
 *
 * prefect-17764 puts back the 3.3.3 filter: SCHEDULED type and auto-scheduled, sparing
 * only AwaitingRetry (PR #15688), so Late and AwaitingConcurrencySlot runs are deleted.
 */
export function runsToDeleteOnUpdate(context: EngineContext, deploymentId: string): RunRow[] {
  const now = context.clock.now();
  const ofDeployment = allRuns(context).filter((run) => run.deploymentId === deploymentId && runStateType(run) === 'SCHEDULED');
  if (bugIsOn(context, 'prefect-17764')) {
    return ofDeployment.filter((run) => run.autoScheduled && runStateName(run) !== 'AwaitingRetry');
  }
  return ofDeployment.filter(
    (run) =>
      runStateName(run) !== 'AwaitingConcurrencySlot' && run.runCount === 0 && run.autoScheduled && run.scheduledStartMs > now,
  );
}

/** Run ids ever used, so a slot scheduled again after a delete gets a fresh id (rows `{id}`). */
export const usedRunIdsTable = 'used_run_id';

export class Deployments {
  constructor(private readonly context: EngineContext) {}

  private get usedRunIds() {
    return this.context.store.table<{ id: string }>(usedRunIdsTable);
  }

  /** Create or update a deployment. Returns the ids of the runs an update deleted. */
  deploy(spec: DeploySpec): { created: boolean; deleted: string[] } {
    const table = this.context.store.table<DeploymentRow>(deploymentsTable);
    const existing = table.get(spec.deployment);
    const row: DeploymentRow = {
      id: spec.deployment,
      intervalMs: spec.intervalMs,
      concurrencyLimit: spec.concurrencyLimit ?? null,
      retries: spec.retries,
      retryDelayMs: spec.retryDelayMs,
      scheduleAheadCount: spec.scheduleAheadCount,
      anchorMs: existing?.anchorMs ?? this.context.clock.now(),
      run: spec.run,
    };
    const deleted: string[] = [];
    if (existing) {
      table.update(row);
      for (const run of runsToDeleteOnUpdate(this.context, row.id)) {
        this.context.store.table<RunRow>(runsTable).delete(run.id);
        this.context.trace.emit({ kind: 'delete', entity: 'run', id: run.id, cause: 'deployment-update', deploymentId: row.id });
        deleted.push(run.id);
      }
    } else {
      table.insert(row);
    }
    this.schedule(row);
    return { created: !existing, deleted };
  }

  get(deploymentId: string): DeploymentRow | undefined {
    return this.context.store.table<DeploymentRow>(deploymentsTable).get(deploymentId);
  }

  /** Keep runs scheduled for every deployment's next slots (the scheduler service). */
  scheduleAll(): void {
    for (const deployment of this.context.store.table<DeploymentRow>(deploymentsTable).all()) this.schedule(deployment);
  }

  /** Remember an id a run was created with elsewhere (manual runs), so slots never reuse it. */
  reserveRunId(runId: string): void {
    if (!this.usedRunIds.get(runId)) this.usedRunIds.insert({ id: runId });
  }

  private schedule(deployment: DeploymentRow): void {
    const now = this.context.clock.now();
    const firstIndex = Math.max(0, Math.ceil((now - deployment.anchorMs) / deployment.intervalMs));
    const liveSlots = new Set(
      allRuns(this.context)
        .filter((run) => run.deploymentId === deployment.id && run.slotMs !== null)
        .map((run) => run.slotMs),
    );
    for (let index = firstIndex; index < firstIndex + deployment.scheduleAheadCount; index += 1) {
      const slotMs = deployment.anchorMs + index * deployment.intervalMs;
      if (liveSlots.has(slotMs)) continue;
      const run: RunRow = {
        id: this.freshRunId(`${deployment.id}@${slotMs}`),
        parentId: null,
        state: 'SCHEDULED',
        deploymentId: deployment.id,
        runCount: 0,
        autoScheduled: true,
        scheduledStartMs: slotMs,
        slotMs,
        retries: deployment.retries,
        retryDelayMs: deployment.retryDelayMs,
        plan: { ...deployment.run, subflows: [] },
      };
      createRun(this.context, run, 'scheduler');
    }
  }

  private freshRunId(base: string): string {
    let id = base;
    for (let copy = 2; this.usedRunIds.get(id); copy += 1) id = `${base}#${copy}`;
    this.usedRunIds.insert({ id });
    return id;
  }
}
