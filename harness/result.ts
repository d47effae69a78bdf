/**
 * Results are data first, text second: the checker and runner produce these shapes, and
 * the pure formatters in reports/ render them.
 */
import type { Capabilities } from '../protocol/capabilities.ts';
import type { Step } from '../scenarios/schema/steps.ts';
import type { ClauseFamily } from '../spec/clauses/registry.ts';
import type { TraceEvent } from '../trace/events.ts';
import { coverageShortfalls, coverageTotals, type CoverageMinimum, type CoverageShortfall } from './coverage/coverage-totals.ts';
import type { SpecCoverage } from './coverage/spec-coverage-types.ts';

/** Jepsen's three-valued validity: false ranks over 'unknown' over true. */
export type Validity = true | false | 'unknown';

export interface Violation {
  clauseId: string;
  /** What was seen, in a sentence that names the entity and the numbers. */
  message: string;
  /** The trace event where it was detected, or null when it is about the whole trace. */
  seq: number | null;
  /** The entity id involved, when there is one. */
  entity?: string;
}

export interface ClauseVerdict {
  clauseId: string;
  valid: Validity;
  violations: Violation[];
  /** Why the verdict is 'unknown' (the trace ended too soon, the checker threw, …). */
  unknownReasons: string[];
  /**
   * How many times the situation the clause judges occurred in the trace (count): runs
   * that were cancelled for RUN-CANCEL-01, terminal workflows with an archive listener for
   * WF-ARCHIVE-01, …. 0 means the clause held vacuously: nothing it speaks of happened.
   */
  exercised: number;
}

/**
 * `not-applicable`: the engine lacks a capability the scenario's steps need; counted
 * apart, never a pass and never a failure.
 */
export type ScenarioOutcome = 'pass' | 'fail' | 'inconclusive' | 'not-applicable';

/** The engine under test, as its handshake described it. */
export interface EngineInfo {
  name: string;
  version: string;
  /** The command that started it (the reference engine's own, or `--engine`). */
  command: string;
  /** The session marker: the value of FLOWCONFORM_SESSION in its environment and its processes'. */
  session: string;
  /** null when the handshake never completed. */
  capabilities: Capabilities | null;
  /** Clause families this engine is checked on (see harness/applicability.ts). */
  checkedFamilies: ClauseFamily[];
}

export interface Environment {
  node: string;
  os: string;
  commit: string | null;
}

export interface ScenarioResult {
  scenario: string;
  description: string;
  /** The scenario file, or null for a generated scenario not yet written out. */
  file: string | null;
  platform: 'posix' | 'win32';
  bug: string | null;
  seed: number;
  outcome: ScenarioOutcome;
  verdicts: ClauseVerdict[];
  /** Wall time of the whole scenario (ms). */
  durationMs: number;
  /** Where the trace was written (JSON lines), or null. */
  tracePath: string | null;
  steps: Step[];
  /** Why the run is inconclusive (engine crashed, step timed out, harness fault). */
  error?: string;
  /** For a not-applicable scenario, what the engine lacks (`operation deploy`, …); [] otherwise. */
  missingCapabilities: string[];
  /** The engine checked, or null when it could not be started. */
  engine: EngineInfo | null;
  trace: TraceEvent[];
}

export interface SuiteResult {
  /** The CLI command that produced this suite (e.g. `run`, `explore`). */
  command: string;
  startedAt: string;
  durationMs: number;
  bug: string | null;
  seed: number;
  environment: Environment;
  /** The engine checked (from the first scenario that reached it), or null when none did. */
  engine: EngineInfo | null;
  results: ScenarioResult[];
  /** States, transitions and clauses the suite reached (harness/coverage/); absent when not computed. */
  coverage?: SpecCoverage;
  /** `--coverage-min`: the percent each measure of `coverage` must reach; absent when none was asked. */
  coverageMinimum?: CoverageMinimum;
  /** How outcomes become the exit code; absent: a scripted suite's (`scriptedSuitePolicy`). */
  policy?: SuitePolicy;
}

/**
 * How a suite's outcomes become its verdict. A scripted suite is inconclusive when any
 * scenario is; an explore campaign's runs are samples, so a few inconclusive ones do not
 * make the campaign inconclusive unless no run was decided (or `--stop-on-inconclusive`
 * was given), and runs that violate only `--accept`ed clauses do not fail it.
 */
export interface SuitePolicy {
  /** `any`: one inconclusive scenario makes the suite inconclusive; `all`: only when every decided-or-not scenario is. */
  inconclusiveWhen: 'any' | 'all';
  /** Clause ids whose violations are judged already as intended (`explore --accept`). */
  acceptedClauses: string[];
}

/** The policy of `run` and `replay`. */
export const scriptedSuitePolicy: SuitePolicy = { inconclusiveWhen: 'any', acceptedClauses: [] };

/** Whether a failed result violates only accepted clauses (and so does not fail its suite). */
export function failsOnlyAccepted(result: Pick<ScenarioResult, 'outcome' | 'verdicts'>, acceptedClauses: readonly string[]): boolean {
  if (result.outcome !== 'fail' || acceptedClauses.length === 0) return false;
  const violated = violatedClauseIds(result.verdicts);
  return violated.length > 0 && violated.every((clauseId) => acceptedClauses.includes(clauseId));
}

/** Rank per Jepsen: false over unknown over true. */
export function combineValidity(values: Validity[]): Validity {
  if (values.includes(false)) return false;
  if (values.includes('unknown')) return 'unknown';
  return true;
}

/** The distinct clause ids of the verdicts that are violated (`valid === false`), in verdict order. */
export function violatedClauseIds(verdicts: readonly Pick<ClauseVerdict, 'clauseId' | 'valid'>[]): string[] {
  const ids: string[] = [];
  for (const verdict of verdicts) {
    if (verdict.valid === false && !ids.includes(verdict.clauseId)) ids.push(verdict.clauseId);
  }
  return ids;
}

/**
 * Why a scenario is inconclusive, in a line: the run's error (an engine that hung,
 * crashed or broke the protocol), or else the clauses that could not be decided, each
 * with its first reason. Empty for a scenario that is not inconclusive.
 */
export function inconclusiveReason(result: Pick<ScenarioResult, 'outcome' | 'error' | 'verdicts'>): string {
  if (result.outcome !== 'inconclusive') return '';
  if (result.error !== undefined) return result.error;
  const undecided = result.verdicts.filter((verdict) => verdict.valid === 'unknown');
  if (undecided.length === 0) return 'no clause could be decided';
  const [first, ...rest] = undecided;
  const reason = first!.unknownReasons[0] ?? 'no reason given';
  return `${first!.clauseId} unknown: ${reason}${first!.unknownReasons.length > 1 ? ` (and ${first!.unknownReasons.length - 1} more)` : ''}${rest.length > 0 ? `; also unknown: ${rest.map((verdict) => verdict.clauseId).join(', ')}` : ''}`;
}

/**
 * CLI exit code of a suite: 1 if any clause failed (accepted ones aside, see SuitePolicy),
 * else 3 if inconclusive by its policy, else 1 if its coverage fell below
 * `coverageMinimum` (it did not show what it was required to), else 0.
 */
export function suiteExitCode(suite: SuiteResult): 0 | 1 | 3 {
  const policy = suite.policy ?? scriptedSuitePolicy;
  if (suite.results.some((result) => result.outcome === 'fail' && !failsOnlyAccepted(result, policy.acceptedClauses))) return 1;
  const inconclusive = suite.results.filter((result) => result.outcome === 'inconclusive').length;
  const ran = suite.results.filter((result) => result.outcome !== 'not-applicable').length;
  if (inconclusive > 0 && (policy.inconclusiveWhen === 'any' || inconclusive === ran)) return 3;
  if (suiteCoverageShortfalls(suite).length > 0) return 1;
  return 0;
}

/**
 * The measures of a suite's coverage below its `coverageMinimum` (`--coverage-min`), in
 * the order states, transitions, clauses; [] when no minimum was asked, no coverage was
 * computed, or every measure is met. The one place `--coverage-min` is decided.
 */
export function suiteCoverageShortfalls(suite: Pick<SuiteResult, 'coverage' | 'coverageMinimum'>): CoverageShortfall[] {
  return suite.coverage && suite.coverageMinimum ? coverageShortfalls(coverageTotals(suite.coverage), suite.coverageMinimum) : [];
}
