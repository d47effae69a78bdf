/**
 * Workflow status listeners (Conductor's `WorkflowStatusListener`), among them the
 * archive listener of `workflow-status-listener.type=archive`, which refuses to archive a
 * workflow that still has non-terminal tasks (conductor-oss/conductor#303).
 *
 * `notify` calls each listener and isolates its failure: the failure is written to the
 * trace as a side effect and the call is queued for a retry after `listenerRetryDelayMs`;
 * after `listenerAttemptsMax` attempts it is dead-lettered. `callUnisolated` is the
 * pre-fix shape, where the listener's exception escapes to the caller.
 */
import type { EngineContext } from '../context.ts';
import { isTaskTerminal, tasksOf, workflowsTable, type WorkflowRow } from './workflow-rows.ts';

/** Wait before a failed listener call is tried again (wall ms). */
export const listenerRetryDelayMs = 150;

export class ArchiveUnavailableError extends Error {
  constructor() {
    super('archive store unavailable');
    this.name = 'ArchiveUnavailableError';
  }
}

interface PendingCall {
  listener: string;
  workflowId: string;
  attempt: number;
  dueAtMs: number;
}

export class StatusListeners {
  private readonly retries: PendingCall[] = [];
  private archiveAvailable = true;

  constructor(
    private readonly context: EngineContext,
    private readonly wallNowMs: () => number,
  ) {}

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
    const now = this.wallNowMs();
    const due = this.retries.filter((call) => call.dueAtMs <= now);
    for (const call of due) {
      this.retries.splice(this.retries.indexOf(call), 1);
      this.attempt(call.listener, call.workflowId, call.attempt);
    }
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
      this.retries.push({ listener, workflowId, attempt: attempt + 1, dueAtMs: this.wallNowMs() + listenerRetryDelayMs });
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
    const archive = this.context.store.table<{ id: string; state: string }>('workflow_archive');
    if (workflow && !archive.get(workflowId)) archive.insert({ id: workflowId, state: workflow.state });
  }
}
