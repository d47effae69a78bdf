/**
 * An explore campaign as a suite, so that it is reported like any suite (summary.json,
 * junit.xml, index.html, the GitHub job summary) whether or not it found anything, and so
 * that the shards of one campaign merge into the totals of the whole (`flowconform merge`).
 *
 * Its results are the detection runs in order, `run-<k>` after their number in the seed's
 * sequence; the run that ended detection (a violation, or an inconclusive run under
 * `--stop-on-inconclusive`) is replaced by the scenario written out for it: the shrunk
 * `counterexample` or the `inconclusive` one, with its file. The policy makes the exit
 * code the campaign's: accepted clauses do not fail it, and inconclusive runs make it
 * inconclusive only when every run was (or when told to stop on one).
 */
import type { CoverageMinimum } from '../coverage/coverage-totals.ts';
import type { Environment, ScenarioResult, SuiteResult } from '../result.ts';
import type { Scenario } from '../../scenarios/schema/steps.ts';
import type { ExploreReport } from './explore.ts';

export interface CampaignContext {
  /** When the campaign started (ms since the epoch). */
  startedMs: number;
  environment: Environment;
  stopOnInconclusive: boolean;
  acceptedClauses: readonly string[];
  coverageMinimum?: CoverageMinimum;
  /** The scenario written for the run that ended detection, and its file (absolute path); null when none was. */
  written: { scenario: Scenario; file: string } | null;
}

/** The campaign of `report` as a SuiteResult (see the module comment). */
export function campaignSuite(report: ExploreReport, context: CampaignContext): SuiteResult {
  const results: ScenarioResult[] = [...report.runs];
  const ending = report.found ? report.result : report.stoppedOnInconclusive ? (report.inconclusive.at(-1)?.result ?? null) : null;
  if (ending !== null && context.written !== null && results.length > 0) {
    // Detection ends at the run that failed (or stopped it), the last one made.
    results[results.length - 1] = { ...ending, scenario: context.written.scenario.name, file: context.written.file, steps: context.written.scenario.steps };
  }
  return {
    command: 'explore',
    startedAt: new Date(context.startedMs).toISOString(),
    durationMs: Date.now() - context.startedMs,
    bug: report.bug,
    seed: report.seed,
    environment: context.environment,
    engine: report.engine,
    results,
    coverage: report.coverage,
    ...(context.coverageMinimum === undefined ? {} : { coverageMinimum: context.coverageMinimum }),
    policy: { inconclusiveWhen: context.stopOnInconclusive ? 'any' : 'all', acceptedClauses: [...context.acceptedClauses] },
  };
}
