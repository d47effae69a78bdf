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
 */
import { describe, expect, it } from 'vitest';
import { defaultBounds } from '../../trace/events.ts';
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

  it('is violated by an answer with no command at all', () => {
    const story = instanceStory({ command: 'none' });
    expectViolated(story.events, 'INSTANCE-03', { entity: request, seq: story.ack.seq });
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
