/**
 * The machine-readable summary of a suite (`summary.json`): everything CI needs to decide
 * and to link, without the traces (those are in the files named by `tracePath`). Field
 * names are a stable surface; add fields, never rename them, and bump `schemaVersion`
 * when a field changes meaning.
 */
import {
  suiteExitCode,
  type EngineInfo,
  type Environment,
  type ScenarioOutcome,
  type SuiteResult,
  type Validity,
} from '../harness/result.ts';
import type { Capabilities } from '../protocol/capabilities.ts';
import type { ClauseFamily } from '../spec/clauses/registry.ts';
import { countOutcomes, type SuiteTotals } from './console.ts';
import { uncheckedFamilies } from './text.ts';

/**
 * Version of the shape below. 1 is the first; 2 added `not-applicable` to `outcome` (a
 * reader of version 1 would take it for none of its three values), with `engine`,
 * `totals.notApplicable` and per-scenario `missingCapabilities`.
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
  /** The CLI's exit code for this suite: 0 conformant, 1 violated, 3 inconclusive. */
  exitCode: 0 | 1 | 3;
  /** Counts of scenarios by outcome; `notApplicable` is neither passed nor failed. */
  totals: SuiteTotals;
  environment: Environment;
  /** The engine checked, or null when no scenario reached one. */
  engine: SummaryEngine | null;
  scenarios: SummaryScenario[];
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

/**
 * The summary of `suite` as a plain object, ready for `JSON.stringify`. Fields are copied
 * explicitly (never spread), so a field added to the result types, such as a full trace,
 * does not leak into the summary unnoticed.
 */
export function toSummaryJson(suite: SuiteResult): SummaryJson {
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
      })),
      error: result.error ?? null,
      missingCapabilities: [...result.missingCapabilities],
    })),
  };
}
