/**
 * The machine-readable summary of a suite (`summary.json`): everything CI needs to decide
 * and to link, without the traces (those are in the files named by `tracePath`). Field
 * names are a stable surface; add fields, never rename them, and bump `schemaVersion`
 * when a field changes meaning.
 */
import { suiteExitCode, type Environment, type ScenarioOutcome, type SuiteResult, type Validity } from '../harness/result.ts';
import { countOutcomes, type SuiteTotals } from './console.ts';

/** Version of the shape below; 1 is the first. */
export const summarySchemaVersion = 1;

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
  /** Counts of scenarios by outcome. */
  totals: SuiteTotals;
  environment: Environment;
  scenarios: SummaryScenario[];
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
    })),
  };
}
