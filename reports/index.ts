/**
 * The public surface of reports/: pure formatters from results to text or data, and the
 * one function that writes them to disk.
 */
export { formatConsoleSummary, formatEngineLine, formatScenarioLine, countOutcomes, formatCoverageBlock, formatCoverageShortfalls, formatClauseTable } from './console.ts';
export type { ConsoleOptions, SuiteTotals } from './console.ts';
export { toSummaryJson, summarySchemaVersion, summaryCoverage } from './summary-json.ts';
export type { SummaryClauseCoverage, SummaryCoverage, SummaryCoverageMeasure, SummaryEngine, SummaryJson, SummaryScenario, SummaryVerdict, SummaryViolation } from './summary-json.ts';
export { toJunitXml } from './junit.ts';
export { formatRepro } from './repro.ts';
export type { ReproContext, ReproExtra } from './repro.ts';
export { writeReports, reproDirectoryName, reproDirectoryNames, needsRepro } from './write.ts';
export type { WriteReportsOptions } from './write.ts';
