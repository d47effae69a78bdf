/** Spec coverage: what a suite or campaign reached of the machines and clauses, and its totals. */
export { addScenario, coverageOf, emptyCoverage, mergeCoverage, scenarioCoverage } from './spec-coverage.ts';
export type { CoverageInput } from './spec-coverage.ts';
export {
  clauseGenerationPercentMin,
  clausePercent,
  coverageMeasureNames,
  coverageShortfalls,
  coverageTotals,
  exitCodeWithCoverage,
  unexercisedClauses,
} from './coverage-totals.ts';
export type { CoverageMeasure, CoverageMeasureName, CoverageMinimum, CoverageShortfall, CoverageTotals } from './coverage-totals.ts';
export type { ClauseCoverage, MachineCoverage, SpecCoverage, StateCoverage, TransitionCoverage } from './spec-coverage-types.ts';
