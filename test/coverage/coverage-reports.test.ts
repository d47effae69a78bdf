/**
 * Goal: spec coverage reaches the reader: the console block (states, transitions and
 * clauses as covered/total and percent, then the clauses never exercised), the per-clause
 * table of `explore --stats` with those under 5% of the runs marked, the lines of a
 * `--coverage-min` shortfall, and the `coverage` object of summary.json (the counts, the
 * totals, each clause's share, the minimum and its shortfalls), null when a suite has
 * none, with the rest of summary.json unchanged. Method: the pure formatters on
 * hand-made coverage and the report fixtures.
 */
import { describe, expect, it } from 'vitest';
import { coverageShortfalls, coverageTotals } from '../../harness/coverage/coverage-totals.ts';
import type { SpecCoverage } from '../../harness/coverage/spec-coverage-types.ts';
import { formatClauseTable, formatConsoleSummary, formatCoverageBlock, formatCoverageShortfalls } from '../../reports/console.ts';
import { toSummaryJson } from '../../reports/summary-json.ts';
import { suiteFixture } from '../reports/fixtures.ts';

/** 40 scenarios; 2 of 3 states, 1 of 2 moves, 2 of 4 clauses; RUN-CANCEL-03 in 1 of 40 runs (2.5%). */
function coverage(): SpecCoverage {
  return {
    scenarios: 40,
    machines: [
      {
        kind: 'workflow',
        states: [
          { state: 'RUNNING', scenarios: 30 },
          { state: 'TERMINATED', scenarios: 12 },
          { state: 'PAUSED', scenarios: 0 },
        ],
        transitions: [
          { from: 'RUNNING', to: 'TERMINATED', scenarios: 12 },
          { from: 'RUNNING', to: 'PAUSED', scenarios: 0 },
        ],
      },
    ],
    clauses: [
      { clauseId: 'TRANSITION-01', scenarios: 40, situations: 400 },
      { clauseId: 'RUN-CANCEL-03', scenarios: 1, situations: 2 },
      { clauseId: 'WF-TERMINATE-03', scenarios: 0, situations: 0 },
      { clauseId: 'RESTART-02', scenarios: 0, situations: 0 },
    ],
  };
}

describe('console', () => {
  it('prints a two-line coverage block with the clauses never exercised', () => {
    expect(formatCoverageBlock(coverage())).toBe(
      [
        'spec coverage over 40 scenarios: states 2/3 (66.7%), transitions 1/2 (50.0%), clauses 2/4 (50.0%)',
        '  clauses never exercised: WF-TERMINATE-03, RESTART-02',
      ].join('\n'),
    );
  });

  it('says so when every clause was exercised', () => {
    const full = coverage();
    full.clauses = full.clauses.slice(0, 2);
    expect(formatCoverageBlock(full).split('\n')[1]).toBe('  every clause exercised');
  });

  it('prints the per-clause table, marking clauses under 5% of the runs', () => {
    const lines = formatClauseTable(coverage()).split('\n');
    expect(lines[0]).toBe('clause           scenarios  of runs');
    expect(lines[1]).toBe('TRANSITION-01           40   100.0%');
    expect(lines[2]).toBe('RUN-CANCEL-03            1     2.5%  < 5%');
    expect(lines[3]).toBe('WF-TERMINATE-03          0     0.0%  < 5%');
    expect(lines.at(-1)).toBe('3 of 4 clauses below 5% of 40 runs');
  });

  it('does not mark a clause at exactly 5%', () => {
    const atThreshold = coverage();
    atThreshold.clauses = [{ clauseId: 'RUN-CANCEL-03', scenarios: 2, situations: 2 }];
    expect(formatClauseTable(atThreshold).split('\n')[1]).not.toContain('<');
  });

  it('says which measure fell short of --coverage-min and by how much', () => {
    const shortfalls = coverageShortfalls(coverageTotals(coverage()), { states: 60, transitions: 75, clauses: 80 });
    expect(formatCoverageShortfalls(shortfalls).split('\n')).toEqual([
      'coverage below --coverage-min: transitions 50.0% (1/2), 25.0 points short of 75%',
      'coverage below --coverage-min: clauses 50.0% (2/4), 30.0 points short of 80%',
    ]);
    expect(formatCoverageShortfalls([])).toBe('');
  });

  it('leaves formatConsoleSummary as it was: the totals line is still last', () => {
    const suite = { ...suiteFixture(), coverage: coverage() };
    expect(formatConsoleSummary(suite).split('\n').at(-1)).toMatch(/^4 scenarios: 1 passed/);
  });
});

describe('summary.json', () => {
  it('carries the coverage, its totals and each clause\'s share, rounded to 0.1', () => {
    const summary = JSON.parse(JSON.stringify(toSummaryJson({ ...suiteFixture(), coverage: coverage() })));
    expect(summary.coverage.scenarios).toBe(40);
    expect(summary.coverage.totals).toEqual({
      states: { covered: 2, total: 3, percent: 66.7 },
      transitions: { covered: 1, total: 2, percent: 50 },
      clauses: { covered: 2, total: 4, percent: 50 },
    });
    expect(summary.coverage.machines).toEqual(coverage().machines);
    expect(summary.coverage.clauses[1]).toEqual({ clauseId: 'RUN-CANCEL-03', scenarios: 1, situations: 2, percent: 2.5 });
    expect(summary.coverage.minimum).toBeNull();
    expect(summary.coverage.shortfalls).toEqual([]);
  });

  it('records the --coverage-min and what fell short of it, and the exit code follows', () => {
    const summary = toSummaryJson({ ...suiteFixture(), results: [suiteFixture().results[0]!], coverage: coverage(), coverageMinimum: { states: 50, clauses: 75 } });
    expect(summary.coverage?.minimum).toEqual({ states: 50, clauses: 75 });
    expect(summary.coverage?.shortfalls).toEqual([{ measure: 'clauses', percent: 50, minimumPercent: 75, shortByPercent: 25 }]);
    expect(summary.exitCode).toBe(1);
  });

  it('gives coverage null when the suite computed none, every other field as before', () => {
    const without = toSummaryJson(suiteFixture());
    const withCoverage = toSummaryJson({ ...suiteFixture(), coverage: coverage() });
    expect(without.coverage).toBeNull();
    const { coverage: _dropped, ...rest } = withCoverage;
    const { coverage: _none, ...restWithout } = without;
    expect(rest).toEqual(restWithout);
    expect(without.schemaVersion).toBe(2);
  });
});
