/**
 * `flowconform explore [--runs N] [--seed S] [--bug P] [--time-limit D] [--out DIR] [--dry-run]`:
 * random campaigns with shrinking. Writes `counterexample.yaml` (an ordinary scenario:
 * `flowconform replay` reproduces it), `REPRO.md`, `summary.json` and `junit.xml`.
 */
import { mkdir, writeFile } from 'node:fs/promises';
import path from 'node:path';
import fc from 'fast-check';
import { stringify } from 'yaml';
import { scenarioArbitrary } from '../../../scenarios/generate/scenario-arbitrary.ts';
import type { Scenario } from '../../../scenarios/schema/steps.ts';
import { writeReports } from '../../../reports/index.ts';
import { environment } from '../../environment.ts';
import { arbitraryOptionsFor, explore, type ExploreReport } from '../../explore/explore.ts';
import type { SuiteResult } from '../../result.ts';
import { exitCodes, UsageError } from '../exit-codes.ts';
import type { EngineCommand } from '../../engine-process/engine-command.ts';
import { EnginePool } from '../../engine-process/engine-pool.ts';
import { engineFromOption, probeEngine } from '../engine-option.ts';
import { parseSeed, type CommonOptions } from '../options.ts';
import { replayCommand } from './run.ts';

export interface ExploreCommandOptions extends CommonOptions {
  runs: string;
  timeLimit: string;
  shrinkTimeLimit: string;
  dryRun?: boolean;
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

export async function exploreCommand(options: ExploreCommandOptions): Promise<number> {
  const bug = options.bug ?? null;
  const seed = parseSeed(options.seed, Date.now() % 1_000_000);
  const runs = parseRuns(options.runs);
  const timeLimitMs = parseDuration('--time-limit', options.timeLimit);
  const shrinkTimeLimitMs = parseDuration('--shrink-time-limit', options.shrinkTimeLimit);

  const engine = engineFromOption(options.engine);
  const pool = new EnginePool(engine);
  try {
    if (options.dryRun) {
      // What explore would run against this engine: its steps and platforms only.
      const { capabilities } = await probeEngine(pool, bug);
      const scenarios = fc.sample(scenarioArbitrary(arbitraryOptionsFor(capabilities)), { seed, numRuns: runs });
      for (const [index, scenario] of scenarios.entries()) {
        process.stdout.write(`${index === 0 ? '' : '---\n'}# generated scenario ${index + 1} of ${runs}, seed ${seed}\n${stringify({ ...scenario, name: `generated-${index + 1}` })}`);
      }
      return exitCodes.conformant;
    }
    return await exploreWithPool(options, engine, pool, bug, seed, runs, timeLimitMs, shrinkTimeLimitMs);
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
  timeLimitMs: number,
  shrinkTimeLimitMs: number,
): Promise<number> {
  const probe = await probeEngine(pool, bug);
  const replayFlags = `--seed ${seed}${bug ? ` --bug ${bug}` : ''}${options.engine ? ` --engine ${JSON.stringify(options.engine)}` : ''}`;
  console.log(`flowconform explore: seed ${seed}, up to ${runs} runs in ${timeLimitMs / 1000} s, engine ${probe.name} ${probe.version}${bug ? `, bug profile ${bug}` : ''} (rerun: npx flowconform explore ${replayFlags} --runs ${runs})`);
  const started = Date.now();
  const report = await explore({
    runs,
    seed,
    engine,
    pool,
    bug,
    timeLimitMs,
    shrinkTimeLimitMs,
    onProgress: (progress) =>
      console.log(`  ${progress.phase} run ${progress.run} · ${(progress.elapsedMs / 1000).toFixed(1)} s · seed ${progress.seed} · ${progress.steps} steps · ${progress.outcome}`),
  });

  if (!report.found || !report.counterexample || !report.result) {
    const runsPerSecond = report.detectionRuns / Math.max(report.detectionMs / 1000, 0.001);
    console.log(
      `explore: no clause violated in ${report.detectionRuns} runs (${report.inconclusiveRuns} inconclusive) in ${(report.detectionMs / 1000).toFixed(1)} s (${runsPerSecond.toFixed(2)} runs/s), seed ${seed}`,
    );
    return report.inconclusiveRuns > 0 && report.inconclusiveRuns === report.detectionRuns ? exitCodes.inconclusive : exitCodes.conformant;
  }

  await mkdir(options.out, { recursive: true });
  const file = path.join(options.out, 'counterexample.yaml');
  const scenario: Scenario = { ...report.counterexample, name: 'counterexample' };
  await writeFile(file, counterexampleYaml(scenario, report));
  const result = { ...report.result, scenario: 'counterexample', file: path.resolve(file), steps: scenario.steps };
  const suite: SuiteResult = {
    command: 'explore',
    startedAt: new Date(started).toISOString(),
    durationMs: Date.now() - started,
    bug,
    seed,
    environment: environment(),
    engine: result.engine,
    results: [result],
  };
  await writeReports(suite, options.out, {
    replayCommandFor: replayCommand,
    extraFor: () => ({ seed, ...(report.path ? { path: report.path } : {}), shrinks: report.shrinks }),
  });
  console.log(
    `explore: violated ${report.targetClauses.join(', ')} after ${report.detectionRuns} run(s) in ${(report.detectionMs / 1000).toFixed(1)} s (${(report.detectionRuns / Math.max(report.detectionMs / 1000, 0.001)).toFixed(2)} runs/s); shrunk to ${scenario.steps.length} steps with ${report.shrinks} shrink(s) in ${report.shrinkRuns} run(s)`,
  );
  console.log(`  counterexample: ${file}`);
  console.log(`  replay: ${replayCommand(result)}`);
  console.log(`  repro: ${path.join(options.out, 'counterexample', 'REPRO.md')}`);
  return exitCodes.violated;
}
