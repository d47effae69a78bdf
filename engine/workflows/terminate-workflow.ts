/**
 * Terminating a workflow, in the order of Conductor after PR #304 and PR #778
 * (core/src/main/java/com/netflix/conductor/core/execution/WorkflowExecutor.java
 * `terminateWorkflow`): mark TERMINATED and persist, cancel every non-terminal task, take
 * the workflow off the decider queue, and only then notify the status listeners, whose
 * failures are isolated and retried. A second terminate of a TERMINATED workflow is a
 * no-op (PR #766); terminating a workflow that ended otherwise is a conflict.
 *
 * conductor-303 puts back 3.13.5's order: the listeners are called right after the
 * workflow is persisted TERMINATED, their exception escapes, and every later step is
 * skipped, so the last task stays IN_PROGRESS.
 */
import { bugIsOn, log, type EngineContext } from '../context.ts';
import type { Answer } from '../reference-engine.ts';
import type { Workflows } from './workflows.ts';
import { isWorkflowTerminal, moveWorkflow } from './workflow-rows.ts';

export async function terminateWorkflow(
  context: EngineContext,
  workflows: Workflows,
  workflowId: string,
  reason: string,
): Promise<Answer> {
  const workflow = workflows.workflow(workflowId);
  if (!workflow) return { ok: false, code: 'not-found', error: `no workflow '${workflowId}'` };
  if (workflow.state === 'TERMINATED') return { ok: true, noop: true };
  if (isWorkflowTerminal(workflow)) {
    return { ok: false, code: 'conflict', error: `workflow ${workflowId} is ${workflow.state}; only a running or paused workflow can be terminated` };
  }
  const terminated = moveWorkflow(context, workflow, 'TERMINATED', 'terminate', { detail: reason });
  if (bugIsOn(context, 'conductor-303')) {
    try {
      workflows.listeners.callUnisolated(terminated);
    } catch (error) {
      log(context, 'error', `terminateWorkflow ${workflowId} failed: ${String(error)}`, workflowId);
      // Upstream answered 500 after persisting TERMINATED: partly done, so not definite.
      return { ok: false, code: 'internal', error: String(error) };
    }
  }
  workflows.cancelNonTerminalTasks(workflowId);
  log(context, 'info', `workflow ${workflowId} removed from the decider queue`, workflowId);
  if (!bugIsOn(context, 'conductor-303')) workflows.listeners.notify(terminated);
  return { ok: true };
}
