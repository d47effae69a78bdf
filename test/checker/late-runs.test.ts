/**
 * Goal: RUN-LATE-01 catches a run marked Late before its start is lateAfterMs in the past
 * (the mutant late-without-grace: Late as soon as the start has passed), accepts one
 * marked after, follows a scenario's own lateAfterMs, and says unknown, not pass, when
 * the trace gives no scheduled start.
 * Method: hand-made traces: run `d1@0` (scheduled start 0) marked Late at a chosen
 * logical time.
 */
import { describe, expect, it } from 'vitest';
import { defaultBounds, type Bounds } from '../../trace/events.ts';
import { createRun } from './fixtures.ts';
import { TraceBuilder } from './trace-builder.ts';
import { expectHolds, expectUnknown, expectViolated } from './verdicts.ts';

function markedLateAt(timeMs: number, options: { bounds?: Partial<Bounds>; withStart?: boolean } = {}) {
  const trace = new TraceBuilder();
  trace.meta(options.bounds ?? {});
  if (options.withStart === false) trace.move('run', 'd1@0', 'SCHEDULED', { cause: 'scheduler' });
  else createRun(trace, 'd1@0', { deploymentId: 'd1', autoScheduled: true, scheduledStartMs: 0, slotMs: 0 });
  const late = trace.atTime(timeMs).move('run', 'd1@0', 'SCHEDULED/Late', { cause: 'mark-late-runs' });
  trace.end();
  return { events: trace.build(), late };
}

describe('RUN-LATE-01: a run is marked Late only once its start is lateAfterMs past', () => {
  it('holds for a run marked Late after lateAfterMs', () => {
    const verdict = expectHolds(markedLateAt(defaultBounds.lateAfterMs + 1).events, 'RUN-LATE-01');
    expect(verdict.exercised).toBe(1);
  });

  it('is violated by a run marked Late 1 s after its start', () => {
    const { events, late } = markedLateAt(1_000);
    const violation = expectViolated(events, 'RUN-LATE-01', { entity: 'd1@0', seq: late.seq });
    expect(violation.message).toContain(`lateAfterMs (${defaultBounds.lateAfterMs} ms)`);
  });

  it("follows the scenario's own lateAfterMs", () => {
    expectHolds(markedLateAt(1_001, { bounds: { lateAfterMs: 1_000 } }).events, 'RUN-LATE-01');
    expectViolated(markedLateAt(999, { bounds: { lateAfterMs: 1_000 } }).events, 'RUN-LATE-01', { entity: 'd1@0' });
    // Exactly lateAfterMs is not more than it.
    expectViolated(markedLateAt(1_000, { bounds: { lateAfterMs: 1_000 } }).events, 'RUN-LATE-01', { entity: 'd1@0' });
  });

  it('is unknown when the trace gives no scheduled start', () => {
    expectUnknown(markedLateAt(1_000, { withStart: false }).events, 'RUN-LATE-01', 'd1@0');
  });
});
