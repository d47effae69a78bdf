/**
 * Goal: `--engine` checks any engine that speaks the protocol, not only the reference
 * engine. The second engine is examples/python-engine/engine.py (standard-library Python,
 * runs and subflows as real processes, cancel, query). Against it, the suite must pass
 * what the engine supports, report the rest `not-applicable` with what is missing, and
 * exit 0; with its own defect switch (`--defect cancel-noop`: cancel answers ok and does
 * nothing) a cancel scenario must fail on RUN-CANCEL clauses, exit 1. After every
 * scenario no process carrying the engine's session marker may be alive.
 *
 * Method: no mocks. `runSuite` starts `python3 engine.py` once per scenario through the
 * engine protocol; the session marker of each engine comes back in the result, and /proc
 * is read afterwards for live processes whose environment carries it. To stay fast, the
 * suite runs the scenarios the engine supports and one not-applicable scenario per
 * kind of missing capability; every other scenario file is checked for applicability
 * against the capabilities the engine declared in its handshake, which is what decides
 * `not-applicable` in a run. Skipped only when python3 is missing outside CI; under
 * CI=true it runs. About 10 s for the suite and 9 s for the defect run (each engine start
 * costs 0.1–1 s: python3 may be a pyenv shim).
 */
import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { quote } from 'shell-quote';
import { describe, expect, it } from 'vitest';
import { clausesCheckedFor, missingCapabilities } from '../../harness/applicability.ts';
import { parseEngineCommand, type EngineCommand } from '../../harness/engine-process/engine-command.ts';
import { suiteExitCode, violatedClauseIds, type ScenarioResult, type SuiteResult } from '../../harness/result.ts';
import { runSuite } from '../../harness/suite.ts';
import { listProcesses, readEnvironmentValue } from '../../os/proc.ts';
import { sessionVariable } from '../../os/session-marker.ts';
import { loadScenarioFile, loadScenarios } from '../../scenarios/schema/load.ts';
import type { ProcessEvent } from '../../trace/events.ts';

const engineScript = fileURLToPath(new URL('../../examples/python-engine/engine.py', import.meta.url));
const hasPython = spawnSync('python3', ['--version'], { stdio: 'ignore' }).status === 0;
const skipReason = hasPython || process.env.CI === 'true' ? null : 'python3 is not on PATH';

/** The cancel scenarios this engine supports (posix kill strategy, runs, subflows, cancel). */
const supported = [
  'cancel-with-one-kill-attempt',
  'engine-stopped-past-a-bound',
  'posix-cancel-nested-subflows',
  'posix-cancel-sigterm-ignoring-worker',
  'worker-killed-second-run-concurrency-one',
  'worker-killed-under-running-run',
];
/**
 * Scenarios that apply to this engine and that it fails: it does not crash the running
 * subflows of a root whose worker died (PROCESS-LOSS-01), a defect of the example the
 * reference engine had too. Not run here; listed so the applicability check stays exact.
 */
const applicableButFailing = ['worker-killed-with-running-subflow'];
/** One scenario per kind of capability the engine lacks: win32, deployments and a driven clock, workflows, instances. */
const notApplicable = ['windows-cancel-nested-subflows', 'deployment-retries', 'workflow-task-fails', 'instance-store-outage'];
/** Per-test timeouts (ms): each takes about 10 s, up to three times that on a loaded two-core machine. */
const suiteTimeoutMs = 60_000;

function pythonEngine(...extra: string[]): EngineCommand {
  return parseEngineCommand(quote(['python3', engineScript, ...extra]));
}

/** Live (not zombie) processes whose environment carries this session marker. */
function livePidsOfSession(session: string): number[] {
  return listProcesses()
    .filter((stat) => stat.state !== 'Z' && stat.state !== 'X' && readEnvironmentValue(stat.pid, sessionVariable) === session)
    .map((stat) => stat.pid);
}

/** Every scenario's engine handshook as python-example, and none left a process of its session alive. */
function expectNoSessionProcess(suite: SuiteResult): void {
  for (const result of suite.results) {
    expect(result.engine?.name, `${result.scenario}: engine`).toBe('python-example');
    const session = result.engine?.session;
    expect(session, `${result.scenario}: session marker`).toMatch(/^fc-/);
    expect(livePidsOfSession(session!), `${result.scenario}: live processes of session ${session}`).toEqual([]);
  }
}

function byName(suite: SuiteResult, name: string): ScenarioResult {
  const result = suite.results.find((candidate) => candidate.scenario === name);
  expect(result, `scenario ${name} ran`).toBeDefined();
  return result!;
}

describe.skipIf(skipReason !== null)(`the Python example engine${skipReason === null ? '' : ` (skipped: ${skipReason})`}`, () => {
  it(
    'passes the scenarios it supports, reports the rest not applicable, exit 0',
    async () => {
      const scenarios = await loadScenarios([...supported, ...notApplicable].map((name) => `scenarios/${name}.yaml`));
      const suite = await runSuite(scenarios, { command: 'test', engine: pythonEngine(), bug: null, seed: 1 });
      expect(suite.results).toHaveLength(scenarios.length);
      for (const name of supported) {
        const result = byName(suite, name);
        const notTrue = result.verdicts.filter((verdict) => verdict.valid !== true);
        expect(notTrue, `${name}: verdicts that are not true (${result.error ?? 'no error'})`).toEqual([]);
        expect(result.verdicts.length, `${name}: judged`).toBeGreaterThan(0);
        expect(result.outcome, name).toBe('pass');
      }
      for (const name of notApplicable) {
        const result = byName(suite, name);
        expect(result.outcome, name).toBe('not-applicable');
        expect(result.missingCapabilities.length, `${name}: what it lacks`).toBeGreaterThan(0);
        expect(result.verdicts, `${name}: not applicable, so not judged`).toEqual([]);
      }
      expect(suiteExitCode(suite)).toBe(0);

      // The rest of the suite: exactly the supported scenarios apply to what the engine declared.
      const capabilities = suite.engine?.capabilities;
      expect(capabilities, 'capabilities from the handshake').toBeTruthy();
      const applicable = (await loadScenarios(['scenarios'])).filter((scenario) => missingCapabilities(scenario, capabilities!).length === 0);
      expect(applicable.map((scenario) => scenario.name).sort()).toEqual([...supported, ...applicableButFailing].sort());

      // Judged only on the clause families it can be checked on: no deployment, workflow or
      // instance clause (it has none of those), every run-cancel and process one.
      const judged = new Set(byName(suite, 'posix-cancel-nested-subflows').verdicts.map((verdict) => verdict.clauseId));
      expect([...judged].filter((id) => /^(DEPLOY|RUN-RETRY|RUN-CONCURRENCY|WF|INSTANCE)-/.test(id))).toEqual([]);
      expect([...judged]).toEqual(expect.arrayContaining(['RUN-CANCEL-01', 'RUN-CANCEL-02', 'PROCESS-01', 'PROCESS-LOSS-01']));
      expect(new Set(clausesCheckedFor(capabilities!))).toEqual(judged);

      // Subflows are real child processes: each one's parent pid is its parent run's process.
      // (page-1 is not awaited, so on a slow machine the cancel may come before it starts.)
      const spawns = byName(suite, 'posix-cancel-nested-subflows').trace.filter(
        (event): event is ProcessEvent => event.kind === 'process' && event.action === 'spawn',
      );
      const pidOf = new Map(spawns.map((event) => [event.owner, event.pid]));
      expect([...pidOf.keys()]).toEqual(expect.arrayContaining(['report', 'report.fetch', 'report.fetch.page-2', 'report.render']));
      for (const event of spawns.filter((spawn) => spawn.owner !== 'report')) {
        expect(event.parentPid, `parent process of ${event.owner}`).toBe(pidOf.get(event.owner.slice(0, event.owner.lastIndexOf('.'))));
      }
      expectNoSessionProcess(suite);
    },
    suiteTimeoutMs,
  );

  it(
    'with --defect cancel-noop, fails a cancel scenario on RUN-CANCEL clauses, exit 1',
    async () => {
      const scenario = await loadScenarioFile('scenarios/posix-cancel-nested-subflows.yaml');
      const suite = await runSuite([scenario], { command: 'test', engine: pythonEngine('--defect', 'cancel-noop'), bug: null, seed: 1 });
      const result = byName(suite, scenario.name);
      expect(result.outcome).toBe('fail');
      const violated = violatedClauseIds(result.verdicts);
      expect(violated).toContain('RUN-CANCEL-05');
      expect(violated.every((id) => id.startsWith('RUN-CANCEL-')), `violated: ${violated.join(', ')}`).toBe(true);
      expect(suiteExitCode(suite)).toBe(1);
      // A judged failure, not a crash: the run ended normally and the engine cleaned up after itself.
      const end = result.trace.at(-1);
      expect(end?.kind === 'end' ? end.outcome : end?.kind).toBe('completed');
      expect(result.verdicts.find((verdict) => verdict.clauseId === 'PROCESS-01')?.valid).toBe(true);
      expectNoSessionProcess(suite);
    },
    suiteTimeoutMs,
  );
});
