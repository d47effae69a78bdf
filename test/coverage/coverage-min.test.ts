/**
 * Goal: `--coverage-min` is read in one place and decides the exit code in one place. A
 * percent for all measures or per measure; anything else is a usage error (exit 2) that
 * says what is wrong; a measure below its minimum says by how much and makes a conformant
 * suite exit 1, while a worse code (1 violated, 3 inconclusive) stands. Method: the
 * parser and the decision on hand-made coverage; the CLI in-process (`runMain`) for the
 * usage errors, which are raised before any engine starts.
 */
import { describe, expect, it } from 'vitest';
import { coverageShortfalls, coverageTotals, type CoverageTotals } from '../../harness/coverage/coverage-totals.ts';
import { UsageError } from '../../harness/cli/exit-codes.ts';
import { parseCoverageMin } from '../../harness/cli/options.ts';
import { suiteExitCode } from '../../harness/result.ts';
import type { SpecCoverage } from '../../harness/coverage/spec-coverage-types.ts';
import { runMain } from '../support/run-main.ts';
import { passingResult, suiteFixture } from '../reports/fixtures.ts';

/** 4 states of 5 reached (80%), 1 move of 4 taken (25%), 1 clause of 2 exercised (50%). */
function coverage(): SpecCoverage {
  return {
    scenarios: 3,
    machines: [
      {
        kind: 'command',
        states: ['CREATED', 'CLAIMED', 'CONSUMED', 'ERROR', 'EXTRA'].map((state, index) => ({ state, scenarios: index < 4 ? 1 : 0 })),
        transitions: [
          { from: 'CREATED', to: 'CLAIMED', scenarios: 2 },
          { from: 'CLAIMED', to: 'CONSUMED', scenarios: 0 },
          { from: 'CLAIMED', to: 'ERROR', scenarios: 0 },
          { from: 'CLAIMED', to: 'CREATED', scenarios: 0 },
        ],
      },
    ],
    clauses: [
      { clauseId: 'INSTANCE-01', scenarios: 3, situations: 9 },
      { clauseId: 'INSTANCE-02', scenarios: 0, situations: 0 },
    ],
  };
}

function totals(): CoverageTotals {
  return coverageTotals(coverage());
}

describe('parseCoverageMin', () => {
  it('is undefined when the option is absent', () => {
    expect(parseCoverageMin(undefined)).toBeUndefined();
  });

  it('takes one percent for all three measures', () => {
    expect(parseCoverageMin('80')).toEqual({ states: 80, transitions: 80, clauses: 80 });
    expect(parseCoverageMin('62.5%')).toEqual({ states: 62.5, transitions: 62.5, clauses: 62.5 });
  });

  it('takes a percent per measure, leaving the others without a minimum', () => {
    expect(parseCoverageMin('clauses=100,transitions=60,states=90')).toEqual({ clauses: 100, transitions: 60, states: 90 });
    expect(parseCoverageMin(' clauses = 100 ')).toEqual({ clauses: 100 });
  });

  it.each([
    ['', /takes a percent for all measures/],
    ['abc', /'abc' is not a percent from 0 to 100/],
    ['101', /'101' is not a percent from 0 to 100/],
    ['-5', /'-5' is not a percent/],
    ['clauses=', /'' is not a percent/],
    ['lines=50', /'lines' is not a measure; the measures are states, transitions, clauses/],
    ['clauses=50,clauses=60', /clauses is named twice/],
    ['80,clauses=100', /'80' is not measure=percent/],
    ['clauses=50,', /takes a percent for all measures/],
    ['clauses=5=6', /'clauses=5=6' is not measure=percent/],
  ])('rejects %j with a UsageError saying why', (text, message) => {
    expect(() => parseCoverageMin(text)).toThrow(UsageError);
    expect(() => parseCoverageMin(text)).toThrow(message);
  });
});

describe('coverage shortfalls and the exit code', () => {
  it('names each measure below its minimum and by how many points, in the order states, transitions, clauses', () => {
    const shortfalls = coverageShortfalls(totals(), { clauses: 60, transitions: 30, states: 80 });
    expect(shortfalls.map((shortfall) => shortfall.measure)).toEqual(['transitions', 'clauses']);
    expect(shortfalls[0]).toMatchObject({ percent: 25, minimumPercent: 30, shortByPercent: 5, covered: 1, total: 4 });
    expect(shortfalls[1]).toMatchObject({ percent: 50, minimumPercent: 60, shortByPercent: 10 });
  });

  it('finds none when every named measure is met, exactly met included', () => {
    expect(coverageShortfalls(totals(), { states: 80, clauses: 50 })).toEqual([]);
    expect(coverageShortfalls(totals(), {})).toEqual([]);
  });

  it('decides a suite\'s exit code (summary.json and `run`) through the suite\'s coverageMinimum', () => {
    const suite = { ...suiteFixture(), results: [passingResult()], coverage: coverage() };
    expect(suiteExitCode(suite)).toBe(0);
    expect(suiteExitCode({ ...suite, coverageMinimum: { clauses: 50 } })).toBe(0);
    expect(suiteExitCode({ ...suite, coverageMinimum: { clauses: 51 } })).toBe(1);
    // Inconclusive stays 3 whatever the coverage.
    expect(suiteExitCode({ ...suiteFixture(), results: [suiteFixture().results[2]!], coverage: coverage(), coverageMinimum: { clauses: 100 } })).toBe(3);
  });
});

describe('the command line', () => {
  it('run: an invalid --coverage-min exits 2 with the reason, before any engine starts', async () => {
    const outcome = await runMain(['run', 'scenarios/windows-cancel-nested-subflows.yaml', '--coverage-min', 'clauses=abc']);
    expect(outcome.code).toBe(2);
    expect(outcome.stderr).toContain("--coverage-min: 'abc' is not a percent from 0 to 100");
  });

  it('explore: an invalid --coverage-min exits 2', async () => {
    const outcome = await runMain(['explore', '--coverage-min', 'branches=80']);
    expect(outcome.code).toBe(2);
    expect(outcome.stderr).toContain("'branches' is not a measure");
  });

  it('explore --dry-run --stats exits 2: the table needs runs to judge', async () => {
    const outcome = await runMain(['explore', '--dry-run', '--stats', '--runs', '2']);
    expect(outcome.code).toBe(2);
    expect(outcome.stderr).toContain('--stats needs runs');
    expect(outcome.stdout).not.toContain('generated scenario');
  });
});
