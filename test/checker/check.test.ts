/**
 * Goal: `checkTrace` keeps Jepsen's rules when it judges a whole trace: one checker per
 * clause of the registry, `only` picks clauses, validities combine false over unknown
 * over true, and a checker that throws yields 'unknown' with the error, never a silent
 * pass.
 * Method: the family stories of test/checker/fixtures.ts, whose per-clause verdicts the
 * family tests pin down, combined into traces with a known mix of verdicts; for the
 * throw, one checker of `checkers` swapped for one that throws, and put back. A run
 * state that is not a Prefect state no longer makes a checker throw: the clauses that
 * read that run's state say 'unknown' and name it, and TRANSITION-01 rejects it.
 */
import { describe, expect, it } from 'vitest';
import { checkers, checkTrace } from '../../harness/checker/check.ts';
import { clauses } from '../../spec/clauses/registry.ts';
import { defaultBounds } from '../../trace/events.ts';
import { cancelStory, createRun, deployRequest, instanceStory, terminateStory } from './fixtures.ts';
import { TraceBuilder } from './trace-builder.ts';
import { describeCase } from './verdicts.ts';

const registryIds = clauses.map((clause) => clause.id);

describe('checkTrace', () => {
  it('has one checker per clause of the registry, and none for a clause it lacks', () => {
    expect(Object.keys(checkers).sort()).toEqual([...registryIds].sort());
  });

  it('judges every clause, in registry order, when `only` is left out', () => {
    const { verdicts } = checkTrace(cancelStory().events);
    expect(verdicts.map((verdict) => verdict.clauseId)).toEqual(registryIds);
  });

  it('judges only the clauses in `only`, in registry order, whatever order they are given in', () => {
    const only = [registryIds.at(-1)!, registryIds[0]!];
    const { verdicts } = checkTrace(cancelStory().events, only);
    expect(verdicts.map((verdict) => verdict.clauseId)).toEqual([registryIds[0], registryIds.at(-1)]);
  });

  it.each([
    ['cancel', () => cancelStory().events],
    ['terminate', () => terminateStory({ secondTerminate: 'noop' }).events],
    ['instance', () => instanceStory().events],
  ])('is true for the conformant %s story: every clause true', (_name, events) => {
    const result = checkTrace(events());
    expect(result.valid, describeCase(events(), result)).toBe(true);
    expect(result.verdicts.every((verdict) => verdict.valid === true)).toBe(true);
  });

  it('is unknown when some clause is unknown and none is false', () => {
    // Cut 1 ms before the cancel bound: the stuck run cannot be judged yet (its process is dead, so nothing else is wrong).
    const events = cancelStory({ parentCancelledAfterMs: null, parentProcessDeadAfterMs: 500, endAfterMs: defaultBounds.cancelBoundMs - 1 }).events;
    const result = checkTrace(events);
    const byValidity = (valid: unknown) => result.verdicts.filter((verdict) => verdict.valid === valid).map((verdict) => verdict.clauseId);
    expect(byValidity('unknown')).toContain('RUN-CANCEL-01');
    expect(byValidity(false), describeCase(events, result)).toEqual([]);
    expect(result.valid).toBe('unknown');
  });

  it('is false when one clause is false, even with others unknown', () => {
    // Stuck in CANCELLING until 1 ms before the bound (unknown), and a kill retried one time too many (false).
    const events = cancelStory({ parentCancelledAfterMs: null, endAfterMs: defaultBounds.cancelBoundMs - 1, killFailures: defaultBounds.killAttemptsMax + 1 }).events;
    const result = checkTrace(events);
    const validities = new Map(result.verdicts.map((verdict) => [verdict.clauseId, verdict.valid]));
    expect(validities.get('RUN-CANCEL-01')).toBe('unknown');
    expect(validities.get('RUN-CANCEL-04')).toBe(false);
    expect(result.valid).toBe(false);
  });
});

describe('a checker that throws', () => {
  /** Runs `body` with the checker of `clauseId` swapped for one that throws; puts it back even when `body` fails. */
  function withThrowingChecker<T>(clauseId: string, body: () => T): T {
    const original = checkers[clauseId]!;
    checkers[clauseId] = () => {
      throw new Error('checker bug');
    };
    try {
      return body();
    } finally {
      checkers[clauseId] = original;
    }
  }

  it('makes its clause unknown with the error as its reason, never a silent pass', () => {
    const { verdicts, valid } = withThrowingChecker('RUN-RETRY-01', () => checkTrace(cancelStory().events, ['RUN-RETRY-01']));
    expect(valid).toBe('unknown');
    expect(verdicts[0]!.violations).toEqual([]);
    expect(verdicts[0]!.unknownReasons).toEqual(['checker threw: Error: checker bug']);
  });

  it('does not stop the others: a violation elsewhere still makes the whole trace false', () => {
    const trace = new TraceBuilder();
    trace.meta();
    createRun(trace, 'run-1', {}, { cause: 'execute', to: 'PENDING' });
    const illegal = trace.move('run', 'run-1', 'COMPLETED', { cause: 'process-exited' });
    trace.end();
    const result = withThrowingChecker('RUN-RETRY-01', () => checkTrace(trace.build()));
    const transition = result.verdicts.find((verdict) => verdict.clauseId === 'TRANSITION-01')!;
    expect(transition.valid).toBe(false);
    expect(transition.violations[0]!.seq).toBe(illegal.seq);
    expect(result.verdicts.find((verdict) => verdict.clauseId === 'RUN-RETRY-01')!.valid).toBe('unknown');
    expect(result.valid).toBe(false);
  });
});

describe('a run state the spec does not know', () => {
  /** A deployment run created in `SCHEDULED/Waiting`: no Prefect state has that name. */
  function bogusRunState() {
    const trace = new TraceBuilder();
    trace.meta();
    deployRequest(trace, 0, { deployment: 'nightly', created: true, concurrencyLimit: 1 });
    const bogus = createRun(trace, 'run-1', { deploymentId: 'nightly', autoScheduled: true, scheduledStartMs: 60_000, slotMs: 60_000 }, { to: 'SCHEDULED/Waiting' });
    trace.end();
    return { events: trace.build(), bogus };
  }

  it.each(['RUN-RETRY-01', 'RUN-CONCURRENCY-01'])('makes %s unknown, naming the run and the state, never a silent pass', (clauseId) => {
    const { events } = bogusRunState();
    const { valid, verdicts } = checkTrace(events, [clauseId]);
    expect(valid).toBe('unknown');
    expect(verdicts[0]!.violations).toEqual([]);
    expect(verdicts[0]!.unknownReasons).toEqual([`run run-1 is in 'SCHEDULED/Waiting', which is not a run state, so its facts cannot be judged`]);
  });

  it('is rejected by TRANSITION-01 with the nearest known name, so the whole trace is false', () => {
    const { events, bogus } = bogusRunState();
    const result = checkTrace(events);
    const transition = result.verdicts.find((verdict) => verdict.clauseId === 'TRANSITION-01')!;
    expect(transition.valid).toBe(false);
    expect(transition.violations).toHaveLength(1);
    expect(transition.violations[0]!.seq).toBe(bogus.seq);
    expect(transition.violations[0]!.message).toContain(`nearest known: 'SCHEDULED/Late'`);
    expect(result.valid).toBe(false);
  });

  it('only makes the clauses that read that run\'s state unknown', () => {
    // The same state on a run of no deployment: RUN-CONCURRENCY-01 has no limit to judge it against.
    const trace = new TraceBuilder();
    trace.meta();
    createRun(trace, 'run-1', {}, { to: 'SCHEDULED/Waiting' });
    trace.end();
    const result = checkTrace(trace.build(), ['RUN-CONCURRENCY-01', 'RUN-RETRY-01']);
    expect(result.verdicts.map((verdict) => [verdict.clauseId, verdict.valid])).toEqual([
      ['RUN-CONCURRENCY-01', true],
      ['RUN-RETRY-01', 'unknown'],
    ]);
  });
});
