/**
 * `flowconform explore [--runs N] [--seed S] [--bug P] [--time-limit D] [--out DIR] [--dry-run]
 * [--stop-on-inconclusive] [--stats] [--coverage-min SPEC]`: random campaigns with
 * shrinking. Writes `counterexample.yaml` (an ordinary scenario: `flowconform replay`
 * reproduces it), `REPRO.md`, `summary.json` and `junit.xml`. Inconclusive runs are
 * counted and their reasons printed; with `--stop-on-inconclusive` the first one ends the
 * campaign, written as `inconclusive.yaml` with its reports (exit 3). Every campaign that
 * ran prints its spec coverage and writes it into `summary.json` (with no counterexample,
 * a summary of no scenario but the coverage); `--stats` adds the per-clause table, and
 * `--coverage-min` makes a campaign that fell short exit 1.
 */
import { mkdir, writeFile } from 'node:fs/promises';
import path from 'node:path';
import fc from 'fast-check';
import pc from 'picocolors';
import { stringify } from 'yaml';
import { scenarioArbitrary } from '../../../scenarios/generate/scenario-arbitrary.ts';
import { clauses } from '../../../spec/clauses/registry.ts';
import type { Scenario } from '../../../scenarios/schema/steps.ts';
import { formatClauseTable, formatCoverageBlock, formatCoverageShortfalls, toSummaryJson, writeReports } from '../../../reports/index.ts';
import { createProgress } from '../../../reports/progress.ts';
import { writeStepSummary } from '../../../reports/step-summary.ts';
import type { CoverageMinimum } from '../../coverage/coverage-totals.ts';
import { environment } from '../../environment.ts';
import { campaignSuite, type CampaignContext } from '../../explore/campaign-suite.ts';
import { arbitraryOptionsFor, explore, type ExploreReport } from '../../explore/explore.ts';
import { suiteCoverageShortfalls, suiteExitCode, type ScenarioResult } from '../../result.ts';
import { parseShard, shardLabel, shardRunRange, type Shard } from '../../shard/shard.ts';
import { exitCodes, UsageError } from '../exit-codes.ts';
import type { EngineCommand } from '../../engine-process/engine-command.ts';
import { EnginePool } from '../../engine-process/engine-pool.ts';
import { engineFromOption, probeEngine } from '../engine-option.ts';
import { parseCoverageMin, parseSeed, type CommonOptions } from '../options.ts';
import { replayCommand } from './run.ts';

export interface ExploreCommandOptions extends CommonOptions {
  runs: string;
  timeLimit: string;
  shrinkTimeLimit: string;
  dryRun?: boolean;
  stopOnInconclusive?: boolean;
  accept?: string;
  stats?: boolean;
  shard?: string;
}

/** `180s`, `3m`, `1500ms` or plain seconds → ms. @throws UsageError on anything else. */
export function parseDuration(flag: string, text: string): number {
  const match = /^(\d+(?:\.\d+)?)(ms|s|m)?$/.exec(text.trim());
  if (!match) throw new UsageError(`explore: ${flag} must be a duration like 180s, 3m or 1500ms, got '${text}'`);
  const value = Number(match[1]);
  const unit = match[2] ?? 's';
  const ms = unit === 'ms' ? value : unit === 's' ? value * 1000 : value * 60_000;
  if (!(ms > 0)) throw new UsageError(`explore: ${flag} must be > 0`);
  return ms;
}

function parseRuns(text: string): number {
  const runs = Number(text);
  if (!Number.isInteger(runs) || runs < 1) throw new UsageError(`explore: --runs must be a whole number >= 1, got '${text}'`);
  return runs;
}

/** The counterexample as a scenario file, with how it was found in its header. */
export function counterexampleYaml(scenario: Scenario, report: ExploreReport): string {
  const header = [
    `# Counterexample found by flowconform explore (seed ${report.seed}${report.bug ? `, bug profile ${report.bug}` : ''}).`,
    `# Violated: ${report.targetClauses.join(', ')}. Found after ${report.detectionRuns} run(s); ${report.shrinks} shrink(s).`,
    `# fast-check replay path: ${report.path ?? '-'}`,
    `# Replay: npx flowconform replay counterexample.yaml${report.bug ? ` --bug ${report.bug}` : ''} --seed ${report.seed}`,
  ];
  return `${header.join('\n')}\n${stringify(scenario)}`;
}

/** `--accept A,B`: clause ids, each one the registry has. @throws UsageError naming an unknown id. */
function parseAccepted(text: string | undefined): string[] {
  if (text === undefined) return [];
  const ids = text.split(',').map((id) => id.trim()).filter((id) => id !== '');
  for (const id of ids) if (!clauses.some((clause) => clause.id === id)) throw new UsageError(`--accept: '${id}' is not a clause id (see \`flowconform clauses\`)`);
  return ids;
}

/** Inconclusive runs whose reasons are printed (count). */
const inconclusivePrintedMax = 5;

/** Writes `<out>/<name>.yaml`; returns its absolute path. */
async function writeScenarioFile(out: string, name: string, text: string): Promise<string> {
  await mkdir(out, { recursive: true });
  const file = path.resolve(out, `${name}.yaml`);
  await writeFile(file, text);
  return file;
}

/**
 * The command that re-runs one run of a campaign: run k alone is the last shard of k
 * shards of a campaign of k runs (harness/shard/shard.ts), drawn from the same seed.
 */
function rerunRunCommand(result: ScenarioResult, options: ExploreCommandOptions): string {
  const run = /^run-(\d+)$/.exec(result.scenario)?.[1];
  if (run === undefined) return replayCommand(result);
  return ['npx flowconform explore', '--seed', String(result.seed), '--runs', run, '--shard', `${run}/${run}`, ...(result.bug ? ['--bug', result.bug] : []), ...(options.engine ? ['--engine', JSON.stringify(options.engine)] : [])].join(' ');
}

export async function exploreCommand(options: ExploreCommandOptions): Promise<number> {
  const bug = options.bug ?? null;
  const seed = parseSeed(options.seed, Date.now() % 1_000_000);
  const runs = parseRuns(options.runs);
  const timeLimitMs = parseDuration('--time-limit', options.timeLimit);
  const shrinkTimeLimitMs = parseDuration('--shrink-time-limit', options.shrinkTimeLimit);
  const acceptedClauses = parseAccepted(options.accept);
  const coverageMin = parseCoverageMin(options.coverageMin);
  const shard = parseShard(options.shard);
  // Coverage is judged on runs; a dry run judges none, so there is nothing to count.
  if (options.dryRun && options.stats) throw new UsageError('explore: --stats needs runs (it counts the runs whose checking exercised each clause); drop --dry-run');
  if (options.dryRun && coverageMin) throw new UsageError('explore: --coverage-min needs runs to measure; drop --dry-run');

  const engine = engineFromOption(options.engine);
  const pool = new EnginePool(engine);
  try {
    if (options.dryRun) {
      // What explore would run against this engine: its steps and platforms only, and of
      // a shard only its runs (`--runs k --shard k/k` prints run k).
      const { capabilities } = await probeEngine(pool, bug);
      const { first, last } = shardRunRange(runs, shard);
      const scenarios = fc.sample(scenarioArbitrary(arbitraryOptionsFor(capabilities)), { seed, numRuns: last });
      for (let run = first; run <= last; run += 1) {
        process.stdout.write(`${run === first ? '' : '---\n'}# generated scenario ${run} of ${runs}, seed ${seed}\n${stringify({ ...scenarios[run - 1], name: `generated-${run}` })}`);
      }
      return exitCodes.conformant;
    }
    return await exploreWithPool(options, engine, pool, bug, seed, runs, shard, timeLimitMs, shrinkTimeLimitMs, coverageMin, acceptedClauses);
  } finally {
    await pool.close();
  }
}

async function exploreWithPool(
  options: ExploreCommandOptions,
  engine: EngineCommand,
  pool: EnginePool,
  bug: string | null,
  seed: number,
  runs: number,
  shard: Shard,
  timeLimitMs: number,
  shrinkTimeLimitMs: number,
  coverageMin: CoverageMinimum | undefined,
  acceptedClauses: string[],
): Promise<number> {
  const probe = await probeEngine(pool, bug);
  const replayFlags = `--seed ${seed}${bug ? ` --bug ${bug}` : ''}${options.engine ? ` --engine ${JSON.stringify(options.engine)}` : ''}`;
  console.log(`flowconform explore: seed ${seed}, up to ${runs} runs in ${timeLimitMs / 1000} s, engine ${probe.name} ${probe.version}${bug ? `, bug profile ${bug}` : ''} (rerun: npx flowconform explore ${replayFlags} --runs ${runs})`);
  const started = Date.now();
  const detectProgress = createProgress({ label: `explore${shardLabel(shard) ? ` ${shardLabel(shard)}` : ''}` });
  let progress = detectProgress;
  const report = await explore({
    runs,
    seed,
    engine,
    pool,
    bug,
    timeLimitMs,
    shrinkTimeLimitMs,
    stopOnInconclusive: options.stopOnInconclusive === true,
    acceptedClauses,
    withholdEvents: options.withholdEvents === true,
    shard,
    onProgress: (update) => {
      if (update.phase === 'shrink' && progress === detectProgress) {
        detectProgress.stop();
        progress = createProgress({ label: 'explore shrink' });
      }
      progress.update(
        { done: update.done, total: update.total, failures: update.failures, inconclusive: update.inconclusive, seed: update.seed },
        `${update.phase === 'detect' ? `run ${update.run}` : `shrink ${update.run}`} · ${update.steps} steps · ${update.outcome}`,
      );
    },
  });

  progress.stop();
  for (const [clauseId, count] of Object.entries(report.acceptedViolations)) console.log(`  accepted (--accept): ${clauseId} violated in ${count} run(s)`);
  for (const run of report.inconclusive.slice(0, inconclusivePrintedMax)) console.log(`  inconclusive run ${run.run}: ${run.reason}`);
  if (report.inconclusiveRuns > inconclusivePrintedMax) console.log(`  … and ${report.inconclusiveRuns - inconclusivePrintedMax} more inconclusive run(s)`);
  const color = pc.isColorSupported;
  console.log(formatCoverageBlock(report.coverage, { color }));
  if (options.stats) console.log(formatClauseTable(report.coverage, { color }));
  // The same coverage and minimum as the campaign suite built below, whose exit code they decide.
  const shortfalls = suiteCoverageShortfalls({ coverage: report.coverage, coverageMinimum: coverageMin });
  if (shortfalls.length > 0) console.log(formatCoverageShortfalls(shortfalls, { color }));

  // The scenario of the run that ended detection, written out to be replayed.
  let written: CampaignContext['written'] = null;
  if (report.stoppedOnInconclusive) {
    const stopped = report.inconclusive.at(-1)!;
    const scenario: Scenario = { ...stopped.scenario, name: 'inconclusive' };
    const header = `# Inconclusive run ${stopped.run} of flowconform explore (seed ${seed}${bug ? `, bug profile ${bug}` : ''}): ${stopped.reason}\n`;
    written = { scenario, file: await writeScenarioFile(options.out, scenario.name, `${header}${stringify(scenario)}`) };
  } else if (report.found && report.counterexample && report.result) {
    const scenario: Scenario = { ...report.counterexample, name: 'counterexample' };
    written = { scenario, file: await writeScenarioFile(options.out, scenario.name, counterexampleYaml(scenario, report)) };
  }
  const suite = campaignSuite(report, {
    startedMs: started,
    environment: environment(),
    stopOnInconclusive: options.stopOnInconclusive === true,
    acceptedClauses,
    ...(coverageMin === undefined ? {} : { coverageMinimum: coverageMin }),
    written,
  });
  await writeReports(suite, options.out, {
    replayCommandFor: (result) => rerunRunCommand(result, options),
    extraFor: (result) => (result.scenario === 'counterexample' ? { seed, ...(report.path ? { path: report.path } : {}), shrinks: report.shrinks } : undefined),
  });
  await writeStepSummary(toSummaryJson(suite));

  const runsPerSecond = report.detectionRuns / Math.max(report.detectionMs / 1000, 0.001);
  const ran = `${report.detectionRuns} run(s)${shardLabel(shard) ? ` (runs ${report.firstRun}–${report.lastRun} of ${runs}, shard ${shardLabel(shard)})` : ''}`;
  if (report.stoppedOnInconclusive) {
    console.log(`explore: stopped at inconclusive run ${report.inconclusive.at(-1)!.run} (--stop-on-inconclusive): ${report.inconclusive.at(-1)!.reason}`);
    console.log(`  scenario: ${written!.file}`);
  } else if (written !== null) {
    const result = suite.results.at(-1)!;
    console.log(
      `explore: violated ${report.targetClauses.join(', ')} after ${ran} in ${(report.detectionMs / 1000).toFixed(1)} s (${runsPerSecond.toFixed(2)} runs/s); shrunk to ${written.scenario.steps.length} steps with ${report.shrinks} shrink(s) in ${report.shrinkRuns} run(s)`,
    );
    console.log(`  counterexample: ${written.file}`);
    console.log(`  replay: ${replayCommand(result)}`);
    console.log(`  repro: ${path.join(options.out, 'counterexample', 'REPRO.md')}`);
  } else {
    console.log(`explore: no clause violated in ${ran} (${report.inconclusiveRuns} inconclusive) in ${(report.detectionMs / 1000).toFixed(1)} s (${runsPerSecond.toFixed(2)} runs/s), seed ${seed}`);
  }
  console.log(`  reports: ${path.join(options.out, 'summary.json')}, junit.xml, index.html`);
  return suiteExitCode(suite);
}
