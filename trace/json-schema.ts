/**
 * The trace format as JSON Schema: the schema of ONE line of a trace.jsonl file, for
 * people who write an engine of their own and want `flowconform check` to judge it
 * (docs/trace.md explains the kinds). It is derived from the zod schemas in events.ts;
 * `trace/trace.schema.json` is the committed copy and a test fails when it differs from
 * `traceJsonSchema()`. Regenerate it with `tsx trace/json-schema.ts`.
 *
 * Hazards: the target is draft-07, which most validators in most languages support. The
 * schema is the *input* form (what an engine may write): a field with a default (most of
 * `meta`) is optional and shows its `default`. Objects still refuse fields they do not
 * know (`additionalProperties: false`), as the output form did, except `attributes`,
 * which is open for an engine's own facts. It says nothing about the order of lines
 * (`meta` first, `end` last, `seq` counting up from 0): the checker judges that.
 */
import { writeFile } from 'node:fs/promises';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { z } from 'zod';
import {
  Bounds,
  DeleteCause,
  DeleteEvent,
  Environment,
  EndEvent,
  FaultEvent,
  LogEvent,
  MetaBounds,
  MetaEvent,
  ObserveEvent,
  ObserveProcessEvent,
  ProcessEvent,
  RequestEvent,
  SideEffectEvent,
  StepEvent,
  RunAttributes,
  TraceEvent,
  TransitionAttributes,
  TransitionCause,
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
    'An entity changed state, in the engine\'s own words. `from` is null when the entity is created. Runs write states as TYPE or TYPE/Name (SCHEDULED/Late); a default name written out (SCHEDULED/Scheduled) reads as the plain type. State names are those `flowconform spec` prints.',
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
  metadata.add(MetaBounds, { description: 'Bounds the liveness clauses are checked against; durations in wall ms, attempts in counts. Each one left out takes its default.' });
  metadata.add(Environment, { description: 'Where the trace was made: node version, operating system, commit (null outside a git checkout).' });
  metadata.add(TransitionAttributes, {
    description:
      'Facts the checkers need, each optional (a clause that needs a missing one is unknown). Runs: deploymentId, runCount, autoScheduled, scheduledStartMs, slotMs, retries. Commands: requestId. Instances: requestId, commandId. Other fields are allowed and ignored.',
  });
  metadata.add(TransitionCause, { description: 'Why the entity changed state: one word of the closed list in docs/trace.md; `engine` when none fits.' });
  metadata.add(DeleteCause, { description: 'Why the entity was deleted: one word of the closed list in docs/trace.md; `engine` when none fits.' });
  const runAttributeDescriptions: Record<keyof RunAttributes, string> = {
    deploymentId: 'The deployment the run belongs to; null for a run of no deployment.',
    runCount: "Prefect's run_count: how many times the run entered RUNNING to start an attempt (count); resuming a PAUSED run is not counted.",
    autoScheduled: "True when the scheduler made the run from its deployment's schedule, false when made by hand.",
    scheduledStartMs: 'When the run is to start (logical ms).',
    slotMs: 'The schedule slot the run was made for (logical ms); null for a run made by hand.',
    retries: 'How many retries a failed attempt may have (count).',
  };
  for (const [field, description] of Object.entries(runAttributeDescriptions)) {
    metadata.add(TransitionAttributes.shape[field as keyof RunAttributes], { description });
  }
  metadata.add(TransitionAttributes.shape.requestId, { description: 'Commands and instances: the creation request (start-process-instance) they were made for.' });
  metadata.add(TransitionAttributes.shape.commandId, { description: 'Instances: the command they were made from.' });
  metadata.add(TransitionEvent.shape.detail, { description: 'What varies about the cause, for people (an exit code, a master id, a terminate reason). No checker reads it.' });
  metadata.add(TransitionEvent.shape.signal, { description: 'With cause process-killed: the signal that ended the process (SIGKILL).' });
  metadata.add(DeleteEvent.shape.deploymentId, { description: 'With cause deployment-update: the deployment whose update deleted the run.' });
  metadata.add(DeleteEvent.shape.detail, { description: 'What varies about the cause, for people. No checker reads it.' });
  // The stamp fields are one zod instance each, shared by every event kind.
  const stamp = MetaEvent.shape;
  metadata.add(stamp.seq, { description: 'Position of the line in the trace, counting from 0.' });
  metadata.add(stamp.timeMs, { description: 'Logical clock (ms), advanced only by scenario steps.' });
  metadata.add(stamp.wallMs, { description: 'Wall time since the trace began (ms).' });
  const generated = z.toJSONSchema(TraceEvent, {
    io: 'input',
    target: 'draft-07',
    metadata,
    // zod leaves `additionalProperties` out of an input-form object (it would strip an
    // unknown key); the contract refuses one, so say so, as the output form did.
    override: (context) => {
      const schema = context.jsonSchema as Record<string, unknown>;
      if (context.zodSchema._zod.def.type === 'object' && schema.additionalProperties === undefined) schema.additionalProperties = false;
    },
  }) as Record<string, unknown>;
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
