/**
 * Expectations on one clause's verdict, shared by the checker tests. Each calls
 * `checkTrace(events, [clauseId])` and looks at `verdicts[0]`; on failure the message
 * carries the verdict and the whole trace as JSON lines, so the counterexample can be
 * read (and replayed with `flowconform check`) from the test output alone.
 */
import { expect } from 'vitest';
import { checkTrace } from '../../harness/checker/check.ts';
import type { ClauseVerdict, Violation } from '../../harness/result.ts';
import type { TraceEvent } from '../../trace/events.ts';

/** The verdict and trace, as text for a failing expectation. */
export function describeCase(events: readonly TraceEvent[], verdict: unknown): string {
  return `verdict: ${JSON.stringify(verdict, null, 2)}\ntrace:\n${events.map((event) => JSON.stringify(event)).join('\n')}`;
}

/** Judge the trace against one clause and return its verdict. */
export function judge(events: readonly TraceEvent[], clauseId: string): ClauseVerdict {
  const { verdicts } = checkTrace(events, [clauseId]);
  expect(verdicts.map((verdict) => verdict.clauseId), `checkTrace(…, ['${clauseId}']) must judge exactly that clause`).toEqual([clauseId]);
  return verdicts[0]!;
}

/**
 * The clause holds, and, unless `alone` is set, so does every other clause: a passing
 * fixture must be a conformant history, or it proves nothing about the clause under test.
 */
export function expectHolds(events: readonly TraceEvent[], clauseId: string, options: { alone?: boolean } = {}): ClauseVerdict {
  const verdict = judge(events, clauseId);
  expect(verdict.valid, describeCase(events, verdict)).toBe(true);
  expect(verdict.violations).toEqual([]);
  expect(verdict.unknownReasons).toEqual([]);
  if (!options.alone) {
    const others = checkTrace(events).verdicts.filter((other) => other.valid !== true);
    expect(others, `the passing fixture for ${clauseId} breaks other clauses\n${describeCase(events, others)}`).toEqual([]);
  }
  return verdict;
}

/**
 * The clause is violated, every violation is attributed to it, and one of them is about
 * `entity`: its `entity` field is that id and its message names it. With `seq`, that
 * violation points at that trace event.
 */
export function expectViolated(events: readonly TraceEvent[], clauseId: string, expected: { entity: string; seq?: number }): Violation {
  const verdict = judge(events, clauseId);
  const text = describeCase(events, verdict);
  expect(verdict.valid, text).toBe(false);
  expect(verdict.violations.length, text).toBeGreaterThan(0);
  for (const violation of verdict.violations) expect(violation.clauseId, text).toBe(clauseId);
  const about = verdict.violations.find((violation) => violation.entity === expected.entity);
  expect(about, `no violation about ${expected.entity}\n${text}`).toBeDefined();
  expect(about!.message, text).toContain(expected.entity);
  if (expected.seq !== undefined) expect(about!.seq, text).toBe(expected.seq);
  return about!;
}

/** The clause cannot be decided: 'unknown', no violation, and a reason that names `entity`. */
export function expectUnknown(events: readonly TraceEvent[], clauseId: string, entity: string): ClauseVerdict {
  const verdict = judge(events, clauseId);
  const text = describeCase(events, verdict);
  expect(verdict.valid, text).toBe('unknown');
  expect(verdict.violations, text).toEqual([]);
  expect(verdict.unknownReasons.some((reason) => reason.includes(entity)), `no unknown reason names ${entity}\n${text}`).toBe(true);
  return verdict;
}
