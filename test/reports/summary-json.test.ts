/**
 * Goal: summary.json carries counts (not-applicable apart), outcomes, verdicts,
 * violations, what a not-applicable scenario lacks, and the engine with the clause
 * families it was checked on, with stable names, and never the full traces. Method:
 * convert the fixture suite, round-trip it through JSON, and inspect fields.
 */
import { describe, expect, it } from 'vitest';
import { toSummaryJson } from '../../reports/summary-json.ts';
import {
  missingOfNotApplicable,
  notApplicableResult,
  partialEngine,
  passingResult,
  suiteFixture,
  uncheckedOfPartialEngine,
  violationSeqs,
} from './fixtures.ts';

describe('toSummaryJson', () => {
  const summary = JSON.parse(JSON.stringify(toSummaryJson(suiteFixture())));

  it('counts outcomes, not-applicable apart, and carries the exit code', () => {
    expect(summary.schemaVersion).toBe(2);
    expect(summary.totals).toEqual({ scenarios: 4, passed: 1, failed: 1, inconclusive: 1, notApplicable: 1 });
    expect(summary.exitCode).toBe(1);
    expect(summary.scenarios).toHaveLength(4);
    expect(summary.scenarios.map((scenario: { outcome: string }) => scenario.outcome)).toEqual([
      'pass',
      'fail',
      'inconclusive',
      'not-applicable',
    ]);
  });

  it('names the engine, its command, the families it was and was not checked on, and its capabilities', () => {
    const engine = partialEngine();
    expect(summary.engine).toEqual({
      name: 'acme-orchestrator',
      version: '2.3.1',
      command: 'node acme/flowconform-server.mjs --port 0',
      checkedFamilies: ['transitions', 'run-cancel', 'workflow', 'process'],
      uncheckedFamilies: uncheckedOfPartialEngine,
      capabilities: engine.capabilities,
    });
    // Copied field by field: the session marker is per run, not part of the summary.
    expect(Object.keys(summary.engine)).not.toContain('session');
  });

  it('gives a null engine when none was started, with every other field still there', () => {
    const suite = suiteFixture();
    suite.engine = null;
    const withoutEngine = toSummaryJson(suite);
    expect(withoutEngine.engine).toBeNull();
    expect(withoutEngine.totals.scenarios).toBe(4);
  });

  it('keeps a null capabilities when the handshake did not complete', () => {
    const suite = suiteFixture();
    suite.engine = { ...partialEngine(), capabilities: null, checkedFamilies: [] };
    expect(toSummaryJson(suite).engine).toMatchObject({
      capabilities: null,
      checkedFamilies: [],
      uncheckedFamilies: ['transitions', 'run-cancel', 'deployment', 'workflow', 'instance', 'process', 'restart'],
    });
  });

  it('lists what a not-applicable scenario lacks, and [] for the others', () => {
    const notApplicable = summary.scenarios[3];
    expect(notApplicable.name).toBe('deploy-update-during-backlog');
    expect(notApplicable.missingCapabilities).toEqual(missingOfNotApplicable);
    expect(notApplicable.verdicts).toEqual([]);
    expect(notApplicable.error).toBeNull();
    for (const scenario of summary.scenarios.slice(0, 3)) expect(scenario.missingCapabilities).toEqual([]);
  });

  it('keeps exit code 0 when the only scenarios besides passes are not applicable', () => {
    const suite = suiteFixture();
    suite.results = [passingResult(), notApplicableResult()];
    const summaryOfSuite = toSummaryJson(suite);
    expect(summaryOfSuite.exitCode).toBe(0);
    expect(summaryOfSuite.totals).toEqual({ scenarios: 2, passed: 1, failed: 0, inconclusive: 0, notApplicable: 1 });
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
      ['bug', 'durationMs', 'error', 'file', 'missingCapabilities', 'name', 'outcome', 'platform', 'seed', 'tracePath', 'verdicts'].sort(),
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
      exercised: 0,
    });
  });

  it('carries the policy that made the exit code: a campaign tolerates some inconclusive runs and its accepted clauses', () => {
    expect(summary.policy).toEqual({ inconclusiveWhen: 'any', acceptedClauses: [] });
    const campaign = suiteFixture();
    campaign.policy = { inconclusiveWhen: 'all', acceptedClauses: ['RUN-CANCEL-01', 'RUN-CANCEL-04'] };
    // The failed scenario violates only accepted clauses; one inconclusive run among passes does not decide.
    expect(toSummaryJson(campaign).exitCode).toBe(0);
    campaign.policy = { inconclusiveWhen: 'all', acceptedClauses: ['RUN-CANCEL-01'] };
    expect(toSummaryJson(campaign).exitCode).toBe(1);
    campaign.results = campaign.results.filter((result) => result.outcome === 'inconclusive');
    expect(toSummaryJson(campaign).exitCode).toBe(3);
  });

  it('reports exit code 3 when nothing failed but something was inconclusive, 0 when all passed', () => {
    const suite = suiteFixture();
    suite.results = suite.results.filter((result) => result.outcome !== 'fail');
    expect(toSummaryJson(suite).exitCode).toBe(3);
    suite.results = suite.results.filter((result) => result.outcome === 'pass');
    expect(toSummaryJson(suite).exitCode).toBe(0);
  });
});
