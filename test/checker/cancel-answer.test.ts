/**
 * RUN-CANCEL-05: a cancel answered with success must show through the query API.
 * Method: hand-made traces with a cancel-run request and read-backs of the run; an engine
 * that answers ok and does nothing (no transition at all) must be caught, which the
 * CANCELLING-based clauses cannot do since they only judge runs that entered CANCELLING.
 */
import { describe, it } from 'vitest';
import { defaultBounds } from '../../trace/events.ts';
import { TraceBuilder } from './trace-builder.ts';
import { expectHolds, expectUnknown, expectViolated } from './verdicts.ts';

const bound = defaultBounds.cancelBoundMs;

/** A RUNNING run `r1` and a cancel step, then what `after` adds (the answer and what follows). */
function cancelTrace(after: (trace: TraceBuilder) => void) {
  const trace = new TraceBuilder();
  trace.meta();
  trace.transition('run', 'r1', null, 'PENDING');
  trace.move('run', 'r1', 'RUNNING');
  trace.observe('run', 'r1', 'RUNNING');
  trace.afterWall(10).step(0, 'begin', { cancel: { run: 'r1' } });
  after(trace);
  return { trace };
}

describe('RUN-CANCEL-05: a cancel answered ok takes effect', () => {
  it('holds when the run is read back CANCELLING, then CANCELLED', () => {
    const { trace } = cancelTrace((t) => {
      t.move('run', 'r1', 'CANCELLING');
      t.request('cancel-run', 'op-1', { args: { run: 'r1' }, outcome: 'ok', answer: { ok: true } });
      t.afterWall(20).observe('run', 'r1', 'CANCELLING');
      t.afterWall(50).move('run', 'r1', 'CANCELLED');
      t.observe('run', 'r1', 'CANCELLED');
      t.afterWall(bound).teardown();
      t.end();
    });
    expectHolds(trace.build(), 'RUN-CANCEL-05', { alone: true });
  });

  it('is violated when the engine answers ok and the run stays RUNNING past the bound', () => {
    const { trace } = cancelTrace((t) => {
      t.request('cancel-run', 'op-1', { args: { run: 'r1' }, outcome: 'ok', answer: { ok: true } });
      t.afterWall(bound + 100).observe('run', 'r1', 'RUNNING');
      t.teardown();
      t.end();
    });
    expectViolated(trace.build(), 'RUN-CANCEL-05', { entity: 'r1' });
  });

  it('is unknown when the trace ends before the bound with the run still RUNNING', () => {
    const { trace } = cancelTrace((t) => {
      t.request('cancel-run', 'op-1', { args: { run: 'r1' }, outcome: 'ok', answer: { ok: true } });
      t.afterWall(100).teardown();
      t.end();
    });
    expectUnknown(trace.build(), 'RUN-CANCEL-05', 'r1');
  });

  it('does not judge a cancel answered with an error', () => {
    const { trace } = cancelTrace((t) => {
      t.request('cancel-run', 'op-1', { args: { run: 'r1' }, outcome: 'fail', answer: { ok: false, error: 'run r1 is COMPLETED' } });
      t.afterWall(bound + 100).teardown();
      t.end();
    });
    expectHolds(trace.build(), 'RUN-CANCEL-05', { alone: true });
  });
});
