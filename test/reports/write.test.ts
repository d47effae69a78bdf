/**
 * Goal: writeReports writes summary.json, junit.xml, index.html and one REPRO.md per
 * failed or inconclusive scenario, and nothing for passing or not-applicable ones; the
 * HTML report links the REPRO.md files it writes. Method: write the
 * fixture suite into a fresh temporary directory, list what is there, read it back, and
 * remove the directory afterwards.
 */
import { mkdtemp, readdir, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { ScenarioOutcome } from '../../harness/result.ts';
import { needsRepro, reproDirectoryName, writeReports } from '../../reports/write.ts';
import { notApplicableResult, suiteFixture } from './fixtures.ts';

let root: string;

beforeEach(async () => {
  root = await mkdtemp(path.join(tmpdir(), 'flowconform-reports-'));
});

afterEach(async () => {
  await rm(root, { recursive: true, force: true });
});

describe('writeReports', () => {
  it('writes the summary, the JUnit XML, the HTML report and a REPRO.md per failed or inconclusive scenario, none for a not-applicable one', async () => {
    const outDir = path.join(root, 'nested', 'out');
    const { files } = await writeReports(suiteFixture(), outDir, {
      replayCommandFor: (result) => `npx flowconform replay ${result.file ?? `${result.scenario}.yaml`} --seed ${result.seed}`,
    });
    expect(files).toEqual([
      path.join(outDir, 'summary.json'),
      path.join(outDir, 'junit.xml'),
      path.join(outDir, 'index.html'),
      path.join(outDir, 'cancel-nested-win32', 'REPRO.md'),
      path.join(outDir, 'terminate-archive-failing', 'REPRO.md'),
    ]);
    expect((await readdir(outDir)).sort()).toEqual(['cancel-nested-win32', 'index.html', 'junit.xml', 'summary.json', 'terminate-archive-failing']);
    const html = await readFile(path.join(outDir, 'index.html'), 'utf8');
    expect(html).toMatch(/^<!doctype html>/);
    expect(html).toContain('<a href="cancel-nested-win32/REPRO.md">');
    expect(html).toContain('<script data-library="vega-lite">');

    const summary = JSON.parse(await readFile(path.join(outDir, 'summary.json'), 'utf8'));
    expect(summary.totals).toEqual({ scenarios: 4, passed: 1, failed: 1, inconclusive: 1, notApplicable: 1 });
    expect(summary.engine.checkedFamilies).toEqual(['transitions', 'run-cancel', 'workflow', 'process']);
    expect(await readFile(path.join(outDir, 'junit.xml'), 'utf8')).toMatch(/^<\?xml[\s\S]*<testsuites /);
    const repro = await readFile(path.join(outDir, 'cancel-nested-win32', 'REPRO.md'), 'utf8');
    expect(repro).toContain('npx flowconform replay scenarios/cancel-nested-win32.yaml --seed 42');
    const inconclusive = await readFile(path.join(outDir, 'terminate-archive-failing', 'REPRO.md'), 'utf8');
    expect(inconclusive).toContain('npx flowconform replay terminate-archive-failing.yaml --seed 7');
    expect(inconclusive).toContain('- Engine: `acme-orchestrator` version `2.3.1`');
  });

  it('writes no REPRO.md for a suite of only not-applicable scenarios', async () => {
    const suite = suiteFixture();
    suite.results = [notApplicableResult()];
    const { files } = await writeReports(suite, root, { replayCommandFor: () => 'replay' });
    expect(files).toEqual([path.join(root, 'summary.json'), path.join(root, 'junit.xml'), path.join(root, 'index.html')]);
    expect((await readdir(root)).sort()).toEqual(['index.html', 'junit.xml', 'summary.json']);
  });

  it("gives a REPRO.md the suite's engine when its scenario reached none", async () => {
    const suite = suiteFixture();
    const failing = suite.results[1]!;
    failing.engine = null;
    suite.results = [failing];
    const { files } = await writeReports(suite, root, { replayCommandFor: () => 'replay' });
    expect(await readFile(files[3]!, 'utf8')).toContain("- Engine: `acme-orchestrator` version `2.3.1` (the suite's engine");
  });

  it('passes exploration details through and keeps results of one scenario apart', async () => {
    const suite = suiteFixture();
    const failing = suite.results[1]!;
    suite.results = [failing, { ...failing, seed: 43 }];
    const { files } = await writeReports(suite, root, {
      replayCommandFor: (result) => `replay --seed ${result.seed}`,
      extraFor: (result) => ({ seed: 1000 + result.seed }),
    });
    expect(files.slice(3)).toEqual([
      path.join(root, 'cancel-nested-win32', 'REPRO.md'),
      path.join(root, 'cancel-nested-win32-2', 'REPRO.md'),
    ]);
    expect(await readFile(files[4]!, 'utf8')).toContain('campaign seed `1043`');
    const html = await readFile(path.join(root, 'index.html'), 'utf8');
    expect(html).toContain('<a href="cancel-nested-win32-2/REPRO.md">');
  });
});

describe('needsRepro', () => {
  it('is true for failed and inconclusive scenarios only', () => {
    const outcomes: ScenarioOutcome[] = ['pass', 'fail', 'inconclusive', 'not-applicable'];
    expect(outcomes.filter(needsRepro)).toEqual(['fail', 'inconclusive']);
  });
});

describe('reproDirectoryName', () => {
  it('keeps safe names, replaces path separators and dot names, and avoids names taken', () => {
    expect(reproDirectoryName('cancel-nested-win32', new Set())).toBe('cancel-nested-win32');
    expect(reproDirectoryName('../etc/passwd', new Set())).toBe('-etc-passwd');
    expect(reproDirectoryName('..', new Set())).toBe('scenario');
    expect(reproDirectoryName('a', new Set(['a', 'a-2']))).toBe('a-3');
  });
});
