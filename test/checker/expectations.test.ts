/**
 * Goal: a scripted expectation that is not met never passes in silence. An `await` that
 * times out and names the clause it stands for is a violation of that clause, at the step,
 * about the awaited entity; one that names no clause leaves the scenario undecided, with
 * the step named; a `waitOnly` await (a generated wait) asks nothing; an await that was
 * met asks nothing either.
 * Method: hand-made traces through `checkTrace`, one await step each.
 */
import { describe, expect, it } from 'vitest';
import { checkTrace } from '../../harness/checker/check.ts';
import { TraceBuilder } from './trace-builder.ts';

function awaitTrace(body: Record<string, unknown>, outcome: 'ok' | 'timeout') {
  const trace = new TraceBuilder();
  trace.meta();
  trace.step(0, 'begin', { await: body });
  trace.afterWall(3000);
  const end = trace.step(0, 'end', { await: body }, { outcome });
  trace.teardown();
  trace.end();
  return { events: trace.build(), end };
}

describe('expectations: awaits that time out', () => {
  it('is a violation of the clause a timed-out await names', () => {
    const { events, end } = awaitTrace({ run: 'nightly', state: 'TERMINAL', timeoutMs: 3000, clause: 'PROCESS-LOSS-01' }, 'timeout');
    const result = checkTrace(events);
    const verdict = result.verdicts.find((candidate) => candidate.clauseId === 'PROCESS-LOSS-01')!;
    expect(verdict.valid).toBe(false);
    expect(verdict.violations).toEqual([
      expect.objectContaining({ clauseId: 'PROCESS-LOSS-01', seq: end.seq, entity: 'nightly', message: expect.stringContaining('await run nightly TERMINAL) was not met within 3000 ms') }),
    ]);
    expect(result.undecidedExpectations).toEqual([]);
  });

  it('leaves the scenario undecided, naming the step, when the timed-out await names no clause', () => {
    const { events } = awaitTrace({ task: 'render', state: 'IN_PROGRESS', timeoutMs: 10000 }, 'timeout');
    const result = checkTrace(events);
    expect(result.undecidedExpectations).toEqual([expect.stringContaining('step 0 (await task render IN_PROGRESS) was not met within 10000 ms, and it names no clause')]);
    expect(result.verdicts.every((verdict) => verdict.valid !== false)).toBe(true);
  });

  it('asks nothing of a waitOnly await that timed out, nor of one that was met', () => {
    for (const { events } of [
      awaitTrace({ run: 'r1', state: 'RUNNING', timeoutMs: 3000, waitOnly: true }, 'timeout'),
      awaitTrace({ run: 'r1', state: 'RUNNING', timeoutMs: 3000, clause: 'RUN-CANCEL-01' }, 'ok'),
    ]) {
      const result = checkTrace(events);
      expect(result.undecidedExpectations).toEqual([]);
      expect(result.verdicts.every((verdict) => verdict.valid !== false)).toBe(true);
    }
  });
});
