/**
 * Console rendering of a suite: one line per scenario, the engine line, then a totals
 * line; and of spec coverage: a short block, the per-clause table of `explore --stats`,
 * and what fell below `--coverage-min`. Pure: the
 * caller decides whether colour is wanted (for example `picocolors.isColorSupported`)
 * and where the text goes.
 */
import picocolors from 'picocolors';
import type { EngineInfo, ScenarioOutcome, ScenarioResult, SuiteResult } from '../harness/result.ts';
import type { SpecCoverage } from '../harness/coverage/spec-coverage-types.ts';
import {
  clauseGenerationPercentMin,
  clausePercent,
  coverageTotals,
  unexercisedClauses,
  type CoverageMeasure,
  type CoverageShortfall,
} from '../harness/coverage/coverage-totals.ts';
import { inconclusiveReason, listOrNone, missingText, truncate, uncheckedFamilies, violatedClauseIds } from './text.ts';

export interface ConsoleOptions {
  /** Emit ANSI colour codes. Default false, so output is the same wherever it is rendered. */
  color?: boolean;
}

/** Longest error text shown on an inconclusive scenario's line (characters). */
const errorLengthMax = 120;

const outcomeLabels: Record<ScenarioOutcome, string> = {
  pass: 'PASS',
  fail: 'FAIL',
  inconclusive: 'INCONCLUSIVE',
  'not-applicable': 'N/A',
};

/**
 * Width of the outcome column: the longest label, `INCONCLUSIVE` (characters). Derived,
 * so that a longer label added later cannot break the alignment of the name column.
 */
const outcomeWidth = Math.max(...Object.values(outcomeLabels).map((label) => label.length));

/**
 * One line for one scenario, also used for streaming progress while a suite runs:
 *
 * `FAIL         cancel-nested-win32 [win32] bug prefect-17792 2301 ms: violated RUN-CANCEL-01, RUN-CANCEL-02`
 *
 * Fields: outcome, scenario name, platform, bug profile (only when one is on), duration
 * (ms, rounded), then for a failure the violated clause ids, for an inconclusive run the
 * error cut to 120 characters, for a not-applicable scenario what the engine lacks
 * (`N/A          deploy-backlog [posix] 4 ms: not applicable, engine lacks operation deploy`).
 * No trailing newline.
 *
 * @throws Error when `result.outcome` is not a known outcome (a result built outside the types).
 */
export function formatScenarioLine(result: ScenarioResult, options: ConsoleOptions = {}): string {
  const colors = picocolors.createColors(options.color ?? false);
  const label = outcomeLabels[result.outcome].padEnd(outcomeWidth);
  let outcome: string;
  let detail = '';
  switch (result.outcome) {
    case 'pass':
      outcome = colors.green(label);
      break;
    case 'fail': {
      outcome = colors.red(colors.bold(label));
      const ids = violatedClauseIds(result.verdicts);
      detail = `: violated ${ids.length > 0 ? ids.join(', ') : '(no clause id recorded)'}`;
      break;
    }
    case 'inconclusive':
      outcome = colors.yellow(colors.bold(label));
      detail = `: ${truncate(inconclusiveReason(result), errorLengthMax)}`;
      break;
    case 'not-applicable':
      // Cyan, not yellow or red: it is no finding about the engine and must not read as one.
      outcome = colors.cyan(label);
      detail = `: not applicable, ${missingText(result.missingCapabilities)}`;
      break;
    default: {
      const unhandled: never = result.outcome;
      throw new Error(`formatScenarioLine: unknown outcome '${String(unhandled)}'`);
    }
  }
  const bug = result.bug === null ? '' : ` ${colors.magenta(`bug ${result.bug}`)}`;
  const duration = colors.dim(`${Math.round(result.durationMs)} ms`);
  return `${outcome} ${colors.bold(result.scenario)} [${result.platform}]${bug} ${duration}${detail}`;
}

/** Counts of a suite's scenarios by outcome (counts); the four outcome counts sum to `scenarios`. */
export interface SuiteTotals {
  scenarios: number;
  passed: number;
  failed: number;
  inconclusive: number;
  /** Scenarios the engine lacks a capability for: neither passed nor failed. */
  notApplicable: number;
}

/**
 * How many scenarios of the suite passed, failed, were inconclusive and were not applicable.
 *
 * @throws Error when a result has an outcome that is not a known outcome.
 */
export function countOutcomes(suite: SuiteResult): SuiteTotals {
  const totals: SuiteTotals = { scenarios: suite.results.length, passed: 0, failed: 0, inconclusive: 0, notApplicable: 0 };
  for (const result of suite.results) {
    // A switch, not an else chain: a new outcome must be counted on purpose, never as another.
    switch (result.outcome) {
      case 'pass':
        totals.passed += 1;
        break;
      case 'fail':
        totals.failed += 1;
        break;
      case 'inconclusive':
        totals.inconclusive += 1;
        break;
      case 'not-applicable':
        totals.notApplicable += 1;
        break;
      default: {
        const unhandled: never = result.outcome;
        throw new Error(`countOutcomes: unknown outcome '${String(unhandled)}'`);
      }
    }
  }
  return totals;
}

/**
 * The engine and the clause families it was checked on, and those it was not:
 *
 * `engine acme-orchestrator 2.3.1: checked on transitions, run-cancel, process; not checked on deployment, workflow, instance`
 *
 * Either list reads `none` when empty. With no engine (never started):
 * `engine not started: checked on none; not checked on <every family>`. No trailing newline.
 */
export function formatEngineLine(engine: EngineInfo | null, options: ConsoleOptions = {}): string {
  const colors = picocolors.createColors(options.color ?? false);
  const label = engine === null ? 'not started' : `${engine.name} ${engine.version}`;
  const checked = listOrNone(engine?.checkedFamilies ?? []);
  const unchecked = uncheckedFamilies(engine);
  const notChecked = listOrNone(unchecked);
  return (
    `engine ${colors.bold(label)}: checked on ${checked}; ` +
    `not checked on ${unchecked.length > 0 ? colors.yellow(notChecked) : notChecked}`
  );
}

/**
 * The whole suite: `formatScenarioLine` for each scenario, then `formatEngineLine` of the
 * suite's engine, then the totals line, last so that a caller may print only that:
 * `12 scenarios: 10 passed, 1 failed, 0 inconclusive, 1 not applicable in 23.4 s` (suite
 * duration in s, one decimal). Lines are joined with `\n`, no trailing newline.
 */
export function formatConsoleSummary(suite: SuiteResult, options: ConsoleOptions = {}): string {
  const colors = picocolors.createColors(options.color ?? false);
  const totals = countOutcomes(suite);
  const noun = totals.scenarios === 1 ? 'scenario' : 'scenarios';
  const passed = `${totals.passed} passed`;
  const failed = `${totals.failed} failed`;
  const inconclusive = `${totals.inconclusive} inconclusive`;
  const notApplicable = `${totals.notApplicable} not applicable`;
  const seconds = (suite.durationMs / 1000).toFixed(1);
  const totalsLine =
    `${colors.bold(`${totals.scenarios} ${noun}`)}: ` +
    `${totals.passed > 0 ? colors.green(passed) : passed}, ` +
    `${totals.failed > 0 ? colors.red(failed) : failed}, ` +
    `${totals.inconclusive > 0 ? colors.yellow(inconclusive) : inconclusive}, ` +
    `${totals.notApplicable > 0 ? colors.cyan(notApplicable) : notApplicable} in ${seconds} s`;
  const lines = suite.results.map((result) => formatScenarioLine(result, options));
  lines.push(formatEngineLine(suite.engine, options), totalsLine);
  return lines.join('\n');
}

/** A percent with one decimal: `83.3%`. */
function percentText(percent: number): string {
  return `${percent.toFixed(1)}%`;
}

function measureText(name: string, measure: CoverageMeasure): string {
  return `${name} ${measure.covered}/${measure.total} (${percentText(measure.percent)})`;
}

/**
 * Spec coverage in two lines (harness/coverage/spec-coverage.ts says what is counted):
 *
 * ```
 * spec coverage over 25 scenarios: states 41/49 (83.7%), transitions 60/109 (55.0%), clauses 25/28 (89.3%)
 *   clauses never exercised: INSTANCE-03, RUN-RETRY-01, WF-TERMINATE-03
 * ```
 *
 * The second line reads `  every clause exercised` when none is missing. No trailing newline.
 */
export function formatCoverageBlock(coverage: SpecCoverage, options: ConsoleOptions = {}): string {
  const colors = picocolors.createColors(options.color ?? false);
  const totals = coverageTotals(coverage);
  const noun = totals.scenarios === 1 ? 'scenario' : 'scenarios';
  const never = unexercisedClauses(coverage);
  return [
    `${colors.bold('spec coverage')} over ${totals.scenarios} ${noun}: ${measureText('states', totals.states)}, ${measureText('transitions', totals.transitions)}, ${measureText('clauses', totals.clauses)}`,
    never.length > 0 ? `  clauses never exercised: ${colors.yellow(never.join(', '))}` : '  every clause exercised',
  ].join('\n');
}

/**
 * One line per measure below its `--coverage-min`:
 * `coverage below --coverage-min: transitions 55.0% (60/109), 5.0 points short of 60%`.
 * Empty string when there is none. No trailing newline.
 */
export function formatCoverageShortfalls(shortfalls: readonly CoverageShortfall[], options: ConsoleOptions = {}): string {
  const colors = picocolors.createColors(options.color ?? false);
  return shortfalls
    .map(
      (shortfall) =>
        `${colors.red('coverage below --coverage-min')}: ${shortfall.measure} ${percentText(shortfall.percent)} (${shortfall.covered}/${shortfall.total}), ` +
        `${shortfall.shortByPercent.toFixed(1)} points short of ${shortfall.minimumPercent}%`,
    )
    .join('\n');
}

/**
 * The per-clause generation table of `explore --stats`: each clause with the scenarios
 * that exercised it and their share of the runs, those below `clauseGenerationPercentMin`
 * (5%) marked, then a line counting them:
 *
 * ```
 * clause              scenarios  of runs
 * TRANSITION-01              20   100.0%
 * RUN-RETRY-01                0     0.0%  < 5%
 * 1 of 28 clauses below 5% of 20 runs
 * ```
 *
 * No trailing newline.
 */
export function formatClauseTable(coverage: SpecCoverage, options: ConsoleOptions = {}): string {
  const colors = picocolors.createColors(options.color ?? false);
  const idWidth = Math.max('clause'.length, ...coverage.clauses.map((clause) => clause.clauseId.length));
  const countWidth = 'scenarios'.length;
  const percentWidth = 'of runs'.length;
  const lines = [`${'clause'.padEnd(idWidth)}  ${'scenarios'.padStart(countWidth)}  ${'of runs'.padStart(percentWidth)}`];
  let below = 0;
  for (const clause of coverage.clauses) {
    const percent = clausePercent(clause, coverage);
    const low = percent < clauseGenerationPercentMin;
    if (low) below += 1;
    const row = `${clause.clauseId.padEnd(idWidth)}  ${String(clause.scenarios).padStart(countWidth)}  ${percentText(percent).padStart(percentWidth)}`;
    lines.push(low ? `${row}  ${colors.yellow(`< ${clauseGenerationPercentMin}%`)}` : row);
  }
  const runs = coverage.scenarios === 1 ? 'run' : 'runs';
  lines.push(`${below} of ${coverage.clauses.length} clauses below ${clauseGenerationPercentMin}% of ${coverage.scenarios} ${runs}`);
  return lines.join('\n');
}
