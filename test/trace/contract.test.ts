/**
 * Goal: the trace contract can be written by someone outside this project. A meta line
 * needs only `scenario` and `engine` (the rest defaults, bounds one by one); causes are
 * closed lists, and a cause outside them is refused with the nearest known one named;
 * run attributes are typed (a wrong type is refused, a missing one is allowed and left
 * missing, never made 0); the JSON Schema says the same; docs/trace.md lists every cause.
 * Method: `TraceEvent.safeParse` on hand-written lines that differ from a valid one in
 * one field, and plain reads of `traceJsonSchema()` and the page.
 */
import { readFile } from 'node:fs/promises';
import { describe, expect, it } from 'vitest';
import { defaultBounds, deleteCauses, TraceEvent, transitionCauses } from '../../trace/events.ts';
import { traceJsonSchema } from '../../trace/json-schema.ts';

const stamp = { seq: 0, timeMs: 0, wallMs: 0 };
const runCreated = { ...stamp, seq: 1, kind: 'transition', entity: 'run', id: 'run-1', parentId: null, from: null, to: 'SCHEDULED', cause: 'scheduler' };

function issueOf(line: unknown): string {
  const parsed = TraceEvent.safeParse(line);
  expect(parsed.success, `expected ${JSON.stringify(line)} to be refused`).toBe(false);
  const issue = parsed.error!.issues[0]!;
  return `${issue.path.join('.')}: ${issue.message}`;
}

describe('a meta line', () => {
  it('needs only scenario and engine; everything else takes its default', () => {
    const parsed = TraceEvent.parse({ ...stamp, kind: 'meta', scenario: 'by-hand', engine: 'my-engine 0.1' });
    expect(parsed).toEqual({ ...stamp, kind: 'meta', scenario: 'by-hand', engine: 'my-engine 0.1', file: null, seed: 1, bug: null, platform: 'posix', bounds: defaultBounds });
  });

  it('takes the bounds it names and defaults the others', () => {
    const parsed = TraceEvent.parse({ ...stamp, kind: 'meta', scenario: 'by-hand', engine: 'e', bounds: { cancelBoundMs: 250 } });
    expect(parsed.kind === 'meta' && parsed.bounds).toEqual({ ...defaultBounds, cancelBoundMs: 250 });
  });

  it.each(['scenario', 'engine'])('is refused without %s', (field) => {
    const line: Record<string, unknown> = { ...stamp, kind: 'meta', scenario: 'by-hand', engine: 'e' };
    delete line[field];
    expect(issueOf(line)).toMatch(new RegExp(`^${field}: `));
  });

  it('still refuses a bound out of range', () => {
    expect(issueOf({ ...stamp, kind: 'meta', scenario: 's', engine: 'e', bounds: { cancelBoundMs: 0 } })).toMatch(/^bounds\.cancelBoundMs: /);
  });
});

describe('causes', () => {
  it('accept every listed transition cause, `engine` among them', () => {
    expect(transitionCauses).toContain('engine');
    for (const cause of transitionCauses) expect(TraceEvent.safeParse({ ...runCreated, cause }).success, cause).toBe(true);
  });

  it('refuse a transition cause outside the list, naming the nearest known one and where the list is', () => {
    expect(issueOf({ ...runCreated, cause: 'proces-started' })).toBe(
      "cause: unknown transition cause 'proces-started' (nearest known: 'process-started'); the transition causes are listed in docs/trace.md",
    );
  });

  it('refuse a cause with its variable part glued on; that part has its own field', () => {
    const deleted = { ...stamp, kind: 'delete', entity: 'run', id: 'run-3' };
    expect(issueOf({ ...deleted, cause: 'deployment-update:nightly' })).toMatch(/nearest known: 'deployment-update'/);
    expect(TraceEvent.parse({ ...deleted, cause: 'deployment-update', deploymentId: 'nightly' })).toMatchObject({ deploymentId: 'nightly' });
    expect(deleteCauses).toEqual(['deployment-update', 'consumed', 'engine']);
  });

  it('keep what varies in `detail` and `signal`', () => {
    const killed = TraceEvent.parse({ ...runCreated, from: 'RUNNING', to: 'CRASHED', cause: 'process-killed', signal: 'SIGKILL', detail: 'OOM killer' });
    expect(killed).toMatchObject({ cause: 'process-killed', signal: 'SIGKILL', detail: 'OOM killer' });
  });
});

describe('run attributes', () => {
  it('may be left out, and stay missing (no 0, no false)', () => {
    const parsed = TraceEvent.parse({ ...runCreated, attributes: { deploymentId: 'nightly' } });
    expect(parsed.kind === 'transition' && parsed.attributes).toEqual({ deploymentId: 'nightly' });
  });

  it.each([
    ['runCount', '1'],
    ['runCount', -1],
    ['runCount', 1.5],
    ['autoScheduled', 'yes'],
    ['scheduledStartMs', '60000'],
    ['slotMs', -5],
    ['retries', null],
    ['deploymentId', 7],
  ])('refuse %s = %j', (name, value) => {
    expect(issueOf({ ...runCreated, attributes: { [name]: value } })).toMatch(new RegExp(`^attributes\\.${name}: `));
  });

  it('keep facts of an engine of its own beside them', () => {
    const parsed = TraceEvent.parse({ ...runCreated, attributes: { runCount: 0, workPool: 'k8s' } });
    expect(parsed.kind === 'transition' && parsed.attributes).toEqual({ runCount: 0, workPool: 'k8s' });
  });
});

describe('the JSON Schema', () => {
  const schema = traceJsonSchema() as { anyOf?: Array<Record<string, any>>; oneOf?: Array<Record<string, any>> };
  const kinds = schema.anyOf ?? schema.oneOf ?? [];
  const ofKind = (kind: string) => kinds.find((entry) => entry.properties.kind.const === kind)!;

  it('requires of a meta line only the stamp, kind, scenario and engine', () => {
    expect(ofKind('meta').required).toEqual(['seq', 'timeMs', 'wallMs', 'kind', 'scenario', 'engine']);
    expect(ofKind('meta').properties.bounds.properties.graceMs.default).toBe(defaultBounds.graceMs);
  });

  it('lists the causes as enums and types the run attributes', () => {
    expect(ofKind('transition').properties.cause.enum).toEqual(transitionCauses);
    expect(ofKind('delete').properties.cause.enum).toEqual(deleteCauses);
    expect(ofKind('transition').properties.attributes.properties.runCount.type).toBe('integer');
    expect(ofKind('transition').properties.attributes.properties.autoScheduled.type).toBe('boolean');
  });

  it('still refuses unknown fields on every kind but in attributes', () => {
    for (const entry of kinds) expect(entry.additionalProperties, entry.properties.kind.const).toBe(false);
    expect(ofKind('transition').properties.attributes.additionalProperties).toEqual({});
  });
});

describe('docs/trace.md', () => {
  it('has a row for every transition cause and every delete cause', async () => {
    const page = await readFile(new URL('../../docs/trace.md', import.meta.url), 'utf8');
    const missing = [...new Set([...transitionCauses, ...deleteCauses])].filter((cause) => !page.includes(`| \`${cause}\` |`));
    expect(missing, `docs/trace.md has no "| \`cause\` |" row for: ${missing.join(', ')}`).toEqual([]);
  });
});
