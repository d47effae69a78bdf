/**
 * The trace format as JSON Schema: the schema of ONE line of a trace.jsonl file, for
 * people who write an engine of their own and want `flowconform check` to judge it
 * (docs/trace.md explains the kinds). It is derived from the zod schemas in events.ts;
 * `trace/trace.schema.json` is the committed copy and a test fails when it differs from
 * `traceJsonSchema()`. Regenerate it with `tsx trace/json-schema.ts`.
 *
 * Hazards: the target is draft-07, which most validators in most languages support. The
 * schema is the *output* form (what a parsed event is). It says nothing about the order
 * of lines (`meta` first, `end` last, `seq` counting up from 0): the checker judges that.
 */
import { writeFile } from 'node:fs/promises';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { z } from 'zod';
import {
  Bounds,
  DeleteEvent,
  EndEvent,
  FaultEvent,
  LogEvent,
  MetaEvent,
  ObserveEvent,
  ObserveProcessEvent,
  ProcessEvent,
  RequestEvent,
  SideEffectEvent,
  StepEvent,
  TraceEvent,
  TransitionEvent,
} from './events.ts';

/** Where tools may refer to the schema; a URN because the project has no web home. */
export const traceSchemaId = 'urn:flowconform:trace-event';

/** The committed copy, beside this file. */
export const traceSchemaPath = fileURLToPath(new URL('./trace.schema.json', import.meta.url));

/** What each event kind is, shown by editors and validators; same words as events.ts. */
const eventDescriptions: ReadonlyArray<readonly [z.ZodType, string]> = [
  [MetaEvent, 'First line of every trace: what ran, against what, with which bounds.'],
  [
    TransitionEvent,
    'An entity changed state, in the engine\'s own words. `from` is null when the entity is created. Runs write states as TYPE or TYPE/Name (SCHEDULED/Late).',
  ],
  [DeleteEvent, 'An entity was deleted (a deployment update deleting scheduled runs, a consumed command).'],
  [ProcessEvent, 'A process of the engine: spawned, signalled, exited, or a kill that failed.'],
  [SideEffectEvent, 'A side effect (status listener, archive, notification) and its outcome.'],
  [RequestEvent, 'A request from the client and its answer; outcome `info` means the answer is unknown (timed out).'],
  [ObserveEvent, 'A state read back through the engine\'s query API by the harness; `state: null` means not found.'],
  [ObserveProcessEvent, 'A process\'s liveness read from the operating system (/proc; state Z counts as dead).'],
  [StepEvent, 'A scenario step began or ended.'],
  [FaultEvent, 'A fault injected or cleared by the nemesis.'],
  [LogEvent, 'A log line of the engine (what an operator would see).'],
  [EndEvent, 'Last line: how the run ended. `crash` and `timeout` make the verdict inconclusive.'],
];

/** The JSON Schema (draft-07) of one trace line, with `$id`, `title` and `description`. */
export function traceJsonSchema(): object {
  // A registry of our own, so generating the schema never touches zod's global registry.
  const metadata = z.registry<{ description?: string }>();
  for (const [schema, description] of eventDescriptions) metadata.add(schema, { description });
  metadata.add(Bounds, { description: 'Bounds the liveness clauses are checked against; durations in wall ms, attempts in counts.' });
  // The stamp fields are one zod instance each, shared by every event kind.
  const stamp = MetaEvent.shape;
  metadata.add(stamp.seq, { description: 'Position of the line in the trace, counting from 0.' });
  metadata.add(stamp.timeMs, { description: 'Logical clock (ms), advanced only by scenario steps.' });
  metadata.add(stamp.wallMs, { description: 'Wall time since the trace began (ms).' });
  const generated = z.toJSONSchema(TraceEvent, { io: 'output', target: 'draft-07', metadata }) as Record<string, unknown>;
  const { $schema, ...rest } = generated;
  return {
    $schema,
    $id: traceSchemaId,
    title: 'flowconform trace event',
    description:
      'One line of a flowconform trace (trace.jsonl): a JSON object whose `kind` says which event it is. A trace starts with a `meta` line and ends with an `end` line; `seq` counts lines from 0. See docs/trace.md.',
    ...rest,
  };
}

/** The committed file's text: the schema, two-space indented, with a final newline. */
export function traceJsonSchemaText(): string {
  return `${JSON.stringify(traceJsonSchema(), null, 2)}\n`;
}

// `tsx trace/json-schema.ts` rewrites the committed copy.
if (process.argv[1] !== undefined && import.meta.url === pathToFileURL(process.argv[1]).href) {
  await writeFile(traceSchemaPath, traceJsonSchemaText());
  process.stdout.write(`wrote ${traceSchemaPath}\n`);
}
