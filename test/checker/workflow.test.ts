/**
 * Goal: the workflow checkers (WF-TERMINAL-01/02, WF-TERMINATE-02/03, WF-LISTENER-01)
 * catch the shapes of conductor-oss/conductor#303 (a TERMINATED workflow whose last task
 * stays IN_PROGRESS and whose task process lives on, a listener exception that skips
 * cancelNonTerminalTasks and is never retried) and of PR #766 (a second terminate that is
 * not a no-op), accept the fixed engine's history, and say 'unknown' when the trace ends
 * before terminateBoundMs has passed.
 * Method: `terminateStory` (test/checker/fixtures.ts) writes a workflow with one
 * IN_PROGRESS task and its process, terminated at wall 1000 ms; its defaults are the fixed
 * engine (listener after the task cancel, so it succeeds), and each test turns one knob.
 * Bounds come from the trace's meta line. Every violation must name the workflow or task
 * and point at the event that shows it.
 */
import { describe, expect, it } from 'vitest';
import { defaultBounds } from '../../trace/events.ts';
import { startWorkflowWithTask, terminateStory, workflowIds } from './fixtures.ts';
import { TraceBuilder } from './trace-builder.ts';
import { expectHolds, expectUnknown, expectViolated, judge } from './verdicts.ts';

const bound = defaultBounds.terminateBoundMs;
const { workflow, task, taskPid, listener } = workflowIds;
/** The conductor-303 defect: the archive listener throws, and everything after it is skipped. */
const conductor303 = { taskCancelled: false, taskProcessKilled: false, listener: 'error-dropped' } as const;

describe('WF-TERMINAL-01: a workflow read back terminal has no non-terminal task after terminateBoundMs', () => {
  it('holds when the task is read back CANCELED along with the workflow', () => {
    expectHolds(terminateStory().events, 'WF-TERMINAL-01');
  });

  it('is violated by a workflow read TERMINATED and its task still read IN_PROGRESS after the bound (conductor-303)', () => {
    const story = terminateStory(conductor303);
    expect(story.taskLastRead.state).toBe('IN_PROGRESS');
    const violation = expectViolated(story.events, 'WF-TERMINAL-01', { entity: task, seq: story.taskLastRead.seq });
    expect(violation.message).toContain(workflow);
    expect(violation.message).toContain('IN_PROGRESS');
    expect(violation.message).toContain(`${bound} ms`);
  });

  it('holds when the task is read back terminal exactly at the bound, and is violated when read 1 ms after it', () => {
    const atBound = (lateByMs: number) => {
      const trace = new TraceBuilder();
      trace.meta();
      startWorkflowWithTask(trace, { workflow, task });
      trace.observe('task', task, 'IN_PROGRESS', { parentId: workflow });
      trace.atWall(1000);
      trace.move('workflow', workflow, 'TERMINATED', { cause: 'terminate' });
      const read = trace.observe('workflow', workflow, 'TERMINATED');
      trace.atWall(read.wallMs + bound + lateByMs);
      trace.move('task', task, 'CANCELED', { cause: 'workflow-terminated' });
      trace.observe('task', task, 'CANCELED', { parentId: workflow });
      trace.afterWall(100).end();
      return trace.build();
    };
    expectHolds(atBound(0), 'WF-TERMINAL-01', { alone: true });
    expectViolated(atBound(1), 'WF-TERMINAL-01', { entity: task });
  });

  it('is unknown when the trace ends before the bound', () => {
    const story = terminateStory({ ...conductor303, endAfterMs: bound - 1 });
    expectUnknown(story.events, 'WF-TERMINAL-01', workflow);
  });
});

describe('WF-TERMINAL-02: a terminal workflow has no live task process after terminateBoundMs', () => {
  it('holds when the task process is seen dead shortly after the terminate', () => {
    expectHolds(terminateStory().events, 'WF-TERMINAL-02');
  });

  it('is violated by a task process still alive at the bound (conductor-303)', () => {
    const story = terminateStory({ taskProcessKilled: false });
    const violation = expectViolated(story.events, 'WF-TERMINAL-02', { entity: task, seq: story.taskProcessLastSeen.seq });
    expect(violation.message).toContain(`pid ${taskPid}`);
    expect(violation.message).toContain(workflow);
  });

  it('is unknown when the trace ends before the bound', () => {
    const story = terminateStory({ taskProcessKilled: false, endAfterMs: bound - 1 });
    expectUnknown(story.events, 'WF-TERMINAL-02', workflow);
  });
});

describe('WF-TERMINATE-02: a terminate cancels every non-terminal task even when a listener fails', () => {
  it('holds when the listener fails after the tasks were cancelled (the PR #304 order)', () => {
    expectHolds(terminateStory({ listener: 'error-retried' }).events, 'WF-TERMINATE-02');
  });

  it('is violated by a terminate whose task is never CANCELED (conductor-303)', () => {
    const story = terminateStory(conductor303);
    const violation = expectViolated(story.events, 'WF-TERMINATE-02', { entity: task, seq: story.terminate.seq });
    expect(violation.message).toContain(workflow);
    expect(violation.message).toContain('answered fail');
  });

  it('is violated by a task cancelled only after the bound', () => {
    const trace = new TraceBuilder();
    trace.meta();
    trace.move('workflow', workflow, 'RUNNING', { cause: 'start-workflow' });
    trace.move('task', task, 'SCHEDULED', { parentId: workflow, cause: 'decide' });
    trace.atWall(1000);
    const begin = trace.step(0, 'begin', { terminate: { workflow } });
    trace.move('workflow', workflow, 'TERMINATED', { cause: 'terminate' });
    const request = trace.request('terminate-workflow', 'req-terminate', { args: { workflow } });
    trace.step(0, 'end', {}, { outcome: 'ok' });
    trace.atWall(begin.wallMs + bound + 1);
    trace.move('task', task, 'CANCELED', { cause: 'engine', detail: 'sweeper' });
    trace.end();
    expectViolated(trace.build(), 'WF-TERMINATE-02', { entity: task, seq: request.seq });
  });

  it('is unknown when the trace ends before the bound with the task still open', () => {
    const story = terminateStory({ ...conductor303, endAfterMs: bound - 1 });
    expectUnknown(story.events, 'WF-TERMINATE-02', workflow);
  });
});

/**
 * A workflow whose task's worker the nemesis kills just before a terminate: the engine
 * hears of the death after the terminate step began, fails the task and the workflow,
 * and only then handles the terminate, which it answers `outcome` (the reference engine:
 * a definite conflict). With `terminatedAnyway`, the engine writes the workflow
 * TERMINATED after all and leaves a second task IN_PROGRESS.
 */
function workerKilledBeforeTerminate(outcome: 'fail' | 'info', options: { terminatedAnyway?: boolean } = {}) {
  const secondTask = 'task-2';
  const trace = new TraceBuilder();
  trace.meta();
  trace.atWall(10);
  trace.step(0, 'begin', { startWorkflow: { workflow } });
  startWorkflowWithTask(trace, { workflow, task, taskPid });
  if (options.terminatedAnyway) {
    trace.move('task', secondTask, 'SCHEDULED', { parentId: workflow, cause: 'decide' });
    trace.move('task', secondTask, 'IN_PROGRESS', { cause: 'poll' });
  }
  trace.request('start-workflow', 'req-start', { args: { workflow } });
  trace.step(0, 'end', {}, { outcome: 'ok' });
  trace.observe('workflow', workflow, 'RUNNING', { archived: false });
  trace.observe('task', task, 'IN_PROGRESS', { parentId: workflow });
  trace.observeProcess(taskPid, task, true);
  trace.atWall(1000);
  trace.step(1, 'begin', { kill: { task } });
  trace.fault('inject', 'worker-kill', { target: task, pid: taskPid });
  trace.step(1, 'end', {}, { outcome: 'ok' });
  trace.atWall(1005);
  const begin = trace.step(2, 'begin', { terminate: { workflow } });
  trace.processEvent('exit', task, { pid: taskPid, signal: 'SIGKILL', code: null });
  trace.move('task', task, 'FAILED', { cause: 'process-killed', signal: 'SIGKILL' });
  trace.move('workflow', workflow, 'FAILED', { cause: 'task-failed' });
  if (options.terminatedAnyway) trace.transition('workflow', workflow, 'FAILED', 'TERMINATED', { cause: 'terminate' });
  const request = trace.request('terminate-workflow', 'req-terminate', {
    args: { workflow },
    outcome,
    answer: { error: `conflict: workflow ${workflow} is FAILED; only a running or paused workflow can be terminated` },
  });
  trace.step(2, 'end', {}, { outcome: 'ok' });
  trace.atWall(1050);
  trace.observe('workflow', workflow, options.terminatedAnyway ? 'TERMINATED' : 'FAILED', { archived: true });
  trace.observe('task', task, 'FAILED', { parentId: workflow });
  trace.observeProcess(taskPid, task, false, { seenAliveWallMs: 990 });
  trace.atWall(begin.wallMs + bound + 500).teardown();
  trace.afterWall(5).observeProcess(taskPid, task, false, { reason: 'scenario-end', seenAliveWallMs: 990 });
  trace.end();
  return { events: trace.build(), request, secondTask };
}

describe('WF-TERMINATE-02 and a worker killed just before the terminate', () => {
  it('holds, and judges nothing, when the workflow failed first and the terminate was answered fail (it did not happen)', () => {
    const verdict = expectHolds(workerKilledBeforeTerminate('fail').events, 'WF-TERMINATE-02', { alone: true });
    expect(verdict.exercised).toBe(0);
  });

  it('holds when the answer is not known (info) but the workflow had failed first and never became TERMINATED', () => {
    expectHolds(workerKilledBeforeTerminate('info').events, 'WF-TERMINATE-02', { alone: true });
  });

  it('still judges a terminate answered fail or info that the workflow shows took effect (TERMINATED, a task left IN_PROGRESS)', () => {
    for (const outcome of ['fail', 'info'] as const) {
      const story = workerKilledBeforeTerminate(outcome, { terminatedAnyway: true });
      const violation = expectViolated(story.events, 'WF-TERMINATE-02', { entity: story.secondTask, seq: story.request.seq });
      expect(violation.message).toContain(`answered ${outcome}`);
    }
  });
});

describe('WF-LISTENER-01: a failing listener call is retried or dead-lettered', () => {
  it('holds when the failed call is retried and succeeds', () => {
    expectHolds(terminateStory({ listener: 'error-retried' }).events, 'WF-LISTENER-01');
  });

  it('holds when every attempt fails and the call is dead-lettered after listenerAttemptsMax', () => {
    const story = terminateStory({ listener: 'error-dead-lettered' });
    const attempts = story.events.filter((event) => event.kind === 'side-effect' && event.outcome === 'error');
    expect(attempts).toHaveLength(story.bounds.listenerAttemptsMax);
    expectHolds(story.events, 'WF-LISTENER-01');
  });

  it('is violated by a listener error that is never retried (conductor-303)', () => {
    const story = terminateStory({ listener: 'error-dropped' });
    const violation = expectViolated(story.events, 'WF-LISTENER-01', { entity: workflow, seq: story.listenerFailure!.seq });
    expect(violation.message).toContain(listener);
  });

  it('is violated by the last of several failed attempts when nothing follows it', () => {
    const trace = new TraceBuilder();
    trace.meta();
    trace.sideEffect(listener, workflow, 1, 'error', 'Error: archive store down');
    const last = trace.afterWall(100).sideEffect(listener, workflow, 2, 'error', 'Error: archive store down');
    trace.atWall(last.wallMs + bound).end();
    const verdict = judge(trace.build(), 'WF-LISTENER-01');
    expect(verdict.violations.map((violation) => violation.seq)).toEqual([last.seq]);
    expectViolated(trace.build(), 'WF-LISTENER-01', { entity: workflow, seq: last.seq });
  });

  it('does not take a retry of another listener or another target for this one', () => {
    const trace = new TraceBuilder();
    trace.meta();
    const failure = trace.sideEffect(listener, workflow, 1, 'error', 'Error: archive store down');
    trace.afterWall(100).sideEffect('notify', workflow, 2, 'ok');
    trace.sideEffect(listener, 'wf-other', 2, 'ok');
    trace.atWall(failure.wallMs + bound).end();
    expectViolated(trace.build(), 'WF-LISTENER-01', { entity: workflow, seq: failure.seq });
  });

  it('is violated by a listener called again after it succeeded, with no new status in between', () => {
    const trace = new TraceBuilder();
    trace.meta();
    trace.move('workflow', workflow, 'RUNNING');
    trace.sideEffect(listener, workflow, 1, 'error', 'Error: archive store down');
    trace.afterWall(100).sideEffect(listener, workflow, 2, 'ok');
    expectHolds(trace.build(), 'WF-LISTENER-01', { alone: true });
    // The engine kept the retry and calls again on its next tick, with the same attempt number.
    const again = trace.afterWall(50).sideEffect(listener, workflow, 2, 'ok');
    trace.end();
    const violation = expectViolated(trace.build(), 'WF-LISTENER-01', { entity: workflow, seq: again.seq });
    expect(violation.message).toContain('after it succeeded');
  });

  it('counts the calls itself: more than listenerAttemptsMax in one status is a violation, whatever attempt numbers the engine writes', () => {
    const trace = new TraceBuilder();
    trace.meta();
    trace.move('workflow', workflow, 'RUNNING');
    const attemptsMax = defaultBounds.listenerAttemptsMax;
    let last = trace.sideEffect(listener, workflow, 1, 'error', 'Error: archive store down');
    for (let call = 2; call <= attemptsMax + 1; call += 1) last = trace.afterWall(100).sideEffect(listener, workflow, 2, 'error', 'Error: archive store down');
    trace.afterWall(100).sideEffect(listener, workflow, 2, 'dead-letter', 'Error: archive store down');
    trace.end();
    const violation = expectViolated(trace.build(), 'WF-LISTENER-01', { entity: workflow, seq: last.seq });
    expect(violation.message).toContain(`${attemptsMax + 1} times`);
  });

  it('lets each new status of the workflow be notified afresh', () => {
    const trace = new TraceBuilder();
    trace.meta();
    trace.move('workflow', workflow, 'RUNNING');
    trace.move('workflow', workflow, 'PAUSED');
    trace.sideEffect(listener, workflow, 1, 'ok');
    trace.move('workflow', workflow, 'RUNNING');
    trace.afterWall(10).sideEffect(listener, workflow, 1, 'ok');
    trace.end();
    expectHolds(trace.build(), 'WF-LISTENER-01');
  });

  it('is unknown when the trace ends before a retry could be seen', () => {
    const story = terminateStory({ listener: 'error-dropped', endAfterMs: bound - 1 });
    expectUnknown(story.events, 'WF-LISTENER-01', workflow);
  });
});

describe('WF-TERMINATE-03: a second terminate of a TERMINATED workflow is a no-op answered ok', () => {
  it('holds for a second terminate answered ok that changes nothing', () => {
    const story = terminateStory({ secondTerminate: 'noop' });
    expect(story.secondTerminate?.outcome).toBe('ok');
    expectHolds(story.events, 'WF-TERMINATE-03');
  });

  it('is violated by a second terminate answered fail', () => {
    const story = terminateStory({ secondTerminate: 'fail' });
    const violation = expectViolated(story.events, 'WF-TERMINATE-03', { entity: workflow, seq: story.secondTerminate!.seq });
    expect(violation.message).toContain('fail');
  });

  it('is violated by a second terminate that writes a transition of the workflow', () => {
    const story = terminateStory({ secondTerminate: 'transition' });
    const violation = expectViolated(story.events, 'WF-TERMINATE-03', { entity: workflow, seq: story.secondTerminateEffect!.seq });
    expect(violation.message).toContain('transition');
  });

  it('is violated by a second terminate that calls the listener again', () => {
    const story = terminateStory({ secondTerminate: 'listener' });
    const violation = expectViolated(story.events, 'WF-TERMINATE-03', { entity: workflow, seq: story.secondTerminateEffect!.seq });
    expect(violation.message).toContain('side-effect');
  });

  it('does not judge the first terminate, even when it fails', () => {
    const story = terminateStory(conductor303);
    expect(story.terminate.outcome).toBe('fail');
    expectHolds(story.events, 'WF-TERMINATE-03', { alone: true });
  });
});

/**
 * Regressions: checker defects found while writing these tests, each fixed; the test
 * states what the clause says so the defect cannot come back.
 */
describe('checker regressions', () => {
  it('WF-TERMINATE-02 should require the workflow to reach TERMINATED and its tasks CANCELED', () => {
    // The terminate is answered ok, yet the workflow stays RUNNING and its task simply
    // completes. The checker used to accept any terminal task state and never look at the
    // workflow, though the clause names both core steps.
    const trace = new TraceBuilder();
    trace.meta();
    startWorkflowWithTask(trace, { workflow, task });
    trace.atWall(1000);
    trace.step(0, 'begin', { terminate: { workflow } });
    trace.request('terminate-workflow', 'req-terminate', { args: { workflow } });
    trace.step(0, 'end', {}, { outcome: 'ok' });
    trace.afterWall(100).move('task', task, 'COMPLETED', { cause: 'task-completed' });
    trace.atWall(1000 + bound + 1).end();
    expect(judge(trace.build(), 'WF-TERMINATE-02').valid).toBe(false);
  });

  it('WF-LISTENER-01 should not accept more than listenerAttemptsMax failed attempts before a dead-letter', () => {
    // The checker only asks that each error be followed by something; a listener retried
    // twice as often as listenerAttemptsMax allows, or for ever, passes.
    const trace = new TraceBuilder();
    trace.meta();
    const attemptsMax = trace.bounds.listenerAttemptsMax;
    for (let attempt = 1; attempt <= 2 * attemptsMax; attempt += 1) trace.afterWall(10).sideEffect(listener, workflow, attempt, 'error', 'Error: archive store down');
    trace.afterWall(10).sideEffect(listener, workflow, 2 * attemptsMax + 1, 'ok');
    trace.afterWall(bound).end();
    expectViolated(trace.build(), 'WF-LISTENER-01', { entity: workflow });
  });
});
