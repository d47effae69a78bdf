/**
 * Workflow status listeners (Conductor's `WorkflowStatusListener`), among them the
 * archive listener of `workflow-status-listener.type=archive`, which refuses to archive a
 * workflow that still has non-terminal tasks (conductor-oss/conductor#303).
 *
 * `notify` calls each listener and isolates its failure: the failure is written to the
 * trace as a side effect and the call is queued for a retry after `listenerRetryDelayMs()`;
 * after `listenerAttemptsMax` attempts it is dead-lettered. `callUnisolated` is the
 * pre-fix shape, where the listener's exception escapes to the caller.
 *
 * Pending retries are rows of the store (`listener_retry`), as Conductor keeps work in
 * durable queues, so an engine started again on its data resumes them (recover()).
 */
import type { Bounds } from '../../trace/events.ts';
import type { EngineContext } from '../context.ts';
import { isTaskTerminal, tasksOf, workflowsTable, type WorkflowRow } from './workflow-rows.ts';

/** The shortest wait before a failed listener call is tried again (wall ms). */
const listenerRetryDelayMsMin = 150;

/**
 * Wait before a failed listener call is tried again (wall ms): long enough that the
 * attempts a call may have (listenerAttemptsMax) span archiveBoundMs and a little more,
 * since WF-ARCHIVE-01 holds an engine to archiving a workflow whose archive store heals
 * within archiveBoundMs; never under listenerRetryDelayMsMin, and short enough that the
 * next attempt comes within terminateBoundMs, as WF-LISTENER-01 asks, with room for the
 * tick that runs it. With the default bounds (2000 ms, 5 attempts) that is 563 ms.
 */
export function listenerRetryDelayMs(bounds: Pick<Bounds, 'archiveBoundMs' | 'listenerAttemptsMax' | 'terminateBoundMs'>): number {
  const retries = Math.max(1, bounds.listenerAttemptsMax - 1);
  const spread = Math.max(listenerRetryDelayMsMin, Math.ceil((bounds.archiveBoundMs + archiveMarginMs) / retries));
  return Math.min(spread, Math.max(listenerRetryDelayMsMin, bounds.terminateBoundMs - tickSlackMs));
}

/** Room left within terminateBoundMs for the tick that runs a due retry to come (wall ms). */
const tickSlackMs = 250;

/**
 * Added to archiveBoundMs when spreading the retries: WF-ARCHIVE-01 counts an outage from
 * the workflow's first terminal read-back, which comes a poll or a step after the first
 * failed call (wall ms).
 */
const archiveMarginMs = 250;

/** The store table of archived workflows (one row per workflow, the state it was archived in). */
const archiveTable = 'workflow_archive';

/** Has the archive listener archived this workflow? What the query API shows as `archived`. */
export function isArchived(context: EngineContext, workflowId: string): boolean {
  return context.store.table<{ id: string; state: string }>(archiveTable).get(workflowId) !== undefined;
}

export class ArchiveUnavailableError extends Error {
  constructor() {
    super('archive store unavailable');
    this.name = 'ArchiveUnavailableError';
  }
}

/** Failed listener calls waiting for their retry, in the order they failed. */
export const listenerRetriesTable = 'listener_retry';

export interface PendingCall {
  /** `<listener>:<workflow>:<attempt>`. */
  id: string;
  listener: string;
  workflowId: string;
  /** The attempt this retry will be. */
  attempt: number;
  /** When it is due, on the clock's wall time (ms). */
  dueAtMs: number;
}

export class StatusListeners {
  private archiveAvailable = true;

  constructor(private readonly context: EngineContext) {}

  private get retries() {
    return this.context.store.table<PendingCall>(listenerRetriesTable);
  }

  setArchiveAvailable(available: boolean): void {
    this.archiveAvailable = available;
  }

  /** Notify every listener of the workflow's new status; failures are isolated and retried. */
  notify(workflow: WorkflowRow): void {
    for (const listener of workflow.listeners) this.attempt(listener, workflow.id, 1);
  }

  /**
   * Call the listeners and let a failure escape, after writing it to the trace.
   * @throws the listener's error.
   */
  callUnisolated(workflow: WorkflowRow): void {
    for (const listener of workflow.listeners) {
      try {
        this.invoke(listener, workflow.id);
        this.context.trace.emit({ kind: 'side-effect', name: listener, target: workflow.id, attempt: 1, outcome: 'ok' });
      } catch (error) {
        this.context.trace.emit({ kind: 'side-effect', name: listener, target: workflow.id, attempt: 1, outcome: 'error', error: String(error) });
        throw error;
      }
    }
  }

  /** Retry the failed calls whose delay has passed (called on every engine tick). */
  retryDue(): void {
    const now = this.context.clock.wallNowMs();
    const due = this.retries.all().filter((call) => call.dueAtMs <= now);
    for (const call of due) {
      this.retries.delete(call.id);
      this.attempt(call.listener, call.workflowId, call.attempt);
    }
  }

  /** Retries pending in the store, in the order they failed. */
  pending(): PendingCall[] {
    return this.retries.all();
  }

  /**
   * After a restart: every retry the crashed engine had pending is due at once (its wall
   * clock does not carry over to this process, and the restart took longer than the delay).
   */
  recover(): void {
    const now = this.context.clock.wallNowMs();
    for (const call of this.retries.all()) this.retries.update({ ...call, dueAtMs: now });
  }

  private attempt(listener: string, workflowId: string, attempt: number): void {
    try {
      this.invoke(listener, workflowId);
      this.context.trace.emit({ kind: 'side-effect', name: listener, target: workflowId, attempt, outcome: 'ok' });
    } catch (error) {
      this.context.trace.emit({ kind: 'side-effect', name: listener, target: workflowId, attempt, outcome: 'error', error: String(error) });
      if (attempt >= this.context.bounds.listenerAttemptsMax) {
        this.context.trace.emit({ kind: 'side-effect', name: listener, target: workflowId, attempt, outcome: 'dead-letter', error: String(error) });
        return;
      }
      const id = `${listener}:${workflowId}:${attempt + 1}`;
      if (!this.retries.get(id)) this.retries.insert({ id, listener, workflowId, attempt: attempt + 1, dueAtMs: this.context.clock.wallNowMs() + listenerRetryDelayMs(this.context.bounds) });
    }
  }

  private invoke(listener: string, workflowId: string): void {
    switch (listener) {
      case 'archive':
        return this.archive(workflowId);
      default:
        throw new Error(`unknown status listener '${listener}'`);
    }
  }

  private archive(workflowId: string): void {
    if (!this.archiveAvailable) throw new ArchiveUnavailableError();
    const open = tasksOf(this.context, workflowId).filter((task) => !isTaskTerminal(task));
    if (open.length > 0) {
      throw new Error(`cannot archive workflow ${workflowId}: task ${open[0]!.id} is ${open[0]!.state}`);
    }
    const workflow = this.context.store.table<WorkflowRow>(workflowsTable).get(workflowId);
    const archive = this.context.store.table<{ id: string; state: string }>(archiveTable);
    if (workflow && !archive.get(workflowId)) archive.insert({ id: workflowId, state: workflow.state });
  }
}
