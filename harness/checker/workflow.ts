/**
 * WF-TERMINAL-01/02, WF-TERMINATE-02/03, WF-LISTENER-01: a terminated workflow has no
 * open task and no live task process, and a failing listener skips nothing and is
 * retried (conductor-oss/conductor#303, PR #304, PR #766).
 */
import { isTerminal } from '../../spec/transitions.ts';
import type { SideEffectEvent } from '../../trace/events.ts';
import type { History } from './history.ts';
import { VerdictBuilder, type ClauseChecker } from './verdict.ts';

/** First read-back of each workflow in a terminal state, before teardown. */
function workflowsReadTerminal(history: History) {
  const first = new Map<string, (typeof history.observes)[number]>();
  for (const observe of history.observesBeforeTeardown()) {
    if (observe.entity === 'workflow' && observe.state !== null && isTerminal('workflow', observe.state) && !first.has(observe.id)) {
      first.set(observe.id, observe);
    }
  }
  return [...first.values()];
}

export const terminalWorkflowTasksTerminal: ClauseChecker = (history) => {
  const verdict = new VerdictBuilder('WF-TERMINAL-01');
  const boundMs = history.bounds.terminateBoundMs;
  for (const workflow of workflowsReadTerminal(history)) {
    const at = history.deadlineAfter(workflow.wallMs, boundMs);
    const tasks = history.childrenOf('task', workflow.id).map((taskId) => ({ taskId, task: history.observedStateAt('task', taskId, at) }));
    // The situation: a workflow read back terminal with at least one task read back.
    if (tasks.some(({ task }) => task !== undefined)) verdict.exercised();
    for (const { taskId, task } of tasks) {
      if (task?.state && !isTerminal('task', task.state)) {
        if (!history.covers(at)) {
          verdict.unknown(history.notCovered(at, `workflow ${workflow.id}'s terminate bound, with task ${taskId} still ${task.state}`));
          continue;
        }
        verdict.violation(
          `workflow ${workflow.id} was read back ${workflow.state}, and ${Math.round(at - workflow.wallMs)} ms later (bound ${boundMs} ms${history.boundNote(workflow.wallMs, boundMs)}) its task ${taskId} was still read back ${task.state}`,
          task.seq,
          taskId,
        );
      }
    }
  }
  return verdict.build();
};

export const terminalWorkflowNoTaskProcess: ClauseChecker = (history) => {
  const verdict = new VerdictBuilder('WF-TERMINAL-02');
  const boundMs = history.bounds.terminateBoundMs;
  for (const workflow of workflowsReadTerminal(history)) {
    const at = history.deadlineAfter(workflow.wallMs, boundMs);
    const owners = new Set(history.childrenOf('task', workflow.id));
    const processes = history.pidsOwnedBy(owners);
    // The situation: a workflow read back terminal whose tasks had processes seen in /proc.
    if (processes.length > 0) verdict.exercised();
    for (const { pid, owner } of processes) {
      const seen = history.processAliveAt(pid, at);
      if (seen && !history.covers(at)) verdict.unknown(history.notCovered(at, `workflow ${workflow.id}'s terminate bound, with task process ${pid} alive`));
      else if (seen) {
        verdict.violation(
          `workflow ${workflow.id} is ${workflow.state}, yet the process of task ${owner} (pid ${pid}, state ${seen.stat}) was alive ${Math.round(at - workflow.wallMs)} ms later (bound ${boundMs} ms${history.boundNote(workflow.wallMs, boundMs)})`,
          seen.seq,
          owner,
        );
      }
    }
  }
  return verdict.build();
};

export const terminateRunsCoreSteps: ClauseChecker = (history) => {
  const verdict = new VerdictBuilder('WF-TERMINATE-02');
  const boundMs = history.bounds.terminateBoundMs;
  for (const request of history.requests.filter((candidate) => candidate.op === 'terminate-workflow')) {
    const workflowId = String(request.args.workflow);
    const moment = history.stepBeginBefore(request.seq) ?? request;
    const before = history.stateBefore('workflow', workflowId, moment.seq);
    if (!before || isTerminal('workflow', before.to)) continue;
    const terminated = history.transitionsOf('workflow', workflowId).find((transition) => transition.seq > moment.seq && transition.to === 'TERMINATED');
    // The workflow and its tasks may still end on their own after the step began: a worker
    // killed just before fails its task, and the workflow with it, and the engine answers
    // the terminate with a conflict. A terminate answered fail did not happen (definite), so
    // it owes no core step, unless the workflow shows that it did.
    if (request.outcome === 'fail' && !terminated) continue;
    // An answer not known (info) may have taken effect, and is judged; but one that never
    // did, on a workflow the engine wrote ending otherwise before the answer, owes nothing.
    const endedOtherwise = history
      .transitionsOf('workflow', workflowId)
      .some((transition) => transition.seq > moment.seq && transition.seq < request.seq && transition.cause !== 'observed' && isTerminal('workflow', transition.to));
    if (request.outcome === 'info' && !terminated && endedOtherwise) continue;
    const openTasks = history.childrenOf('task', workflowId).flatMap((taskId) => {
      const taskBefore = history.stateBefore('task', taskId, moment.seq);
      return taskBefore !== undefined && !isTerminal('task', taskBefore.to) ? [{ taskId, taskBefore }] : [];
    });
    // The situation: a terminate of a workflow not yet terminal, with a core step to judge
    // (the workflow TERMINATED after an ok answer, or a task open at the terminate). Every
    // terminate counts, not only those a listener failed in: the steps are owed either way.
    if (request.outcome === 'ok' || openTasks.length > 0) verdict.exercised();
    const deadline = history.deadlineAfter(moment.wallMs, boundMs);
    const answered = `answered ${request.outcome}${request.answer.error ? `: ${String(request.answer.error)}` : ''}`;
    if (request.outcome === 'ok' && !terminated) {
      if (history.covers(deadline)) verdict.violation(`terminate of workflow ${workflowId} was ${answered}, but the workflow never became TERMINATED`, request.seq, workflowId);
      else verdict.unknown(history.notCovered(deadline, `the terminate bound of workflow ${workflowId}`));
    }
    for (const { taskId, taskBefore } of openTasks) {
      // Task ends after teardown are the harness killing leftovers, not the engine cancelling.
      const ended = history
        .transitionsOf('task', taskId)
        .find((transition) => transition.seq > moment.seq && transition.seq < history.teardownSeq && isTerminal('task', transition.to));
      if (ended && ended.to === 'CANCELED' && ended.wallMs <= deadline) continue;
      // A read-back alone cannot tell whether a task it shows ended on its own did so before
      // the terminate or after it: only an end the engine wrote is judged for its kind.
      if (ended && ended.to !== 'CANCELED' && ended.cause === 'observed') continue;
      if (ended && ended.to !== 'CANCELED') {
        verdict.violation(`terminate of workflow ${workflowId} (${answered}) let task ${taskId} end ${ended.to} instead of cancelling it`, ended.seq, taskId);
      } else if (ended || history.covers(deadline)) {
        verdict.violation(
          `terminate of workflow ${workflowId} (${answered}) left task ${taskId} ${taskBefore.to} for over ${boundMs} ms: cancelNonTerminalTasks was skipped`,
          request.seq,
          taskId,
        );
      } else {
        verdict.unknown(history.notCovered(deadline, `the terminate bound of workflow ${workflowId}`));
      }
    }
  }
  return verdict.build();
};

/**
 * A listener's calls for one workflow status: the side-effect lines of one listener and
 * workflow between two of the workflow's transitions (a derived one included: after a
 * restart it may stand for a change whose line the crashed engine never sent).
 */
interface ListenerEpisode {
  calls: number;
  /** The call that settled the episode (`ok`, or the failure that was dead-lettered). */
  settled: SideEffectEvent | null;
}

/**
 * WF-LISTENER-01, counted by the harness: within one status of a workflow, a listener is
 * called at most listenerAttemptsMax times, and never again once a call succeeded or was
 * dead-lettered. The engine's own `attempt` numbers are not taken on trust.
 */
function checkListenerCallCounts(history: History, verdict: VerdictBuilder): void {
  const attemptsMax = history.bounds.listenerAttemptsMax;
  /** Workflow id → listener name → its calls since the workflow's last transition. */
  const episodes = new Map<string, Map<string, ListenerEpisode>>();
  for (const event of history.events) {
    if (event.kind === 'transition' && event.entity === 'workflow') episodes.delete(event.id);
    if (event.kind !== 'side-effect') continue;
    const ofWorkflow = episodes.get(event.target) ?? new Map<string, ListenerEpisode>();
    episodes.set(event.target, ofWorkflow);
    const episode = ofWorkflow.get(event.name) ?? { calls: 0, settled: null };
    ofWorkflow.set(event.name, episode);
    if (event.outcome === 'dead-letter') {
      episode.settled = event;
      continue;
    }
    if (episode.settled) {
      // The situation judged here: a call after the status was settled (failures are counted below).
      verdict.exercised();
      const how = episode.settled.outcome === 'ok' ? `succeeded at seq ${episode.settled.seq}` : `was dead-lettered at seq ${episode.settled.seq}`;
      verdict.violation(`listener ${event.name} was called again for ${event.target} after it ${how}, with no new status of the workflow in between`, event.seq, event.target);
      continue;
    }
    episode.calls += 1;
    if (episode.calls > attemptsMax) {
      verdict.violation(`listener ${event.name} was called ${episode.calls} times for ${event.target} in one status, over listenerAttemptsMax (${attemptsMax})`, event.seq, event.target);
    }
    if (event.outcome === 'ok') episode.settled = event;
  }
}

export const listenerFailuresRetried: ClauseChecker = (history) => {
  const verdict = new VerdictBuilder('WF-LISTENER-01');
  const windowMs = history.bounds.terminateBoundMs;
  const effects = history.events.filter((event): event is SideEffectEvent => event.kind === 'side-effect');
  checkListenerCallCounts(history, verdict);
  for (const failure of effects) {
    if (failure.outcome !== 'error') continue;
    verdict.exercised();
    const next = effects.find(
      (later) =>
        later.seq > failure.seq &&
        later.name === failure.name &&
        later.target === failure.target &&
        (later.attempt > failure.attempt || later.outcome === 'dead-letter'),
    );
    const deadline = history.deadlineAfter(failure.wallMs, windowMs);
    if (next && next.wallMs <= deadline) continue;
    if (next) {
      verdict.violation(`listener ${failure.name} for ${failure.target} was retried ${Math.round(next.wallMs - failure.wallMs)} ms after failing, later than ${windowMs} ms`, next.seq, failure.target);
    } else if (history.covers(deadline)) {
      verdict.violation(`listener ${failure.name} failed for ${failure.target} (attempt ${failure.attempt}: ${failure.error}) and was neither retried nor dead-lettered within ${windowMs} ms`, failure.seq, failure.target);
    } else {
      verdict.unknown(history.notCovered(deadline, `listener ${failure.name}'s retry of ${failure.target} could be seen`));
    }
  }
  return verdict.build();
};

export const secondTerminateNoop: ClauseChecker = (history) => {
  const verdict = new VerdictBuilder('WF-TERMINATE-03');
  for (const request of history.requests.filter((candidate) => candidate.op === 'terminate-workflow')) {
    const workflowId = String(request.args.workflow);
    const moment = history.stepBeginBefore(request.seq) ?? request;
    if (history.stateBefore('workflow', workflowId, moment.seq)?.to !== 'TERMINATED') continue;
    verdict.exercised();
    if (request.outcome !== 'ok') verdict.violation(`a second terminate of TERMINATED workflow ${workflowId} was answered ${request.outcome}`, request.seq, workflowId);
    const effect = history.events.find(
      (event) =>
        event.seq > moment.seq &&
        event.seq < request.seq &&
        ((event.kind === 'transition' && (event.id === workflowId || event.parentId === workflowId)) || (event.kind === 'side-effect' && event.target === workflowId)),
    );
    if (effect) verdict.violation(`a second terminate of TERMINATED workflow ${workflowId} was not a no-op: ${effect.kind} at seq ${effect.seq}`, effect.seq, workflowId);
  }
  return verdict.build();
};
