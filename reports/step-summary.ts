/**
 * The suite as a GitHub Actions job summary (Markdown appended to the file named by
 * `GITHUB_STEP_SUMMARY`; https://docs.github.com/actions/reference/workflow-commands-for-github-actions#adding-a-job-summary).
 * Rendered from `summary.json`'s shape, so `flowconform merge` writes the same summary
 * for a whole matrix as `run` and `explore` write for one job.
 */
import { appendFile } from 'node:fs/promises';
import type { SummaryJson } from './summary-json.ts';

/** Failed and inconclusive scenarios listed by name in the summary (count); the rest are counted. */
export const stepSummaryScenariosMax = 30;

/** Markdown cells hold no `|` or newline. */
function cell(text: string): string {
  return text.replace(/\s+/g, ' ').replaceAll('|', '\\|');
}

/**
 * The Markdown of one suite: a headline with the verdict and the engine, a table of
 * totals, the clause families checked, then one row per failed or inconclusive scenario
 * (at most stepSummaryScenariosMax) with its violated clauses or its reason. Ends with a
 * newline.
 */
export function formatStepSummary(summary: SummaryJson): string {
  const verdict = summary.exitCode === 0 ? 'conformant' : summary.exitCode === 1 ? 'clause violated' : 'inconclusive';
  const engine = summary.engine === null ? 'engine not started' : `${summary.engine.name} ${summary.engine.version}`;
  const { totals } = summary;
  const lines = [
    `### flowconform ${summary.command}: ${verdict}`,
    '',
    `${cell(engine)}${summary.bug ? `, bug profile \`${summary.bug}\`` : ''}, seed ${summary.seed}, ${(summary.durationMs / 1000).toFixed(1)} s`,
    '',
    '| scenarios | passed | failed | inconclusive | not applicable |',
    '|---:|---:|---:|---:|---:|',
    `| ${totals.scenarios} | ${totals.passed} | ${totals.failed} | ${totals.inconclusive} | ${totals.notApplicable} |`,
    '',
  ];
  if (summary.engine !== null) {
    lines.push(`Checked on: ${summary.engine.checkedFamilies.join(', ') || 'none'}; not checked on: ${summary.engine.uncheckedFamilies.join(', ') || 'none'}.`, '');
  }
  const findings = summary.scenarios.filter((scenario) => scenario.outcome === 'fail' || scenario.outcome === 'inconclusive');
  if (findings.length > 0) {
    lines.push('| scenario | outcome | clauses or reason |', '|---|---|---|');
    for (const scenario of findings.slice(0, stepSummaryScenariosMax)) {
      const violated = [...new Set(scenario.verdicts.filter((verdict) => verdict.valid === false).map((verdict) => verdict.clauseId))];
      const why = scenario.outcome === 'fail' ? violated.join(', ') : (scenario.error ?? scenario.verdicts.filter((verdict) => verdict.valid === 'unknown').map((verdict) => `${verdict.clauseId} unknown`).join(', '));
      lines.push(`| ${cell(scenario.name)} | ${scenario.outcome} | ${cell(why || '-')} |`);
    }
    if (findings.length > stepSummaryScenariosMax) lines.push('', `… and ${findings.length - stepSummaryScenariosMax} more failed or inconclusive scenario(s): see summary.json.`);
    lines.push('');
  }
  return `${lines.join('\n')}\n`;
}

/**
 * Appends the suite's summary to `$GITHUB_STEP_SUMMARY` when that is set (a GitHub
 * Actions job); does nothing otherwise. Resolves to the file written, or null. Rejects
 * with the file system's error when the file cannot be written.
 */
export async function writeStepSummary(summary: SummaryJson, environment: NodeJS.ProcessEnv = process.env): Promise<string | null> {
  const file = environment.GITHUB_STEP_SUMMARY;
  if (file === undefined || file === '') return null;
  await appendFile(file, formatStepSummary(summary), 'utf8');
  return file;
}
