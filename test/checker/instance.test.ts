/**
 * Goal: the instance checkers (INSTANCE-01..04) catch the shapes of
 * apache/dolphinscheduler#16572 and its relatives (#15099, #8980): a request answered
 * success with no instance ever made, two instances for one request, an answer before the
 * command row is stored, a command that vanishes without CONSUMED or ERROR; they accept
 * the fixed engine's history and say 'unknown' where the trace ends before
 * instanceBoundMs, while no master could take the request yet, or with a command still
 * open. The bound of INSTANCE-01 runs from the ack, or from when a master joins
 * (`set-consumers`) if none was registered.
 * Method: `instanceStory` (test/checker/fixtures.ts) registers a master, then writes one
 * start-process-instance request, its command and the instance a master makes from it;
 * its defaults are the fixed engine, and each test turns one knob. Bounds come from the
 * trace's meta line.
 * Every violation must name the request or command and point at the event that shows it.
 * INSTANCE-05 (at the end): a request acknowledged before the engine crashed has exactly
 * one instance after the restart, within restartBoundMs (DolphinScheduler's failover of
 * a dead master's commands); `crashInstanceStory` crashes the engine after the ack and
 * restarts it 1000 ms later, and INSTANCE-01 leaves such requests to INSTANCE-05.
 */
import { describe, expect, it } from 'vitest';
import { defaultBounds, type TraceEvent } from '../../trace/events.ts';
import { instanceIds, instanceStory } from './fixtures.ts';
import { TraceBuilder } from './trace-builder.ts';
import { expectHolds, expectUnknown, expectViolated, judge } from './verdicts.ts';

const bound = defaultBounds.instanceBoundMs;
const { request, command } = instanceIds;

describe('INSTANCE-01: every acknowledged request yields an instance within instanceBoundMs', () => {
  it('holds when a master makes the instance soon after the ack', () => {
    expectHolds(instanceStory().events, 'INSTANCE-01');
  });

  it('holds when the instance comes exactly at the bound, and is violated 1 ms after it', () => {
    expectHolds(instanceStory({ consumedAfterMs: bound }).events, 'INSTANCE-01', { alone: true });
    const late = instanceStory({ consumedAfterMs: bound + 1 });
    const violation = expectViolated(late.events, 'INSTANCE-01', { entity: request, seq: late.instances[0]!.seq });
    expect(violation.message).toContain(`${bound + 1} ms`);
  });

  it('is violated by an acked request whose command is skipped and no instance ever made (dolphinscheduler-16572)', () => {
    const story = instanceStory({ instances: 0, commandFate: 'vanished-delete' });
    const violation = expectViolated(story.events, 'INSTANCE-01', { entity: request, seq: story.ack.seq });
    expect(violation.message).toContain(command);
  });

  it('asks nothing of a request answered fail or info (Jepsen: info may or may not take effect)', () => {
    for (const outcome of ['fail', 'info'] as const) {
      const story = instanceStory({ outcome, instances: 0, commandFate: 'error' });
      expectHolds(story.events, 'INSTANCE-01', { alone: true });
    }
  });

  it('is unknown while no consumer is registered: the bound has not started', () => {
    const story = instanceStory({ consumers: 0, instances: 0, commandFate: 'left-created' });
    expectUnknown(story.events, 'INSTANCE-01', request);
  });

  it('counts the bound from when a master joins, not from the ack', () => {
    const joinsAfterMs = 1000;
    const story = (instanceAfterJoinMs: number) =>
      instanceStory({ consumers: 0, consumerJoinsAfterMs: joinsAfterMs, consumedAfterMs: joinsAfterMs + instanceAfterJoinMs, endAfterMs: joinsAfterMs + bound + 500 });
    expectHolds(story(bound).events, 'INSTANCE-01', { alone: true });
    const late = story(bound + 1);
    const violation = expectViolated(late.events, 'INSTANCE-01', { entity: request, seq: late.instances[0]!.seq });
    expect(violation.message).toContain(`${bound + 1} ms after a consumer could take it`);
  });

  it('starts the bound again when every consumer left before it ran out and one joins later', () => {
    // Found by explore (seed 1, run 84): a burst whose masters all leave mid-way; the
    // requests they had not handled wait for the next master, which the bound must allow.
    const joinsAfterMs = 3000;
    const story = (instanceAfterJoinMs: number) =>
      instanceStory({ consumersLeaveAfterMs: 500, consumerJoinsAfterMs: joinsAfterMs, consumedAfterMs: joinsAfterMs + instanceAfterJoinMs, endAfterMs: joinsAfterMs + bound + 500 });
    expectHolds(story(100).events, 'INSTANCE-01', { alone: true });
    const late = story(bound + 1);
    const violation = expectViolated(late.events, 'INSTANCE-01', { entity: request, seq: late.instances[0]!.seq });
    expect(violation.message).toContain(`${bound + 1} ms after a consumer could take it`);
  });

  it('keeps the first start when the consumers leave only after the bound ran out', () => {
    const story = instanceStory({ consumersLeaveAfterMs: bound + 100, consumerJoinsAfterMs: bound + 1000, consumedAfterMs: bound + 1100, endAfterMs: bound + 3000 });
    const violation = expectViolated(story.events, 'INSTANCE-01', { entity: request, seq: story.instances[0]!.seq });
    expect(violation.message).toContain(`${bound + 1100} ms after a consumer could take it`);
  });

  it('is unknown when the trace ends before the bound with no instance yet', () => {
    const story = instanceStory({ instances: 0, commandFate: 'left-created', endAfterMs: bound - 1 });
    expectUnknown(story.events, 'INSTANCE-01', request);
  });
});

describe('INSTANCE-02: no request yields more than one instance', () => {
  it('holds for one instance per request', () => {
    expectHolds(instanceStory().events, 'INSTANCE-02');
  });

  it('is violated by two masters both making an instance from one command (#15099, #8980)', () => {
    const story = instanceStory({ instances: 2 });
    const violation = expectViolated(story.events, 'INSTANCE-02', { entity: request, seq: story.instances[1]!.seq });
    for (const instance of story.instances) expect(violation.message).toContain(instance.id);
  });

  it('keeps requests apart: one instance each for two requests holds', () => {
    const trace = new TraceBuilder();
    trace.meta();
    for (const requestId of ['req-a', 'req-b']) {
      trace.move('command', `cmd-${requestId}`, 'CREATED', { attributes: { requestId } });
      trace.request('start-process-instance', requestId, { args: { requestId }, answer: { ok: true, commandId: `cmd-${requestId}` } });
      trace.move('command', `cmd-${requestId}`, 'CLAIMED');
      trace.move('instance', `instance-${requestId}`, 'SUBMITTED_SUCCESS', { attributes: { requestId, commandId: `cmd-${requestId}` } });
      trace.move('command', `cmd-${requestId}`, 'CONSUMED');
    }
    trace.end();
    expectHolds(trace.build(), 'INSTANCE-02');
  });
});

describe('INSTANCE-03: a request is answered success only after its command is stored', () => {
  it('holds when the command row is written before the answer', () => {
    expectHolds(instanceStory().events, 'INSTANCE-03');
  });

  it('is violated by an answer written before the command row', () => {
    const story = instanceStory({ command: 'after-ack' });
    expectViolated(story.events, 'INSTANCE-03', { entity: request, seq: story.ack.seq });
  });

  it('is unknown, not violated, for an engine that writes no command lines and whose reads show none', () => {
    // No command transition is no evidence of no command: an engine need not push them.
    // Read-backs decide instead (test/checker/judged-from-outside.test.ts); this trace has none.
    const story = instanceStory({ command: 'none' });
    expectUnknown(story.events, 'INSTANCE-03', 'never had a command or an instance read back');
  });

  it('asks nothing of a request answered fail', () => {
    expectHolds(instanceStory({ command: 'none', outcome: 'fail', instances: 0 }).events, 'INSTANCE-03', { alone: true });
  });
});

describe('INSTANCE-04: every command ends CONSUMED or ERROR and never vanishes', () => {
  it('holds for a command CONSUMED, then deleted', () => {
    expectHolds(instanceStory().events, 'INSTANCE-04');
  });

  it('holds for a command moved to ERROR', () => {
    expectHolds(instanceStory({ instances: 0, commandFate: 'error', outcome: 'fail' }).events, 'INSTANCE-04', { alone: true });
  });

  it('is violated by a command deleted while CLAIMED (dolphinscheduler-16572: skipped with an INFO log)', () => {
    const story = instanceStory({ instances: 0, commandFate: 'vanished-delete' });
    const violation = expectViolated(story.events, 'INSTANCE-04', { entity: command, seq: story.commandGone!.seq });
    expect(violation.message).toContain('CLAIMED');
    expect(violation.message).toContain(request);
  });

  it('is violated by a command read back gone while CLAIMED', () => {
    const story = instanceStory({ instances: 0, commandFate: 'vanished-read' });
    expect(story.commandGone?.kind).toBe('observe');
    const violation = expectViolated(story.events, 'INSTANCE-04', { entity: command, seq: story.commandGone!.seq });
    expect(violation.message).toContain('CLAIMED');
  });

  it('is unknown when the trace ends with the command still CLAIMED', () => {
    const story = instanceStory({ instances: 0, commandFate: 'left-claimed' });
    const verdict = expectUnknown(story.events, 'INSTANCE-04', command);
    expect(verdict.unknownReasons.join(' ')).toContain('CLAIMED');
  });

  it('says false, not unknown, when one command vanished and another is still open', () => {
    const trace = new TraceBuilder();
    trace.meta();
    trace.move('command', 'cmd-open', 'CREATED', { attributes: { requestId: 'req-open' } });
    trace.move('command', 'cmd-gone', 'CREATED', { attributes: { requestId: 'req-gone' } });
    trace.del('command', 'cmd-gone', 'engine', { detail: 'slot check skipped' });
    trace.end();
    const verdict = judge(trace.build(), 'INSTANCE-04');
    expect(verdict.valid).toBe(false);
    expect(verdict.unknownReasons.join(' ')).toContain('cmd-open');
  });
});

// ---------------------------------------------------------------------------------------
// INSTANCE-05: requests acknowledged before a crash (DolphinScheduler master failover).

const restartBound = defaultBounds.restartBoundMs;
const crashedAtMs = 300;
const restartedAtMs = 1300;

interface CrashInstanceOptions {
  /** Instances made before the crash (0 or 1) and after the restart (0, 1), this many ms after it. */
  before?: number;
  afterRestartMs?: number | null;
  /** The one made before the crash is read back gone after the restart. */
  goneAfterRestart?: boolean;
  /** An instance the trace ties to no request (no transition) is read back after the restart. */
  unlinkedInstance?: boolean;
  /** Never restart the engine. */
  noRestart?: boolean;
  /** Wall ms after the restart when the trace ends. */
  endAfterMs?: number;
}

/**
 * One master; request req-1 acknowledged at wall 100 ms with its command stored; the
 * engine crashes at 300 ms and is restarted at 1300 ms. Instances and the command's end
 * follow the knobs; by default the restarted engine makes the one instance 500 ms after
 * the restart, consumes the command, and the trace ends restartBoundMs + 500 ms after it.
 */
function crashInstanceStory(options: CrashInstanceOptions = {}) {
  const trace = new TraceBuilder();
  trace.meta();
  trace.atWall(50);
  trace.request('set-consumers', 'req-consumers', { args: { count: 1 } });
  trace.atWall(100);
  trace.step(0, 'begin', { startProcessInstance: { requestId: request } });
  trace.move('command', command, 'CREATED', { cause: 'start-process-instance', attributes: { requestId: request } });
  const ack = trace.request('start-process-instance', request, { args: { requestId: request }, answer: { ok: true, commandId: command } });
  trace.step(0, 'end', {}, { outcome: 'ok' });
  const instances: TraceEvent[] = [];
  const make = (id: string) => {
    instances.push(trace.move('instance', id, 'SUBMITTED_SUCCESS', { cause: 'handle-command', attributes: { requestId: request, commandId: command } }));
    if (trace.lastOf('command', command)?.to === 'CREATED') {
      trace.move('command', command, 'CLAIMED', { cause: 'fetch' });
      trace.move('command', command, 'CONSUMED', { cause: 'handle-command' });
      trace.del('command', command, 'consumed');
    }
    trace.observe('instance', id, 'SUBMITTED_SUCCESS');
  };
  if ((options.before ?? 0) > 0) {
    trace.atWall(200);
    make('instance-1');
  }
  trace.atWall(crashedAtMs).fault('inject', 'engine-crash', { pid: 900 });
  let gone: TraceEvent | undefined;
  if (!options.noRestart) {
    trace.atWall(restartedAtMs).fault('clear', 'engine-crash', { pid: 901 });
    if (options.goneAfterRestart) gone = trace.atWall(restartedAtMs + 50).observe('instance', 'instance-1', null);
    if (options.unlinkedInstance) trace.atWall(restartedAtMs + 60).observe('instance', 'instance-x', 'SUBMITTED_SUCCESS');
    const afterRestartMs = options.afterRestartMs === undefined ? ((options.before ?? 0) > 0 ? null : 500) : options.afterRestartMs;
    if (afterRestartMs !== null) {
      trace.atWall(restartedAtMs + afterRestartMs);
      make(`instance-${instances.length + 1}`);
    }
  }
  trace.atWall(restartedAtMs + (options.endAfterMs ?? restartBound + 500));
  trace.teardown();
  trace.end();
  return { events: trace.build(), ack, instances, gone };
}

describe('INSTANCE-05: a request acknowledged before a crash has exactly one instance after the restart', () => {
  it('holds when the restarted engine makes the instance soon after the restart', () => {
    expectHolds(crashInstanceStory().events, 'INSTANCE-05');
  });

  it('holds when the instance made before the crash is still there, and none is made again', () => {
    expectHolds(crashInstanceStory({ before: 1 }).events, 'INSTANCE-05');
  });

  it('holds at restartBoundMs after the restart, and is violated 1 ms after it; INSTANCE-01 leaves such a request to it', () => {
    const atBound = crashInstanceStory({ afterRestartMs: restartBound });
    expectHolds(atBound.events, 'INSTANCE-05', { alone: true });
    expect(judge(atBound.events, 'INSTANCE-01').valid).toBe(true);
    const late = crashInstanceStory({ afterRestartMs: restartBound + 1 });
    const violation = expectViolated(late.events, 'INSTANCE-05', { entity: request, seq: late.instances[0]!.seq });
    expect(violation.message).toContain(`${restartBound + 1} ms after the restart`);
    expect(violation.message).toContain(`restartBoundMs ${restartBound} ms`);
  });

  it('is violated when the restarted engine lost the request: no instance ever', () => {
    const story = crashInstanceStory({ afterRestartMs: null });
    const violation = expectViolated(story.events, 'INSTANCE-05', { entity: request, seq: story.ack.seq });
    expect(violation.message).toContain('lost it');
    expect(violation.message).toContain(`${restartBound} ms after the restart`);
  });

  it('is violated when the restarted engine makes a second instance for a request already served (failover twice)', () => {
    const story = crashInstanceStory({ before: 1, afterRestartMs: 500 });
    const violation = expectViolated(story.events, 'INSTANCE-05', { entity: request, seq: story.instances[1]!.seq });
    expect(violation.message).toContain('instance-1');
    expect(violation.message).toContain('instance-2');
    expect(violation.message).toContain('after the restart');
  });

  it('is violated when the instance made before the crash is read back gone after the restart', () => {
    const story = crashInstanceStory({ before: 1, goneAfterRestart: true });
    expectViolated(story.events, 'INSTANCE-05', { entity: request, seq: story.gone!.seq });
  });

  it('is unknown when the trace ends before the bound with no instance', () => {
    expectUnknown(crashInstanceStory({ afterRestartMs: null, endAfterMs: restartBound - 1 }).events, 'INSTANCE-05', request);
  });

  it('is unknown, not false, when an instance the trace ties to no request was read back', () => {
    expectUnknown(crashInstanceStory({ afterRestartMs: null, unlinkedInstance: true }).events, 'INSTANCE-05', request);
  });

  it('asks nothing when the engine was never restarted; INSTANCE-01 then says the engine was still down', () => {
    const story = crashInstanceStory({ noRestart: true });
    expect(judge(story.events, 'INSTANCE-05').valid).toBe(true);
    const verdict = expectUnknown(story.events, 'INSTANCE-01', request);
    expect(verdict.unknownReasons.join(' ')).toContain('still down');
  });
});
