/**
 * Goal: the console summary names every scenario with its outcome, lists the violated
 * clause ids of failures, and ends with the totals line; colour only when asked.
 * Method: render the fixture suite and look for the exact pieces.
 */
import { describe, expect, it } from 'vitest';
import { formatConsoleSummary, formatScenarioLine } from '../../reports/console.ts';
import { failingResult, inconclusiveResult, passingResult, suiteFixture } from './fixtures.ts';

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

  it('colours only when asked', () => {
    expect(formatScenarioLine(failingResult(), { color: true })).toMatch(ansi);
    expect(formatScenarioLine(failingResult(), { color: false })).not.toMatch(ansi);
  });
});

describe('formatConsoleSummary', () => {
  it('has a line per scenario then the totals line', () => {
    const text = formatConsoleSummary(suiteFixture());
    const lines = text.split('\n');
    expect(lines).toHaveLength(4);
    expect(lines[0]).toMatch(/^PASS +cancel-simple-posix/);
    expect(lines[1]).toMatch(/^FAIL +cancel-nested-win32/);
    expect(lines[2]).toMatch(/^INCONCLUSIVE +terminate-archive-failing/);
    expect(lines[3]).toBe('3 scenarios: 1 passed, 1 failed, 1 inconclusive in 23.4 s');
    expect(text).toContain('RUN-CANCEL-01');
    expect(text).toContain('RUN-CANCEL-04');
  });

  it('counts from the results, and says "scenario" for one', () => {
    const suite = suiteFixture();
    suite.results = [failingResult()];
    suite.durationMs = 5_260;
    expect(formatConsoleSummary(suite).split('\n').at(-1)).toBe('1 scenario: 0 passed, 1 failed, 0 inconclusive in 5.3 s');
  });

  it('keeps the totals text readable with colour on', () => {
    const text = formatConsoleSummary(suiteFixture(), { color: true });
    expect(text).toMatch(ansi);
    expect(text.replace(/\u001b\[[0-9;]*m/g, '').split('\n').at(-1)).toBe(
      '3 scenarios: 1 passed, 1 failed, 1 inconclusive in 23.4 s',
    );
  });
});
