/**
 * `flowconform run [paths…] [--shard i/n]` and `flowconform replay <file>`: scripted
 * scenarios against an engine (the reference engine by default). Progress redraws in
 * place on a terminal and is one line per scenario elsewhere; the reports (summary.json,
 * junit.xml, index.html, REPRO.md) go to `--out`, and to GITHUB_STEP_SUMMARY when set.
 */
import path from 'node:path';
import pc from 'picocolors';
import { loadScenarios } from '../../../scenarios/schema/load.ts';
import { formatConsoleSummary, formatCoverageBlock, formatCoverageShortfalls, formatEngineLine, formatScenarioLine, toSummaryJson, writeReports } from '../../../reports/index.ts';
import { createProgress } from '../../../reports/progress.ts';
import { writeStepSummary } from '../../../reports/step-summary.ts';
import { parseShard, shardItems, shardLabel } from '../../shard/shard.ts';
import type { CoverageMinimum } from '../../coverage/coverage-totals.ts';
import type { ScenarioResult, SuiteResult } from '../../result.ts';
import { suiteCoverageShortfalls, suiteExitCode } from '../../result.ts';
import { runSuite } from '../../suite.ts';
import type { EngineCommand } from '../../engine-process/engine-command.ts';
import { EnginePool } from '../../engine-process/engine-pool.ts';
import type { LoadedScenario } from '../../runner/run-scenario.ts';
import { engineFromOption, probeEngine } from '../engine-option.ts';
import { parseCoverageMin, parseJobs, parseSeed, type CommonOptions } from '../options.ts';

/** The one-line command that replays a scenario result. */
export function replayCommand(result: ScenarioResult): string {
  const relative = result.file ? path.relative(process.cwd(), result.file) : '';
  const file = !result.file ? '<scenario.yaml>' : relative && !relative.startsWith('..') ? relative : result.file;
  const engine = result.engine && result.engine.name !== 'flowconform-reference' ? ['--engine', JSON.stringify(result.engine.command)] : [];
  return ['npx flowconform replay', file, ...engine, ...(result.bug ? ['--bug', result.bug] : []), ...(result.seed !== 1 ? ['--seed', String(result.seed)] : [])].join(' ');
}

export async function runCommand(command: string, paths: string[], options: CommonOptions): Promise<number> {
  const bug = options.bug ?? null;
  const seed = parseSeed(options.seed);
  const jobs = parseJobs(options.jobs);
  const coverageMin = parseCoverageMin(options.coverageMin);
  const engine = engineFromOption(options.engine);
  const shard = parseShard(options.shard);
  // Every file is loaded and validated in every shard (a mistake exits 2 everywhere alike);
  // the shard then keeps its share of the files in path order.
  const loaded = await loadScenarios(paths.length > 0 ? paths : ['scenarios']);
  const scenarios = shardItems([...loaded].sort((a, b) => (a.file < b.file ? -1 : a.file > b.file ? 1 : 0)), shard);
  const pool = new EnginePool(engine);
  try {
    return await runWithPool(command, scenarios, options, engine, pool, bug, seed, jobs, coverageMin);
  } finally {
    await pool.close();
  }
}

async function runWithPool(
  command: string,
  scenarios: LoadedScenario[],
  options: CommonOptions,
  engine: EngineCommand,
  pool: EnginePool,
  bug: string | null,
  seed: number,
  jobs: number,
  coverageMin: CoverageMinimum | undefined,
): Promise<number> {
  const probe = await probeEngine(pool, bug);
  const outDir = options.out;
  const color = pc.isColorSupported;
  const shard = shardLabel(parseShard(options.shard));
  const shardText = shard ? ` (shard ${shard})` : '';
  console.log(`flowconform ${command}: ${scenarios.length} scenario(s)${shardText}, engine ${probe.name} ${probe.version}${bug ? `, bug profile ${bug}` : ''}, seed ${seed}, reports in ${outDir}`);
  const counts = { done: 0, total: scenarios.length, failures: 0, inconclusive: 0, seed };
  const progress = createProgress({ label: command });
  const suite: SuiteResult = await runSuite(scenarios, {
    command,
    engine,
    pool,
    bug,
    seed,
    jobs,
    withholdEvents: options.withholdEvents === true,
    ...(coverageMin === undefined ? {} : { coverageMinimum: coverageMin }),
    traceDir: path.join(outDir, 'traces'),
    onResult: (result) => {
      counts.done += 1;
      if (result.outcome === 'fail') counts.failures += 1;
      if (result.outcome === 'inconclusive') counts.inconclusive += 1;
      progress.update(counts, formatScenarioLine(result, { color }));
    },
  });
  progress.stop();
  await writeReports(suite, outDir, { replayCommandFor: replayCommand });
  await writeStepSummary(toSummaryJson(suite));
  console.log(formatEngineLine(suite.engine, { color }));
  console.log(formatConsoleSummary(suite, { color }).split('\n').at(-1));
  const shortfalls = suiteCoverageShortfalls(suite);
  if (suite.coverage) console.log(formatCoverageBlock(suite.coverage, { color }));
  if (shortfalls.length > 0) console.log(formatCoverageShortfalls(shortfalls, { color }));
  const failed = suite.results.filter((result) => result.outcome === 'fail' || result.outcome === 'inconclusive');
  for (const result of failed) {
    // The scenario line cuts its error; an inconclusive run's whole reason (the engine, the
    // operation, the offending line) is what a user needs first.
    if (result.outcome === 'inconclusive' && result.error !== undefined) console.log(`  ${result.scenario}: ${result.error}`);
    console.log(`  repro: ${path.join(outDir, result.scenario, 'REPRO.md')}  (${replayCommand(result)})`);
  }
  return suiteExitCode(suite);
}
