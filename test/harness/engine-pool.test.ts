/**
 * Goal: a suite does not pay an engine start per scenario when the engine can `reset`,
 * and reuse never carries a process or an entity from one scenario into the next.
 *
 * Method: two real scenarios through `runSuite` against the reference engine (which
 * declares `reset`): both must pass, be served by the same engine process (same session
 * marker), start from an empty engine (the second sees none of the first's entities), and
 * leave no process of that session alive once the suite has ended.
 */
import { describe, expect, it } from 'vitest';
import { runSuite } from '../../harness/suite.ts';
import { loadScenarioFile } from '../../scenarios/schema/load.ts';
import { livePidsOfSession, sessionOf } from './session-processes.ts';

describe('engines reused across scenarios', () => {
  it('serves two scenarios with one reset engine, each from a clean slate, and leaves nothing alive', async () => {
    const scenarios = [await loadScenarioFile('scenarios/posix-cancel-nested-subflows.yaml'), await loadScenarioFile('scenarios/cancel-scheduled-run.yaml')];
    const suite = await runSuite(scenarios, { command: 'run', bug: null, seed: 1 });
    expect(suite.results.map((result) => result.outcome)).toEqual(['pass', 'pass']);
    const [first, second] = suite.results.map(sessionOf);
    expect(second, 'the second scenario ran on the engine the first was reset on').toBe(first);
    // The two scenarios name different runs, so an engine that kept the first one's
    // entities would show them to the second one's looks.
    const observedIds = (index: number) => new Set(suite.results[index]!.trace.flatMap((event) => (event.kind === 'observe' ? [event.id] : [])));
    const [firstIds, secondIds] = [observedIds(0), observedIds(1)];
    expect(firstIds.has('report')).toBe(true);
    expect(secondIds.size).toBeGreaterThan(0);
    expect([...secondIds].filter((id) => firstIds.has(id)), 'entities of the first scenario seen in the second').toEqual([]);
    expect(livePidsOfSession(first!)).toEqual([]);
  }, 60_000);

  it('runs scenarios two at a time on two engines, results in the order given, nothing left alive', async () => {
    const files = ['scenarios/posix-cancel-nested-subflows.yaml', 'scenarios/worker-killed-under-running-run.yaml', 'scenarios/cancel-scheduled-run.yaml'];
    const scenarios = await Promise.all(files.map((file) => loadScenarioFile(file)));
    const suite = await runSuite(scenarios, { command: 'run', bug: null, seed: 1, jobs: 2 });
    expect(suite.results.map((result) => result.scenario)).toEqual(scenarios.map((scenario) => scenario.name));
    expect(suite.results.map((result) => result.outcome)).toEqual(['pass', 'pass', 'pass']);
    // The first two ran at the same time, so on two engine processes.
    expect(sessionOf(suite.results[0]!)).not.toBe(sessionOf(suite.results[1]!));
    for (const result of suite.results) expect(livePidsOfSession(sessionOf(result))).toEqual([]);
  }, 60_000);
});
