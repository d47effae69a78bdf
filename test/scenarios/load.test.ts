/**
 * Goal: a scenario author who makes a mistake is told the file, line, field and what is
 * wrong, and a valid scenario comes back with every default filled in. Method: small YAML
 * texts with one mistake each, checked through `parseScenario`, and files in a temporary
 * directory for the loaders. The committed JSON Schema is compared with the generated one.
 */
import { mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { scenarioJsonSchema } from '../../scenarios/schema/json-schema.ts';
import { loadScenarioFile, loadScenarios, parseScenario, ScenarioError } from '../../scenarios/schema/load.ts';

/** Lines joined with newlines, so line numbers in the assertions can be counted by eye. */
function yaml(...lines: string[]): string {
  return `${lines.join('\n')}\n`;
}

/** The ScenarioError `run` throws; fails the test when it throws nothing or something else. */
function scenarioErrorOf(run: () => unknown): ScenarioError {
  try {
    run();
  } catch (error) {
    expect(error).toBeInstanceOf(ScenarioError);
    return error as ScenarioError;
  }
  throw new Error('expected a ScenarioError, but nothing was thrown');
}

const header = ['name: cancel-basic', 'description: start a run and cancel it'];

describe('parseScenario', () => {
  it('returns a valid scenario with defaults filled in', () => {
    const scenario = parseScenario(yaml(...header, 'steps:', '  - start: {run: r1}', '  - cancel: {run: r1}'), 'ok.yaml');
    expect(scenario.platform).toBe('posix');
    expect(scenario.covers).toEqual([]);
    expect(scenario.steps[0]).toEqual({
      start: { run: 'r1', durationMs: 300, exitCode: 0, ignoreSigterm: false, subflows: [] },
    });
    expect(scenario.steps[1]).toEqual({ cancel: { run: 'r1' } });
  });

  it('reports the line of a YAML syntax error', () => {
    const error = scenarioErrorOf(() =>
      parseScenario(yaml(...header, 'steps:', '  - start: {run: r1', '  - cancel: {run: r1}'), 'broken.yaml'),
    );
    expect(error.file).toBe('broken.yaml');
    expect(error.line).toBe(5);
    expect(error.message).toMatch(/^broken\.yaml:5:\d+: \(root\): YAML syntax error: /);
  });

  it('names the line and field of an unknown step and suggests the closest name', () => {
    const error = scenarioErrorOf(() =>
      parseScenario(yaml(...header, 'steps:', '  - start: {run: r1}', '  - cancle:', '      run: r1'), 'typo.yaml'),
    );
    expect(error.line).toBe(5);
    expect(error.column).toBe(5);
    expect(error.field).toBe('steps[1]');
    expect(error.message).toContain("unknown step 'cancle'");
    expect(error.message).toContain("did you mean 'cancel'?");
    expect(error.message).toMatch(/^typo\.yaml:5:5: steps\[1\]: /);
  });

  it('names the line and field of a value of the wrong type', () => {
    const error = scenarioErrorOf(() =>
      parseScenario(yaml(...header, 'steps:', '  - start:', '      run: r1', '      durationMs: "soon"'), 'type.yaml'),
    );
    expect(error.line).toBe(6);
    expect(error.column).toBe(19);
    expect(error.field).toBe('steps[0].start.durationMs');
    expect(error.message).toMatch(/^type\.yaml:6:19: steps\[0\]\.start\.durationMs: .*expected number/);
  });

  it('names an unknown field and where it is', () => {
    const error = scenarioErrorOf(() =>
      parseScenario(yaml(...header, 'steps:', '  - start:', '      run: r1', '      duration: 5'), 'field.yaml'),
    );
    expect(error.line).toBe(6);
    expect(error.field).toBe('steps[0].start.duration');
    expect(error.problem).toContain("unknown field 'duration'");
    expect(error.problem).toContain("did you mean 'durationMs'?");
  });

  it('names an unknown top-level field', () => {
    const error = scenarioErrorOf(() =>
      parseScenario(yaml(...header, 'platfrom: win32', 'steps:', '  - cancel: {run: r1}'), 'top.yaml'),
    );
    expect(error.line).toBe(3);
    expect(error.field).toBe('platfrom');
  });

  it('points a missing required field at its parent mapping', () => {
    const error = scenarioErrorOf(() => parseScenario(yaml(...header, 'steps:', '  - cancel: {}'), 'missing.yaml'));
    expect(error.line).toBe(4);
    expect(error.field).toBe('steps[0].cancel.run');
    expect(error.problem).toContain('required field is missing');
  });

  it('refuses a step with more than one key and says how to fix it', () => {
    const error = scenarioErrorOf(() =>
      parseScenario(yaml(...header, 'steps:', '  - start:', '    run: r1'), 'indent.yaml'),
    );
    expect(error.line).toBe(4);
    expect(error.field).toBe('steps[0]');
    expect(error.problem).toContain("indent the fields of 'start' under it");
  });

  it('reports the closest member of a union, not "Invalid input"', () => {
    const error = scenarioErrorOf(() =>
      parseScenario(yaml(...header, 'steps:', '  - fault: {inject: nope}'), 'fault.yaml'),
    );
    expect(error.field).toBe('steps[0].fault.inject');
    expect(error.problem).toContain('archive-listener');
  });
});

describe('loadScenarios', () => {
  let directory: string;
  beforeEach(async () => {
    directory = await mkdtemp(join(tmpdir(), 'flowconform-load-'));
  });
  afterEach(async () => {
    await rm(directory, { recursive: true, force: true });
  });

  const valid = (name: string): string => yaml(`name: ${name}`, 'description: d', 'steps:', '  - sleep: {ms: 1}');

  it('loads the *.yaml and *.yml files of a directory, sorted, skipping _-prefixed and other files', async () => {
    await writeFile(join(directory, 'b.yaml'), valid('b'));
    await writeFile(join(directory, 'a.yml'), valid('a'));
    await writeFile(join(directory, '_draft.yaml'), 'this: is: not: valid');
    await writeFile(join(directory, 'notes.txt'), 'not a scenario');
    await mkdir(join(directory, 'nested'));
    await writeFile(join(directory, 'nested', 'c.yaml'), valid('c'));
    const scenarios = await loadScenarios([directory]);
    expect(scenarios.map((scenario) => scenario.name)).toEqual(['a', 'b']);
    expect(scenarios[0]!.file).toBe(join(directory, 'a.yml'));
  });

  it('loads files named explicitly, in the order given', async () => {
    await writeFile(join(directory, 'b.yaml'), valid('b'));
    await writeFile(join(directory, 'a.yaml'), valid('a'));
    const scenarios = await loadScenarios([join(directory, 'b.yaml'), join(directory, 'a.yaml')]);
    expect(scenarios.map((scenario) => scenario.name)).toEqual(['b', 'a']);
  });

  it('reports a missing path as a ScenarioError without a line', async () => {
    const missing = join(directory, 'missing.yaml');
    const error = await loadScenarios([missing]).catch((thrown: unknown) => thrown);
    expect(error).toBeInstanceOf(ScenarioError);
    expect((error as ScenarioError).line).toBeNull();
    expect((error as ScenarioError).file).toBe(missing);
    expect((error as ScenarioError).message).toBe(`${missing}: (root): no such file or directory`);
    await expect(loadScenarioFile(missing)).rejects.toBeInstanceOf(ScenarioError);
  });

  it('reports a directory without scenario files', async () => {
    await writeFile(join(directory, '_only-a-draft.yaml'), valid('draft'));
    await expect(loadScenarios([directory])).rejects.toThrow(/no scenario files/);
  });

  it('names the file of an invalid scenario', async () => {
    const file = join(directory, 'bad.yaml');
    await writeFile(file, yaml('name: bad', 'description: d', 'steps:', '  - sleep: {ms: -1}'));
    await expect(loadScenarios([directory])).rejects.toThrow(`${file}:4:`);
  });
});

describe('scenarioJsonSchema', () => {
  it('equals the committed scenarios/scenario.schema.json (regenerate it when steps.ts changes)', async () => {
    const path = new URL('../../scenarios/scenario.schema.json', import.meta.url);
    const committed: unknown = JSON.parse(await readFile(path, 'utf8'));
    expect(committed).toEqual(scenarioJsonSchema());
  });

  it('has an id, a title and a description', () => {
    expect(scenarioJsonSchema()).toMatchObject({ $id: expect.any(String), title: expect.any(String), description: expect.any(String) });
  });
});
