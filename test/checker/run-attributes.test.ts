/**
 * Goal: a run attribute the trace left out is never read as 0 or false. A clause that
 * needs it says 'unknown' and names the attribute and the run; a clause that can decide
 * without it (another fact already breaks the rule, or the trace itself shows the fact)
 * still decides; an attribute written once, at creation, holds for the run's later
 * transitions; and a hand-written trace with no attributes at all, whose runs no
 * deployment clause concerns, is conformant.
 * Method: hand-made traces with one attribute left out (or written once), judged one
 * clause at a time. Several cases are ones the old reading (missing → 0, false, null)
 * passed in silence; each says which.
 */
import { describe, expect, it } from 'vitest';
import { checkTrace } from '../../harness/checker/check.ts';
import type { TransitionAttributes } from '../../trace/events.ts';
import { deployRequest } from './fixtures.ts';
import { TraceBuilder } from './trace-builder.ts';
import { describeCase, expectHolds, expectUnknown, expectViolated, judge } from './verdicts.ts';

const deployment = 'nightly';
const futureMs = 600_000;

/** A deployment `nightly`, one scheduler-made run with `attributes`, its `path` of moves, then an update that deletes it. */
function deletedByUpdate(attributes: TransitionAttributes, path: string[] = []) {
  const trace = new TraceBuilder();
  trace.meta();
  deployRequest(trace, 0, { deployment, created: true });
  trace.move('run', 'run-1', 'SCHEDULED', { cause: 'scheduler', attributes });
  for (const state of path) trace.move('run', 'run-1', state, { cause: 'engine' });
  trace.atTime(120_000);
  trace.step(1, 'begin', { deploy: { deployment } });
  const deleted = trace.del('run', 'run-1', 'deployment-update', { deploymentId: deployment });
  trace.request('deploy', 'deploy-1', { args: { deployment }, answer: { created: false } });
  trace.step(1, 'end', {}, { outcome: 'ok' });
  trace.end();
  return { events: trace.build(), deleted };
}

describe('DEPLOY-UPDATE-01 with attributes left out', () => {
  const complete = { deploymentId: deployment, runCount: 0, autoScheduled: true, scheduledStartMs: futureMs, slotMs: futureMs, retries: 0 };

  it('holds with every attribute given (the baseline the cases below change)', () => {
    expectHolds(deletedByUpdate(complete).events, 'DEPLOY-UPDATE-01', { alone: true });
  });

  it.each(['autoScheduled', 'scheduledStartMs'] as const)('is unknown without %s, naming it (it used to read false / 0 and fail or pass by accident)', (name) => {
    const { [name]: _left, ...rest } = complete;
    const verdict = expectUnknown(deletedByUpdate(rest).events, 'DEPLOY-UPDATE-01', 'run-1');
    expect(verdict.unknownReasons.join('\n')).toContain(`\`${name}\``);
  });

  it('still finds the violation another fact shows, without the missing attribute', () => {
    const { autoScheduled: _left, ...rest } = complete;
    const { events, deleted } = deletedByUpdate(rest, ['SCHEDULED/Late']);
    expect(expectViolated(events, 'DEPLOY-UPDATE-01', { entity: 'run-1', seq: deleted.seq }).message).toContain('it was Late');
  });

  it('counts the attempts the trace shows when runCount is left out: a run paused and rescheduled had run (the old reading, 0, passed it)', () => {
    const { runCount: _left, ...rest } = complete;
    const { events, deleted } = deletedByUpdate(rest, ['PENDING', 'RUNNING', 'PAUSED', 'SCHEDULED']);
    expect(expectViolated(events, 'DEPLOY-UPDATE-01', { entity: 'run-1', seq: deleted.seq }).message).toContain('it had run 1 time(s)');
  });

  it('is unknown without runCount when the trace does not hold the run\'s creation', () => {
    const { runCount: _left, ...rest } = complete;
    const trace = new TraceBuilder();
    trace.meta();
    trace.transition('run', 'run-1', 'SCHEDULED', 'SCHEDULED', { cause: 'engine', attributes: rest });
    trace.atTime(120_000);
    trace.del('run', 'run-1', 'deployment-update', { deploymentId: deployment });
    trace.end();
    expect(expectUnknown(trace.build(), 'DEPLOY-UPDATE-01', 'run-1').unknownReasons[0]).toContain('`runCount`');
  });
});

describe('DEPLOY-SLOT-03 with attributes left out', () => {
  it('is unknown for a run the scheduler made whose slot is not given', () => {
    const trace = new TraceBuilder();
    trace.meta();
    trace.move('run', 'run-1', 'SCHEDULED', { cause: 'scheduler', attributes: { deploymentId: deployment } });
    trace.end();
    expect(expectUnknown(trace.build(), 'DEPLOY-SLOT-03', 'run-1').unknownReasons[0]).toContain('`slotMs`');
  });

  it('is unknown for an auto-scheduled run with neither deployment nor slot, whatever its cause', () => {
    const trace = new TraceBuilder();
    trace.meta();
    trace.move('run', 'run-1', 'SCHEDULED', { cause: 'engine', attributes: { autoScheduled: true } });
    trace.end();
    expect(expectUnknown(trace.build(), 'DEPLOY-SLOT-03', 'run-1').unknownReasons[0]).toContain('`deploymentId` and no `slotMs`');
  });

  it('does not ask a run made by hand for a slot', () => {
    const trace = new TraceBuilder();
    trace.meta();
    trace.move('run', 'run-1', 'SCHEDULED', { cause: 'create-flow-run' });
    trace.end();
    expectHolds(trace.build(), 'DEPLOY-SLOT-03', { alone: true });
  });
});

describe('RUN-RETRY-01 with retries left out', () => {
  function failingRun(attributes: TransitionAttributes | undefined) {
    const trace = new TraceBuilder();
    trace.meta();
    trace.move('run', 'run-1', 'SCHEDULED', { cause: 'create-flow-run', ...(attributes ? { attributes } : {}) });
    trace.move('run', 'run-1', 'PENDING', { cause: 'worker-acquired' });
    trace.transition('run', 'run-1', 'PENDING', 'RUNNING', { cause: 'process-started' });
    const failed = trace.transition('run', 'run-1', 'RUNNING', 'FAILED', { cause: 'process-exited', detail: 'exit code 1' });
    trace.end();
    return { events: trace.build(), failed };
  }

  it('is unknown for a run that fails for good, naming retries (it used to read 0 and pass)', () => {
    expect(expectUnknown(failingRun(undefined).events, 'RUN-RETRY-01', 'run-1').unknownReasons[0]).toContain('`retries`');
  });

  it('reads retries written once, at creation, on the later transitions', () => {
    // `transition` writes no attributes: only the creation line carries retries: 1.
    const { events, failed } = failingRun({ retries: 1 });
    expect(events.filter((event) => event.kind === 'transition' && event.attributes !== undefined)).toHaveLength(2);
    expectViolated(events, 'RUN-RETRY-01', { entity: 'run-1', seq: failed.seq });
  });
});

describe('RUN-CONCURRENCY-01 with deploymentId left out', () => {
  function twoActiveRuns(secondAttributes: TransitionAttributes | undefined) {
    const trace = new TraceBuilder();
    trace.meta();
    deployRequest(trace, 0, { deployment, created: true, concurrencyLimit: 1 });
    trace.move('run', 'run-1', 'SCHEDULED', { cause: 'create-flow-run', attributes: { deploymentId: deployment } });
    trace.move('run', 'run-2', 'SCHEDULED', { cause: 'create-flow-run', ...(secondAttributes ? { attributes: secondAttributes } : {}) });
    trace.transition('run', 'run-1', 'SCHEDULED', 'PENDING', { cause: 'worker-acquired' });
    const second = trace.transition('run', 'run-2', 'SCHEDULED', 'PENDING', { cause: 'worker-acquired' });
    trace.end();
    return { events: trace.build(), second };
  }

  it('is unknown for an active run of no known deployment while a limit is in force', () => {
    expect(expectUnknown(twoActiveRuns(undefined).events, 'RUN-CONCURRENCY-01', 'run-2').unknownReasons[0]).toContain('`deploymentId`');
  });

  it('reads a deploymentId written once, at creation, and finds the limit broken', () => {
    const { events, second } = twoActiveRuns({ deploymentId: deployment });
    expectViolated(events, 'RUN-CONCURRENCY-01', { entity: 'run-2', seq: second.seq });
  });
});

describe('DEPLOY-BACKLOG-02 with deploymentId left out', () => {
  it('is unknown for a SCHEDULED run at an update when its deployment is not given', () => {
    const trace = new TraceBuilder();
    trace.meta();
    deployRequest(trace, 0, { deployment, created: true });
    trace.move('run', 'run-1', 'SCHEDULED', { cause: 'engine' });
    deployRequest(trace, 1, { deployment, created: false });
    trace.end();
    expect(expectUnknown(trace.build(), 'DEPLOY-BACKLOG-02', 'run-1').unknownReasons[0]).toContain('`deploymentId`');
  });
});

describe('a hand-written trace with no run attributes', () => {
  it('is conformant when no deployment clause concerns its runs', () => {
    const trace = new TraceBuilder();
    trace.minimalMeta();
    trace.move('run', 'run-1', 'PENDING', { cause: 'execute' });
    trace.move('run', 'run-1', 'RUNNING', { cause: 'process-started' });
    trace.move('run', 'run-1', 'COMPLETED', { cause: 'process-exited' });
    trace.observe('run', 'run-1', 'COMPLETED');
    trace.end();
    const events = trace.build();
    const result = checkTrace(events);
    expect(result.valid, describeCase(events, result.verdicts.filter((verdict) => verdict.valid !== true))).toBe(true);
    expect(judge(events, 'DEPLOY-SLOT-03').valid).toBe(true);
  });
});
