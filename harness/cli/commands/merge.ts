/**
 * `flowconform merge <dirs…> [--out DIR]`: the reports of the shards of one suite or
 * campaign (`--shard i/n` on a CI matrix), combined into the reports of the whole:
 * summary.json (scenarios in shard order, totals added, coverage added, exit code
 * recomputed), junit.xml, index.html, each failed scenario's REPRO.md (copied from its
 * shard), and the GitHub job summary when GITHUB_STEP_SUMMARY is set. Exits like the
 * whole would have: 1 when any shard violated a clause, 3 when inconclusive by the
 * suite's policy, 0 otherwise; 2 when a directory holds no readable summary.json or the
 * shards are not of one suite (other command, seed, bug profile or policy).
 *
 * Traces are read back from each scenario's `tracePath` when the file is still there
 * (absolute, relative to the working directory, or under `<dir>/traces/`), so the merged
 * index.html has timelines where the shards' artifacts kept them.
 */
import { copyFile, mkdir, readFile } from 'node:fs/promises';
import { existsSync } from 'node:fs';
import path from 'node:path';
import pc from 'picocolors';
import { formatConsoleSummary, formatCoverageBlock, formatEngineLine, writeReports } from '../../../reports/index.ts';
import { writeStepSummary } from '../../../reports/step-summary.ts';
import { toSummaryJson, type SummaryCoverage, type SummaryJson, type SummaryScenario } from '../../../reports/summary-json.ts';
import { reproDirectoryNames } from '../../../reports/write.ts';
import { mergeCoverage } from '../../coverage/spec-coverage.ts';
import type { SpecCoverage } from '../../coverage/spec-coverage-types.ts';
import { suiteExitCode, type EngineInfo, type ScenarioResult, type SuiteResult } from '../../result.ts';
import type { TraceEvent } from '../../../trace/events.ts';
import { UsageError } from '../exit-codes.ts';
import { readTrace } from './check.ts';

/** One shard's reports: its directory and its summary. */
export interface ShardReports {
  directory: string;
  summary: SummaryJson;
}

/** @throws UsageError naming the directory when summary.json is missing or not a flowconform summary. */
async function readShard(directory: string): Promise<ShardReports> {
  const file = path.join(directory, 'summary.json');
  let summary: SummaryJson;
  try {
    summary = JSON.parse(await readFile(file, 'utf8')) as SummaryJson;
  } catch (error) {
    throw new UsageError(`merge: cannot read ${file}: ${(error as Error).message}`);
  }
  if (typeof summary !== 'object' || summary === null || !Array.isArray(summary.scenarios) || typeof summary.command !== 'string') {
    throw new UsageError(`merge: ${file} is not a flowconform summary.json (no command or scenarios)`);
  }
  return { directory, summary };
}

/** SummaryCoverage (summary.json) back to SpecCoverage: the counts without the derived totals and percents. */
export function specCoverageOf(coverage: SummaryCoverage): SpecCoverage {
  return {
    scenarios: coverage.scenarios,
    machines: coverage.machines.map((machine) => ({
      kind: machine.kind,
      states: machine.states.map((state) => ({ state: state.state, scenarios: state.scenarios })),
      transitions: machine.transitions.map((move) => ({ from: move.from, to: move.to, scenarios: move.scenarios })),
    })),
    clauses: coverage.clauses.map((clause) => ({ clauseId: clause.clauseId, scenarios: clause.scenarios, situations: clause.situations })),
  };
}

/** The trace of a scenario, read back where its shard's artifact kept it; [] when it is gone. */
async function traceOf(scenario: SummaryScenario, directory: string): Promise<TraceEvent[]> {
  if (scenario.tracePath === null) return [];
  const candidates = [path.resolve(scenario.tracePath), path.join(directory, 'traces', path.basename(scenario.tracePath))];
  const found = candidates.find((candidate) => existsSync(candidate));
  return found === undefined ? [] : readTrace(found);
}

function engineOf(summary: SummaryJson): EngineInfo | null {
  if (summary.engine === null) return null;
  const { name, version, command, capabilities, checkedFamilies } = summary.engine;
  return { name, version, command, session: '', capabilities, checkedFamilies: [...checkedFamilies] };
}

/**
 * The shards as one suite. Scenarios keep shard order; totals follow from them; coverage
 * is added (every count is of scenarios); the duration is the longest shard's (a matrix
 * runs its shards at once) and the start the earliest.
 *
 * @throws UsageError when there are no shards or they are not of one suite.
 */
export async function mergeShards(shards: readonly ShardReports[]): Promise<SuiteResult> {
  const first = shards[0];
  if (first === undefined) throw new UsageError('merge: name at least one directory of reports');
  for (const shard of shards.slice(1)) {
    const differs = (['command', 'seed', 'bug'] as const).find((field) => shard.summary[field] !== first.summary[field]);
    if (differs !== undefined) {
      throw new UsageError(`merge: ${shard.directory} is not a shard of the suite in ${first.directory}: its ${differs} is ${JSON.stringify(shard.summary[differs])}, not ${JSON.stringify(first.summary[differs])}`);
    }
    if (JSON.stringify(shard.summary.policy) !== JSON.stringify(first.summary.policy)) {
      throw new UsageError(`merge: ${shard.directory} and ${first.directory} were judged under different policies (--accept or --stop-on-inconclusive differ)`);
    }
  }
  const results: ScenarioResult[] = [];
  for (const { directory, summary } of shards) {
    const engine = engineOf(summary);
    for (const scenario of summary.scenarios) {
      results.push({
        scenario: scenario.name,
        description: '',
        file: scenario.file,
        platform: scenario.platform,
        bug: scenario.bug,
        seed: scenario.seed,
        outcome: scenario.outcome,
        verdicts: scenario.verdicts.map((verdict) => ({
          clauseId: verdict.clauseId,
          valid: verdict.valid,
          violations: verdict.violations.map((violation) => ({ clauseId: violation.clauseId, message: violation.message, seq: violation.seq, ...(violation.entity === null ? {} : { entity: violation.entity }) })),
          unknownReasons: [...verdict.unknownReasons],
          exercised: verdict.exercised ?? 0,
        })),
        durationMs: scenario.durationMs,
        tracePath: scenario.tracePath,
        steps: [],
        ...(scenario.error === null ? {} : { error: scenario.error }),
        missingCapabilities: [...scenario.missingCapabilities],
        engine,
        trace: await traceOf(scenario, directory),
      });
    }
  }
  const coverages = shards.map((shard) => shard.summary.coverage).filter((coverage): coverage is SummaryCoverage => coverage !== null && coverage !== undefined);
  const coverage = coverages.length === 0 ? undefined : coverages.map(specCoverageOf).reduce((sum, next) => mergeCoverage(sum, next));
  const minimum = first.summary.coverage?.minimum ?? null;
  return {
    command: first.summary.command,
    startedAt: shards.map((shard) => shard.summary.startedAt).sort()[0]!,
    durationMs: Math.max(...shards.map((shard) => shard.summary.durationMs)),
    bug: first.summary.bug,
    seed: first.summary.seed,
    environment: first.summary.environment,
    engine: shards.map((shard) => engineOf(shard.summary)).find((engine) => engine !== null) ?? null,
    results,
    ...(coverage === undefined ? {} : { coverage }),
    ...(minimum === null ? {} : { coverageMinimum: minimum }),
    ...(first.summary.policy === undefined ? {} : { policy: first.summary.policy }),
  };
}

export async function mergeCommand(directories: string[], options: { out: string }): Promise<number> {
  const shards: ShardReports[] = [];
  for (const directory of directories) shards.push(await readShard(directory));
  const suite = await mergeShards(shards);
  await writeReports(suite, options.out, { replayCommandFor: () => 'see the REPRO.md of the shard this scenario ran in' });
  // Each REPRO.md as its shard wrote it (with the steps and the replay command), over the
  // shorter one written from the summary.
  const names = reproDirectoryNames(suite.results);
  let index = 0;
  for (const { directory, summary } of shards) {
    const shardNames = reproDirectoryNames(summary.scenarios.map((scenario) => ({ scenario: scenario.name, outcome: scenario.outcome })));
    for (const shardName of shardNames) {
      const mergedName = names[index++];
      if (shardName === null || mergedName === null || mergedName === undefined) continue;
      const source = path.join(directory, shardName, 'REPRO.md');
      if (!existsSync(source)) continue;
      await mkdir(path.join(options.out, mergedName), { recursive: true });
      await copyFile(source, path.join(options.out, mergedName, 'REPRO.md'));
    }
  }
  const summary = toSummaryJson(suite);
  await writeStepSummary(summary);
  const color = pc.isColorSupported;
  console.log(`flowconform merge: ${shards.length} shard(s) of \`${suite.command}\`, seed ${suite.seed}${suite.bug ? `, bug profile ${suite.bug}` : ''}, reports in ${options.out}`);
  console.log(formatEngineLine(suite.engine, { color }));
  console.log(formatConsoleSummary(suite, { color }).split('\n').at(-1));
  if (suite.coverage) console.log(formatCoverageBlock(suite.coverage, { color }));
  return suiteExitCode(suite);
}
