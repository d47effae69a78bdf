/**
 * Scenario limits the schema enforces beyond field types: subflow trees stay within
 * subflowDepthMax and sibling names differ (they become run ids), and bound overrides
 * leave the reference engine room to escalate to SIGKILL. Method: parseScenario on small
 * inline YAML; each error must name the field.
 */
import { describe, expect, it } from 'vitest';
import { parseScenario, ScenarioError } from '../../scenarios/schema/load.ts';
import { scenarioLimits } from '../../scenarios/schema/steps.ts';

function nested(levels: number): string {
  let plan = '[]';
  for (let level = levels; level >= 1; level -= 1) plan = `[{ name: l${level}, subflows: ${plan} }]`;
  return plan;
}

function scenario(body: string): string {
  return `name: limits\ndescription: limits\n${body}`;
}

describe('scenario limits', () => {
  it(`accepts subflows ${scenarioLimits.subflowDepthMax} levels deep and refuses one more`, () => {
    const ok = parseScenario(scenario(`steps:\n  - start: { run: r1, subflows: ${nested(scenarioLimits.subflowDepthMax)} }\n`), 'ok.yaml');
    expect(ok.steps).toHaveLength(1);
    const tooDeep = () => parseScenario(scenario(`steps:\n  - start: { run: r1, subflows: ${nested(scenarioLimits.subflowDepthMax + 1)} }\n`), 'deep.yaml');
    expect(tooDeep).toThrow(ScenarioError);
    expect(tooDeep).toThrow(/steps\[0\]\.start\.subflows.*levels deep/);
  });

  it('refuses an await naming a clause that does not exist, and one that is both an expectation and a wait', () => {
    const ok = parseScenario(scenario('steps:\n  - await: { run: r1, state: TERMINAL, clause: PROCESS-LOSS-01 }\n'), 'ok.yaml');
    expect(ok.steps).toHaveLength(1);
    const unknown = () => parseScenario(scenario('steps:\n  - await: { run: r1, state: TERMINAL, clause: NOPE-01 }\n'), 'nope.yaml');
    expect(unknown).toThrow(ScenarioError);
    expect(unknown).toThrow(/steps\[0\]\.await\.clause.*not a clause id/);
    const both = () => parseScenario(scenario('steps:\n  - await: { run: r1, state: TERMINAL, clause: PROCESS-LOSS-01, waitOnly: true }\n'), 'both.yaml');
    expect(both).toThrow(/not waitOnly/);
  });

  it('refuses two sibling subflows with one name', () => {
    const twins = () => parseScenario(scenario('steps:\n  - start: { run: r1, subflows: [{ name: a }, { name: a }] }\n'), 'twins.yaml');
    expect(twins).toThrow(/named 'a'/);
  });

  it('refuses a grace period that leaves no room for SIGKILL within the cancel bound', () => {
    const slow = () => parseScenario(scenario('bounds: { graceMs: 3000 }\nsteps:\n  - sleep: { ms: 1 }\n'), 'bounds.yaml');
    expect(slow).toThrow(/bounds\.graceMs/);
    expect(parseScenario(scenario('bounds: { graceMs: 500 }\nsteps:\n  - sleep: { ms: 1 }\n'), 'ok.yaml').bounds.graceMs).toBe(500);
  });

  it('refuses an archive bound the listener attempts cannot span, each retry within the terminate bound', () => {
    // WF-LISTENER-01 and WF-ARCHIVE-01 could not both hold: one attempt is never retried.
    const once = () => parseScenario(scenario('bounds: { listenerAttemptsMax: 1 }\nsteps:\n  - sleep: { ms: 1 }\n'), 'bounds.yaml');
    expect(once).toThrow(/bounds\.archiveBoundMs/);
    expect(parseScenario(scenario('bounds: { listenerAttemptsMax: 2, archiveBoundMs: 1000 }\nsteps:\n  - sleep: { ms: 1 }\n'), 'ok.yaml').bounds.archiveBoundMs).toBe(1000);
  });
});
