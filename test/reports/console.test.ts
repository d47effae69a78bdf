/**
 * Goal: the console summary names every scenario with its outcome, lists the violated
 * clause ids of failures and what the engine lacks for a not-applicable scenario, names
 * the engine with the clause families it was and was not checked on, and ends with the
 * totals line, which counts not-applicable scenarios apart; colour only when asked.
 * Method: render the fixture suite and look for the exact pieces.
 */
import { describe, expect, it } from 'vitest';
import type { ScenarioOutcome } from '../../harness/result.ts';
import { countOutcomes, formatConsoleSummary, formatEngineLine, formatScenarioLine } from '../../reports/console.ts';
import {
  failingResult,
  inconclusiveResult,
  notApplicableResult,
  partialEngine,
  passingResult,
  suiteFixture,
} from './fixtures.ts';

const ansi = /\u001b\[/;

describe('formatScenarioLine', () => {
  it('shows outcome, name, platform, bug and rounded duration of a failure, and its violated clause ids', () => {
    const line = formatScenarioLine(failingResult());
    expect(line.startsWith('FAIL ')).toBe(true);
    expect(line).toContain('cancel-nested-win32 [win32]');
    expect(line).toContain('bug prefect-17792');
    expect(line).toContain('5231 ms');
    expect(line).toMatch(/violated RUN-CANCEL-01, RUN-CANCEL-04$/);
    expect(line).not.toContain('PROCESS-01');
    expect(line).not.toMatch(ansi);
  });

  it('shows PASS without clause ids for a passing scenario', () => {
    const line = formatScenarioLine(passingResult());
    expect(line.startsWith('PASS ')).toBe(true);
    expect(line).toContain('cancel-simple-posix [posix]');
    expect(line).toContain('812 ms');
    expect(line).not.toContain('violated');
    expect(line).not.toContain('bug ');
  });

  it('shows the reason of an inconclusive run on its single line', () => {
    const result = inconclusiveResult();
    result.error = 'engine crashed:\nexit code 139';
    const line = formatScenarioLine(result);
    expect(line.startsWith('INCONCLUSIVE ')).toBe(true);
    expect(line).toContain('engine crashed: exit code 139');
    expect(line).not.toContain('\n');
  });

  it('names the undecided clause and its first reason when an inconclusive run had no error', () => {
    const result = inconclusiveResult();
    delete result.error;
    result.verdicts.push({ clauseId: 'RESTART-02', valid: 'unknown', violations: [], unknownReasons: ['a', 'b'], exercised: 0 });
    const line = formatScenarioLine(result);
    expect(line).toContain(': WF-TERMINAL-01 unknown: trace ended before terminateBoundMs; also unknown: RESTART-02');
    expect(line).not.toContain('no reason');
  });

  it('says a not-applicable scenario is not applicable and names what the engine lacks', () => {
    const line = formatScenarioLine(notApplicableResult());
    expect(line).toBe(
      'N/A          deploy-update-during-backlog [posix] 41 ms: ' +
        'not applicable, engine lacks operation deploy, a driven clock, operation advance-clock',
    );
    expect(line).not.toContain('violated');
    expect(line).not.toContain('INCONCLUSIVE');
  });

  it('keeps the scenario name in one column whatever the outcome', () => {
    const results = [passingResult(), failingResult(), inconclusiveResult(), notApplicableResult()];
    const columns = results.map((result) => formatScenarioLine(result).indexOf(result.scenario));
    expect(new Set(columns)).toEqual(new Set(['INCONCLUSIVE '.length]));
  });

  it('says so when a not-applicable result records nothing missing, rather than print an empty list', () => {
    const result = notApplicableResult();
    result.missingCapabilities = [];
    expect(formatScenarioLine(result)).toMatch(/: not applicable, no missing capability recorded$/);
  });

  it('colours only when asked', () => {
    expect(formatScenarioLine(failingResult(), { color: true })).toMatch(ansi);
    expect(formatScenarioLine(failingResult(), { color: false })).not.toMatch(ansi);
    expect(formatScenarioLine(notApplicableResult(), { color: true })).toMatch(ansi);
  });
});

describe('countOutcomes', () => {
  it('counts not-applicable scenarios apart, never as passed, failed or inconclusive', () => {
    expect(countOutcomes(suiteFixture())).toEqual({ scenarios: 4, passed: 1, failed: 1, inconclusive: 1, notApplicable: 1 });
    const suite = suiteFixture();
    suite.results = [notApplicableResult(), notApplicableResult()];
    expect(countOutcomes(suite)).toEqual({ scenarios: 2, passed: 0, failed: 0, inconclusive: 0, notApplicable: 2 });
  });

  it('throws on an outcome outside the types rather than count it as another', () => {
    const suite = suiteFixture();
    suite.results = [{ ...passingResult(), outcome: 'skipped' as unknown as ScenarioOutcome }];
    expect(() => countOutcomes(suite)).toThrow(/unknown outcome 'skipped'/);
  });
});

describe('formatEngineLine', () => {
  it('names the engine and the clause families it was and was not checked on', () => {
    expect(formatEngineLine(partialEngine())).toBe(
      'engine acme-orchestrator 2.3.1: checked on transitions, run-cancel, workflow, process; not checked on deployment, instance, restart',
    );
  });

  it('says none when every family was checked, and when no engine was started', () => {
    const engine = partialEngine();
    engine.checkedFamilies = ['transitions', 'run-cancel', 'deployment', 'workflow', 'instance', 'process', 'restart'];
    expect(formatEngineLine(engine)).toMatch(/; not checked on none$/);
    expect(formatEngineLine(null)).toBe(
      'engine not started: checked on none; not checked on transitions, run-cancel, deployment, workflow, instance, process, restart',
    );
  });
});

describe('formatConsoleSummary', () => {
  it('has a line per scenario, then the engine line, then the totals line', () => {
    const text = formatConsoleSummary(suiteFixture());
    const lines = text.split('\n');
    expect(lines).toHaveLength(6);
    expect(lines[0]).toMatch(/^PASS +cancel-simple-posix/);
    expect(lines[1]).toMatch(/^FAIL +cancel-nested-win32/);
    expect(lines[2]).toMatch(/^INCONCLUSIVE +terminate-archive-failing/);
    expect(lines[3]).toMatch(/^N\/A +deploy-update-during-backlog .*: not applicable, engine lacks operation deploy/);
    expect(lines[4]).toBe(
      'engine acme-orchestrator 2.3.1: checked on transitions, run-cancel, workflow, process; not checked on deployment, instance, restart',
    );
    expect(lines[5]).toBe('4 scenarios: 1 passed, 1 failed, 1 inconclusive, 1 not applicable in 23.4 s');
    expect(text).toContain('RUN-CANCEL-01');
    expect(text).toContain('RUN-CANCEL-04');
  });

  it('counts from the results, and says "scenario" for one', () => {
    const suite = suiteFixture();
    suite.results = [failingResult()];
    suite.durationMs = 5_260;
    expect(formatConsoleSummary(suite).split('\n').at(-1)).toBe(
      '1 scenario: 0 passed, 1 failed, 0 inconclusive, 0 not applicable in 5.3 s',
    );
  });

  it('does not count a not-applicable scenario as passed or inconclusive', () => {
    const suite = suiteFixture();
    suite.results = [passingResult(), notApplicableResult()];
    suite.durationMs = 900;
    expect(formatConsoleSummary(suite).split('\n').at(-1)).toBe(
      '2 scenarios: 1 passed, 0 failed, 0 inconclusive, 1 not applicable in 0.9 s',
    );
  });

  it('says when no engine was started', () => {
    const suite = suiteFixture();
    suite.engine = null;
    expect(formatConsoleSummary(suite).split('\n').at(-2)).toMatch(/^engine not started: checked on none; /);
  });

  it('keeps the totals text readable with colour on', () => {
    const text = formatConsoleSummary(suiteFixture(), { color: true });
    expect(text).toMatch(ansi);
    const plain = text.replace(/\u001b\[[0-9;]*m/g, '').split('\n');
    expect(plain.at(-1)).toBe('4 scenarios: 1 passed, 1 failed, 1 inconclusive, 1 not applicable in 23.4 s');
    expect(plain.at(-2)).toBe(formatEngineLine(partialEngine()));
  });
});
