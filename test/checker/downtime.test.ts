/**
 * Goal: a liveness bound never runs while the engine cannot act. The nemesis's
 * `engine-crash` (until its clear, the restart) and `engine-pause` (until SIGCONT) are
 * downtime: a bound that starts, or would still be running, while the engine is down
 * starts again, whole, when it is back up; with the engine still down at the end of the
 * trace the bound cannot be judged ('unknown', never a pass). With no downtime every
 * bound is what it was (start + bound).
 * Method: `History.deadlineAfter` on small traces of fault lines, then one existing
 * clause (RUN-CANCEL-01) on a run whose cancel a crash interrupts.
 */
import { describe, expect, it } from 'vitest';
import { History } from '../../harness/checker/history.ts';
import { defaultBounds } from '../../trace/events.ts';
import { createRun, startRun } from './fixtures.ts';
import { TraceBuilder } from './trace-builder.ts';
import { expectUnknown, expectViolated, judge } from './verdicts.ts';

function faults(lines: Array<[number, 'inject' | 'clear', 'engine-crash' | 'engine-pause']>, endMs = 20_000): History {
  const trace = new TraceBuilder();
  trace.meta();
  for (const [atMs, action, fault] of lines) trace.atWall(atMs).fault(action, fault, { pid: 900 });
  trace.atWall(endMs).teardown();
  trace.end();
  return new History(trace.build());
}

describe('History.deadlineAfter', () => {
  it('is start + bound with no downtime', () => {
    expect(faults([]).deadlineAfter(1000, 3000)).toBe(4000);
  });

  it('restarts the bound at the restart when a crash falls inside it', () => {
    const history = faults([
      [2000, 'inject', 'engine-crash'],
      [5000, 'clear', 'engine-crash'],
    ]);
    expect(history.deadlineAfter(1000, 3000)).toBe(8000);
    expect(history.deadlineAfter(2500, 3000)).toBe(8000);
    // A bound that ended before the crash is not moved.
    expect(history.deadlineAfter(0, 1500)).toBe(1500);
    expect(history.boundNote(1000, 3000)).toBe('; counted from when the engine was restarted, at 5000 ms');
    expect(history.crashes.map((crash) => [crash.crash.wallMs, crash.restart?.wallMs])).toEqual([[2000, 5000]]);
  });

  it('restarts it at the continue for a pause, and a crash ends a pause', () => {
    expect(faults([[1500, 'inject', 'engine-pause'], [1800, 'clear', 'engine-pause']]).deadlineAfter(1000, 3000)).toBe(4800);
    const crashedWhilePaused = faults([
      [1500, 'inject', 'engine-pause'],
      [1600, 'inject', 'engine-crash'],
      [3000, 'clear', 'engine-crash'],
    ]);
    expect(crashedWhilePaused.downtimes).toHaveLength(1);
    expect(crashedWhilePaused.deadlineAfter(1000, 3000)).toBe(6000);
    expect(crashedWhilePaused.boundNote(1000, 3000)).toContain('restarted');
  });

  it('is Infinity when the engine is still down at the end', () => {
    expect(faults([[2000, 'inject', 'engine-crash']]).deadlineAfter(1000, 3000)).toBe(Infinity);
  });
});

describe('RUN-CANCEL-01 with a crash inside its bound', () => {
  const bound = defaultBounds.cancelBoundMs;

  /** A run is cancelled at 1000 ms; the engine crashes at 1500 ms and is restarted at `restartAt` (null: never). */
  function story(restartAt: number | null, cancelledAt: number | null) {
    const trace = new TraceBuilder();
    trace.meta();
    createRun(trace, 'run-1', {}, { cause: 'execute' });
    startRun(trace, 'run-1');
    trace.atWall(1000).move('run', 'run-1', 'CANCELLING', { cause: 'cancel' });
    trace.atWall(1500).fault('inject', 'engine-crash', { pid: 900 });
    if (restartAt !== null) trace.atWall(restartAt).fault('clear', 'engine-crash', { pid: 901 });
    if (cancelledAt !== null) trace.atWall(cancelledAt).move('run', 'run-1', 'CANCELLED', { cause: 'process-tree-killed' });
    trace.atWall(Math.max(restartAt ?? 0, 1000) + bound + 500).teardown();
    trace.end();
    return trace.build();
  }

  it('gives the restarted engine the whole bound from its restart', () => {
    expect(judge(story(6000, 6000 + bound), 'RUN-CANCEL-01').valid).toBe(true);
    const violation = expectViolated(story(6000, 6000 + bound + 1), 'RUN-CANCEL-01', { entity: 'run-1' });
    expect(violation.message).toContain('counted from when the engine was restarted, at 6000 ms');
  });

  it('is unknown, not violated, when the engine never came back', () => {
    const verdict = expectUnknown(story(null, null), 'RUN-CANCEL-01', 'run-1');
    expect(verdict.unknownReasons.join(' ')).toContain('still down');
  });
});
