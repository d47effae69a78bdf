/**
 * Goal: DEPLOY-PAUSE-04 catches a deployment run taken while the workers are paused (the
 * shape of the mutant workers-pause-not-stored: the pause forgotten across a restart),
 * and accepts runs taken before the pause or after the resume was sent, runs started by
 * hand, and a run a look found taken when it may have been taken before the pause.
 * Method: hand-made traces: deployment `d1`'s run `d1@0` SCHEDULED, the workers paused
 * (step 1) and resumed (step 2); each test places the run's PENDING somewhere.
 */
import { describe, expect, it } from 'vitest';
import { TraceBuilder } from './trace-builder.ts';
import { createRun, deployRequest } from './fixtures.ts';
import { expectHolds, expectViolated, judge } from './verdicts.ts';

const run = 'd1@0';
const deploymentRun = { deploymentId: 'd1', autoScheduled: true, scheduledStartMs: 0, slotMs: 0 } as const;

function setWorkers(trace: TraceBuilder, index: number, action: 'pause' | 'resume') {
  trace.step(index, 'begin', { workers: action });
  const request = trace.request('set-workers', `workers-${index}`, { args: { action } });
  trace.step(index, 'end', {}, { outcome: 'ok' });
  return request;
}

/** d1@0 is made, the workers pause; `during` writes what happens while paused; then the workers resume and the run is taken. */
function pausedStory(during: (trace: TraceBuilder) => void, options: { resume?: boolean } = {}) {
  const trace = new TraceBuilder();
  trace.meta();
  deployRequest(trace, 0, { deployment: 'd1', created: true });
  createRun(trace, run, deploymentRun);
  setWorkers(trace, 1, 'pause');
  during(trace);
  if (options.resume !== false) {
    setWorkers(trace, 2, 'resume');
    if (trace.lastOf('run', run)?.to.startsWith('SCHEDULED')) trace.move('run', run, 'PENDING', { cause: 'worker-acquired' });
  }
  trace.end();
  return trace.build();
}

describe('DEPLOY-PAUSE-04: paused workers take no runs of a deployment', () => {
  it('holds when the run waits, is marked Late, and is taken after the resume', () => {
    const events = pausedStory((trace) => trace.afterWall(100).atTime(trace.bounds.lateAfterMs + 1).move('run', run, 'SCHEDULED/Late', { cause: 'mark-late-runs' }));
    const verdict = expectHolds(events, 'DEPLOY-PAUSE-04');
    expect(verdict.exercised).toBe(1);
  });

  it('is violated by a run taken after a restart while the pause holds', () => {
    let taken = 0;
    const events = pausedStory((trace) => {
      trace.afterWall(100).fault('inject', 'engine-crash');
      trace.afterWall(100).fault('clear', 'engine-crash');
      taken = trace.move('run', run, 'PENDING', { cause: 'worker-acquired' }).seq;
    });
    const violation = expectViolated(events, 'DEPLOY-PAUSE-04', { entity: run, seq: taken });
    expect(violation.message).toContain('paused');
  });

  it('is violated with no resume at all until the end', () => {
    const events = pausedStory((trace) => trace.afterWall(100).move('run', run, 'PENDING', { cause: 'worker-acquired' }), { resume: false });
    expectViolated(events, 'DEPLOY-PAUSE-04', { entity: run });
  });

  it('keeps the pause when a resume is answered fail (it did not happen)', () => {
    let taken = 0;
    const events = pausedStory((trace) => {
      trace.step(5, 'begin', { workers: 'resume' });
      trace.request('set-workers', 'workers-5', { args: { action: 'resume' }, outcome: 'fail' });
      trace.step(5, 'end', {}, { outcome: 'ok' });
      taken = trace.afterWall(100).move('run', run, 'PENDING', { cause: 'worker-acquired' }).seq;
    }, { resume: false });
    expectViolated(events, 'DEPLOY-PAUSE-04', { entity: run, seq: taken });
  });

  it('judges nothing for a run started by hand (no deployment)', () => {
    const trace = new TraceBuilder();
    trace.meta();
    setWorkers(trace, 0, 'pause');
    createRun(trace, 'r1', { deploymentId: null, autoScheduled: false, scheduledStartMs: 0, slotMs: null }, { cause: 'execute' });
    trace.move('run', 'r1', 'PENDING', { cause: 'worker-acquired' });
    trace.end();
    const verdict = judge(trace.build(), 'DEPLOY-PAUSE-04');
    expect(verdict.valid).toBe(true);
    expect(verdict.exercised).toBe(0);
  });

  it('from read-backs: a run first read taken after the pause may have been taken before it; one read waiting during the pause may not', () => {
    const readOnly = (readWaitingFirst: boolean) => {
      const trace = new TraceBuilder();
      trace.meta();
      deployRequest(trace, 0, { deployment: 'd1', created: true });
      trace.observe('run', run, 'SCHEDULED', { attributes: deploymentRun });
      setWorkers(trace, 1, 'pause');
      if (readWaitingFirst) trace.afterWall(100).observe('run', run, 'SCHEDULED/Late', { attributes: deploymentRun });
      const taken = trace.afterWall(100).observe('run', run, 'PENDING', { attributes: deploymentRun });
      trace.end();
      return { events: trace.build(), taken };
    };
    expect(judge(readOnly(false).events, 'DEPLOY-PAUSE-04').valid).toBe(true);
    const late = readOnly(true);
    expectViolated(late.events, 'DEPLOY-PAUSE-04', { entity: run, seq: late.taken.seq });
  });
});
