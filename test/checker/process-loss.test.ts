/**
 * Goal: PROCESS-LOSS-01/02 catch a run (task) left RUNNING (IN_PROGRESS) after its
 * process died without reporting: the shape of taskforcesh/bullmq PR #2979 (a sandboxed
 * job active for ever once its child process was killed), which Prefect answers by
 * marking the run CRASHED and Conductor by timing the task out and retrying it. They
 * judge what the harness saw (read-backs and /proc), not what the engine pushed; they
 * leave alone a death the engine caused by a cancel or terminate; they count the bound
 * from the engine's restart (or continue) when it was down; and they say 'unknown' when
 * the trace ends before the bound or with the engine still down.
 * Method: `lossStory` writes one run (or one task of a workflow) with one worker
 * process, which the nemesis SIGKILLs (`worker-kill`) at wall 1000 ms; the harness's next
 * look sees it dead. Its knobs say when (or whether) the engine shows the entity out of
 * its running state, and whether the engine crashes or is stopped around the death. The
 * defaults are a conformant engine (CRASHED / FAILED 300 ms after the death).
 */
import { describe, expect, it } from 'vitest';
import { scenarioEndReason } from '../../harness/checker/process.ts';
import { defaultBounds, type Bounds, type TraceEvent } from '../../trace/events.ts';
import { createRun, startRun } from './fixtures.ts';
import { TraceBuilder } from './trace-builder.ts';
import { expectHolds, expectUnknown, expectViolated, judge } from './verdicts.ts';

const bound = defaultBounds.processLossBoundMs;
const enginePid = 900;
const restartedPid = 901;

interface LossOptions {
  entity?: 'run' | 'task';
  bounds?: Partial<Bounds>;
  /** Wall ms after the death when the engine shows the entity out of its running state; null: never. */
  leftAfterMs?: number | null;
  /** With `leftAfterMs: null`: the engine pushes the move all the same, but the query API keeps showing the old state. */
  pushedOnly?: boolean;
  /** Wall ms after the death when a new process of the entity is seen alive (a new attempt); none by default. */
  newProcessAfterMs?: number;
  /** The engine is crashed from `at` to `until` wall ms after the death (negative: before it); `until` null: never restarted. */
  crash?: { at: number; until: number | null };
  /** The engine is stopped (SIGSTOP) over this stretch, wall ms after the death. */
  pause?: { at: number; until: number };
  /** The run is cancelled (ok) just before its process is killed, and the query API still shows RUNNING until CANCELLED. */
  cancelledFirst?: boolean;
  /** Wall ms after the death when the trace reaches teardown. */
  endAfterMs?: number;
}

interface LossStory {
  events: TraceEvent[];
  /** The look that saw the worker dead (the loss begins there). */
  death: TraceEvent;
  /** The read-back that showed the entity out of its running state. */
  left: TraceEvent | undefined;
  /** When the engine came back up (its restart or continue), if it was down at the death. */
  backUpWallMs: number | undefined;
}

const ids = { run: 'run-7', workflow: 'wf-7', task: 'task-7', pid: 5101, retryPid: 5102 } as const;

function lossStory(options: LossOptions = {}): LossStory {
  const entity = options.entity ?? 'run';
  const bounds = { ...defaultBounds, ...options.bounds };
  const id = entity === 'run' ? ids.run : ids.task;
  const running = entity === 'run' ? 'RUNNING' : 'IN_PROGRESS';
  const trace = new TraceBuilder();
  trace.meta(bounds);
  trace.atWall(10);
  if (entity === 'run') {
    trace.step(0, 'begin', { start: { run: id } });
    createRun(trace, id, { retries: 1 }, { cause: 'execute' });
    startRun(trace, id);
    trace.request('start-run', 'op-1', { args: { run: id } });
  } else {
    trace.step(0, 'begin', { startWorkflow: { workflow: ids.workflow } });
    trace.move('workflow', ids.workflow, 'RUNNING', { cause: 'start-workflow' });
    trace.move('task', id, 'SCHEDULED', { parentId: ids.workflow, cause: 'decide' });
    trace.move('task', id, 'IN_PROGRESS', { cause: 'poll' });
    trace.request('start-workflow', 'op-1', { args: { workflow: ids.workflow } });
  }
  trace.processEvent('spawn', id, { pid: ids.pid });
  trace.step(0, 'end', {}, { outcome: 'ok' });
  trace.atWall(20);
  if (entity === 'task') trace.observe('workflow', ids.workflow, 'RUNNING', { archived: false });
  trace.observe(entity, id, running, { parentId: entity === 'task' ? ids.workflow : null });
  trace.observeProcess(ids.pid, id, true, { groupId: ids.pid });

  const t0 = 1000;
  const downs: Array<{ at: number; write: () => void }> = [];
  if (options.crash) {
    const { at, until } = options.crash;
    downs.push({ at: t0 + at, write: () => trace.fault('inject', 'engine-crash', { pid: enginePid }) });
    if (until !== null) downs.push({ at: t0 + until, write: () => trace.fault('clear', 'engine-crash', { pid: restartedPid }) });
  }
  if (options.pause) {
    downs.push({ at: t0 + options.pause.at, write: () => trace.fault('inject', 'engine-pause', { pid: enginePid }) });
    downs.push({ at: t0 + options.pause.until, write: () => trace.fault('clear', 'engine-pause', { pid: enginePid }) });
  }
  const isDown = (atMs: number) =>
    (options.crash !== undefined && atMs >= t0 + options.crash.at && (options.crash.until === null || atMs < t0 + options.crash.until)) ||
    (options.pause !== undefined && atMs >= t0 + options.pause.at && atMs < t0 + options.pause.until);
  const writeDownsUntil = (atMs: number) => {
    while (downs.length > 0 && downs[0]!.at <= atMs) {
      const down = downs.shift()!;
      trace.atWall(down.at);
      down.write();
    }
  };
  downs.sort((a, b) => a.at - b.at);

  writeDownsUntil(t0 - 1);
  trace.atWall(t0 - 1);
  if (options.cancelledFirst) {
    trace.step(1, 'begin', { cancel: { run: id } });
    trace.move('run', id, 'CANCELLING', { cause: 'cancel' });
    trace.request('cancel-run', 'op-2', { args: { run: id }, answer: { state: 'CANCELLING' } });
    trace.step(1, 'end', {}, { outcome: 'ok' });
  }
  writeDownsUntil(t0);
  trace.atWall(t0);
  trace.step(2, 'begin', { kill: { [entity]: id } });
  trace.fault('inject', 'worker-kill', { target: id, pid: ids.pid });
  trace.step(2, 'end', {}, { outcome: 'ok' });
  const death = trace.observeProcess(ids.pid, id, false);

  const endAt = t0 + (options.endAfterMs ?? bound + 500 + Math.max(0, options.crash?.until ?? 0, options.pause?.until ?? 0));
  const backUpWallMs = isDown(t0) ? t0 + (options.crash?.until ?? options.pause?.until ?? 0) : undefined;
  const leftAfterMs = options.leftAfterMs === undefined ? 300 : options.leftAfterMs;
  let left: TraceEvent | undefined;
  const moves: Array<{ at: number; write: () => void }> = [];
  if (options.cancelledFirst) {
    moves.push({ at: t0 + 200, write: () => (trace.move('run', id, 'CANCELLED', { cause: 'process-tree-killed' }), (left = trace.observe('run', id, 'CANCELLED'))) });
  } else if (options.newProcessAfterMs !== undefined) {
    moves.push({
      at: t0 + options.newProcessAfterMs,
      write: () => {
        trace.move('run', id, 'SCHEDULED/AwaitingRetry', { cause: 'retry-failed-flow' });
        startRun(trace, id, { retrying: true });
        trace.processEvent('spawn', id, { pid: ids.retryPid });
        trace.observe('run', id, 'RUNNING/Retrying');
        trace.observeProcess(ids.retryPid, id, true, { groupId: ids.retryPid });
      },
    });
    moves.push({
      at: t0 + options.newProcessAfterMs + 200,
      write: () => {
        trace.move('run', id, 'COMPLETED', { cause: 'process-exited' });
        trace.observe('run', id, 'COMPLETED');
        trace.observeProcess(ids.retryPid, id, false);
      },
    });
  } else if (leftAfterMs !== null) {
    moves.push({
      at: t0 + leftAfterMs,
      write: () => {
        if (entity === 'run') trace.move('run', id, 'CRASHED', { cause: 'process-killed', signal: 'SIGKILL' });
        else {
          trace.move('task', id, 'FAILED', { cause: 'process-killed', signal: 'SIGKILL' });
          trace.move('workflow', ids.workflow, 'FAILED', { cause: 'task-failed' });
        }
        // Its archive listener succeeded with the failure (WF-ARCHIVE-01).
        if (entity === 'task') trace.observe('workflow', ids.workflow, 'FAILED', { archived: true });
        left = trace.observe(entity, id, entity === 'run' ? 'CRASHED' : 'FAILED', { parentId: entity === 'task' ? ids.workflow : null });
      },
    });
  } else if (options.pushedOnly) {
    moves.push({ at: t0 + 100, write: () => trace.move(entity, id, entity === 'run' ? 'CRASHED' : 'FAILED', { cause: 'process-killed', signal: 'SIGKILL' }) });
  }
  for (const move of moves) {
    if (move.at > endAt) continue;
    writeDownsUntil(move.at);
    trace.atWall(Math.max(move.at, trace.nowWallMs));
    move.write();
  }
  writeDownsUntil(endAt);
  trace.atWall(endAt);
  trace.teardown();
  trace.observeProcess(ids.pid, id, false, { reason: scenarioEndReason });
  trace.end();
  return { events: trace.build(), death, left, backUpWallMs };
}

describe('PROCESS-LOSS-01: a run whose process died leaves RUNNING within processLossBoundMs', () => {
  it('holds when the engine marks the killed run CRASHED soon after', () => {
    expectHolds(lossStory().events, 'PROCESS-LOSS-01');
  });

  it('holds when it leaves exactly at the bound, and is violated 1 ms after it, naming run, pid and numbers', () => {
    expectHolds(lossStory({ leftAfterMs: bound }).events, 'PROCESS-LOSS-01', { alone: true });
    const late = lossStory({ leftAfterMs: bound + 1 });
    const violation = expectViolated(late.events, 'PROCESS-LOSS-01', { entity: ids.run, seq: late.left!.seq });
    expect(violation.message).toContain(`${bound + 1} ms`);
    expect(violation.message).toContain(`pid ${ids.pid}`);
    expect(violation.message).toContain(`processLossBoundMs ${bound} ms`);
    expect(violation.message).toContain('read back CRASHED');
  });

  it('is violated by a run left RUNNING for ever once its process was killed (bullmq PR #2979)', () => {
    const story = lossStory({ leftAfterMs: null });
    const violation = expectViolated(story.events, 'PROCESS-LOSS-01', { entity: ids.run, seq: story.death.seq });
    expect(violation.message).toContain('never left RUNNING');
    expect(violation.message).toContain('SIGKILLed by the nemesis');
    expect(violation.message).toContain(`${bound} ms`);
    expect(violation.message).toContain('pushed no transition');
  });

  it('judges the query API, not the engine’s word: a pushed CRASHED the query never shows is still a violation', () => {
    const story = lossStory({ leftAfterMs: null, pushedOnly: true });
    const violation = expectViolated(story.events, 'PROCESS-LOSS-01', { entity: ids.run });
    expect(violation.message).toContain('the engine pushed RUNNING → CRASHED');
    expect(violation.message).toContain('kept showing RUNNING');
  });

  it('holds when the run starts a new attempt whose process is seen alive (retry)', () => {
    expectHolds(lossStory({ newProcessAfterMs: 400 }).events, 'PROCESS-LOSS-01');
  });

  it('leaves a death the engine caused by a cancel to the cancel clauses, even while the query still shows RUNNING', () => {
    expectHolds(lossStory({ cancelledFirst: true }).events, 'PROCESS-LOSS-01', { alone: true });
  });

  it('is unknown when the trace ends before the bound, with the run still RUNNING', () => {
    const story = lossStory({ leftAfterMs: null, endAfterMs: bound - 1 });
    const verdict = expectUnknown(story.events, 'PROCESS-LOSS-01', ids.run);
    expect(verdict.unknownReasons.join(' ')).toContain('the trace ends 1 ms before');
  });

  it('counts the bound from the restart when the process died while the engine was crashed', () => {
    const crash = { at: -500, until: 2000 };
    expectHolds(lossStory({ crash, leftAfterMs: crash.until + bound }).events, 'PROCESS-LOSS-01');
    const late = lossStory({ crash, leftAfterMs: crash.until + bound + 1 });
    expect(late.backUpWallMs).toBe(1000 + crash.until);
    const violation = expectViolated(late.events, 'PROCESS-LOSS-01', { entity: ids.run, seq: late.left!.seq });
    expect(violation.message).toContain(`counted from when the engine was restarted, at ${late.backUpWallMs} ms`);
  });

  it('counts the bound from the restart when the engine crashed after the death, before the bound ran out', () => {
    const crash = { at: 1000, until: 6000 };
    expectHolds(lossStory({ crash, leftAfterMs: crash.until + 100 }).events, 'PROCESS-LOSS-01');
    expectViolated(lossStory({ crash, leftAfterMs: null }).events, 'PROCESS-LOSS-01', { entity: ids.run });
  });

  it('counts the bound from the continue when the engine was stopped (SIGSTOP)', () => {
    const pause = { at: -100, until: 1500 };
    expectHolds(lossStory({ pause, leftAfterMs: pause.until + bound - 1 }).events, 'PROCESS-LOSS-01', { alone: true });
    const violation = expectViolated(lossStory({ pause, leftAfterMs: pause.until + bound + 1 }).events, 'PROCESS-LOSS-01', { entity: ids.run });
    expect(violation.message).toContain('counted from when the engine was continued');
  });

  it('is unknown when the engine crashed and was never restarted', () => {
    const story = lossStory({ crash: { at: -500, until: null }, leftAfterMs: null });
    const verdict = expectUnknown(story.events, 'PROCESS-LOSS-01', ids.run);
    expect(verdict.unknownReasons.join(' ')).toContain('still down');
  });

  it('asks nothing of a trace with no read-backs (no situation the harness saw)', () => {
    const trace = new TraceBuilder();
    trace.meta();
    createRun(trace, 'run-x', {}, { cause: 'execute' });
    startRun(trace, 'run-x');
    trace.observeProcess(7001, 'run-x', true);
    trace.atWall(100).observeProcess(7001, 'run-x', false);
    trace.atWall(100 + bound + 10).teardown();
    trace.end();
    expect(judge(trace.build(), 'PROCESS-LOSS-01').valid).toBe(true);
  });
});

describe('PROCESS-LOSS-02: a task whose worker process died leaves IN_PROGRESS within processLossBoundMs', () => {
  it('holds when the engine fails the task soon after its worker is killed', () => {
    expectHolds(lossStory({ entity: 'task' }).events, 'PROCESS-LOSS-02');
  });

  it('is violated by a task left IN_PROGRESS for ever (Conductor: the sweeper must time it out)', () => {
    const story = lossStory({ entity: 'task', leftAfterMs: null });
    const violation = expectViolated(story.events, 'PROCESS-LOSS-02', { entity: ids.task, seq: story.death.seq });
    expect(violation.message).toContain('never left IN_PROGRESS');
    expect(violation.message).toContain(`pid ${ids.pid}`);
  });

  it('is violated 1 ms past the bound, and holds at it', () => {
    expectHolds(lossStory({ entity: 'task', leftAfterMs: bound }).events, 'PROCESS-LOSS-02', { alone: true });
    const late = lossStory({ entity: 'task', leftAfterMs: bound + 1 });
    const violation = expectViolated(late.events, 'PROCESS-LOSS-02', { entity: ids.task, seq: late.left!.seq });
    expect(violation.message).toContain(`${bound + 1} ms`);
  });

  it('is unknown when the trace ends before the bound', () => {
    expectUnknown(lossStory({ entity: 'task', leftAfterMs: null, endAfterMs: bound - 1 }).events, 'PROCESS-LOSS-02', ids.task);
  });

  it('does not judge runs, nor PROCESS-LOSS-01 tasks', () => {
    expect(judge(lossStory({ entity: 'task', leftAfterMs: null }).events, 'PROCESS-LOSS-01').valid).toBe(true);
    expect(judge(lossStory({ leftAfterMs: null }).events, 'PROCESS-LOSS-02').valid).toBe(true);
  });
});
