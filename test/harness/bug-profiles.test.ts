/**
 * Goal: the harness's self-test (docs/architecture.md "Bug profiles"). With each of the upstream
 * defects switched on, its seed scenario must FAIL, with at least the clauses
 * the profile names as its catch, and as a judged failure, not an inconclusive crash or
 * timeout; with the defect off, the very same scenario must PASS with every verdict true.
 * A harness that passes a defective engine, or fails the reference engine, is broken.
 * After every run, no process of that engine's session may be alive.
 *
 * Method: no mocks. `runScenario` runs the seed scenario file (one per profile) against
 * the reference engine as its own process, through the engine protocol, on real
 * processes; the profile reaches the engine in `setup`. /proc is read afterwards for live
 * processes carrying the engine's session marker. The expected clause ids come from the
 * engine's handshake (its capabilities list its bug profiles), so a profile that stops
 * being caught by a clause it promises fails here. Each run takes 0.4–11 s.
 *
 * Judged from outside: the defect run's trace is judged a second time with every line
 * the engine pushed taken out (what `--withhold-events` keeps: requests and answers,
 * read-backs, /proc), and must still fail with the profile's clauses, but for those that
 * judge only the engine's own lines. No extra run: the harness's lines are the same, and
 * test/harness/withheld-events.test.ts runs some profiles withheld for real.
 */
import { describe, expect, it } from 'vitest';
import { checkTrace } from '../../harness/checker/check.ts';
import { runScenario } from '../../harness/runner/run-scenario.ts';
import { violatedClauseIds, type ScenarioResult } from '../../harness/result.ts';
import { pushedEventKinds } from '../../protocol/capabilities.ts';
import { loadScenarioFile } from '../../scenarios/schema/load.ts';
import type { TraceEvent } from '../../trace/events.ts';
import { livePidsOfSession, sessionOf } from './session-processes.ts';

type BugProfileId =
  | 'prefect-17792'
  | 'prefect-17764'
  | 'conductor-303'
  | 'dolphinscheduler-16572'
  | 'bullmq-2979'
  | 'conductor-776'
  | 'prefect-16746'
  | 'dolphinscheduler-13283'
  | 'dolphinscheduler-13355'
  | 'dolphinscheduler-15573';

interface SeedCase {
  bug: BugProfileId;
  file: string;
  /** Whether the scenario starts worker processes, so the leak check has something to miss. */
  spawnsProcesses: boolean;
}

const seeds: readonly SeedCase[] = [
  { bug: 'prefect-17792', file: 'scenarios/windows-cancel-nested-subflows.yaml', spawnsProcesses: true },
  { bug: 'prefect-17764', file: 'scenarios/deploy-update-during-backlog.yaml', spawnsProcesses: true },
  { bug: 'conductor-303', file: 'scenarios/terminate-while-archive-listener-fails.yaml', spawnsProcesses: true },
  { bug: 'dolphinscheduler-16572', file: 'scenarios/burst-while-consumers-change.yaml', spawnsProcesses: false },
  { bug: 'bullmq-2979', file: 'scenarios/worker-killed-under-running-run.yaml', spawnsProcesses: true },
  { bug: 'conductor-776', file: 'scenarios/worker-killed-under-in-progress-task.yaml', spawnsProcesses: true },
  { bug: 'prefect-16746', file: 'scenarios/crash-under-running-run.yaml', spawnsProcesses: true },
  { bug: 'dolphinscheduler-13283', file: 'scenarios/crash-under-running-run.yaml', spawnsProcesses: true },
  { bug: 'dolphinscheduler-13355', file: 'scenarios/crash-right-after-burst.yaml', spawnsProcesses: false },
  { bug: 'dolphinscheduler-15573', file: 'scenarios/crash-between-cancel-ack-and-kill.yaml', spawnsProcesses: true },
];

/** The defect clause ids each seed must at least violate (docs/architecture.md "Bug profiles"). */
const defectClauses: Record<BugProfileId, string[]> = {
  'prefect-17792': ['RUN-CANCEL-01'],
  'prefect-17764': ['DEPLOY-UPDATE-01', 'DEPLOY-BACKLOG-02'],
  'conductor-303': ['WF-TERMINATE-02', 'WF-TERMINAL-01'],
  'dolphinscheduler-16572': ['INSTANCE-01', 'INSTANCE-04'],
  'bullmq-2979': ['PROCESS-LOSS-01'],
  'conductor-776': ['PROCESS-LOSS-02'],
  'prefect-16746': ['PROCESS-LOSS-01'],
  'dolphinscheduler-13283': ['RESTART-02'],
  'dolphinscheduler-13355': ['INSTANCE-05'],
  'dolphinscheduler-15573': ['RESTART-01'],
};

/**
 * Clauses that judge only lines the engine itself writes, so a trace without them cannot
 * catch a defect through them: WF-LISTENER-01 reads the engine's listener calls
 * (side-effect lines); conductor-303 is caught from outside by WF-ARCHIVE-01 instead.
 */
const judgedOnPushedLinesOnly: readonly string[] = ['WF-LISTENER-01'];

/** The kinds of line only an engine writes (docs/trace.md "Who writes what"). */
const pushedKinds: ReadonlySet<TraceEvent['kind']> = new Set(pushedEventKinds);

/** The trace as `--withhold-events` would have kept it: the harness's own lines, numbered again. */
function withoutPushedLines(trace: readonly TraceEvent[]): TraceEvent[] {
  return trace.filter((event) => !pushedKinds.has(event.kind)).map((event, seq) => ({ ...event, seq }));
}

/** Per-test timeout (ms): the slowest seed run (deploy-update with the defect) takes about 11 s. */
const seedTestTimeoutMs = 45_000;

/** Runs `file` with `bug` (or none) and returns the result and the engine's session. */
async function runSeed(file: string, bug: BugProfileId | null): Promise<{ result: ScenarioResult; session: string }> {
  const result = await runScenario(await loadScenarioFile(file), { bug });
  return { result, session: sessionOf(result) };
}

/** Common to both runs: the trace ended normally and no process of the session survives. */
function expectCleanEnd(result: ScenarioResult, session: string, spawnsProcesses: boolean): void {
  const end = result.trace.at(-1);
  expect(end?.kind).toBe('end');
  expect(end?.kind === 'end' ? end.outcome : undefined, `run ended ${JSON.stringify(end)}`).toBe('completed');
  expect(result.error).toBeUndefined();
  const spawns = result.trace.filter((event) => event.kind === 'process' && event.action === 'spawn');
  if (spawnsProcesses) expect(spawns.length, 'the scenario started worker processes').toBeGreaterThan(0);
  expect(livePidsOfSession(session), `live processes of session ${session}`).toEqual([]);
}

describe.each(seeds)('bug profile $bug on $file', ({ bug, file, spawnsProcesses }) => {
  it(
    'fails with the profile defect clauses, as a judged failure',
    async () => {
      const { result, session } = await runSeed(file, bug);
      expect(result.outcome).toBe('fail');
      expect(result.bug).toBe(bug);
      const violated = violatedClauseIds(result.verdicts);
      expect(violated).toEqual(expect.arrayContaining(defectClauses[bug]));
      // Every clause the profile promises to be caught by, as the engine's handshake lists it.
      const profile = result.engine?.capabilities?.bugs.find((candidate) => candidate.id === bug);
      expect(profile, `the engine offers ${bug}`).toBeDefined();
      expect(violated).toEqual(expect.arrayContaining(profile!.expectedClauses));
      expectCleanEnd(result, session, spawnsProcesses);
      // The same defect, found from outside: nothing the engine pushed is needed.
      const outside = checkTrace(withoutPushedLines(result.trace));
      const expectedOutside = profile!.expectedClauses.filter((clause) => !judgedOnPushedLinesOnly.includes(clause));
      expect(outside.valid, 'judged without the lines the engine pushed').toBe(false);
      expect(violatedClauseIds(outside.verdicts)).toEqual(expect.arrayContaining(expectedOutside));
    },
    seedTestTimeoutMs,
  );

  it(
    'passes with every verdict true when the defect is off',
    async () => {
      const { result, session } = await runSeed(file, null);
      const notTrue = result.verdicts.filter((verdict) => verdict.valid !== true);
      expect(notTrue, 'verdicts that are not true').toEqual([]);
      expect(result.verdicts.length).toBeGreaterThan(0);
      expect(result.outcome).toBe('pass');
      expectCleanEnd(result, session, spawnsProcesses);
    },
    seedTestTimeoutMs,
  );
});
