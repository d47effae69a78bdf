/**
 * Random exploration: generate scenarios from the step vocabulary, run each against the
 * engine on real processes, stop at the first clause violation, then shrink it.
 *
 * Two fast-check runs, both seeded by `seed`:
 * 1. detection: `fc.check` with `endOnFailure`, at most `runs` runs and `timeLimitMs`;
 * 2. shrinking: `fc.check` replaying the detection's counterexample path, which shrinks
 *    from there, within `shrinkTimeLimitMs`. A shrink candidate counts as failing only if
 *    it violates one of the clauses the first failure violated, so shrinking cannot wander
 *    off to another defect.
 * A scenario still running when fast-check's time limit interrupts it is awaited before
 * returning, so exploration never leaves a process behind.
 *
 * Every detection run is folded into the campaign's spec coverage as it ends
 * (harness/coverage/), and its trace is not kept for it; shrink runs are not counted,
 * since they replay variations of one scenario and would only weigh it more.
 */
import fc from 'fast-check';
import { referenceEngineCommand, type EngineCommand } from '../engine-process/engine-command.ts';
import { EnginePool } from '../engine-process/engine-pool.ts';
import type { Capabilities } from '../../protocol/capabilities.ts';
import { missingForStep } from '../applicability.ts';
import { addScenario, emptyCoverage } from '../coverage/spec-coverage.ts';
import type { SpecCoverage } from '../coverage/spec-coverage-types.ts';
import { scenarioArbitrary, type GeneratedScenarioOptions } from '../../scenarios/generate/scenario-arbitrary.ts';
import type { Scenario } from '../../scenarios/schema/steps.ts';
import { inconclusiveReason, violatedClauseIds, type EngineInfo, type ScenarioResult } from '../result.ts';
import { runScenario } from '../runner/run-scenario.ts';
import { shardRunRange, wholeShard, type Shard } from '../shard/shard.ts';

export interface ExploreOptions {
  /** Generated scenarios to try before giving up (count). */
  runs: number;
  seed: number;
  bug: string | null;
  /** The engine under test; the reference engine when absent. */
  engine?: EngineCommand;
  /** Engines of `engine` started ahead; explore makes (and closes) its own when absent. */
  pool?: EnginePool;
  /** Wall-time budget of detection (ms). */
  timeLimitMs: number;
  /** Wall-time budget of shrinking, after detection (ms). */
  shrinkTimeLimitMs: number;
  /** Called after every scenario run. */
  onProgress?: (progress: ExploreProgress) => void;
  /** End detection at the first inconclusive run (its scenario and result in the report, not shrunk). */
  stopOnInconclusive?: boolean;
  /** Keep no event the engine pushes (runScenario's `withholdEvents`). */
  withholdEvents?: boolean;
  /**
   * Clause ids whose violations were judged already (behaviour the engine documents as
   * intended): a run that violates only these is counted, not a counterexample, and the
   * campaign goes on.
   */
  acceptedClauses?: readonly string[];
  /**
   * The part of the campaign to run (`--shard i/n`): runs of the seed's sequence outside
   * the shard's range are drawn but not run (harness/shard/shard.ts). Default: all.
   */
  shard?: Shard;
}

/** An inconclusive run of detection: which run, why, and what it ran. */
export interface InconclusiveRun {
  /** 1-based run number in the seed's sequence (the campaign's, also when sharded). */
  run: number;
  reason: string;
  scenario: Scenario;
  result: ScenarioResult;
}

/** Inconclusive runs a report keeps in full (count); the count itself has them all. */
export const inconclusiveKeptMax = 20;

/** Runs of a campaign whose trace the report keeps (count): its failures and inconclusive ones first come. */
export const tracesKeptMax = 20;

export interface ExploreProgress {
  phase: 'detect' | 'shrink';
  /** In detection: the run's number in the seed's sequence (1-based); in shrinking: shrink runs so far (count). */
  run: number;
  /** Runs made so far in this phase (count): in detection, of the shard's range only. */
  done: number;
  /** Runs this phase will make at most (count): the shard's share of `runs` in detection. */
  total: number;
  /** Detection runs so far that failed (count), accepted ones not counted. */
  failures: number;
  /** Detection runs so far that were inconclusive (count). */
  inconclusive: number;
  elapsedMs: number;
  seed: number;
  outcome: ScenarioResult['outcome'];
  steps: number;
}

export interface ExploreReport {
  seed: number;
  bug: string | null;
  found: boolean;
  /** Runs until the first failure, or all runs made when nothing was found (count). */
  detectionRuns: number;
  detectionMs: number;
  /** Runs that ended inconclusive during detection (count). */
  inconclusiveRuns: number;
  /** The first inconclusiveKeptMax of them, with their reasons. */
  inconclusive: InconclusiveRun[];
  /** Detection ended at an inconclusive run (`stopOnInconclusive`): the last of `inconclusive`. */
  stoppedOnInconclusive: boolean;
  /** Runs that violated only accepted clauses, by clause id (count of runs violating it). */
  acceptedViolations: Record<string, number>;
  shrinkRuns: number;
  shrinkMs: number;
  /** Shrink steps fast-check took (count). */
  shrinks: number;
  /** fast-check's replay path of the shrunk counterexample. */
  path: string | null;
  /** Clause ids violated by the first failure; shrinking kept at least one of them. */
  targetClauses: string[];
  counterexample: Scenario | null;
  /** The run of the shrunk counterexample. */
  result: ScenarioResult | null;
  /** Spec coverage of the detection runs (every run made before detection ended; no shrink run). */
  coverage: SpecCoverage;
  /** The engine checked, from the first detection run that reached one (with its capabilities when any had them), or null. */
  engine: EngineInfo | null;
  /**
   * Every detection run, in order, named `run-<k>` after its number in the seed's sequence,
   * with its steps and verdicts; the trace is kept for at most tracesKeptMax runs that did
   * not pass, dropped ([]) for the others, so a long campaign stays small in memory.
   */
  runs: ScenarioResult[];
  /** The shard this campaign ran, and its range of runs in the seed's sequence (1-based, inclusive). */
  shard: Shard;
  firstRun: number;
  lastRun: number;
}

/** @throws RangeError when runs < 1 or a time limit is not positive. */
export async function explore(options: ExploreOptions): Promise<ExploreReport> {
  if (!(options.runs >= 1)) throw new RangeError(`explore: --runs must be >= 1, got ${options.runs}`);
  if (!(options.timeLimitMs > 0)) throw new RangeError(`explore: --time-limit must be > 0 ms, got ${options.timeLimitMs}`);
  const engine = options.engine ?? referenceEngineCommand();
  const pool = options.pool ?? new EnginePool(engine);
  try {
    // Generation keeps to the steps and platforms the engine has (its handshake says which).
    const capabilities = (await pool.peek()).capabilities!;
    const arbitrary = scenarioArbitrary(arbitraryOptionsFor(capabilities));
    return await campaign(options, arbitrary, engine, pool, emptyCoverage(capabilities));
  } finally {
    if (!options.pool) await pool.close();
  }
}

/** Generation for an engine with these capabilities: its steps only, its platforms only. */
export function arbitraryOptionsFor(capabilities: Capabilities): GeneratedScenarioOptions {
  return {
    applies: (step) => missingForStep(step, capabilities).length === 0,
    platforms: (['posix', 'win32'] as const).filter((platform) => capabilities.killStrategies.includes(platform)),
  };
}

/** Detection, then shrinking, with engines from `pool`; detection's coverage is added to `coverage`. */
async function campaign(
  options: ExploreOptions,
  arbitrary: fc.Arbitrary<Scenario>,
  engine: EngineCommand,
  pool: EnginePool,
  coverage: SpecCoverage,
): Promise<ExploreReport> {
  const started = Date.now();
  let inFlight: Promise<ScenarioResult> | undefined;
  let phase: ExploreProgress['phase'] = 'detect';
  let runCount = 0;
  // The run's number in the seed's sequence: fast-check draws scenario k the same way
  // whatever the earlier runs did, so a shard skips the runs outside its range unrun.
  const shard = options.shard ?? wholeShard;
  const { first: firstRun, last: lastRun } = shardRunRange(options.runs, shard);
  let drawn = 0;
  const runs: ScenarioResult[] = [];
  let tracesKept = 0;
  let failures = 0;
  let inconclusiveRuns = 0;
  const inconclusive: InconclusiveRun[] = [];
  let phaseStarted = started;
  let engineInfo: EngineInfo | null = null;

  const runOne = async (scenario: Scenario): Promise<ScenarioResult> => {
    inFlight = runScenario(scenario, { bug: options.bug, seed: options.seed, engine, pool, withholdEvents: options.withholdEvents === true });
    const result = await inFlight;
    runCount += 1;
    if (phase === 'detect') {
      coverage = addScenario(coverage, result);
      if (result.engine && !engineInfo?.capabilities) engineInfo = result.engine;
      const keepTrace = result.outcome !== 'pass' && tracesKept < tracesKeptMax;
      if (keepTrace) tracesKept += 1;
      runs.push({ ...result, scenario: `run-${drawn}`, trace: keepTrace ? result.trace : [] });
    }
    if (phase === 'detect' && result.outcome === 'inconclusive') {
      inconclusiveRuns += 1;
      if (inconclusive.length < inconclusiveKeptMax) inconclusive.push({ run: drawn, reason: inconclusiveReason(result), scenario, result });
    }
    return result;
  };
  const progress = (result: ScenarioResult, steps: number) =>
    options.onProgress?.({
      phase,
      run: phase === 'detect' ? drawn : runCount,
      done: runCount,
      total: phase === 'detect' ? Math.max(0, lastRun - firstRun + 1) : runCount,
      failures,
      inconclusive: inconclusiveRuns,
      elapsedMs: Date.now() - phaseStarted,
      seed: options.seed,
      outcome: result.outcome,
      steps,
    });

  let firstFailure = null as ScenarioResult | null;
  let stoppedOnInconclusive = false;
  const accepted = new Set(options.acceptedClauses ?? []);
  const acceptedViolations: Record<string, number> = {};
  // 'stop': inconclusive with stopOnInconclusive; 'failure': a counterexample; 'go on' otherwise.
  const judgeDetectionRun = (result: ScenarioResult): 'stop' | 'failure' | 'go on' => {
    if (result.outcome === 'inconclusive' && options.stopOnInconclusive) {
      stoppedOnInconclusive = true;
      return 'stop';
    }
    if (result.outcome !== 'fail') return 'go on';
    const violated = violatedClauseIds(result.verdicts);
    if (accepted.size > 0 && violated.every((clauseId) => accepted.has(clauseId))) {
      for (const clauseId of violated) acceptedViolations[clauseId] = (acceptedViolations[clauseId] ?? 0) + 1;
      return 'go on';
    }
    firstFailure = result;
    return 'failure';
  };
  const detection = (await fc.check(
    fc.asyncProperty(arbitrary, async (scenario) => {
      drawn += 1;
      if (drawn < firstRun || drawn > lastRun) return true;
      const result = await runOne(scenario);
      const verdict = judgeDetectionRun(result);
      if (verdict === 'failure') failures += 1;
      progress(result, scenario.steps.length);
      return verdict !== 'failure' && verdict !== 'stop';
    }),
    { seed: options.seed, numRuns: options.runs, endOnFailure: true, plugins: [fc.interruptAfterTimeLimit(options.timeLimitMs)] },
  )) as fc.RunDetails<[Scenario]>;
  await inFlight;
  const detectionRuns = runCount;
  const detectionMs = Date.now() - started;
  const report: ExploreReport = {
    seed: options.seed,
    bug: options.bug,
    found: detection.failed && firstFailure !== null,
    detectionRuns,
    detectionMs,
    inconclusiveRuns,
    inconclusive,
    stoppedOnInconclusive,
    acceptedViolations,
    shrinkRuns: 0,
    shrinkMs: 0,
    shrinks: 0,
    path: detection.counterexamplePath,
    targetClauses: firstFailure ? violatedClauseIds(firstFailure.verdicts) : [],
    counterexample: detection.counterexample?.[0] ?? null,
    result: firstFailure,
    coverage,
    engine: engineInfo,
    runs,
    shard,
    firstRun,
    lastRun,
  };
  if (!report.found) return report;

  phase = 'shrink';
  runCount = 0;
  phaseStarted = Date.now();
  let lastFailure: ScenarioResult = firstFailure!;
  const shrinking = (await fc.check(
    fc.asyncProperty(arbitrary, async (scenario) => {
      const result = await runOne(scenario);
      progress(result, scenario.steps.length);
      const sameDefect = result.outcome === 'fail' && violatedClauseIds(result.verdicts).some((clauseId) => report.targetClauses.includes(clauseId));
      if (sameDefect) lastFailure = result;
      return !sameDefect;
    }),
    { seed: options.seed, path: detection.counterexamplePath ?? undefined, plugins: [fc.interruptAfterTimeLimit(options.shrinkTimeLimitMs)] },
  )) as fc.RunDetails<[Scenario]>;
  await inFlight;
  report.shrinkRuns = runCount;
  report.shrinkMs = Date.now() - phaseStarted;
  if (shrinking.failed && shrinking.counterexample) {
    report.counterexample = shrinking.counterexample[0];
    report.shrinks = shrinking.numShrinks;
    report.path = shrinking.counterexamplePath;
    report.result = lastFailure;
  }
  return report;
}
