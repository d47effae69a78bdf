/** Rows of the Conductor side: workflows and their tasks, each task a real process. */
import type { TaskState, WorkflowState } from '../../spec/states.ts';
import { isTerminal } from '../../spec/transitions.ts';
import type { TransitionCause } from '../../trace/events.ts';
import { recordTransition, type EngineContext, type TransitionDetails } from '../context.ts';

export const workflowsTable = 'workflow';
export const tasksTable = 'task';

export interface TaskPlanRow {
  task: string;
  durationMs: number;
  exitCode: number;
  ignoreSigterm: boolean;
}

export interface WorkflowRow {
  id: string;
  parentId: null;
  state: WorkflowState;
  /** Tasks run in this order; a task row exists once it is scheduled (as in Conductor). */
  plan: TaskPlanRow[];
  listeners: string[];
}

export interface TaskRow {
  id: string;
  /** The workflow. */
  parentId: string;
  state: TaskState;
  plan: TaskPlanRow;
}

export function isWorkflowTerminal(workflow: WorkflowRow): boolean {
  return isTerminal('workflow', workflow.state);
}

export function isTaskTerminal(task: TaskRow): boolean {
  return isTerminal('task', task.state);
}

export function tasksOf(context: EngineContext, workflowId: string): TaskRow[] {
  return context.store
    .table<TaskRow>(tasksTable)
    .all()
    .filter((task) => task.parentId === workflowId);
}

export function moveWorkflow(context: EngineContext, workflow: WorkflowRow, to: WorkflowState, cause: TransitionCause, details: TransitionDetails = {}): WorkflowRow {
  const after = { ...workflow, state: to };
  recordTransition(context, 'workflow', workflowsTable, after, workflow.state, cause, undefined, details);
  return after;
}

export function moveTask(context: EngineContext, task: TaskRow, to: TaskState, cause: TransitionCause, details: TransitionDetails = {}): TaskRow {
  const after = { ...task, state: to };
  recordTransition(context, 'task', tasksTable, after, task.state, cause, undefined, details);
  return after;
}
