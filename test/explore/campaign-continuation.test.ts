/**
 * Goal: explore does not let inconclusive runs pass in silence, and a violation judged
 * already as intended (`--accept`) does not end a campaign. Against an engine that
 * dies when asked to terminate a workflow (test/fixtures/engines/bad-engine.mjs, case
 * `exit`), every generated scenario that terminates a workflow ends inconclusive; explore
 * must count such runs, and with `--stop-on-inconclusive` end the campaign at the first
 * one with exit 3, writing that scenario as `inconclusive.yaml` (replayable) with its
 * summary.json, and the reason in the summary.
 * With `acceptedClauses`, a campaign against the reference engine with bug profile
 * prefect-17792 (whose cancelled runs fail RUN-CANCEL-01/02/03; seed 2 in 5 of its 8
 * runs with the generator of this writing, seed 1 in 3) counts those runs and goes on
 * to its last run, or stops at a violation of another clause. The profile is one whose
 * situation the generator draws often: bullmq-2979, used before, was met in 1 run of 8
 * at best and in none when the machine was loaded, so the test failed in CI.
 * Method: `explore()` with `stopOnInconclusive`, then the CLI through `main(argv)`, both
 * against the fixture engine as a real process; about 10 s each. Files go to a temporary
 * directory removed at the end.
 */
import { existsSync } from 'node:fs';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { quote } from 'shell-quote';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { main } from '../../harness/cli/main.ts';
import { parseEngineCommand } from '../../harness/engine-process/engine-command.ts';
import { explore } from '../../harness/explore/explore.ts';
import { loadScenarioFile } from '../../scenarios/schema/load.ts';

const fixture = fileURLToPath(new URL('../fixtures/engines/bad-engine.mjs', import.meta.url));
const engineLine = quote([process.execPath, fixture, '--misbehave', 'exit']);
/** Per-test timeout (ms): seed 9 terminates a workflow in its 4th scenario, after three that do little; at most 16 runs of 1–5 s. */
const campaignTimeoutMs = 90_000;
/** Per-test timeout (ms) of the accepted-clause campaign: 8 runs with cancels of process trees took 35 s on a quiet machine; room for a loaded one. */
const acceptedCampaignTimeoutMs = 180_000;

let workDir = '';
beforeAll(async () => {
  workDir = await mkdtemp(path.join(tmpdir(), 'flowconform-inconclusive-test-'));
});
afterAll(async () => {
  await rm(workDir, { recursive: true, force: true });
});

describe('explore and inconclusive runs', () => {
  it(
    'stops at the first inconclusive run when told to, keeping its scenario and reason',
    async () => {
      const report = await explore({ runs: 10, seed: 9, bug: null, engine: parseEngineCommand(engineLine), timeLimitMs: 60_000, shrinkTimeLimitMs: 1_000, stopOnInconclusive: true });
      expect(report.stoppedOnInconclusive).toBe(true);
      expect(report.found).toBe(false);
      expect(report.inconclusiveRuns).toBe(1);
      const [stopped] = report.inconclusive;
      expect(stopped!.run).toBe(report.detectionRuns);
      expect(stopped!.scenario.steps.some((step) => 'terminate' in step)).toBe(true);
      expect(stopped!.reason).toMatch(/bad-engine|exit|terminate-workflow/);
      // Every detection run is in the report and in its coverage, once.
      expect(report.runs.map((run) => run.scenario)).toEqual(Array.from({ length: report.detectionRuns }, (_, index) => `run-${index + 1}`));
      expect(report.coverage.scenarios).toBe(report.detectionRuns);
    },
    campaignTimeoutMs,
  );

  it(
    'counts runs that violate only an accepted clause and goes on',
    async () => {
      const accepted = ['RUN-CANCEL-01', 'RUN-CANCEL-02', 'RUN-CANCEL-03'];
      const report = await explore({ runs: 8, seed: 2, bug: 'prefect-17792', timeLimitMs: acceptedCampaignTimeoutMs - 10_000, shrinkTimeLimitMs: 1_000, acceptedClauses: accepted });
      expect(report.acceptedViolations['RUN-CANCEL-01'] ?? 0).toBeGreaterThan(0);
      if (report.found) expect(report.targetClauses.some((clauseId) => !accepted.includes(clauseId))).toBe(true);
      else expect(report.detectionRuns).toBe(8);
      // Shrink runs (when it found something else) are not counted: only detection's.
      expect(report.runs).toHaveLength(report.detectionRuns);
      expect(report.coverage.scenarios).toBe(report.detectionRuns);
    },
    acceptedCampaignTimeoutMs,
  );

  it(
    '--stop-on-inconclusive exits 3 and writes inconclusive.yaml and summary.json',
    async () => {
      const out = path.join(workDir, 'cli');
      const log = vi.spyOn(console, 'log').mockImplementation(() => {});
      let code: number;
      try {
        code = await main(['explore', '--engine', engineLine, '--runs', '10', '--seed', '9', '--stop-on-inconclusive', '--out', out]);
      } finally {
        log.mockRestore();
      }
      expect(code).toBe(3);
      const file = path.join(out, 'inconclusive.yaml');
      expect(existsSync(file)).toBe(true);
      const scenario = await loadScenarioFile(file);
      expect(scenario.steps.some((step) => 'terminate' in step)).toBe(true);
      // The campaign's summary: every run before it passed, the stopping one last, as the scenario written out.
      const summary = JSON.parse(await readFile(path.join(out, 'summary.json'), 'utf8')) as { exitCode: number; scenarios: Array<{ name: string; outcome: string }> };
      expect(summary.exitCode).toBe(3);
      expect(summary.scenarios.at(-1)).toMatchObject({ name: 'inconclusive', outcome: 'inconclusive' });
      expect(summary.scenarios.slice(0, -1).every((scenario) => scenario.outcome === 'pass')).toBe(true);
    },
    campaignTimeoutMs,
  );
});
