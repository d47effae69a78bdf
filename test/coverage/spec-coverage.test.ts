/**
 * Goal: spec coverage counts what the scenarios reached, per scenario, so that shards add
 * up: the states and legal moves of the machines from the trace's transitions (pushed,
 * or derived from read-backs when an engine pushes none), the clauses whose situation
 * occurred (`exercised > 0`), measured against what the engine can be held to (its entity
 * kinds, the clauses of its checked families); not-applicable scenarios count for
 * nothing. Method: hand-made traces (TraceBuilder) and verdicts in hand-made results,
 * through the pure functions of harness/coverage/.
 */
import { describe, expect, it } from 'vitest';
import { coverageTotals, unexercisedClauses } from '../../harness/coverage/coverage-totals.ts';
import { coverageOf, emptyCoverage, mergeCoverage, scenarioCoverage, type CoverageInput } from '../../harness/coverage/spec-coverage.ts';
import type { SpecCoverage } from '../../harness/coverage/spec-coverage-types.ts';
import type { ClauseVerdict, EngineInfo } from '../../harness/result.ts';
import { describeMachine } from '../../spec/machine-description.ts';
import { clausesCheckedFor } from '../../harness/applicability.ts';
import type { TraceEvent } from '../../trace/events.ts';
import { pushedRunReadBackRunning } from '../checker/fixtures.ts';
import { TraceBuilder } from '../checker/trace-builder.ts';
import { partialEngine } from '../reports/fixtures.ts';

function verdict(clauseId: string, exercised: number, valid: ClauseVerdict['valid'] = true): ClauseVerdict {
  return { clauseId, valid, violations: [], unknownReasons: [], exercised };
}

function result(trace: TraceEvent[], verdicts: ClauseVerdict[] = [], outcome: CoverageInput['outcome'] = 'pass', engine: EngineInfo | null = partialEngine()): CoverageInput {
  return { outcome, verdicts, trace, engine };
}

/** A run created SCHEDULED (written in full), then PENDING, RUNNING, CANCELLING, CANCELLED, all pushed. */
function cancelledRunTrace(): TraceEvent[] {
  const trace = new TraceBuilder();
  trace.meta();
  trace.transition('run', 'r1', null, 'SCHEDULED/Scheduled', { cause: 'execute' });
  trace.move('run', 'r1', 'PENDING');
  trace.move('run', 'r1', 'RUNNING');
  trace.move('run', 'r1', 'CANCELLING', { cause: 'cancel' });
  trace.move('run', 'r1', 'CANCELLED');
  trace.teardown();
  trace.end();
  return trace.build();
}

function stateCount(coverage: SpecCoverage, kind: string, state: string): number | undefined {
  return coverage.machines.find((machine) => machine.kind === kind)?.states.find((row) => row.state === state)?.scenarios;
}

function moveCount(coverage: SpecCoverage, kind: string, from: string, to: string): number | undefined {
  return coverage.machines.find((machine) => machine.kind === kind)?.transitions.find((row) => row.from === from && row.to === to)?.scenarios;
}

function clauseRow(coverage: SpecCoverage, clauseId: string) {
  return coverage.clauses.find((row) => row.clauseId === clauseId);
}

describe('coverage of one scenario', () => {
  it('counts the states and legal moves of pushed transitions, run states in canonical form, unreached ones listed with 0', () => {
    const coverage = scenarioCoverage(result(cancelledRunTrace()));
    expect(coverage.scenarios).toBe(1);
    for (const state of ['SCHEDULED', 'PENDING', 'RUNNING', 'CANCELLING', 'CANCELLED']) expect(stateCount(coverage, 'run', state), state).toBe(1);
    expect(stateCount(coverage, 'run', 'COMPLETED')).toBe(0);
    expect(moveCount(coverage, 'run', 'SCHEDULED', 'PENDING')).toBe(1);
    expect(moveCount(coverage, 'run', 'RUNNING', 'CANCELLING')).toBe(1);
    expect(moveCount(coverage, 'run', 'CANCELLING', 'CANCELLED')).toBe(1);
    expect(moveCount(coverage, 'run', 'RUNNING', 'COMPLETED')).toBe(0);
    // Every state and move of the machine is a row, reached or not.
    const run = describeMachine('run');
    const runRows = coverage.machines.find((machine) => machine.kind === 'run')!;
    expect(runRows.states.map((row) => row.state)).toEqual(run.states);
    expect(runRows.transitions).toHaveLength(run.moves.length);
    expect(coverageTotals(coverage).transitions.covered).toBe(4);
    expect(coverageTotals(coverage).states.covered).toBe(5);
  });

  it('counts a state seen once as one scenario, however many entities or times', () => {
    const trace = new TraceBuilder();
    trace.meta();
    for (const id of ['a', 'b', 'c']) {
      trace.move('run', id, 'PENDING', { cause: 'execute' });
      trace.move('run', id, 'RUNNING');
    }
    trace.end();
    const coverage = scenarioCoverage(result(trace.build()));
    expect(stateCount(coverage, 'run', 'RUNNING')).toBe(1);
    expect(moveCount(coverage, 'run', 'PENDING', 'RUNNING')).toBe(1);
  });

  it('counts the states of a move the machine does not allow, but not the move', () => {
    const trace = new TraceBuilder();
    trace.meta();
    trace.transition('run', 'r1', null, 'PENDING', { cause: 'execute' });
    trace.transition('run', 'r1', 'PENDING', 'COMPLETED');
    trace.end();
    const coverage = scenarioCoverage(result(trace.build()));
    expect(stateCount(coverage, 'run', 'COMPLETED')).toBe(1);
    expect(coverageTotals(coverage).transitions.covered).toBe(0);
  });

  it('counts transitions derived from read-backs when the engine pushes none of a kind', () => {
    const trace = new TraceBuilder();
    trace.meta();
    trace.observe('workflow', 'w1', 'RUNNING');
    trace.afterWall(50);
    trace.observe('workflow', 'w1', 'TERMINATED');
    trace.observe('task', 't1', 'IN_PROGRESS', { parentId: 'w1' });
    trace.observe('task', 't1', 'CANCELED', { parentId: 'w1' });
    trace.end();
    const coverage = scenarioCoverage(result(trace.build()));
    expect(stateCount(coverage, 'workflow', 'RUNNING')).toBe(1);
    expect(stateCount(coverage, 'workflow', 'TERMINATED')).toBe(1);
    expect(moveCount(coverage, 'workflow', 'RUNNING', 'TERMINATED')).toBe(1);
    expect(moveCount(coverage, 'task', 'IN_PROGRESS', 'CANCELED')).toBe(1);
  });

  it('derives nothing for a kind the engine pushes: read-backs of it add no state', () => {
    const coverage = scenarioCoverage(result(pushedRunReadBackRunning()));
    expect(stateCount(coverage, 'run', 'PENDING')).toBe(1);
    expect(stateCount(coverage, 'run', 'RUNNING')).toBe(0);
  });

  it('counts a clause exercised when its situation occurred, with its occurrences; a vacuous verdict is not counted', () => {
    const coverage = scenarioCoverage(result(cancelledRunTrace(), [verdict('RUN-CANCEL-01', 3), verdict('RUN-CANCEL-02', 0), verdict('PROCESS-01', 1, false)]));
    expect(clauseRow(coverage, 'RUN-CANCEL-01')).toEqual({ clauseId: 'RUN-CANCEL-01', scenarios: 1, situations: 3 });
    expect(clauseRow(coverage, 'RUN-CANCEL-02')).toEqual({ clauseId: 'RUN-CANCEL-02', scenarios: 0, situations: 0 });
    expect(clauseRow(coverage, 'PROCESS-01')?.scenarios).toBe(1);
    expect(unexercisedClauses(coverage)).toContain('RUN-CANCEL-02');
    expect(unexercisedClauses(coverage)).not.toContain('RUN-CANCEL-01');
  });

  it('counts an inconclusive scenario for what its trace shows', () => {
    const coverage = scenarioCoverage(result(cancelledRunTrace(), [verdict('RUN-CANCEL-01', 1)], 'inconclusive'));
    expect(coverage.scenarios).toBe(1);
    expect(stateCount(coverage, 'run', 'CANCELLED')).toBe(1);
  });

  it('counts nothing of a not-applicable scenario, but lists the rows the engine is measured on', () => {
    const coverage = scenarioCoverage(result(cancelledRunTrace(), [verdict('RUN-CANCEL-01', 1)], 'not-applicable'));
    expect(coverage.scenarios).toBe(0);
    expect(stateCount(coverage, 'run', 'CANCELLED')).toBe(0);
    expect(clauseRow(coverage, 'RUN-CANCEL-01')?.scenarios).toBe(0);
    expect(coverage.clauses.length).toBeGreaterThan(0);
  });
});

describe('what coverage is measured against', () => {
  it('the machines of the engine\'s entity kinds and the clauses of its checked families, not the whole registry', () => {
    const engine = partialEngine();
    const coverage = emptyCoverage(engine.capabilities);
    expect(coverage.machines.map((machine) => machine.kind)).toEqual(['run', 'workflow', 'task']);
    expect(coverage.clauses.map((clause) => clause.clauseId)).toEqual(clausesCheckedFor(engine.capabilities!));
    expect(coverage.clauses.some((clause) => clause.clauseId.startsWith('INSTANCE-'))).toBe(false);
    expect(coverageTotals(coverage).states.total).toBe(['run', 'workflow', 'task'].reduce((sum, kind) => sum + describeMachine(kind as 'run').states.length, 0));
  });

  it('adds a kind or clause the engine did not declare but a scenario reached', () => {
    const trace = new TraceBuilder();
    trace.meta();
    trace.move('instance', 'i1', 'SUBMITTED_SUCCESS', { cause: 'start-process-instance' });
    trace.end();
    const coverage = scenarioCoverage(result(trace.build(), [verdict('INSTANCE-01', 1)]));
    expect(coverage.machines.map((machine) => machine.kind)).toEqual(['run', 'workflow', 'task', 'instance']);
    expect(clauseRow(coverage, 'INSTANCE-01')?.scenarios).toBe(1);
    // Still in registry order: INSTANCE-01 comes before the process family.
    const ids = coverage.clauses.map((clause) => clause.clauseId);
    expect(ids.indexOf('INSTANCE-01')).toBeLessThan(ids.indexOf('PROCESS-01'));
  });

  it('lists only what was reached when the engine\'s capabilities are unknown', () => {
    const coverage = scenarioCoverage(result(cancelledRunTrace(), [verdict('RUN-CANCEL-01', 1), verdict('RUN-CANCEL-02', 0)], 'inconclusive', null));
    expect(coverage.machines.map((machine) => machine.kind)).toEqual(['run']);
    expect(coverage.clauses.map((clause) => clause.clauseId)).toEqual(['RUN-CANCEL-01']);
  });
});

describe('merging and totals', () => {
  const cancelled = result(cancelledRunTrace(), [verdict('RUN-CANCEL-01', 2)]);
  const completedTrace = () => {
    const trace = new TraceBuilder();
    trace.meta();
    trace.move('run', 'r1', 'PENDING', { cause: 'execute' });
    trace.move('run', 'r1', 'RUNNING');
    trace.move('run', 'r1', 'COMPLETED');
    trace.end();
    return trace.build();
  };
  const completed = result(completedTrace(), [verdict('RUN-CANCEL-01', 1), verdict('PROCESS-01', 1)]);

  it('adds scenarios and every count, and changes neither argument', () => {
    const a = scenarioCoverage(cancelled);
    const b = scenarioCoverage(completed);
    const before = JSON.stringify([a, b]);
    const merged = mergeCoverage(a, b);
    expect(JSON.stringify([a, b])).toBe(before);
    expect(merged.scenarios).toBe(2);
    expect(stateCount(merged, 'run', 'RUNNING')).toBe(2);
    expect(stateCount(merged, 'run', 'CANCELLED')).toBe(1);
    expect(stateCount(merged, 'run', 'COMPLETED')).toBe(1);
    expect(moveCount(merged, 'run', 'PENDING', 'RUNNING')).toBe(2);
    expect(clauseRow(merged, 'RUN-CANCEL-01')).toEqual({ clauseId: 'RUN-CANCEL-01', scenarios: 2, situations: 3 });
    expect(clauseRow(merged, 'PROCESS-01')?.scenarios).toBe(1);
  });

  it('takes the union of the rows of two shards measured on different engines', () => {
    const merged = mergeCoverage(emptyCoverage(partialEngine().capabilities), scenarioCoverage(result(cancelledRunTrace(), [verdict('INSTANCE-02', 1)], 'pass', null)));
    expect(clauseRow(merged, 'INSTANCE-02')?.scenarios).toBe(1);
    expect(merged.clauses.length).toBe(clausesCheckedFor(partialEngine().capabilities!).length + 1);
  });

  it('folds results one at a time to the same coverage as all at once (a campaign keeps no trace)', () => {
    expect(mergeCoverage(coverageOf([cancelled]), coverageOf([completed]))).toEqual(coverageOf([cancelled, completed]));
  });

  it('totals: reached out of listed rows, in percent', () => {
    const coverage = coverageOf([cancelled, completed, result(cancelledRunTrace(), [], 'not-applicable')]);
    const totals = coverageTotals(coverage);
    expect(totals.scenarios).toBe(2);
    expect(totals.states.covered).toBe(6);
    expect(totals.transitions.covered).toBe(5);
    expect(totals.clauses.covered).toBe(2);
    expect(totals.clauses.total).toBe(clausesCheckedFor(partialEngine().capabilities!).length);
    expect(totals.clauses.percent).toBeCloseTo((2 / totals.clauses.total) * 100, 10);
    expect(totals.states.percent).toBeCloseTo((6 / totals.states.total) * 100, 10);
  });

  it('gives 0% when there is nothing to cover, so a minimum is never met by an empty suite', () => {
    const totals = coverageTotals(coverageOf([]));
    expect(totals.clauses).toEqual({ covered: 0, total: 0, percent: 0 });
    expect(totals.states).toEqual({ covered: 0, total: 0, percent: 0 });
  });
});
