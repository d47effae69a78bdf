/**
 * Goal: DEPLOY-AHEAD-05 catches a scheduler that makes a run one slot further ahead than
 * scheduleAheadCount allows (the mutant schedule-ahead-off-by-one), accepts the runs a
 * correct scheduler makes as the clock moves, judges a run made while an update is in
 * flight by the more lenient schedule, and ignores runs made by hand.
 * Method: hand-made traces of deployment `d1` (interval 60 s) deployed at logical time 0;
 * `deploy` writes its step and request as the harness does, with the schedule as args.
 */
import { describe, expect, it } from 'vitest';
import { createRun } from './fixtures.ts';
import { TraceBuilder } from './trace-builder.ts';
import { expectHolds, expectViolated, judge } from './verdicts.ts';

const intervalMs = 60_000;

function deploy(trace: TraceBuilder, index: number, scheduleAheadCount: number, during?: () => void) {
  const args = { deployment: 'd1', intervalMs, scheduleAheadCount };
  trace.step(index, 'begin', { deploy: args });
  during?.();
  trace.request('deploy', `deploy-${index}`, { args, answer: { created: index === 0 } });
  trace.step(index, 'end', {}, { outcome: 'ok' });
}

function scheduled(trace: TraceBuilder, slotMs: number) {
  return createRun(trace, `d1@${slotMs}`, { deploymentId: 'd1', autoScheduled: true, scheduledStartMs: slotMs, slotMs });
}

describe('DEPLOY-AHEAD-05: the scheduler makes runs for no more than scheduleAheadCount slots ahead', () => {
  it('holds for the slots a scheduler with scheduleAheadCount 2 makes as the clock moves, each judged', () => {
    const trace = new TraceBuilder();
    trace.meta();
    deploy(trace, 0, 2);
    scheduled(trace, 0);
    scheduled(trace, intervalMs);
    trace.atTime(intervalMs + 1);
    scheduled(trace, 2 * intervalMs);
    trace.end();
    const verdict = expectHolds(trace.build(), 'DEPLOY-AHEAD-05');
    expect(verdict.exercised).toBe(3);
  });

  it('is violated by a run one slot further ahead (scheduleAheadCount + 1 runs at time 0)', () => {
    const trace = new TraceBuilder();
    trace.meta();
    deploy(trace, 0, 2);
    scheduled(trace, 0);
    scheduled(trace, intervalMs);
    const extra = scheduled(trace, 2 * intervalMs);
    trace.end();
    const violation = expectViolated(trace.build(), 'DEPLOY-AHEAD-05', { entity: extra.id, seq: extra.seq });
    expect(violation.message).toContain('scheduleAheadCount');
  });

  it('judges a run made while an update is in flight by the more lenient schedule, and after its answer by the new one', () => {
    const trace = new TraceBuilder();
    trace.meta();
    deploy(trace, 0, 1);
    scheduled(trace, 0);
    // The update to 3 slots ahead acts before its answer comes back.
    deploy(trace, 1, 3, () => scheduled(trace, 2 * intervalMs));
    expect(judge(trace.build(), 'DEPLOY-AHEAD-05').valid).toBe(true);
    deploy(trace, 2, 1);
    const tooFar = scheduled(trace, 3 * intervalMs);
    trace.end();
    expectViolated(trace.build(), 'DEPLOY-AHEAD-05', { entity: tooFar.id, seq: tooFar.seq });
  });

  it('judges nothing for a run made by hand, nor for a deployment the harness never deployed', () => {
    const trace = new TraceBuilder();
    trace.meta();
    deploy(trace, 0, 1);
    createRun(trace, 'by-hand', { deploymentId: 'd1', autoScheduled: false, scheduledStartMs: 10 * intervalMs, slotMs: null }, { cause: 'create-flow-run' });
    createRun(trace, 'other@600000', { deploymentId: 'other', autoScheduled: true, scheduledStartMs: 10 * intervalMs, slotMs: 10 * intervalMs });
    trace.end();
    const verdict = judge(trace.build(), 'DEPLOY-AHEAD-05');
    expect(verdict.valid).toBe(true);
    expect(verdict.exercised).toBe(0);
  });
});
