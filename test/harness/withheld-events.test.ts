/**
 * Goal: a defect is found from outside. With every event the engine pushes withheld
 * (`withholdEvents`: the trace keeps only requests and answers, read-backs and /proc), a
 * bug profile's seed scenario must still fail with the profile's clauses, while the
 * engine wrote nothing into the trace; the same run without the defect must pass, so no
 * clause judged from outside blames a conformant engine. Three profiles whose outside
 * judgement rests on different read-backs are run for real here: a process that died
 * (/proc and the run's state), an archive that never happened (`archived`, WF-ARCHIVE-01)
 * and commands that vanished (the first look after each answer, INSTANCE-03/04). Every
 * profile's defect run is also judged without its pushed lines in
 * test/harness/bug-profiles.test.ts; docs/architecture.md "Judged from outside" has the
 * table of all ten, and the suite's counts, as measured with the CLI.
 * Method: runScenario on the reference engine as its own process, real processes.
 */
import { describe, expect, it } from 'vitest';
import { violatedClauseIds } from '../../harness/result.ts';
import { runScenario } from '../../harness/runner/run-scenario.ts';
import { loadScenarioFile } from '../../scenarios/schema/load.ts';

const cases = [
  { bug: 'bullmq-2979', file: 'scenarios/worker-killed-under-running-run.yaml', clauses: ['PROCESS-LOSS-01'] },
  { bug: 'conductor-303', file: 'scenarios/terminate-while-archive-listener-fails.yaml', clauses: ['WF-TERMINAL-01', 'WF-TERMINATE-02', 'WF-ARCHIVE-01'] },
  { bug: 'dolphinscheduler-16572', file: 'scenarios/burst-while-consumers-change.yaml', clauses: ['INSTANCE-01', 'INSTANCE-04'] },
] as const;
/** Per-test timeout (ms): each pair of runs takes 4–12 s (the conductor-303 one waits out archiveBoundMs). */
const runTimeoutMs = 60_000;

describe.each(cases)('$bug with pushed events withheld', ({ bug, file, clauses }) => {
  it(
    `still fails with ${clauses.join(', ')}, and passes without the defect`,
    async () => {
      const scenario = await loadScenarioFile(file);
      const failing = await runScenario(scenario, { bug, withholdEvents: true });
      expect(failing.trace.filter((event) => event.kind === 'transition' || event.kind === 'process' || event.kind === 'log'), 'nothing the engine pushed is kept').toEqual([]);
      expect(failing.outcome).toBe('fail');
      expect(violatedClauseIds(failing.verdicts)).toEqual(expect.arrayContaining([...clauses]));
      const fixed = await runScenario(scenario, { bug: null, withholdEvents: true });
      expect(fixed.outcome, JSON.stringify(fixed.verdicts.filter((verdict) => verdict.valid !== true))).toBe('pass');
    },
    runTimeoutMs,
  );
});
