/**
 * The machine-readable summary of a suite (`summary.json`): everything CI needs to decide
 * and to link, without the traces (those are in the files named by `tracePath`). Field
 * names are a stable surface; add fields, never rename them, and bump `schemaVersion`
 * when a field changes meaning.
 */
import {
  scriptedSuitePolicy,
  suiteCoverageShortfalls,
  suiteExitCode,
  type SuitePolicy,
  type EngineInfo,
  type Environment,
  type ScenarioOutcome,
  type SuiteResult,
  type Validity,
} from '../harness/result.ts';
import { clausePercent, coverageTotals, type CoverageMeasure, type CoverageMeasureName, type CoverageMinimum } from '../harness/coverage/coverage-totals.ts';
import type { MachineCoverage, SpecCoverage } from '../harness/coverage/spec-coverage-types.ts';
import type { Capabilities } from '../protocol/capabilities.ts';
import type { ClauseFamily } from '../spec/clauses/registry.ts';
import { countOutcomes, type SuiteTotals } from './console.ts';
import { uncheckedFamilies } from './text.ts';

/**
 * Version of the shape below. 1 is the first; 2 added `not-applicable` to `outcome` (a
 * reader of version 1 would take it for none of its three values), with `engine`,
 * `totals.notApplicable` and per-scenario `missingCapabilities`. `coverage` was added
 * later within version 2 (a new field, no meaning changed).
 */
export const summarySchemaVersion = 2;

export interface SummaryViolation {
  clauseId: string;
  /** What was seen, in one sentence. */
  message: string;
  /** Trace event (`seq`, 0-based) where it was detected, or null for the whole trace. */
  seq: number | null;
  /** Entity id involved, or null. */
  entity: string | null;
}

export interface SummaryVerdict {
  clauseId: string;
  /** true, false or 'unknown' (Jepsen's three values). */
  valid: Validity;
  violations: SummaryViolation[];
  /** Why the verdict is 'unknown'; empty otherwise. */
  unknownReasons: string[];
  /** How often the situation the clause judges occurred (count); 0: it held vacuously. */
  exercised: number;
}

export interface SummaryScenario {
  name: string;
  /** Scenario file, or null for a generated scenario not written out. */
  file: string | null;
  platform: 'posix' | 'win32';
  /** Bug profile the engine ran with, or null. */
  bug: string | null;
  seed: number;
  outcome: ScenarioOutcome;
  /** Wall time of the scenario (ms). */
  durationMs: number;
  /** Trace file (JSON lines), or null when none was written. */
  tracePath: string | null;
  verdicts: SummaryVerdict[];
  /** Why the scenario is inconclusive, or null. */
  error: string | null;
  /** For a not-applicable scenario, what the engine lacks (`operation deploy`, …); [] otherwise. */
  missingCapabilities: string[];
}

/** The engine under test, as its handshake described it. */
export interface SummaryEngine {
  name: string;
  version: string;
  /** The command that started it. */
  command: string;
  /** Clause families it was checked on, in registry order. */
  checkedFamilies: ClauseFamily[];
  /** The registry's other clause families, which this suite says nothing about. */
  uncheckedFamilies: ClauseFamily[];
  /** What it said it can do, or null when the handshake never completed. */
  capabilities: Capabilities | null;
}

/** One coverage measure; `percent` rounded to 0.1. */
export type SummaryCoverageMeasure = CoverageMeasure;

/** A clause's row of the coverage: the `explore --stats` table. */
export interface SummaryClauseCoverage {
  clauseId: string;
  /** Scenarios that exercised it (`exercised > 0`) (count). */
  scenarios: number;
  /** Occurrences of its situation over all scenarios (count). */
  situations: number;
  /** `scenarios` out of the coverage's scenarios, in percent rounded to 0.1. */
  percent: number;
}

/**
 * Spec coverage (harness/coverage/): the SpecCoverage, every count a number of scenarios
 * so the summaries of shards add up, with its totals and each clause's share.
 */
export interface SummaryCoverage {
  /** Scenarios counted: those that ran (not-applicable ones are not). */
  scenarios: number;
  /** States reached, legal transitions taken, clauses exercised, out of those the engine is measured on. */
  totals: { states: SummaryCoverageMeasure; transitions: SummaryCoverageMeasure; clauses: SummaryCoverageMeasure };
  /** Per machine of the engine's entity kinds: every state and legal move, unreached ones with 0. */
  machines: MachineCoverage[];
  /** Per clause of the families the engine is checked on, registry order. */
  clauses: SummaryClauseCoverage[];
  /** `--coverage-min` as given (percent per measure), or null when none was asked. */
  minimum: CoverageMinimum | null;
  /** Measures below `minimum` (percent and points short rounded to 0.1); any makes `exitCode` 1 unless it is 1 or 3 already. */
  shortfalls: Array<{ measure: CoverageMeasureName; percent: number; minimumPercent: number; shortByPercent: number }>;
}

export interface SummaryJson {
  schemaVersion: number;
  /** CLI command that produced the suite (`run`, `explore`, …). */
  command: string;
  /** ISO 8601 timestamp. */
  startedAt: string;
  /** Wall time of the whole suite (ms). */
  durationMs: number;
  bug: string | null;
  seed: number;
  /** The CLI's exit code for this suite: 0 conformant, 1 violated (or coverage below `--coverage-min`), 3 inconclusive. */
  exitCode: 0 | 1 | 3;
  /** Counts of scenarios by outcome; `notApplicable` is neither passed nor failed. */
  totals: SuiteTotals;
  environment: Environment;
  /** The engine checked, or null when no scenario reached one. */
  engine: SummaryEngine | null;
  scenarios: SummaryScenario[];
  /** Spec coverage of the suite (for explore: of the campaign's detection runs), or null when none was computed. */
  coverage: SummaryCoverage | null;
  /** How outcomes became `exitCode` (harness/result.ts SuitePolicy): a campaign tolerates some inconclusive runs and its accepted clauses. */
  policy: SuitePolicy;
}

/** Field by field, like the rest of the summary, so nothing new leaks in unnoticed. */
function summaryCapabilities(capabilities: Capabilities): Capabilities {
  return {
    entities: [...capabilities.entities],
    operations: [...capabilities.operations],
    faults: [...capabilities.faults],
    clock: capabilities.clock,
    killStrategies: [...capabilities.killStrategies],
    events: [...capabilities.events],
    restart: capabilities.restart,
    reset: capabilities.reset,
    bugs: capabilities.bugs.map((bug) => ({
      id: bug.id,
      title: bug.title,
      upstream: bug.upstream,
      fixedBy: bug.fixedBy,
      codePoint: bug.codePoint,
      defect: bug.defect,
      expectedClauses: [...bug.expectedClauses],
    })),
  };
}

function summaryEngine(engine: EngineInfo | null): SummaryEngine | null {
  if (engine === null) return null;
  return {
    name: engine.name,
    version: engine.version,
    command: engine.command,
    checkedFamilies: [...engine.checkedFamilies],
    uncheckedFamilies: uncheckedFamilies(engine),
    capabilities: engine.capabilities === null ? null : summaryCapabilities(engine.capabilities),
  };
}

/** Percent rounded to 0.1, so the file reads 83.3 rather than 83.33333333333334. */
function roundPercent(percent: number): number {
  return Math.round(percent * 10) / 10;
}

function summaryMeasure(measure: CoverageMeasure): SummaryCoverageMeasure {
  return { covered: measure.covered, total: measure.total, percent: roundPercent(measure.percent) };
}

/** The coverage block of summary.json, copied field by field. */
export function summaryCoverage(coverage: SpecCoverage, minimum?: CoverageMinimum): SummaryCoverage {
  const totals = coverageTotals(coverage);
  return {
    scenarios: coverage.scenarios,
    totals: { states: summaryMeasure(totals.states), transitions: summaryMeasure(totals.transitions), clauses: summaryMeasure(totals.clauses) },
    machines: coverage.machines.map((machine) => ({
      kind: machine.kind,
      states: machine.states.map((row) => ({ state: row.state, scenarios: row.scenarios })),
      transitions: machine.transitions.map((row) => ({ from: row.from, to: row.to, scenarios: row.scenarios })),
    })),
    clauses: coverage.clauses.map((clause) => ({
      clauseId: clause.clauseId,
      scenarios: clause.scenarios,
      situations: clause.situations,
      percent: roundPercent(clausePercent(clause, coverage)),
    })),
    minimum: minimum === undefined ? null : { ...minimum },
    shortfalls: suiteCoverageShortfalls({ coverage, coverageMinimum: minimum }).map((shortfall) => ({
      measure: shortfall.measure,
      percent: roundPercent(shortfall.percent),
      minimumPercent: shortfall.minimumPercent,
      shortByPercent: roundPercent(shortfall.shortByPercent),
    })),
  };
}

/**
 * The summary of `suite` as a plain object, ready for `JSON.stringify`. Fields are copied
 * explicitly (never spread), so a field added to the result types, such as a full trace,
 * does not leak into the summary unnoticed.
 */
export function toSummaryJson(suite: SuiteResult): SummaryJson {
  const policy = suite.policy ?? scriptedSuitePolicy;
  return {
    schemaVersion: summarySchemaVersion,
    command: suite.command,
    startedAt: suite.startedAt,
    durationMs: suite.durationMs,
    bug: suite.bug,
    seed: suite.seed,
    exitCode: suiteExitCode(suite),
    totals: countOutcomes(suite),
    environment: { node: suite.environment.node, os: suite.environment.os, commit: suite.environment.commit },
    engine: summaryEngine(suite.engine),
    scenarios: suite.results.map((result) => ({
      name: result.scenario,
      file: result.file,
      platform: result.platform,
      bug: result.bug,
      seed: result.seed,
      outcome: result.outcome,
      durationMs: result.durationMs,
      tracePath: result.tracePath,
      verdicts: result.verdicts.map((verdict) => ({
        clauseId: verdict.clauseId,
        valid: verdict.valid,
        violations: verdict.violations.map((violation) => ({
          clauseId: violation.clauseId,
          message: violation.message,
          seq: violation.seq,
          entity: violation.entity ?? null,
        })),
        unknownReasons: [...verdict.unknownReasons],
        exercised: verdict.exercised,
      })),
      error: result.error ?? null,
      missingCapabilities: [...result.missingCapabilities],
    })),
    coverage: suite.coverage === undefined ? null : summaryCoverage(suite.coverage, suite.coverageMinimum),
    policy: { inconclusiveWhen: policy.inconclusiveWhen, acceptedClauses: [...policy.acceptedClauses] },
  };
}
