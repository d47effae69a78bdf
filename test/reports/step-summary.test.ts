/**
 * Goal: the GitHub job summary says the verdict, the engine, the totals and each failed
 * or inconclusive scenario with its clauses or reason, and is written only when
 * GITHUB_STEP_SUMMARY is set. Method: render the fixture suite's summary.json; append to
 * a temp file through a fake environment.
 */
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { formatStepSummary, writeStepSummary } from '../../reports/step-summary.ts';
import { toSummaryJson } from '../../reports/summary-json.ts';
import { suiteFixture } from './fixtures.ts';

describe('formatStepSummary', () => {
  const markdown = formatStepSummary(toSummaryJson(suiteFixture()));

  it('opens with the verdict and the totals table', () => {
    expect(markdown.split('\n')[0]).toMatch(/^### flowconform \w+: clause violated$/);
    expect(markdown).toContain('| 4 | 1 | 1 | 1 | 1 |');
  });

  it('lists the failed scenario with its violated clauses and the inconclusive one with its reason', () => {
    expect(markdown).toMatch(/\| cancel-nested-win32 \| fail \| RUN-CANCEL-01, RUN-CANCEL-04 \|/);
    expect(markdown).toMatch(/\| terminate-archive-failing \| inconclusive \| engine crashed: exit code 139/);
    expect(markdown).not.toMatch(/\| \S+ \| pass \|/);
  });
});

describe('writeStepSummary', () => {
  it('appends to the file GITHUB_STEP_SUMMARY names and does nothing without it', async () => {
    const directory = await mkdtemp(path.join(os.tmpdir(), 'flowconform-step-summary-'));
    try {
      const file = path.join(directory, 'summary.md');
      await writeFile(file, 'earlier step\n');
      const summary = toSummaryJson(suiteFixture());
      expect(await writeStepSummary(summary, { GITHUB_STEP_SUMMARY: file })).toBe(file);
      expect(await writeStepSummary(summary, {})).toBeNull();
      const text = await readFile(file, 'utf8');
      expect(text.startsWith('earlier step\n### flowconform')).toBe(true);
    } finally {
      await rm(directory, { recursive: true, force: true });
    }
  });
});
