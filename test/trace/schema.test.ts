/**
 * Goal: the trace contract other engines build against stays one thing: the committed
 * trace/trace.schema.json is exactly what `traceJsonSchema()` derives from
 * trace/events.ts, hand-written lines of each shape an engine writes parse with
 * `TraceEvent`, malformed lines do not, and docs/trace.md covers every event kind.
 * Method: plain checks; the schema file is compared as parsed JSON.
 */
import { readFile } from 'node:fs/promises';
import { describe, expect, it } from 'vitest';
import { TraceEvent } from '../../trace/events.ts';
import { traceJsonSchema, traceSchemaId, traceSchemaPath } from '../../trace/json-schema.ts';

const stamp = { timeMs: 0, wallMs: 12.5 };

/** One line per shape, as another engine would write them (see docs/trace.md). */
const handWritten: Record<string, unknown> = {
  meta: {
    seq: 0,
    ...stamp,
    kind: 'meta',
    scenario: 'cancel-nested',
    file: 'scenarios/cancel-nested.yaml',
    seed: 1,
    bug: null,
    platform: 'posix',
    bounds: { cancelBoundMs: 4000, graceMs: 800, killAttemptsMax: 3, instanceBoundMs: 2000, listenerAttemptsMax: 5, terminateBoundMs: 3000 },
    engine: 'my-engine 1.2.3',
    environment: { node: 'v20.20.2', os: 'linux 6.8', commit: null },
  },
  'run created': {
    seq: 1,
    ...stamp,
    kind: 'transition',
    entity: 'run',
    id: 'run-1',
    parentId: null,
    from: null,
    to: 'SCHEDULED',
    cause: 'scheduler',
    attributes: { deploymentId: 'nightly', runCount: 0, autoScheduled: true, scheduledStartMs: 60000, slotMs: 60000, retries: 0 },
  },
  'run late': { seq: 2, timeMs: 61000, wallMs: 40, kind: 'transition', entity: 'run', id: 'run-1', parentId: null, from: 'SCHEDULED', to: 'SCHEDULED/Late', cause: 'mark-late-runs' },
  'request answered info': {
    seq: 3,
    ...stamp,
    kind: 'request',
    op: 'start-process-instance',
    requestId: 'req-1',
    args: { requestId: 'req-1' },
    outcome: 'info',
    answer: { error: 'timeout' },
  },
  'process exit': { seq: 4, ...stamp, kind: 'process', action: 'exit', pid: 4242, parentPid: 4000, owner: 'run-1', code: null, signal: 'SIGKILL' },
  'observe gone': { seq: 5, ...stamp, kind: 'observe', entity: 'command', id: 'cmd-1', parentId: null, state: null },
  'observe-process zombie': { seq: 6, ...stamp, kind: 'observe-process', pid: 4242, owner: 'run-1', alive: false, stat: 'Z', reason: 'scenario-end' },
  end: { seq: 7, ...stamp, kind: 'end', outcome: 'completed' },
};

describe('traceJsonSchema', () => {
  it('equals the committed trace/trace.schema.json (regenerate with `tsx trace/json-schema.ts` when events.ts changes)', async () => {
    const committed: unknown = JSON.parse(await readFile(traceSchemaPath, 'utf8'));
    expect(committed).toEqual(traceJsonSchema());
  });

  it('is draft-07 with an id, a title and a description', () => {
    expect(traceJsonSchema()).toMatchObject({
      $schema: 'http://json-schema.org/draft-07/schema#',
      $id: traceSchemaId,
      title: expect.any(String),
      description: expect.any(String),
    });
  });
});

describe('TraceEvent', () => {
  it.each(Object.entries(handWritten))('parses a hand-written %s line', (_name, line) => {
    const parsed = TraceEvent.safeParse(line);
    expect(parsed.success, parsed.error?.message).toBe(true);
  });

  it('rejects an unknown kind', () => {
    expect(TraceEvent.safeParse({ seq: 1, ...stamp, kind: 'heartbeat' }).success).toBe(false);
  });

  it('rejects a line without seq', () => {
    const { seq: _seq, ...withoutSeq } = handWritten.end as Record<string, unknown>;
    expect(TraceEvent.safeParse(withoutSeq).success).toBe(false);
  });

  it('rejects a run transition whose from is missing (null must be written)', () => {
    const { from: _from, ...withoutFrom } = handWritten['run created'] as Record<string, unknown>;
    expect(TraceEvent.safeParse(withoutFrom).success).toBe(false);
  });
});

describe('docs/trace.md', () => {
  const readPage = () => readFile(new URL('../../docs/trace.md', import.meta.url), 'utf8');

  it('has a section for every event kind', async () => {
    const page = await readPage();
    const kinds = TraceEvent.options.map((option) => option.shape.kind.value);
    const missing = kinds.filter((kind) => !page.includes(`### \`${kind}\``));
    expect(missing, `docs/trace.md has no "### \`kind\`" heading for: ${missing.join(', ')}`).toEqual([]);
  });

  it('shows only example lines that parse, with no field the schema does not know', async () => {
    const page = await readPage();
    const examples = [...page.matchAll(/```json\n(.*)\n```/g)].map((match) => match[1]!);
    expect(examples.length).toBeGreaterThanOrEqual(TraceEvent.options.length);
    for (const example of examples) {
      const line: unknown = JSON.parse(example);
      const parsed = TraceEvent.safeParse(line);
      expect(parsed.success, `${example}\n${parsed.error?.message}`).toBe(true);
      // zod drops unknown keys (and fills in defaults), so a parsed line that still holds
      // every field of the example means the example invents no field.
      expect(parsed.data, example).toMatchObject(line as Record<string, unknown>);
    }
  });
});
