/**
 * Goal: summary.json carries counts, outcomes, verdicts and violations with stable names,
 * and never the full traces. Method: convert the fixture suite, round-trip it through
 * JSON, and inspect fields.
 */
import { describe, expect, it } from 'vitest';
import { toSummaryJson } from '../../reports/summary-json.ts';
import { suiteFixture, violationSeqs } from './fixtures.ts';

describe('toSummaryJson', () => {
  const summary = JSON.parse(JSON.stringify(toSummaryJson(suiteFixture())));

  it('counts outcomes and carries the exit code', () => {
    expect(summary.schemaVersion).toBe(1);
    expect(summary.totals).toEqual({ scenarios: 3, passed: 1, failed: 1, inconclusive: 1 });
    expect(summary.exitCode).toBe(1);
    expect(summary.scenarios).toHaveLength(3);
    expect(summary.scenarios.map((scenario: { outcome: string }) => scenario.outcome)).toEqual([
      'pass',
      'fail',
      'inconclusive',
    ]);
  });

  it('has no trace field and no trace events anywhere', () => {
    const text = JSON.stringify(summary);
    for (const scenario of summary.scenarios) {
      expect(Object.keys(scenario)).not.toContain('trace');
      expect(Object.keys(scenario)).not.toContain('steps');
    }
    expect(text).not.toContain('filler event');
  });

  it('keeps per-scenario fields with stable names', () => {
    const failing = summary.scenarios[1];
    expect(Object.keys(failing).sort()).toEqual(
      ['bug', 'durationMs', 'error', 'file', 'name', 'outcome', 'platform', 'seed', 'tracePath', 'verdicts'].sort(),
    );
    expect(failing.name).toBe('cancel-nested-win32');
    expect(failing.file).toBe('scenarios/cancel-nested-win32.yaml');
    expect(failing.durationMs).toBe(5230.6);
    expect(failing.tracePath).toBe('reports/out/cancel-nested-win32/trace.jsonl');
    expect(failing.error).toBeNull();
    const violated = failing.verdicts.filter((verdict: { valid: unknown }) => verdict.valid === false);
    expect(violated.map((verdict: { clauseId: string }) => verdict.clauseId)).toEqual(['RUN-CANCEL-01', 'RUN-CANCEL-04']);
    expect(violated[0].violations[0]).toMatchObject({ clauseId: 'RUN-CANCEL-01', seq: violationSeqs.cancel, entity: 'parent' });
  });

  it('keeps the error and the unknown reasons of an inconclusive scenario', () => {
    const inconclusive = summary.scenarios[2];
    expect(inconclusive.error).toBe('engine crashed: exit code 139 during step 2 (terminate)');
    expect(inconclusive.file).toBeNull();
    expect(inconclusive.verdicts[0]).toEqual({
      clauseId: 'WF-TERMINAL-01',
      valid: 'unknown',
      violations: [],
      unknownReasons: ['trace ended before terminateBoundMs'],
    });
  });

  it('reports exit code 3 when nothing failed but something was inconclusive, 0 when all passed', () => {
    const suite = suiteFixture();
    suite.results = suite.results.filter((result) => result.outcome !== 'fail');
    expect(toSummaryJson(suite).exitCode).toBe(3);
    suite.results = suite.results.filter((result) => result.outcome === 'pass');
    expect(toSummaryJson(suite).exitCode).toBe(0);
  });
});
