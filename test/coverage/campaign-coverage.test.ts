/**
 * Goal: a campaign's coverage counts its detection runs, every one, and no shrink run
 * (shrinking replays variations of one scenario and would only weigh it more); `explore`
 * prints the coverage block and, with `--stats`, the per-clause table, and writes the
 * coverage into summary.json even when nothing was violated. No flow-worker process may
 * outlive any of it.
 *
 * Method: real processes on the reference engine. `explore()` campaigns with bug profile
 * conductor-303, seeds tried in turn until one finds the defect (measured with the
 * generator of this writing: seed 3 after 1 run, seeds 2 and 4 after 4; the list keeps
 * the test independent of one seed's draw), each shrinking for at most 3 s; then CLI
 * campaigns of one or two runs without a bug, in this process through `runMain`. Files
 * go to a temporary directory removed at the end.
 */
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { coverageTotals } from '../../harness/coverage/coverage-totals.ts';
import { explore } from '../../harness/explore/explore.ts';
import { livePidsOfSession, sessionPrefixOf } from '../harness/session-processes.ts';
import { runMain } from '../support/run-main.ts';
import { clauses } from '../../spec/clauses/registry.ts';

/** Test timeout of one short campaign (ms): a few runs of about a second, shrinking cut at 3 s, with room on a loaded machine. */
const campaignTestTimeoutMs = 90_000;
/** Seeds tried in turn for a campaign that finds conductor-303, and the runs each may make (count). */
const campaignSeeds = [3, 2, 4];
const campaignRunsMax = 8;

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
    'counts every detection run and no shrink run',
    async () => {
      let report = null as Awaited<ReturnType<typeof explore>> | null;
      for (const seed of campaignSeeds) {
        report = await explore({ runs: campaignRunsMax, seed, bug: 'conductor-303', timeLimitMs: 60_000, shrinkTimeLimitMs: 3_000 });
        // Whether or not it found anything, every detection run is counted.
        expect(report.coverage.scenarios).toBe(report.detectionRuns);
        if (report.found) break;
      }
      if (!report) throw new Error('no campaign ran');
      expect(report.found, `conductor-303 found with one of seeds ${campaignSeeds.join(', ')}`).toBe(true);
      expect(report.shrinkRuns, 'shrinking ran').toBeGreaterThan(0);
      expect(report.coverage.scenarios).toBe(report.detectionRuns);
      // The failing run terminated a workflow: the clause it violated was exercised.
      const target = report.targetClauses[0];
      expect(report.coverage.clauses.find((clause) => clause.clauseId === target)?.scenarios).toBeGreaterThan(0);
      expect(coverageTotals(report.coverage).states.covered).toBeGreaterThan(0);
      expect(report.engine?.name).toBe('flowconform-reference');
    },
    campaignSeeds.length * campaignTestTimeoutMs,
  );

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
      expect(summary.scenarios).toEqual([]);
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
