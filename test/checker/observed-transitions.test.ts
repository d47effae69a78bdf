/**
 * Goal: clauses are judged from what the harness saw when an engine tells nothing. For an
 * entity kind the engine pushes no transitions of, each change between two read-backs is
 * a transition with cause `observed` at the look that found it; for a kind it does push,
 * nothing is derived (no change told twice). Derived transitions are not the engine's
 * claims: TRANSITION-01 leaves them to OBSERVE-01 (a look can miss states between), and
 * a command read back gone whose request has an instance counts as consumed. The one
 * exception: the first read after an engine restart that shows a pushed entity in another
 * state than its last line (a change the killed engine committed and never sent) is
 * derived too, so RUN-CONCURRENCY-01 and TRANSITION-01 follow what the engine holds.
 * Method: hand-made traces through `withObservedTransitions` and `checkTrace`.
 */
import { describe, expect, it } from 'vitest';
import { checkTrace } from '../../harness/checker/check.ts';
import { withObservedTransitions } from '../../harness/checker/observed-transitions.ts';
import type { TransitionEvent } from '../../trace/events.ts';
import { createRun, deployRequest, pushedRunReadBackRunning, startRun } from './fixtures.ts';
import { TraceBuilder } from './trace-builder.ts';

function derived(events: ReturnType<TraceBuilder['build']>): TransitionEvent[] {
  return withObservedTransitions(events).filter((event): event is TransitionEvent => event.kind === 'transition' && event.cause === 'observed');
}

describe('transitions derived from read-backs', () => {
  it('derives each change of a kind the engine pushes nothing of, at the look that saw it', () => {
    const trace = new TraceBuilder();
    trace.meta();
    const first = trace.observe('run', 'r1', 'PENDING');
    trace.afterWall(100);
    trace.observe('run', 'r1', 'PENDING');
    const running = trace.observe('run', 'r1', 'RUNNING');
    trace.afterWall(100);
    const gone = trace.observe('run', 'r1', null);
    const back = trace.observe('run', 'r1', 'COMPLETED');
    trace.end();
    expect(derived(trace.build()).map(({ from, to, seq }) => ({ from, to, seq }))).toEqual([
      { from: null, to: 'PENDING', seq: first.seq },
      { from: 'PENDING', to: 'RUNNING', seq: running.seq },
      { from: null, to: 'COMPLETED', seq: back.seq },
    ]);
    expect(gone.seq).toBeLessThan(back.seq);
  });

  it('derives nothing for a kind the engine pushes transitions of', () => {
    expect(derived(pushedRunReadBackRunning())).toEqual([]);
  });

  it('after a restart, takes the first read of a pushed run over its last line: the completion the killed engine never sent', () => {
    /** Runs a and b of `d1` (limit 2) RUNNING; the engine is killed, a's COMPLETED line lost; c starts after the restart. */
    const crashWithLostLine = (aReadBack: string) => {
      const trace = new TraceBuilder();
      trace.meta();
      deployRequest(trace, 0, { deployment: 'd1', created: true, concurrencyLimit: 2 });
      for (const id of ['a', 'b', 'c']) createRun(trace, id, { deploymentId: 'd1', autoScheduled: true, scheduledStartMs: 0, slotMs: 0 });
      startRun(trace, 'a');
      startRun(trace, 'b');
      trace.afterWall(100).fault('inject', 'engine-crash');
      trace.afterWall(100).fault('clear', 'engine-crash');
      const read = trace.observe('run', 'a', aReadBack);
      trace.observe('run', 'b', 'RUNNING');
      trace.observe('run', 'c', 'SCHEDULED');
      const cStarts = startRun(trace, 'c');
      trace.teardown();
      trace.end();
      return { events: trace.build(), read, cStarts };
    };
    const lost = crashWithLostLine('COMPLETED');
    expect(derived(lost.events).map(({ id, from, to, seq }) => ({ id, from, to, seq }))).toEqual([{ id: 'a', from: 'RUNNING', to: 'COMPLETED', seq: lost.read.seq }]);
    expect(checkTrace(lost.events).verdicts.find((verdict) => verdict.clauseId === 'RUN-CONCURRENCY-01')!.valid).toBe(true);
    // Read back RUNNING, a still holds its slot: c is one over the limit.
    const held = crashWithLostLine('RUNNING');
    expect(derived(held.events)).toEqual([]);
    const violated = checkTrace(held.events).verdicts.find((verdict) => verdict.clauseId === 'RUN-CONCURRENCY-01')!;
    expect(violated.valid).toBe(false);
    expect(violated.violations.map((violation) => violation.seq)).toContain(held.cStarts.seq - 1);
  });

  it('after a restart, carries the chain of TRANSITION-01 on from such a read', () => {
    const trace = new TraceBuilder();
    trace.meta();
    createRun(trace, 'a', { retries: 1 });
    startRun(trace, 'a');
    trace.afterWall(100).fault('inject', 'engine-crash');
    // Lost with the engine: RUNNING → SCHEDULED/AwaitingRetry.
    trace.afterWall(100).fault('clear', 'engine-crash');
    trace.observe('run', 'a', 'SCHEDULED/AwaitingRetry');
    trace.transition('run', 'a', 'SCHEDULED/AwaitingRetry', 'PENDING', { cause: 'worker-acquired' });
    trace.teardown();
    trace.end();
    expect(checkTrace(trace.build()).verdicts.find((verdict) => verdict.clauseId === 'TRANSITION-01')!.valid).toBe(true);
    // The same lines with no restart between: the chain is broken, as before.
    const unbroken = trace.build().filter((event) => event.kind !== 'fault');
    expect(checkTrace(unbroken).verdicts.find((verdict) => verdict.clauseId === 'TRANSITION-01')!.valid).toBe(false);
  });

  it('leaves skipped states to OBSERVE-01: a run first seen RUNNING is no TRANSITION-01 violation', () => {
    const trace = new TraceBuilder();
    trace.meta();
    trace.observe('run', 'r1', 'RUNNING');
    trace.afterWall(50);
    trace.observe('run', 'r1', 'COMPLETED');
    trace.teardown();
    trace.end();
    const verdicts = checkTrace(trace.build()).verdicts;
    expect(verdicts.find((verdict) => verdict.clauseId === 'TRANSITION-01')!.valid).toBe(true);
    expect(verdicts.find((verdict) => verdict.clauseId === 'OBSERVE-01')!.valid).toBe(true);
  });

  it('measures a bound from the step a request belongs to, by seq, though derived transitions sit among the events', () => {
    // RUN-CANCEL-05 from outside: the cancel step begins 10 s after the run was first seen;
    // the run is read back CANCELLING 5 ms after the answer. Derived transitions inserted
    // before the cancel must not make the bound count from the start step.
    const trace = new TraceBuilder();
    trace.meta();
    trace.step(0, 'begin', { start: { run: 'r1' } });
    trace.observe('run', 'r1', 'PENDING');
    trace.observe('run', 'r1', 'RUNNING');
    trace.step(0, 'end', {}, { outcome: 'ok' });
    trace.afterWall(10_000);
    trace.step(1, 'begin', { cancel: { run: 'r1' } });
    trace.request('cancel-run', 'op-1', { args: { run: 'r1' } });
    trace.afterWall(5);
    trace.observe('run', 'r1', 'CANCELLING');
    trace.observe('run', 'r1', 'CANCELLED');
    trace.step(1, 'end', {}, { outcome: 'ok' });
    trace.afterWall(100);
    trace.teardown();
    trace.end();
    const verdict = checkTrace(trace.build()).verdicts.find((candidate) => candidate.clauseId === 'RUN-CANCEL-05')!;
    expect(verdict.valid, JSON.stringify(verdict.violations)).toBe(true);
  });

  it('does not order a subflow seen ended on its own against its parent\'s cancel (RUN-CANCEL-03)', () => {
    const trace = new TraceBuilder();
    trace.meta();
    trace.observe('run', 'p', 'RUNNING');
    trace.observe('run', 'p.s', 'RUNNING', { parentId: 'p' });
    trace.afterWall(50);
    trace.observe('run', 'p', 'CANCELLING');
    trace.observe('run', 'p.s', 'COMPLETED', { parentId: 'p' });
    trace.observe('run', 'p', 'CANCELLED');
    trace.afterWall(5000);
    trace.teardown();
    trace.end();
    expect(checkTrace(trace.build()).verdicts.find((verdict) => verdict.clauseId === 'RUN-CANCEL-03')!.valid).toBe(true);
  });

  it('counts a command read back gone as consumed when its request has an instance, and as vanished when not', () => {
    for (const withInstance of [true, false]) {
      const trace = new TraceBuilder();
      trace.meta();
      trace.observe('command', 'cmd-1', 'CREATED', { requestId: 'req-1' });
      trace.afterWall(50);
      if (withInstance) trace.observe('instance', 'instance-1', 'SUBMITTED_SUCCESS', { requestId: 'req-1' });
      trace.observe('command', 'cmd-1', null);
      trace.teardown();
      trace.end();
      const verdict = checkTrace(trace.build()).verdicts.find((candidate) => candidate.clauseId === 'INSTANCE-04')!;
      expect(verdict.valid, withInstance ? 'consumed' : 'vanished').toBe(withInstance ? true : false);
    }
  });
});
