/**
 * Goal: RESTART-01/02 say what a crash may not cost. After the nemesis SIGKILLs the
 * engine and starts a new engine process on its data, (01) the query API shows every
 * entity it showed or acknowledged before, none read back gone, each in a state
 * reachable from its last one; (02) every process the crash left behind is adopted (its
 * run still shown holding a process, and not started again beside it) or killed within
 * restartBoundMs, and none is left alive and unowned at the end. Both judge what the
 * harness saw, count from the restart, say 'unknown' when the trace ends before the
 * bound, and ask nothing when the engine was never restarted.
 * Method: `restartStory` starts run-1 (one worker, pid 5301, leading its group) and
 * run-2 (read back COMPLETED), crashes the engine at wall 1000 ms and restarts it at
 * 2000 ms; knobs say what the restarted engine shows and does with the left-behind
 * worker. The defaults are a conformant engine that adopts the worker, whose run
 * completes 1000 ms after the restart.
 */
import { describe, expect, it } from 'vitest';
import { checkTrace } from '../../harness/checker/check.ts';
import { scenarioEndReason } from '../../harness/checker/process.ts';
import { defaultBounds, type Bounds, type TraceEvent } from '../../trace/events.ts';
import { createRun, startRun } from './fixtures.ts';
import { TraceBuilder } from './trace-builder.ts';
import { expectHolds, expectUnknown, expectViolated, judge } from './verdicts.ts';

const bound = defaultBounds.restartBoundMs;
const ids = { running: 'run-1', done: 'run-2', late: 'run-3', pid: 5301, rerunPid: 5302, orphanChild: 5303, enginePid: 900, restartedPid: 901 } as const;
const crashAt = 1000;
const restartAt = 2000;

interface RestartOptions {
  bounds?: Partial<Bounds>;
  /** What the restarted engine shows of run-2 (COMPLETED before the crash): as it was, gone, or RUNNING again. */
  done?: 'shown' | 'gone' | 'unreachable';
  /** run-3, started (ok) just before the crash and never read back before it: shown after the restart at this many ms, or never (null). */
  lateShownAfterMs?: number | null;
  /** What becomes of run-1's left-behind worker (pid 5301). */
  worker?:
    | 'adopted' // run-1 stays RUNNING; the worker exits 1000 ms after the restart and run-1 COMPLETES
    | 'killed' // run-1 is marked CRASHED and the worker killed at 100 ms
    | 'orphaned' // run-1 is marked CRASHED at 100 ms, the worker lives on
    | 'rerun' // run-1 stays RUNNING but is started again in a new process; the old one lives on
    | 'dropped-later'; // adopted at first; after the bound run-1 is marked CRASHED and the worker lives on
  /** Wall ms after the restart when the killed worker dies (worker 'killed'). */
  killedAfterMs?: number;
  /** The worker forks a child while the engine is down (also left behind); killed with it. */
  childWhileDown?: boolean;
  /** Never restart the engine. */
  noRestart?: boolean;
  /** Wall ms after the restart when the trace reaches teardown. */
  endAfterMs?: number;
}

interface RestartStory {
  events: TraceEvent[];
  restart: TraceEvent | undefined;
  /** The read-back of run-2 after the restart (gone or unreachable), if any. */
  doneRead: TraceEvent | undefined;
  /** run-3's acknowledgement. */
  lateAck: TraceEvent;
  /** The last /proc look at the left-behind worker before teardown. */
  workerLastSeen: TraceEvent;
}

function restartStory(options: RestartOptions = {}): RestartStory {
  const bounds = { ...defaultBounds, ...options.bounds };
  const worker = options.worker ?? 'adopted';
  const trace = new TraceBuilder();
  trace.meta(bounds);
  trace.atWall(10);
  for (const [index, id] of [ids.running, ids.done].entries()) {
    trace.step(index, 'begin', { start: { run: id } });
    createRun(trace, id, {}, { cause: 'execute' });
    startRun(trace, id);
    trace.request('start-run', `op-${index + 1}`, { args: { run: id } });
    trace.step(index, 'end', {}, { outcome: 'ok' });
  }
  trace.processEvent('spawn', ids.running, { pid: ids.pid });
  trace.processEvent('spawn', ids.done, { pid: 5399 });
  trace.atWall(20);
  trace.observe('run', ids.running, 'RUNNING');
  trace.observe('run', ids.done, 'RUNNING');
  let workerLastSeen: TraceEvent = trace.observeProcess(ids.pid, ids.running, true, { groupId: ids.pid });
  trace.observeProcess(5399, ids.done, true, { groupId: 5399 });
  trace.atWall(300);
  trace.move('run', ids.done, 'COMPLETED', { cause: 'process-exited' });
  trace.observe('run', ids.done, 'COMPLETED');
  trace.observeProcess(5399, ids.done, false);

  trace.atWall(crashAt - 10);
  trace.step(2, 'begin', { start: { run: ids.late } });
  createRun(trace, ids.late, {}, { cause: 'execute' });
  const lateAck = trace.request('start-run', 'op-3', { args: { run: ids.late } });
  trace.step(2, 'end', {}, { outcome: 'ok' });

  trace.atWall(crashAt);
  trace.step(3, 'begin', { crash: {} });
  trace.fault('inject', 'engine-crash', { pid: ids.enginePid });
  trace.step(3, 'end', {}, { outcome: 'ok' });
  if (options.childWhileDown) trace.atWall(crashAt + 300).observeProcess(ids.orphanChild, ids.running, true, { groupId: ids.pid });

  const endAt = restartAt + (options.endAfterMs ?? bound + 500);
  let restart: TraceEvent | undefined;
  let doneRead: TraceEvent | undefined;
  if (!options.noRestart) {
    trace.atWall(restartAt);
    trace.step(4, 'begin', { restart: {} });
    restart = trace.fault('clear', 'engine-crash', { pid: ids.restartedPid });
    trace.step(4, 'end', {}, { outcome: 'ok' });
    const actions: Array<{ at: number; write: () => void }> = [];
    const at = (afterMs: number, write: () => void) => actions.push({ at: restartAt + afterMs, write });
    if (options.done === 'gone') at(50, () => (doneRead = trace.observe('run', ids.done, null)));
    if (options.done === 'unreachable') at(50, () => (doneRead = trace.observe('run', ids.done, 'RUNNING')));
    const lateShownAfterMs = options.lateShownAfterMs === undefined ? 50 : options.lateShownAfterMs;
    if (lateShownAfterMs !== null) at(lateShownAfterMs, () => trace.observe('run', ids.late, 'SCHEDULED'));
    const killWorker = (afterMs: number) =>
      at(afterMs, () => {
        workerLastSeen = trace.observeProcess(ids.pid, ids.running, false);
        if (options.childWhileDown) trace.observeProcess(ids.orphanChild, ids.running, false);
      });
    switch (worker) {
      case 'adopted':
        at(1000, () => {
          workerLastSeen = trace.observeProcess(ids.pid, ids.running, false);
          if (options.childWhileDown) trace.observeProcess(ids.orphanChild, ids.running, false);
          trace.move('run', ids.running, 'COMPLETED', { cause: 'recovery', detail: 'adopted worker exited 0' });
          trace.observe('run', ids.running, 'COMPLETED');
        });
        break;
      case 'killed':
        at(100, () => {
          trace.move('run', ids.running, 'CRASHED', { cause: 'recovery' });
          trace.observe('run', ids.running, 'CRASHED');
        });
        killWorker(options.killedAfterMs ?? 120);
        break;
      case 'orphaned':
        at(100, () => {
          trace.move('run', ids.running, 'CRASHED', { cause: 'recovery' });
          trace.observe('run', ids.running, 'CRASHED');
        });
        break;
      case 'rerun':
        at(100, () => {
          trace.processEvent('spawn', ids.running, { pid: ids.rerunPid });
          trace.observeProcess(ids.rerunPid, ids.running, true, { groupId: ids.rerunPid });
        });
        break;
      case 'dropped-later':
        at(bound + 200, () => {
          trace.move('run', ids.running, 'CRASHED', { cause: 'recovery' });
          trace.observe('run', ids.running, 'CRASHED');
        });
        break;
    }
    actions.sort((a, b) => a.at - b.at);
    for (const action of actions) {
      if (action.at > endAt) continue;
      trace.atWall(action.at);
      action.write();
    }
  }
  trace.atWall(endAt);
  trace.teardown();
  // The harness kills what is left; the final sweep reads everything dead.
  const leftAlive = [ids.pid, ...(worker === 'rerun' ? [ids.rerunPid] : []), ...(options.childWhileDown ? [ids.orphanChild] : [])];
  for (const pid of leftAlive) trace.observeProcess(pid, ids.running, false, { reason: scenarioEndReason });
  trace.end();
  return { events: trace.build(), restart, doneRead, lateAck, workerLastSeen };
}

describe('RESTART-01: after a restart every entity is shown again, in a state reachable from its last one', () => {
  it('holds when the restarted engine shows every run as it was, or moved on legally', () => {
    expectHolds(restartStory().events, 'RESTART-01');
  });

  it('is violated by a run read back as gone after the restart', () => {
    const story = restartStory({ done: 'gone' });
    const violation = expectViolated(story.events, 'RESTART-01', { entity: ids.done, seq: story.doneRead!.seq });
    expect(violation.message).toContain('read back as gone');
    expect(violation.message).toContain('COMPLETED');
    expect(violation.message).toContain(`seq ${story.restart!.seq}`);
  });

  it('is violated by a run shown in a state its machine cannot reach from the last one (COMPLETED → RUNNING)', () => {
    const story = restartStory({ done: 'unreachable' });
    const violation = expectViolated(story.events, 'RESTART-01', { entity: ids.done, seq: story.doneRead!.seq });
    expect(violation.message).toContain('cannot reach from COMPLETED');
  });

  it('is violated by a run acknowledged before the crash and never shown after it, and holds when shown at the bound', () => {
    expectHolds(restartStory({ lateShownAfterMs: bound }).events, 'RESTART-01', { alone: true });
    const lost = restartStory({ lateShownAfterMs: null });
    const violation = expectViolated(lost.events, 'RESTART-01', { entity: ids.late, seq: lost.lateAck.seq });
    expect(violation.message).toContain(`restartBoundMs ${bound} ms`);
    const late = restartStory({ lateShownAfterMs: bound + 1 });
    expect(expectViolated(late.events, 'RESTART-01', { entity: ids.late }).message).toContain(`${bound + 1} ms after the restart`);
  });

  it('is unknown when the trace ends before the bound, with no read-back after the restart', () => {
    expectUnknown(restartStory({ endAfterMs: bound - 1, lateShownAfterMs: null }).events, 'RESTART-01', ids.done);
  });

  it('asks nothing when the engine was never restarted', () => {
    expect(judge(restartStory({ noRestart: true }).events, 'RESTART-01').valid).toBe(true);
  });
});

describe('RESTART-02: processes a crash left behind are adopted or killed within restartBoundMs', () => {
  it('holds when the restarted engine adopts the worker and its run completes', () => {
    expectHolds(restartStory().events, 'RESTART-02');
    expectHolds(restartStory({ childWhileDown: true }).events, 'RESTART-02');
  });

  it('holds when the restarted engine marks the run CRASHED and kills the worker', () => {
    expectHolds(restartStory({ worker: 'killed' }).events, 'RESTART-02');
  });

  it('holds when the kill lands at the bound, and is violated 1 ms after it', () => {
    expectHolds(restartStory({ worker: 'killed', killedAfterMs: bound }).events, 'RESTART-02', { alone: true });
    const late = restartStory({ worker: 'killed', killedAfterMs: bound + 1 });
    const violation = expectViolated(late.events, 'RESTART-02', { entity: ids.running });
    expect(violation.message).toContain(`process ${ids.pid}`);
    expect(violation.message).toContain(`${bound} ms after the restart`);
    expect(violation.message).toContain('neither adopted nor killed');
  });

  it('is violated by a worker left running while its run is shown CRASHED (Prefect: crashed infrastructure must not run on)', () => {
    const story = restartStory({ worker: 'orphaned' });
    const violation = expectViolated(story.events, 'RESTART-02', { entity: ids.running });
    expect(violation.message).toContain('read back CRASHED');
    expect(violation.message).toContain(`restartBoundMs ${bound} ms`);
  });

  it('is violated by a child the worker forked while the engine was down, left alive', () => {
    const story = restartStory({ worker: 'orphaned', childWhileDown: true });
    const verdict = judge(story.events, 'RESTART-02');
    expect(verdict.violations.map((violation) => violation.message).join('\n')).toContain(`process ${ids.orphanChild}`);
  });

  it('is violated when the restarted engine runs the work again beside the old worker', () => {
    const violation = expectViolated(restartStory({ worker: 'rerun' }).events, 'RESTART-02', { entity: ids.running });
    expect(violation.message).toContain(`new process ${ids.rerunPid}`);
    expect(violation.message).toContain('runs twice');
  });

  it('is violated by a worker adopted at first, then left alive and unowned at the end', () => {
    const violation = expectViolated(restartStory({ worker: 'dropped-later' }).events, 'RESTART-02', { entity: ids.running });
    expect(violation.message).toContain('when the scenario ended');
    expect(violation.message).toContain('unowned');
  });

  it('is unknown when the trace ends before the bound with the worker alive and not adopted', () => {
    expectUnknown(restartStory({ worker: 'orphaned', endAfterMs: bound - 1 }).events, 'RESTART-02', ids.running);
  });

  it('asks nothing when the engine was never restarted (PROCESS-01 judges the final sweep)', () => {
    expect(judge(restartStory({ noRestart: true }).events, 'RESTART-02').valid).toBe(true);
  });
});

/**
 * Goal: a check tells the runner how long to keep looking. While a bound is still open
 * past the end of the history (here the restart bound of a left-behind worker), the check
 * names the wall time at which it passes, so the runner can look until then and get a
 * verdict, not unknown; once the history covers it, nothing is open.
 */
describe('open bounds after the last step', () => {
  it('names the end of the restart bound while the trace ends before it', () => {
    const { openBoundsEndWallMs } = checkTrace(restartStory({ worker: 'orphaned', endAfterMs: bound - 1 }).events);
    expect(openBoundsEndWallMs).toBe(restartAt + bound);
  });

  it('names none once the trace reaches past every bound', () => {
    expect(checkTrace(restartStory({ worker: 'orphaned' }).events).openBoundsEndWallMs).toBeNull();
  });
});
