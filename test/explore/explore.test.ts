/**
 * Goal: random exploration finds a real upstream defect and hands back a counterexample
 * that stands on its own. With bug profile prefect-17764 switched on, one seeded campaign
 * must find a violation of DEPLOY-UPDATE-01 or DEPLOY-BACKLOG-02 and shrink it to at most
 * 8 steps; the counterexample, written as YAML by `counterexampleYaml` and loaded back by
 * `loadScenarioFile`, must fail again in one run with one of those clauses, and must not
 * fail with the defect off (the reference engine is conformant on it). Its seed and replay
 * path must give back the very same scenario. The CLI path (`flowconform explore`) must
 * exit 1 and write counterexample.yaml, summary.json, junit.xml and a REPRO.md that names
 * the seed, the replay path and the file. No flow-worker process may outlive any of it.
 *
 * Method: real processes, no mocks, and only two campaigns (each about 20 s: two
 * detection runs, then about 30 shrink runs): one through `explore()`, one
 * through `main(argv)` in this process with its output captured. Seed 268 is fixed, so a
 * failure here replays with the same call. Each slow test carries its own timeout: the
 * campaign's time limits (60 s detection, 30 s shrinking) plus room for the run in flight.
 * Files go to a temporary directory removed at the end. For the leak check, every engine
 * made in this process names its session `fc-<this pid>-…`; afterwards no live
 * flow-worker may carry such a session unless it was already alive before this file ran.
 */
import { existsSync } from 'node:fs';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { counterexampleYaml } from '../../harness/cli/commands/explore.ts';
import { main } from '../../harness/cli/main.ts';
import { explore, type ExploreReport } from '../../harness/explore/explore.ts';
import { violatedClauseIds } from '../../harness/result.ts';
import { runScenario } from '../../harness/runner/run-scenario.ts';
import { scenarioArbitrary } from '../../scenarios/generate/scenario-arbitrary.ts';
import { loadScenarioFile } from '../../scenarios/schema/load.ts';
import type { Scenario } from '../../scenarios/schema/steps.ts';
import { livePidsOfSession, sessionPrefixOf } from '../harness/session-processes.ts';

const bug = 'prefect-17764';
const seed = 268;
/** The clauses prefect-17764 is caught by (engine/bugs/profiles.ts). */
const targetClauses = ['DEPLOY-UPDATE-01', 'DEPLOY-BACKLOG-02'];
/** Most steps a shrunk counterexample may keep (count). */
const counterexampleStepsMax = 8;

/**
 * Campaign bounds (count, ms): seed 268 finds the defect after 2 runs in about 7 s on this
 * machine under load (its 2nd scenario: deploy with a concurrency limit of 1, start a
 * workflow, advance, deploy again), cancelling nothing before, and shrinks it to 3 steps
 * (deploy, advance, deploy) in about 30 runs. Seed 4, used before the situations of issue 7,
 * finds it only after 3 runs whose counterexample does not shrink to 8 steps within the
 * shrinking budget; seed 7 after 10 runs, some of which cancel runs with subflows.
 */
const campaign = { runs: 60, timeLimitMs: 120_000, shrinkTimeLimitMs: 30_000 } as const;
/** Test timeout of a campaign (ms): both time limits plus one scenario run in flight, with room. */
const campaignTestTimeoutMs = campaign.timeLimitMs + campaign.shrinkTimeLimitMs + 30_000;
/** Test timeout of one replay (ms): a short scenario takes under 1 s; a heal wait at most a few. */
const replayTestTimeoutMs = 30_000;

let workDir = '';
/** Session processes alive before this file ran anything: not this file's to answer for. */
let pidsAliveBefore = new Set<number>();
/** The report of the one `explore()` campaign; later tests read it. */
let report: ExploreReport | null = null;

beforeAll(async () => {
  workDir = await mkdtemp(path.join(tmpdir(), 'flowconform-explore-test-'));
  pidsAliveBefore = new Set(livePidsOfSession('fc-', true));
});

afterAll(async () => {
  if (workDir !== '') await rm(workDir, { recursive: true, force: true });
});

/** The campaign's report, found and with a counterexample; fails the calling test otherwise. */
function foundReport(): ExploreReport & { counterexample: Scenario } {
  expect(report, 'the campaign test ran first').not.toBeNull();
  expect(report!.found, 'the campaign found a violation').toBe(true);
  expect(report!.counterexample).not.toBeNull();
  return report as ExploreReport & { counterexample: Scenario };
}

/** The value after `# fast-check replay path:` in a counterexample file's header. */
function replayPathIn(yamlText: string): string | undefined {
  return /^# fast-check replay path: (\S+)$/m.exec(yamlText)?.[1];
}

describe(`explore with bug profile ${bug}, seed ${seed}`, () => {
  it(
    `finds ${targetClauses.join(' or ')} within ${campaign.runs} runs and shrinks it to at most ${counterexampleStepsMax} steps`,
    async () => {
      report = await explore({ bug, seed, ...campaign });
      expect(report.found, `no violation in ${report.detectionRuns} runs (${report.inconclusiveRuns} inconclusive), ${report.detectionMs} ms`).toBe(true);
      expect(report.seed).toBe(seed);
      expect(report.bug).toBe(bug);
      expect(report.detectionRuns).toBeGreaterThanOrEqual(1);
      expect(report.detectionRuns).toBeLessThanOrEqual(campaign.runs);
      expect(report.targetClauses.some((clauseId) => targetClauses.includes(clauseId)), `target clauses ${report.targetClauses.join(', ')}`).toBe(true);
      expect(report.counterexample).not.toBeNull();
      expect(report.counterexample!.steps.length, JSON.stringify(report.counterexample!.steps)).toBeLessThanOrEqual(counterexampleStepsMax);
      expect(report.path).toMatch(/^\d+(:\d+)*$/);
      // The run kept as the shrunk counterexample's result failed with a target clause.
      expect(report.result?.outcome).toBe('fail');
      expect(violatedClauseIds(report.result!.verdicts).some((clauseId) => report!.targetClauses.includes(clauseId))).toBe(true);
    },
    campaignTestTimeoutMs,
  );

  it('seed and replay path give back the counterexample in one run, without running it', () => {
    const found = foundReport();
    const replayed: Scenario[] = [];
    // endOnFailure: no shrinking, so the predicate sees exactly the value at the path.
    const details = fc.check(
      fc.property(scenarioArbitrary(), (scenario) => {
        replayed.push(scenario);
        return false;
      }),
      { seed, path: found.path!, endOnFailure: true },
    );
    expect(details.failed).toBe(true);
    expect(replayed).toHaveLength(1);
    expect(replayed[0]).toEqual(found.counterexample);
  });

  it(
    'the counterexample written as YAML loads back and fails again in one run with a target clause',
    async () => {
      const found = foundReport();
      const file = path.join(workDir, 'counterexample.yaml');
      const text = counterexampleYaml({ ...found.counterexample, name: 'counterexample' }, found);
      expect(replayPathIn(text)).toBe(found.path);
      expect(text).toContain(`seed ${seed}`);
      await writeFile(file, text);
      const loaded = await loadScenarioFile(file);
      expect({ ...loaded, file: undefined, name: 'generated' }).toEqual({ ...found.counterexample, file: undefined });
      const result = await runScenario(loaded, { bug });
      expect(result.outcome, result.error ?? '').toBe('fail');
      expect(violatedClauseIds(result.verdicts).some((clauseId) => targetClauses.includes(clauseId)), `violated ${violatedClauseIds(result.verdicts).join(', ')}`).toBe(true);
    },
    replayTestTimeoutMs,
  );

  it(
    'the same counterexample without the defect does not fail',
    async () => {
      const found = foundReport();
      const result = await runScenario({ ...found.counterexample, name: 'counterexample' }, { bug: null });
      expect(violatedClauseIds(result.verdicts), `violated without the defect; error: ${result.error ?? '-'}`).toEqual([]);
      // The heal does not wait out a deployment's backlog, so DEPLOY-BACKLOG-02 may be
      // left undecided (inconclusive); what matters is that nothing is violated.
      expect(result.outcome).not.toBe('fail');
    },
    replayTestTimeoutMs,
  );
});

describe('flowconform explore on the command line', () => {
  it(
    `--bug ${bug} --seed ${seed} exits 1 and writes counterexample.yaml, summary.json, junit.xml and REPRO.md`,
    async () => {
      const out = path.join(workDir, 'cli-out');
      const printed: string[] = [];
      const capture = (...args: unknown[]) => void printed.push(args.map(String).join(' '));
      const spies = [vi.spyOn(console, 'log').mockImplementation(capture), vi.spyOn(console, 'error').mockImplementation(capture)];
      let code: number;
      try {
        code = await main([
          'explore', '--bug', bug, '--seed', String(seed), '--runs', String(campaign.runs),
          '--time-limit', `${campaign.timeLimitMs}ms`, '--shrink-time-limit', `${campaign.shrinkTimeLimitMs}ms`, '--out', out,
        ]);
      } finally {
        for (const spy of spies) spy.mockRestore();
      }
      const output = printed.join('\n');
      expect(code, output).toBe(1);
      expect(output).toContain(`seed ${seed}`);

      const counterexampleFile = path.join(out, 'counterexample.yaml');
      const reproFile = path.join(out, 'counterexample', 'REPRO.md');
      for (const file of [counterexampleFile, path.join(out, 'summary.json'), path.join(out, 'junit.xml'), reproFile]) {
        expect(existsSync(file), `${file} written`).toBe(true);
      }
      const yamlText = await readFile(counterexampleFile, 'utf8');
      const replayPath = replayPathIn(yamlText);
      expect(replayPath).toMatch(/^\d+(:\d+)*$/);
      const loaded = await loadScenarioFile(counterexampleFile);
      expect(loaded.name).toBe('counterexample');
      expect(loaded.steps.length).toBeLessThanOrEqual(counterexampleStepsMax);

      const summary = JSON.parse(await readFile(path.join(out, 'summary.json'), 'utf8')) as {
        seed: number;
        scenarios: Array<{ name: string; outcome: string; verdicts: Array<{ clauseId: string; valid: unknown }> }>;
      };
      expect(summary.seed).toBe(seed);
      // The campaign's runs, passing, then the shrunk counterexample in the place of the run that found it.
      const counterexample = summary.scenarios.at(-1)!;
      expect(counterexample).toMatchObject({ name: 'counterexample', outcome: 'fail' });
      expect(summary.scenarios.slice(0, -1).map((scenario) => scenario.name)).toEqual(summary.scenarios.slice(0, -1).map((_, index) => `run-${index + 1}`));
      expect(summary.scenarios.filter((scenario) => scenario.outcome === 'fail')).toHaveLength(1);
      const violated = counterexample.verdicts.filter((verdict) => verdict.valid === false).map((verdict) => verdict.clauseId);
      expect(violated.some((clauseId) => targetClauses.includes(clauseId)), `violated ${violated.join(', ')}`).toBe(true);
      expect(await readFile(path.join(out, 'junit.xml'), 'utf8')).toContain('counterexample');

      const repro = await readFile(reproFile, 'utf8');
      expect(repro).toContain(`campaign seed \`${seed}\``);
      expect(repro).toContain(`path \`${replayPath}\``);
      expect(repro).toContain(path.resolve(counterexampleFile));
    },
    campaignTestTimeoutMs,
  );
});

describe('after the campaigns', () => {
  it('no process of an engine started in this process is alive', () => {
    const leaked = livePidsOfSession(sessionPrefixOf(process.pid), true).filter((pid) => !pidsAliveBefore.has(pid));
    expect(leaked).toEqual([]);
  });
});
