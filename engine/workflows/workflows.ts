/**
 * Conductor-style workflows: a workflow runs its tasks one after another, each task a
 * real worker process in its own process group. A task row is created when the task is
 * scheduled, so a workflow only has the tasks it has reached (as in Conductor).
 */
import type { z } from 'zod';
import type { StartWorkflowArgs } from '../../protocol/operations.ts';
import { bugIsOn, log, recordTransition, type EngineContext } from '../context.ts';
import type { Answer } from '../reference-engine.ts';
import { workerArguments, workerCommand } from '../adapters/linux-process-host.ts';
import type { ProcessHandle } from '../ports/process-host.ts';
import { killAll, killTree } from '../processes/kill-tree.ts';
import type { StatusListeners } from './status-listeners.ts';
import {
  isTaskTerminal,
  isWorkflowTerminal,
  moveTask,
  moveWorkflow,
  tasksTable,
  workflowsTable,
  type TaskRow,
  type WorkflowRow,
} from './workflow-rows.ts';

export type StartWorkflowSpec = z.output<typeof StartWorkflowArgs>;

export class Workflows {
  /** Task id → its process, while it lives. */
  private readonly taskProcesses = new Map<string, ProcessHandle>();
  /** Every task process started, for teardown (a reaped one may have left orphans in its group). */
  private readonly everyTaskProcess: ProcessHandle[] = [];
  /** Kills started by terminate and still under way; teardown waits for them. */
  private readonly pendingKills = new Set<Promise<void>>();

  constructor(
    private readonly context: EngineContext,
    readonly listeners: StatusListeners,
  ) {}

  start(spec: StartWorkflowSpec): Answer {
    if (this.workflow(spec.workflow)) return { ok: false, code: 'already-exists', error: `workflow '${spec.workflow}' exists` };
    const clash = spec.tasks.find((task) => this.task(task.task));
    if (clash) return { ok: false, code: 'already-exists', error: `task '${clash.task}' exists` };
    const workflow: WorkflowRow = { id: spec.workflow, parentId: null, state: 'RUNNING', plan: spec.tasks, listeners: spec.listeners };
    recordTransition(this.context, 'workflow', workflowsTable, workflow, null, 'start-workflow');
    this.scheduleTask(workflow, 0);
    return { ok: true };
  }

  workflow(id: string): WorkflowRow | undefined {
    return this.context.store.table<WorkflowRow>(workflowsTable).get(id);
  }

  task(id: string): TaskRow | undefined {
    return this.context.store.table<TaskRow>(tasksTable).get(id);
  }

  private scheduleTask(workflow: WorkflowRow, index: number): void {
    const plan = workflow.plan[index]!;
    const task: TaskRow = { id: plan.task, parentId: workflow.id, state: 'SCHEDULED', plan };
    recordTransition(this.context, 'task', tasksTable, task, null, 'decide');
    this.startTask(task, index);
  }

  /** A worker polls the SCHEDULED task: its process starts and the task is IN_PROGRESS. */
  private startTask(task: TaskRow, index: number): void {
    // The task stays SCHEDULED: no worker polls an engine that is shutting down. Teardown's
    // kill has taken the list of processes already, so one started now (the next task of a
    // workflow whose task exited on its own meanwhile) would outlive `reset` on a pooled engine.
    if (this.context.phase !== 'open') return;
    const plan = task.plan;
    const { command } = workerCommand();
    const args = workerArguments(this.context.session, { owner: task.id, ...plan, subflows: [] });
    let handle: ProcessHandle;
    try {
      handle = this.context.host.spawn({ owner: task.id, command, args, newProcessGroup: true }, () => {});
    } catch (error) {
      log(this.context, 'error', `could not start task ${task.id}: ${String(error)}`, task.id);
      moveTask(this.context, task, 'FAILED', 'spawn-failed');
      return;
    }
    this.context.trace.emit({ kind: 'process', action: 'spawn', pid: handle.pid, parentPid: process.pid, owner: task.id });
    this.taskProcesses.set(task.id, handle);
    this.everyTaskProcess.push(handle);
    moveTask(this.context, task, 'IN_PROGRESS', 'poll');
    void handle.exited.then(({ code, signal }) => this.onTaskExit(task.id, index, handle.pid, code, signal));
  }

  private onTaskExit(taskId: string, index: number, pid: number, code: number | null, signal: string | null): void {
    // Teardown is over: the exit changes nothing and tells nothing (see EnginePhase).
    if (this.context.phase === 'closed') return;
    this.context.trace.emit({ kind: 'process', action: 'exit', pid, parentPid: process.pid, owner: taskId, code, ...(signal ? { signal } : {}) });
    this.taskProcesses.delete(taskId);
    const task = this.task(taskId);
    if (!task || isTaskTerminal(task)) return;
    // conductor-776 puts the upstream defect back here: the server learns of a task only from
    // its worker, so a worker killed by a signal nobody sent is never heard of again.
    if (signal !== null && bugIsOn(this.context, 'conductor-776')) return;
    const workflow = this.workflow(task.parentId)!;
    if (code === 0 && signal === null) {
      moveTask(this.context, task, 'COMPLETED', 'task-completed');
      if (isWorkflowTerminal(workflow)) return;
      if (index + 1 < workflow.plan.length) this.scheduleTask(workflow, index + 1);
      else this.listeners.notify(moveWorkflow(this.context, workflow, 'COMPLETED', 'all-tasks-completed'));
      return;
    }
    moveTask(this.context, task, 'FAILED', signal === null ? 'process-exited' : 'process-killed', signal === null ? { detail: `exit code ${code}` } : { signal });
    if (!isWorkflowTerminal(workflow)) this.listeners.notify(moveWorkflow(this.context, workflow, 'FAILED', 'task-failed'));
  }

  /**
   * Conductor's cancelNonTerminalTasks: every non-terminal task → CANCELED, and its
   * process tree is ended in the background (the API does not wait for workers to die).
   */
  cancelNonTerminalTasks(workflowId: string): void {
    const open = this.context.store
      .table<TaskRow>(tasksTable)
      .all()
      .filter((task) => task.parentId === workflowId && !isTaskTerminal(task));
    for (const task of open) {
      moveTask(this.context, task, 'CANCELED', 'workflow-terminated');
      const handle = this.taskProcesses.get(task.id);
      if (!handle) continue;
      const kill = killTree(this.context, task.id, handle.pid, [], true)
        .catch((error: unknown) => {
          this.context.trace.emit({ kind: 'process', action: 'kill-failed', pid: handle.pid, parentPid: null, owner: task.id, error: String(error) });
        })
        .finally(() => this.pendingKills.delete(kill));
      this.pendingKills.add(kill);
    }
  }

  /**
   * After a restart, once every process the crashed engine left behind is dead: no task
   * of this engine has a process, so each non-terminal task is settled (cause `recovery`).
   * - Its workflow is terminal (a terminate acknowledged before the crash, whose tasks
   *   the crash left behind): the task is CANCELED (Conductor's cancelNonTerminalTasks).
   * - IN_PROGRESS in a running workflow: its worker is gone, so the task is FAILED and the
   *   workflow FAILED with it, and the listeners are told.
   * - SCHEDULED in a running workflow: still to be polled, as in Conductor's task queue;
   *   its process starts now.
   * A running workflow with no open task is decided again: its next task is scheduled, or
   * it ends COMPLETED or FAILED as its tasks did.
   */
  recover(): void {
    const tasks = this.context.store.table<TaskRow>(tasksTable);
    for (const workflow of this.context.store.table<WorkflowRow>(workflowsTable).all()) {
      const ofWorkflow = tasks.all().filter((task) => task.parentId === workflow.id);
      const open = ofWorkflow.filter((task) => !isTaskTerminal(task));
      if (isWorkflowTerminal(workflow)) {
        for (const task of open) moveTask(this.context, task, 'CANCELED', 'recovery', { detail: `its workflow is ${workflow.state}` });
        continue;
      }
      const lost = open.find((task) => task.state === 'IN_PROGRESS');
      if (lost) {
        moveTask(this.context, lost, 'FAILED', 'recovery', { detail: 'its worker process was gone when the engine started again' });
        for (const task of open) if (task !== lost) moveTask(this.context, task, 'CANCELED', 'recovery', { detail: `task ${lost.id} of its workflow failed` });
        this.listeners.notify(moveWorkflow(this.context, workflow, 'FAILED', 'recovery', { detail: `task ${lost.id} lost its worker process` }));
        continue;
      }
      const scheduled = open.find((task) => task.state === 'SCHEDULED');
      if (scheduled) {
        this.startTask(scheduled, Math.max(0, workflow.plan.findIndex((plan) => plan.task === scheduled.id)));
        continue;
      }
      // No open task: decide as the task exits do.
      const last = ofWorkflow.at(-1);
      if (last && last.state !== 'COMPLETED') {
        this.listeners.notify(moveWorkflow(this.context, workflow, 'FAILED', 'recovery', { detail: `task ${last.id} is ${last.state}` }));
      } else if (ofWorkflow.length < workflow.plan.length) {
        this.scheduleTask(workflow, ofWorkflow.length);
      } else {
        this.listeners.notify(moveWorkflow(this.context, workflow, 'COMPLETED', 'recovery', { detail: 'every task had completed' }));
      }
    }
  }

  /** Teardown (the engine is `closing`): SIGKILL every task process still alive and wait until all are dead. */
  async close(): Promise<void> {
    await killAll(this.context.host, this.context.clock, this.everyTaskProcess, [...this.taskProcesses.values()].map((handle) => handle.pid));
    await Promise.all(this.pendingKills);
  }
}
