/**
 * Goal: a defect is found from outside. With every event the engine pushes withheld
 * (`withholdEvents`: the trace keeps only requests and answers, read-backs and /proc), a
 * bug profile's seed scenario must still fail with the profile's clause, while the
 * engine wrote nothing into the trace; the same run without the defect must not fail.
 * The whole table (all ten profiles, and the suite against the reference engine) is in
 * the closing note; two profiles of different families are run here.
 * Method: runScenario on the reference engine as its own process, real processes.
 */
import { describe, expect, it } from 'vitest';
import { violatedClauseIds } from '../../harness/result.ts';
import { runScenario } from '../../harness/runner/run-scenario.ts';
import { loadScenarioFile } from '../../scenarios/schema/load.ts';

const cases = [
  { bug: 'bullmq-2979', file: 'scenarios/worker-killed-under-running-run.yaml', clause: 'PROCESS-LOSS-01' },
  { bug: 'conductor-303', file: 'scenarios/terminate-while-archive-listener-fails.yaml', clause: 'WF-TERMINAL-01' },
] as const;
/** Per-test timeout (ms): each run takes 4–6 s. */
const runTimeoutMs = 45_000;

describe.each(cases)('$bug with pushed events withheld', ({ bug, file, clause }) => {
  it(
    `still fails with ${clause}, and passes without the defect`,
    async () => {
      const scenario = await loadScenarioFile(file);
      const failing = await runScenario(scenario, { bug, withholdEvents: true });
      expect(failing.trace.filter((event) => event.kind === 'transition' || event.kind === 'process' || event.kind === 'log'), 'nothing the engine pushed is kept').toEqual([]);
      expect(failing.outcome).toBe('fail');
      expect(violatedClauseIds(failing.verdicts)).toContain(clause);
      const fixed = await runScenario(scenario, { bug: null, withholdEvents: true });
      expect(fixed.outcome, JSON.stringify(fixed.verdicts.filter((verdict) => verdict.valid !== true))).toBe('pass');
    },
    runTimeoutMs,
  );
});
