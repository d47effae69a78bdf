/**
 * Goal: `explore` prints the coverage block and, with `--stats`, the per-clause table,
 * and writes the coverage into summary.json even when nothing was violated; a campaign
 * short of `--coverage-min` exits 1. (That a campaign's coverage counts each detection
 * run once and no shrink run is asserted in test/explore/campaign-continuation.test.ts.)
 * No flow-worker process may outlive any of it.
 *
 * Method: CLI campaigns of one or two runs on the reference engine without a bug, in this
 * process through `runMain`. Files go to a temporary directory removed at the end.
 */
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { livePidsOfSession, sessionPrefixOf } from '../harness/session-processes.ts';
import { stripVTControlCharacters } from 'node:util';
import { runMain as runMainColoured } from '../support/run-main.ts';

/** The CLI's output without colours (picocolors colours it when CI is set). */
async function runMain(argv: string[]) {
  const outcome = await runMainColoured(argv);
  return { ...outcome, stdout: stripVTControlCharacters(outcome.stdout) };
}
import { clauses } from '../../spec/clauses/registry.ts';

/** Test timeout of one short campaign (ms): a few runs of about a second, shrinking cut at 3 s, with room on a loaded machine. */
const campaignTestTimeoutMs = 90_000;

let workDir = '';
let pidsAliveBefore = new Set<number>();

beforeAll(async () => {
  workDir = await mkdtemp(path.join(tmpdir(), 'flowconform-coverage-test-'));
  pidsAliveBefore = new Set(livePidsOfSession('fc-', true));
});

afterAll(async () => {
  if (workDir !== '') await rm(workDir, { recursive: true, force: true });
});

describe('coverage of an explore campaign', () => {
  it(
    'explore --stats prints the block and the table, and summary.json has the coverage when nothing was violated',
    async () => {
      const out = path.join(workDir, 'explore');
      const outcome = await runMain(['explore', '--runs', '2', '--seed', '3', '--stats', '--out', out]);
      expect(outcome.code, outcome.stderr).toBe(0);
      expect(outcome.stdout).toMatch(/^spec coverage over 2 scenarios: states \d+\/\d+ \(\d+\.\d%\), transitions \d+\/\d+/m);
      expect(outcome.stdout).toMatch(/^clause +scenarios  of runs$/m);
      expect(outcome.stdout).toMatch(/^PROCESS-01 +\d+ +\d+\.\d%/m);
      // The reference engine is checked on every family: every clause of the registry is a row.
      expect(outcome.stdout).toMatch(new RegExp(`^\\d+ of ${clauses.length} clauses below 5% of 2 runs$`, 'm'));
      const summary = JSON.parse(await readFile(path.join(out, 'summary.json'), 'utf8'));
      expect(summary.command).toBe('explore');
      expect(summary.scenarios.map((scenario: { name: string }) => scenario.name)).toEqual(['run-1', 'run-2']);
      expect(summary.coverage.scenarios).toBe(2);
      expect(summary.coverage.clauses).toHaveLength(clauses.length);
      expect(summary.coverage.clauses[0]).toHaveProperty('percent');
    },
    campaignTestTimeoutMs,
  );

  it(
    'explore --coverage-min 100 exits 1 when the campaign falls short, saying which measure',
    async () => {
      const out = path.join(workDir, 'explore-min');
      const outcome = await runMain(['explore', '--runs', '1', '--seed', '3', '--coverage-min', 'transitions=100', '--out', out]);
      expect(outcome.code).toBe(1);
      expect(outcome.stdout).toMatch(/coverage below --coverage-min: transitions \d+\.\d% \(\d+\/\d+\), \d+\.\d points short of 100%/);
      const summary = JSON.parse(await readFile(path.join(out, 'summary.json'), 'utf8'));
      expect(summary.exitCode).toBe(1);
      expect(summary.coverage.shortfalls.map((shortfall: { measure: string }) => shortfall.measure)).toEqual(['transitions']);
    },
    campaignTestTimeoutMs,
  );

  it('leaves no process behind', () => {
    const leaked = livePidsOfSession(sessionPrefixOf(process.pid), true).filter((pid) => !pidsAliveBefore.has(pid));
    expect(leaked).toEqual([]);
  });
});
