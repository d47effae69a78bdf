/**
 * Goal: every clause checker counts the situations it judged (`ClauseVerdict.exercised`),
 * honestly: a trace in which the situation its MUST sentence speaks of occurs gives the
 * number of times it occurred, and a trace without it gives 0 (a vacuous pass), even
 * when the trace holds events of the same kind that the clause does not judge (a cancel
 * answered fail, a terminate of a workflow already TERMINATED, an update of a deployment
 * with no runs, a process killed by the engine's own cancel). Spec coverage and explore's
 * per-clause table read these counts, so a count that rose with any event of a kind
 * would claim coverage no scenario gave.
 * Method: the stories of test/checker/fixtures.ts with their knobs, and small hand-made
 * traces (test/checker/trace-builder.ts) for the situations the stories lack (a crash
 * and restart, a lost process). Each test states the exact count, so a checker that
 * counts too much or too little fails. Last, every violated verdict of a set of defective
 * histories is non-vacuous: a violation is always about a situation that occurred.
 */
import { describe, expect, it } from 'vitest';
import { checkTrace } from '../../harness/checker/check.ts';
import { scenarioEndReason } from '../../harness/checker/process.ts';
import type { TraceEvent } from '../../trace/events.ts';
import { cancelStory, createRun, deployRequest, deploymentIds, deploymentStory, deploymentTimes, instanceStory, startRun, startWorkflowWithTask, terminateStory } from './fixtures.ts';
import { TraceBuilder } from './trace-builder.ts';
import { describeCase, judge } from './verdicts.ts';

/** The clause's `exercised` count for the trace, with the verdict and trace in the message on failure. */
function expectExercised(events: readonly TraceEvent[], clauseId: string, count: number): void {
  const verdict = judge(events, clauseId);
  expect(verdict.exercised, `${clauseId} exercised\n${describeCase(events, verdict)}`).toBe(count);
}

const { deployment, lateRun, futureRun } = deploymentIds;
const { futureSlotMs, updateAtMs } = deploymentTimes;
const auto = { deploymentId: deployment, autoScheduled: true };

/** A run that starts, runs in its own process and completes: no cancel, no failure, no loss. */
function completedRun(): TraceEvent[] {
  const trace = new TraceBuilder();
  trace.meta();
  trace.atWall(10);
  createRun(trace, 'run-1', {}, { cause: 'execute' });
  startRun(trace, 'run-1');
  trace.processEvent('spawn', 'run-1', { pid: 6101 });
  trace.observe('run', 'run-1', 'RUNNING');
  trace.observeProcess(6101, 'run-1', true);
  trace.atWall(500);
  trace.move('run', 'run-1', 'COMPLETED', { cause: 'process-exited' });
  trace.processEvent('exit', 'run-1', { pid: 6101, code: 0 });
  trace.observe('run', 'run-1', 'COMPLETED');
  trace.observeProcess(6101, 'run-1', false);
  trace.atWall(1000).teardown();
  trace.observeProcess(6101, 'run-1', false, { reason: scenarioEndReason });
  trace.end();
  return trace.build();
}

describe('transitions: TRANSITION-01/02, OBSERVE-01', () => {
  it('TRANSITION-01 counts every transition the engine wrote, and none it did not', () => {
    const story = cancelStory();
    const written = story.events.filter((event) => event.kind === 'transition').length;
    expect(written).toBeGreaterThan(0);
    expectExercised(story.events, 'TRANSITION-01', written);
    // Only read-backs: the transitions History derives from them (cause observed) are OBSERVE-01's.
    const trace = new TraceBuilder();
    trace.meta();
    trace.observe('run', 'run-1', 'RUNNING');
    trace.afterWall(100).observe('run', 'run-1', 'COMPLETED');
    trace.end();
    expectExercised(trace.build(), 'TRANSITION-01', 0);
    expectExercised(trace.build(), 'OBSERVE-01', 1);
  });

  it('TRANSITION-02 counts each entity in a terminal state once, and none while all are open', () => {
    // Parent and subflow end CANCELLED.
    expectExercised(cancelStory().events, 'TRANSITION-02', 2);
    const trace = new TraceBuilder();
    trace.meta();
    createRun(trace, 'run-1', {}, { cause: 'execute' });
    startRun(trace, 'run-1');
    trace.end();
    expectExercised(trace.build(), 'TRANSITION-02', 0);
  });

  it('TRANSITION-02 counts an entity seen leaving a terminal state (its violation is not vacuous)', () => {
    const trace = new TraceBuilder();
    trace.meta();
    trace.transition('run', 'run-1', 'COMPLETED', 'RUNNING', { cause: 'engine' });
    trace.end();
    const verdict = judge(trace.build(), 'TRANSITION-02');
    expect(verdict.valid).toBe(false);
    expect(verdict.exercised).toBe(1);
  });

  it('OBSERVE-01 counts read-backs that changed from the one before, not first or repeated reads', () => {
    const trace = new TraceBuilder();
    trace.meta();
    trace.observe('run', 'run-1', 'PENDING');
    trace.afterWall(10).observe('run', 'run-1', 'RUNNING');
    trace.afterWall(10).observe('run', 'run-1', 'RUNNING');
    trace.afterWall(10).observe('run', 'run-1', 'COMPLETED');
    trace.afterWall(10).observe('run', 'run-2', 'RUNNING');
    trace.end();
    expectExercised(trace.build(), 'OBSERVE-01', 2);
    const once = new TraceBuilder();
    once.meta();
    once.observe('run', 'run-1', 'RUNNING');
    once.afterWall(10).observe('run', 'run-1', 'RUNNING');
    once.end();
    expectExercised(once.build(), 'OBSERVE-01', 0);
  });
});

describe('run-cancel: RUN-CANCEL-01..05', () => {
  it('RUN-CANCEL-01 counts each run that entered CANCELLING: the parent and its subflow', () => {
    expectExercised(cancelStory().events, 'RUN-CANCEL-01', 2);
    expectExercised(completedRun(), 'RUN-CANCEL-01', 0);
  });

  it('RUN-CANCEL-02 counts cancelled runs whose process tree was seen, not a cancelled run with no process', () => {
    expectExercised(cancelStory().events, 'RUN-CANCEL-02', 2);
    const trace = new TraceBuilder();
    trace.meta();
    createRun(trace, 'run-1', {}, { cause: 'execute' });
    trace.move('run', 'run-1', 'CANCELLING', { cause: 'cancel' });
    trace.afterWall(100).move('run', 'run-1', 'CANCELLED', { cause: 'process-exited' });
    trace.end();
    expectExercised(trace.build(), 'RUN-CANCEL-01', 1);
    expectExercised(trace.build(), 'RUN-CANCEL-02', 0);
  });

  it('RUN-CANCEL-03 counts a cancelled parent with an open subflow, not one whose subflow had ended', () => {
    expectExercised(cancelStory().events, 'RUN-CANCEL-03', 1);
    const trace = new TraceBuilder();
    trace.meta();
    createRun(trace, 'parent', {}, { cause: 'execute' });
    startRun(trace, 'parent');
    createRun(trace, 'subflow', {}, { parentId: 'parent', cause: 'subflow-started' });
    startRun(trace, 'subflow');
    trace.move('run', 'subflow', 'COMPLETED', { cause: 'process-exited' });
    trace.afterWall(100).move('run', 'parent', 'CANCELLING', { cause: 'cancel' });
    trace.afterWall(100).move('run', 'parent', 'CANCELLED', { cause: 'process-exited' });
    trace.end();
    expectExercised(trace.build(), 'RUN-CANCEL-03', 0);
  });

  it('RUN-CANCEL-04 counts each run whose kill failed, once however often, and 0 when every kill worked', () => {
    expectExercised(cancelStory({ killFailures: 3 }).events, 'RUN-CANCEL-04', 1);
    expectExercised(cancelStory().events, 'RUN-CANCEL-04', 0);
  });

  it('RUN-CANCEL-05 counts each cancel answered ok, not one answered fail', () => {
    expectExercised(cancelStory().events, 'RUN-CANCEL-05', 1);
    const trace = new TraceBuilder();
    trace.meta();
    createRun(trace, 'run-1', {}, { cause: 'execute' });
    trace.step(0, 'begin', { cancel: { run: 'run-1' } });
    trace.request('cancel-run', 'req-cancel', { args: { run: 'run-1' }, outcome: 'fail', answer: { error: 'no such run' } });
    trace.step(0, 'end', {}, { outcome: 'ok' });
    trace.end();
    expectExercised(trace.build(), 'RUN-CANCEL-05', 0);
  });
});

/** Runs of `nightly` one after the other, each PENDING, RUNNING, COMPLETED; the deploy request sets `concurrencyLimit` if given. */
function sequentialRuns(runs: number, concurrencyLimit?: number): TraceEvent[] {
  const trace = new TraceBuilder();
  trace.meta();
  deployRequest(trace, 0, { deployment, created: true, ...(concurrencyLimit === undefined ? {} : { concurrencyLimit }) });
  for (let index = 1; index <= runs; index += 1) {
    const id = `run-${index}`;
    createRun(trace, id, { ...auto, scheduledStartMs: index * 1000, slotMs: index * 1000 });
    trace.afterWall(10);
    startRun(trace, id);
    trace.move('run', id, 'COMPLETED', { cause: 'process-exited' });
  }
  trace.end();
  return trace.build();
}

/** One run with `retries`, through the given attempts; each attempt ends as written. */
function retryTrace(retries: number, attempts: Array<'retry' | 'FAILED' | 'COMPLETED'>): TraceEvent[] {
  const trace = new TraceBuilder();
  trace.meta();
  createRun(trace, 'run-1', { deploymentId: deployment, retries }, { cause: 'create-flow-run' });
  for (const [index, outcome] of attempts.entries()) {
    trace.afterWall(10);
    startRun(trace, 'run-1', { retrying: index > 0 });
    trace.move('run', 'run-1', outcome === 'retry' ? 'SCHEDULED/AwaitingRetry' : outcome, { cause: 'process-exited' });
  }
  trace.end();
  return trace.build();
}

/** A deployment with one run whose slot is still in the future, then updated: no backlog, one run to keep or delete. */
function updateWithFutureRunOnly(options: { withRun: boolean }): TraceEvent[] {
  const trace = new TraceBuilder();
  trace.meta();
  deployRequest(trace, 0, { deployment, created: true });
  if (options.withRun) createRun(trace, futureRun, { ...auto, scheduledStartMs: futureSlotMs, slotMs: futureSlotMs });
  trace.atWall(100).atTime(updateAtMs);
  deployRequest(trace, 1, { deployment, created: false });
  trace.teardown();
  trace.end();
  return trace.build();
}

describe('deployment: RUN-CONCURRENCY-01, RUN-RETRY-01, DEPLOY-UPDATE-01, DEPLOY-BACKLOG-02, DEPLOY-SLOT-03', () => {
  it('RUN-CONCURRENCY-01 counts each run taking an active place under a limit, and none without a limit', () => {
    expectExercised(sequentialRuns(2, 1), 'RUN-CONCURRENCY-01', 2);
    expectExercised(sequentialRuns(2), 'RUN-CONCURRENCY-01', 0);
  });

  it('RUN-RETRY-01 counts each failed attempt, with retries left or none, and a run out of retries', () => {
    expectExercised(retryTrace(1, ['retry', 'COMPLETED']), 'RUN-RETRY-01', 1);
    expectExercised(retryTrace(2, ['retry', 'retry', 'FAILED']), 'RUN-RETRY-01', 3);
    // No retries at all, and the only attempt fails: the "none left" situation.
    expectExercised(retryTrace(0, ['FAILED']), 'RUN-RETRY-01', 1);
  });

  it('RUN-RETRY-01 counts nothing for runs that complete at once, retries or not', () => {
    expectExercised(retryTrace(2, ['COMPLETED']), 'RUN-RETRY-01', 0);
    expectExercised(retryTrace(0, ['COMPLETED']), 'RUN-RETRY-01', 0);
  });

  it('DEPLOY-UPDATE-01 counts an update that had runs to delete or keep, whether it deleted any or not', () => {
    expectExercised(deploymentStory().events, 'DEPLOY-UPDATE-01', 1);
    expectExercised(deploymentStory({ deleteOnUpdate: [], remakeFutureSlot: false }).events, 'DEPLOY-UPDATE-01', 1);
    expectExercised(updateWithFutureRunOnly({ withRun: true }), 'DEPLOY-UPDATE-01', 1);
  });

  it('DEPLOY-UPDATE-01 counts 0 for an update of a deployment with no run, and 0 with no update', () => {
    expectExercised(updateWithFutureRunOnly({ withRun: false }), 'DEPLOY-UPDATE-01', 0);
    expectExercised(sequentialRuns(2, 1), 'DEPLOY-UPDATE-01', 0);
  });

  it('DEPLOY-UPDATE-01 counts a run that vanished outside any update: it is judged as a delete', () => {
    const trace = new TraceBuilder();
    trace.meta();
    createRun(trace, 'run-1', {}, { cause: 'execute' });
    trace.observe('run', 'run-1', 'SCHEDULED');
    trace.afterWall(100).observe('run', 'run-1', null);
    trace.teardown();
    trace.end();
    const verdict = judge(trace.build(), 'DEPLOY-UPDATE-01');
    expect(verdict.valid).toBe(false);
    expect(verdict.exercised).toBe(1);
  });

  it('DEPLOY-BACKLOG-02 counts an update with a backlog, and 0 for one whose runs were all still to come', () => {
    expectExercised(deploymentStory().events, 'DEPLOY-BACKLOG-02', 1);
    expectExercised(deploymentStory({ backlogState: 'SCHEDULED/AwaitingRetry' }).events, 'DEPLOY-BACKLOG-02', 1);
    expectExercised(updateWithFutureRunOnly({ withRun: true }), 'DEPLOY-BACKLOG-02', 0);
  });

  it('DEPLOY-SLOT-03 counts each schedule slot that got a run, and none for manual runs', () => {
    // Slots 60 s and 180 s; the run made again for 180 s fills the same slot.
    expectExercised(deploymentStory().events, 'DEPLOY-SLOT-03', 2);
    const trace = new TraceBuilder();
    trace.meta();
    createRun(trace, 'manual-1', { deploymentId: deployment, scheduledStartMs: futureSlotMs }, { cause: 'create-flow-run' });
    createRun(trace, 'manual-2', { deploymentId: deployment, scheduledStartMs: futureSlotMs }, { cause: 'create-flow-run' });
    trace.end();
    expectExercised(trace.build(), 'DEPLOY-SLOT-03', 0);
  });
});

/** A workflow with one task that completes on its own; the task's process is seen in /proc unless `withProcess` is false. */
function completedWorkflow(options: { withProcess: boolean; readTask: boolean }): TraceEvent[] {
  const trace = new TraceBuilder();
  trace.meta();
  trace.atWall(10);
  startWorkflowWithTask(trace, { workflow: 'wf-1', task: 'task-1' });
  if (options.withProcess) trace.observeProcess(5101, 'task-1', true);
  trace.atWall(200);
  trace.move('task', 'task-1', 'COMPLETED', { cause: 'task-completed' });
  trace.move('workflow', 'wf-1', 'COMPLETED', { cause: 'decide' });
  if (options.withProcess) trace.observeProcess(5101, 'task-1', false);
  trace.observe('workflow', 'wf-1', 'COMPLETED');
  if (options.readTask) trace.observe('task', 'task-1', 'COMPLETED', { parentId: 'wf-1' });
  trace.atWall(200 + trace.bounds.terminateBoundMs + 100).teardown();
  trace.end();
  return trace.build();
}

describe('workflow: WF-TERMINAL-01/02, WF-TERMINATE-02/03, WF-LISTENER-01', () => {
  it('WF-TERMINAL-01 counts a terminal workflow with a task read back, not one whose tasks were never read', () => {
    expectExercised(terminateStory().events, 'WF-TERMINAL-01', 1);
    expectExercised(completedWorkflow({ withProcess: true, readTask: true }), 'WF-TERMINAL-01', 1);
    expectExercised(completedWorkflow({ withProcess: true, readTask: false }), 'WF-TERMINAL-01', 0);
  });

  it('WF-TERMINAL-02 counts a terminal workflow whose tasks had processes, not one whose tasks had none', () => {
    expectExercised(terminateStory().events, 'WF-TERMINAL-02', 1);
    expectExercised(completedWorkflow({ withProcess: false, readTask: true }), 'WF-TERMINAL-02', 0);
  });

  it('WF-TERMINATE-02 counts the terminate of an open workflow, not a second terminate of a TERMINATED one', () => {
    expectExercised(terminateStory().events, 'WF-TERMINATE-02', 1);
    expectExercised(terminateStory({ secondTerminate: 'noop' }).events, 'WF-TERMINATE-02', 1);
    expectExercised(completedWorkflow({ withProcess: true, readTask: true }), 'WF-TERMINATE-02', 0);
  });

  it('WF-LISTENER-01 counts each failed listener call, and none when the listener succeeds', () => {
    expectExercised(terminateStory({ listener: 'error-retried' }).events, 'WF-LISTENER-01', 1);
    const story = terminateStory({ listener: 'error-dead-lettered' });
    const failures = story.events.filter((event) => event.kind === 'side-effect' && event.outcome === 'error').length;
    expect(failures).toBe(story.bounds.listenerAttemptsMax);
    expectExercised(story.events, 'WF-LISTENER-01', failures);
    expectExercised(terminateStory().events, 'WF-LISTENER-01', 0);
  });

  it('WF-TERMINATE-03 counts each second terminate, and none for a single one', () => {
    expectExercised(terminateStory({ secondTerminate: 'noop' }).events, 'WF-TERMINATE-03', 1);
    expectExercised(terminateStory().events, 'WF-TERMINATE-03', 0);
  });
});

/**
 * A start-process-instance request acknowledged at wall 100 ms (an engine that manages its
 * own consumers), then, with `crash`, the engine crashed at 200 ms and restarted at
 * 300 ms; the instance is made at `instanceAtMs` (400 ms).
 */
function instanceAcrossCrash(options: { crash: boolean; instanceAtMs?: number; instanceBoundMs?: number }): TraceEvent[] {
  const trace = new TraceBuilder();
  trace.meta(options.instanceBoundMs === undefined ? {} : { instanceBoundMs: options.instanceBoundMs });
  trace.atWall(100);
  trace.step(0, 'begin', { startProcessInstance: { requestId: 'req-1' } });
  trace.move('command', 'cmd-1', 'CREATED', { cause: 'start-process-instance', attributes: { requestId: 'req-1' } });
  trace.request('start-process-instance', 'req-1', { args: { requestId: 'req-1' }, answer: { ok: true, commandId: 'cmd-1' } });
  trace.step(0, 'end', {}, { outcome: 'ok' });
  if (options.crash) {
    trace.atWall(200).fault('inject', 'engine-crash', { pid: 900 });
    trace.atWall(300).fault('clear', 'engine-crash', { pid: 901 });
  }
  const instanceAtMs = options.instanceAtMs ?? 400;
  trace.atWall(instanceAtMs);
  trace.move('command', 'cmd-1', 'CLAIMED', { cause: 'fetch' });
  trace.move('instance', 'instance-1', 'SUBMITTED_SUCCESS', { cause: 'handle-command', attributes: { requestId: 'req-1', commandId: 'cmd-1' } });
  trace.move('command', 'cmd-1', 'CONSUMED', { cause: 'handle-command' });
  trace.del('command', 'cmd-1', 'consumed');
  trace.atWall(instanceAtMs + trace.bounds.restartBoundMs + trace.bounds.instanceBoundMs).teardown();
  trace.end();
  return trace.build();
}

describe('instance: INSTANCE-01..05', () => {
  it('INSTANCE-01 counts each acknowledged request, and none answered fail', () => {
    expectExercised(instanceStory().events, 'INSTANCE-01', 1);
    expectExercised(instanceStory({ outcome: 'fail', commandFate: 'left-created', command: 'none' }).events, 'INSTANCE-01', 0);
  });

  it('INSTANCE-01 leaves a request whose bound a crash cut short to INSTANCE-05, which counts it', () => {
    // The crash (200 ms) comes inside the 150 ms bound from the ack (100 ms), which then runs
    // again from the restart (300 ms) to 450 ms; the instance comes later, so the crash decides.
    const deferred = instanceAcrossCrash({ crash: true, instanceBoundMs: 150, instanceAtMs: 500 });
    expectExercised(deferred, 'INSTANCE-01', 0);
    expect(judge(deferred, 'INSTANCE-01').valid).toBe(true);
    expectExercised(deferred, 'INSTANCE-05', 1);
    // Within the bound the restart gave, INSTANCE-01 judges it itself.
    expectExercised(instanceAcrossCrash({ crash: true, instanceBoundMs: 150, instanceAtMs: 400 }), 'INSTANCE-01', 1);
  });

  it('INSTANCE-02 counts each request that yielded an instance, and none with no instance', () => {
    expectExercised(instanceStory().events, 'INSTANCE-02', 1);
    expectExercised(instanceStory({ instances: 2 }).events, 'INSTANCE-02', 1);
    expectExercised(instanceStory({ instances: 0, commandFate: 'left-claimed' }).events, 'INSTANCE-02', 0);
  });

  it('INSTANCE-03 counts each acknowledged request, and none answered fail', () => {
    expectExercised(instanceStory().events, 'INSTANCE-03', 1);
    expectExercised(instanceStory({ outcome: 'fail', commandFate: 'left-created', command: 'none' }).events, 'INSTANCE-03', 0);
  });

  it('INSTANCE-04 counts each stored command, and none when no command was written', () => {
    expectExercised(instanceStory().events, 'INSTANCE-04', 1);
    expectExercised(instanceStory({ command: 'none' }).events, 'INSTANCE-04', 0);
  });

  it('INSTANCE-05 counts a request acknowledged before a crash and restart, and none without a crash', () => {
    expectExercised(instanceAcrossCrash({ crash: true }), 'INSTANCE-05', 1);
    expectExercised(instanceAcrossCrash({ crash: false }), 'INSTANCE-05', 0);
    expectExercised(instanceAcrossCrash({ crash: false }), 'INSTANCE-01', 1);
  });
});

/**
 * A run (or a task of workflow wf-1) RUNNING (IN_PROGRESS) with one process, which is seen
 * dead while the entity is still read back running; 300 ms later it is read back
 * CRASHED (FAILED). With `cancelledFirst`, an ok cancel of the run came before the death.
 */
function lostProcess(entity: 'run' | 'task', options: { cancelledFirst?: boolean } = {}): TraceEvent[] {
  const trace = new TraceBuilder();
  trace.meta();
  trace.atWall(10);
  const running = entity === 'run' ? 'RUNNING' : 'IN_PROGRESS';
  if (entity === 'run') {
    createRun(trace, 'run-1', { retries: 0 }, { cause: 'execute' });
    startRun(trace, 'run-1');
  } else {
    startWorkflowWithTask(trace, { workflow: 'wf-1', task: 'task-1' });
  }
  const id = entity === 'run' ? 'run-1' : 'task-1';
  trace.observe(entity, id, running, { parentId: entity === 'task' ? 'wf-1' : null });
  trace.observeProcess(5101, id, true);
  if (options.cancelledFirst) {
    trace.atWall(900);
    trace.step(0, 'begin', { cancel: { run: id } });
    trace.move('run', id, 'CANCELLING', { cause: 'cancel' });
    trace.request('cancel-run', 'req-cancel', { args: { run: id } });
    trace.step(0, 'end', {}, { outcome: 'ok' });
  }
  trace.atWall(1000).observeProcess(5101, id, false);
  trace.atWall(1300);
  if (options.cancelledFirst) {
    trace.move('run', id, 'CANCELLED', { cause: 'process-exited' });
    trace.observe('run', id, 'CANCELLED');
  } else if (entity === 'run') {
    trace.move('run', id, 'CRASHED', { cause: 'process-killed' });
    trace.observe('run', id, 'CRASHED');
  } else {
    trace.move('task', id, 'FAILED', { cause: 'process-killed' });
    trace.move('workflow', 'wf-1', 'FAILED', { cause: 'task-failed' });
    trace.observe('task', id, 'FAILED', { parentId: 'wf-1' });
  }
  trace.atWall(1300 + trace.bounds.processLossBoundMs).teardown();
  trace.observeProcess(5101, id, false, { reason: scenarioEndReason });
  trace.end();
  return trace.build();
}

describe('process: PROCESS-01, PROCESS-LOSS-01/02', () => {
  it('PROCESS-01 counts a scenario end whose sweep checked processes, and none for a scenario with no process', () => {
    expectExercised(completedRun(), 'PROCESS-01', 1);
    const trace = new TraceBuilder();
    trace.meta();
    createRun(trace, 'run-1', {}, { cause: 'execute' });
    trace.teardown();
    trace.end();
    expectExercised(trace.build(), 'PROCESS-01', 0);
  });

  it('PROCESS-LOSS-01 counts a run whose process died while it was shown RUNNING', () => {
    expectExercised(lostProcess('run'), 'PROCESS-LOSS-01', 1);
    expectExercised(lostProcess('run'), 'PROCESS-LOSS-02', 0);
  });

  it('PROCESS-LOSS-01 counts none for a run that completed first, or whose process its own cancel killed', () => {
    expectExercised(completedRun(), 'PROCESS-LOSS-01', 0);
    expectExercised(lostProcess('run', { cancelledFirst: true }), 'PROCESS-LOSS-01', 0);
    expectExercised(cancelStory().events, 'PROCESS-LOSS-01', 0);
  });

  it('PROCESS-LOSS-02 counts a task whose process died while it was shown IN_PROGRESS, and none for a terminated one', () => {
    expectExercised(lostProcess('task'), 'PROCESS-LOSS-02', 1);
    expectExercised(terminateStory().events, 'PROCESS-LOSS-02', 0);
  });
});

/**
 * run-1 RUNNING with process 5301 (alive at the crash unless `workerDeadBeforeCrash`), read
 * back; the engine crashed at 1000 ms and, unless `noRestart`, restarted at 2000 ms; the
 * restarted engine shows run-1 CRASHED and its worker dead.
 */
function crashStory(options: { noRestart?: boolean; workerDeadBeforeCrash?: boolean; noEntities?: boolean } = {}): TraceEvent[] {
  const trace = new TraceBuilder();
  trace.meta();
  trace.atWall(10);
  if (!options.noEntities) {
    createRun(trace, 'run-1', {}, { cause: 'execute' });
    startRun(trace, 'run-1');
    trace.observe('run', 'run-1', 'RUNNING');
  }
  trace.observeProcess(5301, 'run-1', true, { groupId: 5301 });
  if (options.workerDeadBeforeCrash) trace.atWall(500).observeProcess(5301, 'run-1', false);
  trace.atWall(1000).fault('inject', 'engine-crash', { pid: 900 });
  if (!options.noRestart) {
    trace.atWall(2000).fault('clear', 'engine-crash', { pid: 901 });
    trace.atWall(2100);
    if (!options.noEntities) {
      trace.move('run', 'run-1', 'CRASHED', { cause: 'recovery' });
      trace.observe('run', 'run-1', 'CRASHED');
    }
    if (!options.workerDeadBeforeCrash) trace.observeProcess(5301, 'run-1', false);
  }
  trace.atWall(2100 + trace.bounds.restartBoundMs).teardown();
  trace.end();
  return trace.build();
}

describe('restart: RESTART-01/02', () => {
  it('RESTART-01 counts a restart with entities shown before the crash, and none without a restart or entities', () => {
    expectExercised(crashStory(), 'RESTART-01', 1);
    expectExercised(crashStory({ noRestart: true }), 'RESTART-01', 0);
    expectExercised(crashStory({ noEntities: true }), 'RESTART-01', 0);
  });

  it('RESTART-02 counts a restart with a process left behind, and none when every process had died before the crash', () => {
    expectExercised(crashStory(), 'RESTART-02', 1);
    expectExercised(crashStory({ workerDeadBeforeCrash: true }), 'RESTART-02', 0);
    expectExercised(crashStory({ workerDeadBeforeCrash: true }), 'RESTART-01', 1);
    expectExercised(crashStory({ noRestart: true }), 'RESTART-02', 0);
  });
});

describe('a violation is never vacuous', () => {
  const defective: Array<[string, TraceEvent[]]> = [
    ['cancel stuck, subflow left running, kills failing without error', cancelStory({ parentCancelledAfterMs: null, parentProcessDeadAfterMs: null, subflow: { to: 'RUNNING' }, subflowProcessDeadAfterMs: null, killFailures: 4, killErrorMissing: true }).events],
    ['update deletes the backlog', deploymentStory({ deleteOnUpdate: [futureRun, lateRun] }).events],
    ['slot made twice', deploymentStory({ deleteOnUpdate: [] }).events],
    ['terminate skips the task cancel, listener dropped, second terminate not a no-op', terminateStory({ taskCancelled: false, taskProcessKilled: false, listener: 'error-dropped', secondTerminate: 'listener' }).events],
    ['two instances, ack before the command', instanceStory({ instances: 2, command: 'after-ack' }).events],
    ['command vanished, no instance', instanceStory({ instances: 0, commandFate: 'vanished-delete' }).events],
    ['retried with none left', retryTrace(0, ['retry', 'COMPLETED'])],
    ['over the concurrency limit', sequentialRuns(1, 0)],
  ];

  it.each(defective)('every violated clause of "%s" has exercised ≥ 1', (_name, events) => {
    const { verdicts } = checkTrace(events);
    const violated = verdicts.filter((verdict) => verdict.valid === false);
    expect(violated.length, describeCase(events, verdicts)).toBeGreaterThan(0);
    for (const verdict of violated) expect(verdict.exercised, describeCase(events, verdict)).toBeGreaterThan(0);
  });
});
