/**
 * Spec coverage as numbers: of each measure (states reached, legal transitions taken,
 * clauses exercised) how many rows were covered out of how many, a clause's share of the
 * scenarios, and which measures fall below a `--coverage-min`. Pure functions of a
 * SpecCoverage (spec-coverage.ts computes it), so reports can use them without the
 * checker.
 */
import type { ClauseCoverage, SpecCoverage } from './spec-coverage-types.ts';

/** One measure of coverage: how many of `total` rows were reached at least once (counts). */
export interface CoverageMeasure {
  covered: number;
  total: number;
  /** `covered / total` in percent; 0 when there is nothing to cover, so a minimum is never met by an empty suite. */
  percent: number;
}

/** The three measures `--coverage-min` speaks of. */
export const coverageMeasureNames = ['states', 'transitions', 'clauses'] as const;
export type CoverageMeasureName = (typeof coverageMeasureNames)[number];

export interface CoverageTotals extends Record<CoverageMeasureName, CoverageMeasure> {
  /** Scenarios counted (not-applicable ones are not). */
  scenarios: number;
}

function measure(rows: readonly { scenarios: number }[]): CoverageMeasure {
  const covered = rows.filter((row) => row.scenarios > 0).length;
  return { covered, total: rows.length, percent: rows.length === 0 ? 0 : (covered / rows.length) * 100 };
}

/** States reached, legal transitions taken and clauses exercised, each out of its rows. */
export function coverageTotals(coverage: SpecCoverage): CoverageTotals {
  return {
    scenarios: coverage.scenarios,
    states: measure(coverage.machines.flatMap((machine) => machine.states)),
    transitions: measure(coverage.machines.flatMap((machine) => machine.transitions)),
    clauses: measure(coverage.clauses),
  };
}

/** Ids of the listed clauses no scenario exercised, in registry order. */
export function unexercisedClauses(coverage: SpecCoverage): string[] {
  return coverage.clauses.filter((clause) => clause.scenarios === 0).map((clause) => clause.clauseId);
}

/** A clause's share of the scenarios that exercised it (percent); 0 when no scenario was counted. */
export function clausePercent(clause: ClauseCoverage, coverage: SpecCoverage): number {
  return coverage.scenarios === 0 ? 0 : (clause.scenarios / coverage.scenarios) * 100;
}

/**
 * Share of generated scenarios every clause should be exercised in at explore's default
 * weights (issue 7: 5%); the `--stats` table marks the clauses below it.
 */
export const clauseGenerationPercentMin = 5;

/** A minimum percent per measure (`--coverage-min`); a measure not named has none. */
export type CoverageMinimum = Partial<Record<CoverageMeasureName, number>>;

/** One measure below its minimum: by how much, in percentage points. */
export interface CoverageShortfall {
  measure: CoverageMeasureName;
  percent: number;
  minimumPercent: number;
  /** `minimumPercent - percent` (percentage points, > 0). */
  shortByPercent: number;
  covered: number;
  total: number;
}

/** The measures of `totals` below their minimum, in the order states, transitions, clauses; [] when every one is met. */
export function coverageShortfalls(totals: CoverageTotals, minimum: CoverageMinimum): CoverageShortfall[] {
  const shortfalls: CoverageShortfall[] = [];
  for (const name of coverageMeasureNames) {
    const minimumPercent = minimum[name];
    if (minimumPercent === undefined) continue;
    const { percent, covered, total } = totals[name];
    if (percent < minimumPercent) shortfalls.push({ measure: name, percent, minimumPercent, shortByPercent: minimumPercent - percent, covered, total });
  }
  return shortfalls;
}
