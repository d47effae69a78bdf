/**
 * Goal: clauses that once needed the engine's own lines are decided from what the harness
 * saw (docs/architecture.md "Judged from outside"): RUN-RETRY-01 from the `attempts` and
 * attributes a run is read back with, RUN-CONCURRENCY-01 and DEPLOY-SLOT-03 on whole
 * looks (one read of the query API is one snapshot, though its lines come one by one),
 * INSTANCE-03 from the first look after an answer, INSTANCE-04 from the command an
 * answer names. Each holds on a conformant history, catches the defect, and stays
 * 'unknown' where the outside cannot tell.
 * Method: hand-made traces with no engine transition, command or delete line at all, as
 * with pushed events withheld: requests with their answers and numbered looks (observe
 * lines with `look`, `attempts`, `attributes`, `requestId`).
 */
import { describe, expect, it } from 'vitest';
import type { QueryRunAttributes, TraceEvent } from '../../trace/events.ts';
import { TraceBuilder } from './trace-builder.ts';
import { expectHolds, expectUnknown, expectViolated, judge } from './verdicts.ts';

/** A scheduled run of deployment `etl` with `retries` retries, as the query API shows it. */
function shownRun(retries: number, slotMs = 0): QueryRunAttributes {
  return { deploymentId: 'etl', retries, autoScheduled: true, scheduledStartMs: slotMs, slotMs };
}

/** One look per entry: the lines it wrote, in the order the query API listed them. */
type Look = Array<[kind: 'run' | 'command' | 'instance', id: string, state: string | null, extra?: Record<string, unknown>]>;

function fromOutside(options: { before?: (trace: TraceBuilder) => void; looks: Look[]; endAfterMs?: number }): TraceEvent[] {
  const trace = new TraceBuilder();
  trace.meta();
  options.before?.(trace);
  options.looks.forEach((lines, index) => {
    trace.afterWall(20);
    for (const [entity, id, state, extra] of lines) trace.observe(entity, id, state, { look: index + 1, ...extra });
  });
  trace.afterWall(options.endAfterMs ?? 100).teardown();
  trace.end();
  return trace.build();
}

const deploy = (retries: number, concurrencyLimit?: number) => (trace: TraceBuilder) =>
  trace.request('deploy', 'op-1', { args: { deployment: 'etl', intervalMs: 60_000, retries, ...(concurrencyLimit === undefined ? {} : { concurrencyLimit }) }, answer: { ok: true, created: true, deleted: [] } });

describe('RUN-RETRY-01 from the attempts a run is read back with', () => {
  it('holds when a run with one retry is read back retried once, then FAILED after its second attempt', () => {
    const events = fromOutside({
      before: deploy(1),
      looks: [
        [['run', 'etl@0', 'RUNNING', { attempts: 1, attributes: shownRun(1) }]],
        [['run', 'etl@0', 'SCHEDULED/AwaitingRetry', { attempts: 1, attributes: shownRun(1) }]],
        [['run', 'etl@0', 'RUNNING', { attempts: 2, attributes: shownRun(1) }]],
        [['run', 'etl@0', 'FAILED', { attempts: 2, attributes: shownRun(1) }]],
      ],
    });
    expectHolds(events, 'RUN-RETRY-01');
  });

  it('is violated by a run read back AwaitingRetry again with no retry left, though no look saw it RUNNING in between', () => {
    const events = fromOutside({
      before: deploy(1),
      looks: [
        [['run', 'etl@0', 'RUNNING', { attempts: 1, attributes: shownRun(1) }]],
        [['run', 'etl@0', 'SCHEDULED/AwaitingRetry', { attempts: 1, attributes: shownRun(1) }]],
        [['run', 'etl@0', 'SCHEDULED/AwaitingRetry', { attempts: 2, attributes: shownRun(1) }]],
      ],
    });
    const violation = expectViolated(events, 'RUN-RETRY-01', { entity: 'etl@0' });
    expect(violation.message).toContain('none left');
  });

  it('is violated by a run read back with more attempts than 1 + retries', () => {
    const events = fromOutside({
      before: deploy(1),
      looks: [[['run', 'etl@0', 'RUNNING', { attempts: 1, attributes: shownRun(1) }]], [['run', 'etl@0', 'RUNNING', { attempts: 3, attributes: shownRun(1) }]]],
    });
    expect(expectViolated(events, 'RUN-RETRY-01', { entity: 'etl@0' }).message).toContain('3 attempts');
  });

  it('takes the attempts shown over the entries into RUNNING the looks happened to see', () => {
    // Attempt 1 failed and attempt 2 began between two looks: only one RUNNING was seen.
    const events = fromOutside({
      before: deploy(1),
      looks: [[['run', 'etl@0', 'RUNNING', { attempts: 1, attributes: shownRun(1) }]], [['run', 'etl@0', 'FAILED', { attempts: 2, attributes: shownRun(1) }]]],
    });
    expectHolds(events, 'RUN-RETRY-01');
  });

  it('is unknown, not violated, for a FAILED read back with no attempts shown: a look may have missed one', () => {
    const events = fromOutside({
      before: deploy(1),
      looks: [[['run', 'etl@0', 'RUNNING', { attributes: shownRun(1) }]], [['run', 'etl@0', 'FAILED', { attributes: shownRun(1) }]]],
    });
    expectUnknown(events, 'RUN-RETRY-01', 'etl@0');
  });
});

describe('RUN-CONCURRENCY-01 and DEPLOY-SLOT-03 on whole looks', () => {
  it('holds when one look shows a run taking the only slot its finished predecessor left, listed before it', () => {
    const events = fromOutside({
      before: deploy(0, 1),
      looks: [
        [
          ['run', 'etl@0', 'RUNNING', { attempts: 1, attributes: shownRun(0, 0) }],
          ['run', 'etl@1', 'SCHEDULED', { attempts: 0, attributes: shownRun(0, 60_000) }],
        ],
        [
          ['run', 'etl@1', 'RUNNING', { attempts: 1, attributes: shownRun(0, 60_000) }],
          ['run', 'etl@0', 'COMPLETED', { attempts: 1, attributes: shownRun(0, 0) }],
        ],
      ],
    });
    expectHolds(events, 'RUN-CONCURRENCY-01');
  });

  it('is violated when one look shows two runs active under a limit of one', () => {
    const events = fromOutside({
      before: deploy(0, 1),
      looks: [
        [
          ['run', 'etl@0', 'RUNNING', { attempts: 1, attributes: shownRun(0, 0) }],
          ['run', 'etl@1', 'SCHEDULED', { attempts: 0, attributes: shownRun(0, 60_000) }],
        ],
        [['run', 'etl@1', 'RUNNING', { attempts: 1, attributes: shownRun(0, 60_000) }]],
      ],
    });
    expectViolated(events, 'RUN-CONCURRENCY-01', { entity: 'etl@1' });
  });

  it("holds when one look shows a slot's new run before the deleted one read back gone", () => {
    const events = fromOutside({
      before: deploy(0),
      looks: [[['run', 'etl@0', 'SCHEDULED', { attempts: 0, attributes: shownRun(0, 0) }]], [['run', 'etl-new@0', 'SCHEDULED', { attempts: 0, attributes: { ...shownRun(0, 0) } }], ['run', 'etl@0', null]]],
    });
    expectHolds(events, 'DEPLOY-SLOT-03', { alone: true });
  });

  it('is violated when a look shows two runs for one slot', () => {
    const events = fromOutside({
      before: deploy(0),
      looks: [[['run', 'etl@0', 'SCHEDULED', { attempts: 0, attributes: shownRun(0, 0) }]], [['run', 'etl-new@0', 'SCHEDULED', { attempts: 0, attributes: shownRun(0, 0) }]]],
    });
    expectViolated(events, 'DEPLOY-SLOT-03', { entity: 'etl-new@0' });
  });
});

describe('INSTANCE-03 and INSTANCE-04 from the answers and the looks after them', () => {
  const acknowledge = (...requestIds: string[]) => (trace: TraceBuilder) => {
    for (const requestId of requestIds) trace.request('start-process-instance', requestId, { args: { requestId }, answer: { ok: true, commandId: `cmd-${requestId.slice(4)}` } });
  };

  it('holds when the first look after the answers shows each command, or an instance of its request', () => {
    const events = fromOutside({
      before: acknowledge('req-1', 'req-2'),
      looks: [
        [
          ['command', 'cmd-1', 'CREATED', { requestId: 'req-1' }],
          ['instance', 'instance-2', 'SUCCESS', { requestId: 'req-2' }],
        ],
      ],
    });
    const verdict = expectHolds(events, 'INSTANCE-03', { alone: true });
    expect(verdict.exercised).toBe(2);
  });

  it('INSTANCE-03 is violated by a command first shown a look after the first look that followed its answer', () => {
    const events = fromOutside({
      before: acknowledge('req-1', 'req-2'),
      looks: [[['command', 'cmd-2', 'CREATED', { requestId: 'req-2' }]], [['command', 'cmd-1', 'CREATED', { requestId: 'req-1' }]]],
    });
    const violation = expectViolated(events, 'INSTANCE-03', { entity: 'req-1' });
    expect(violation.message).toContain('look 1');
  });

  it('INSTANCE-03 is unknown for a request whose command and instance were never read back; INSTANCE-04 says it vanished', () => {
    const events = fromOutside({
      before: acknowledge('req-1', 'req-2'),
      looks: [[['command', 'cmd-2', 'CREATED', { requestId: 'req-2' }]]],
    });
    const verdict = judge(events, 'INSTANCE-03');
    expect(verdict.valid).toBe('unknown');
    expect(verdict.unknownReasons.join(' ')).toContain('never had a command or an instance read back');
    expect(expectViolated(events, 'INSTANCE-04', { entity: 'cmd-1' }).message).toContain('req-1');
  });

  it('INSTANCE-04 says nothing of a request whose instance was read back, command unseen', () => {
    const events = fromOutside({
      before: acknowledge('req-1', 'req-2'),
      looks: [[['command', 'cmd-2', 'CREATED', { requestId: 'req-2' }], ['instance', 'instance-1', 'SUCCESS', { requestId: 'req-1' }]]],
    });
    expect(judge(events, 'INSTANCE-04').violations).toEqual([]);
  });
});
