/** `flowconform run [paths…]` and `flowconform replay <file>`: scripted scenarios against the reference engine. */
import path from 'node:path';
import pc from 'picocolors';
import { loadScenarios } from '../../../scenarios/schema/load.ts';
import { formatConsoleSummary, formatScenarioLine, writeReports } from '../../../reports/index.ts';
import type { ScenarioResult, SuiteResult } from '../../result.ts';
import { suiteExitCode } from '../../result.ts';
import { runSuite } from '../../suite.ts';
import { parseBug, parseSeed, type CommonOptions } from '../options.ts';

/** The one-line command that replays a scenario result. */
export function replayCommand(result: ScenarioResult): string {
  const relative = result.file ? path.relative(process.cwd(), result.file) : '';
  const file = !result.file ? '<scenario.yaml>' : relative && !relative.startsWith('..') ? relative : result.file;
  return ['npx flowconform replay', file, ...(result.bug ? ['--bug', result.bug] : []), ...(result.seed !== 1 ? ['--seed', String(result.seed)] : [])].join(' ');
}

export async function runCommand(command: string, paths: string[], options: CommonOptions): Promise<number> {
  const bug = parseBug(options.bug);
  const seed = parseSeed(options.seed);
  const scenarios = await loadScenarios(paths.length > 0 ? paths : ['scenarios']);
  const outDir = options.out;
  const color = pc.isColorSupported;
  console.log(`flowconform ${command}: ${scenarios.length} scenario(s), engine reference${bug ? `, bug profile ${bug}` : ''}, seed ${seed}, reports in ${outDir}`);
  const suite: SuiteResult = await runSuite(scenarios, {
    command,
    bug,
    seed,
    traceDir: path.join(outDir, 'traces'),
    onResult: (result) => console.log(formatScenarioLine(result, { color })),
  });
  await writeReports(suite, outDir, { replayCommandFor: replayCommand });
  console.log(formatConsoleSummary(suite, { color }).split('\n').at(-1));
  const failed = suite.results.filter((result) => result.outcome !== 'pass');
  for (const result of failed) console.log(`  repro: ${path.join(outDir, result.scenario, 'REPRO.md')}  (${replayCommand(result)})`);
  return suiteExitCode(suite);
}
