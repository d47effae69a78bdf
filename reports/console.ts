/**
 * Console rendering of a suite: one line per scenario, then a totals line. Pure: the
 * caller decides whether colour is wanted (for example `picocolors.isColorSupported`)
 * and where the text goes.
 */
import picocolors from 'picocolors';
import type { ScenarioOutcome, ScenarioResult, SuiteResult } from '../harness/result.ts';
import { truncate, violatedClauseIds } from './text.ts';

export interface ConsoleOptions {
  /** Emit ANSI colour codes. Default false, so output is the same wherever it is rendered. */
  color?: boolean;
}

/** Longest error text shown on an inconclusive scenario's line (characters). */
const errorLengthMax = 120;

/** Width of the outcome column: the longest label, `INCONCLUSIVE` (characters). */
const outcomeWidth = 12;

const outcomeLabels: Record<ScenarioOutcome, string> = {
  pass: 'PASS',
  fail: 'FAIL',
  inconclusive: 'INCONCLUSIVE',
};

/**
 * One line for one scenario, also used for streaming progress while a suite runs:
 *
 * `FAIL         cancel-nested-win32 [win32] bug prefect-17792 2301 ms: violated RUN-CANCEL-01, RUN-CANCEL-02`
 *
 * Fields: outcome, scenario name, platform, bug profile (only when one is on), duration
 * (ms, rounded), then for a failure the violated clause ids, for an inconclusive run the
 * error cut to 120 characters. No trailing newline.
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
      detail = `: ${truncate(result.error ?? 'no reason recorded', errorLengthMax)}`;
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

/** Counts of a suite's scenarios by outcome (counts). */
export interface SuiteTotals {
  scenarios: number;
  passed: number;
  failed: number;
  inconclusive: number;
}

/** How many scenarios of the suite passed, failed and were inconclusive. */
export function countOutcomes(suite: SuiteResult): SuiteTotals {
  const totals: SuiteTotals = { scenarios: suite.results.length, passed: 0, failed: 0, inconclusive: 0 };
  for (const result of suite.results) {
    if (result.outcome === 'pass') totals.passed += 1;
    else if (result.outcome === 'fail') totals.failed += 1;
    else totals.inconclusive += 1;
  }
  return totals;
}

/**
 * The whole suite: `formatScenarioLine` for each scenario, then
 * `12 scenarios: 11 passed, 1 failed, 0 inconclusive in 23.4 s` (suite duration in s, one
 * decimal). Lines are joined with `\n`, no trailing newline.
 */
export function formatConsoleSummary(suite: SuiteResult, options: ConsoleOptions = {}): string {
  const colors = picocolors.createColors(options.color ?? false);
  const totals = countOutcomes(suite);
  const noun = totals.scenarios === 1 ? 'scenario' : 'scenarios';
  const passed = `${totals.passed} passed`;
  const failed = `${totals.failed} failed`;
  const inconclusive = `${totals.inconclusive} inconclusive`;
  const seconds = (suite.durationMs / 1000).toFixed(1);
  const totalsLine =
    `${colors.bold(`${totals.scenarios} ${noun}`)}: ` +
    `${totals.passed > 0 ? colors.green(passed) : passed}, ` +
    `${totals.failed > 0 ? colors.red(failed) : failed}, ` +
    `${totals.inconclusive > 0 ? colors.yellow(inconclusive) : inconclusive} in ${seconds} s`;
  const lines = suite.results.map((result) => formatScenarioLine(result, options));
  lines.push(totalsLine);
  return lines.join('\n');
}
