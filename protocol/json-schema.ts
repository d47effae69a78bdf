/**
 * The engine protocol as JSON Schema (draft-07), for people who write an engine in
 * another language: `line` is the schema of any line on the wire (a request, a reply or
 * an event), and `operations.<op>.args` / `.result` the schemas of each operation's
 * arguments and result. It is derived from the zod schemas beside this file;
 * `protocol/engine-protocol.schema.json` is the committed copy, a test fails when it
 * differs, and `tsx protocol/json-schema.ts` (part of `npm run schema`) rewrites it.
 *
 * Hazard: rules written as zod refinements (subflow depth, sibling names) cannot be
 * expressed here; the engine's reply `invalid-arguments` or the harness's checks judge them.
 */
import { writeFile } from 'node:fs/promises';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { z } from 'zod';
import { EngineLine, Request } from './messages.ts';
import { operationNames, operations, SubflowPlan } from './operations.ts';

/** Where tools may refer to the schema; a URN because the project has no web home. */
export const protocolSchemaId = 'urn:flowconform:engine-protocol:1';

/** The committed copy, beside this file. */
export const protocolSchemaPath = fileURLToPath(new URL('./engine-protocol.schema.json', import.meta.url));

function toSchema(schema: z.ZodType, io: 'input' | 'output'): Record<string, unknown> {
  const metadata = z.registry<{ id?: string }>();
  metadata.add(SubflowPlan, { id: 'SubflowPlan' });
  const { $schema: _unused, ...rest } = z.toJSONSchema(schema, { io, target: 'draft-07', metadata, unrepresentable: 'any' }) as Record<string, unknown>;
  return rest;
}

/** The JSON Schema of the protocol: every line, and every operation's arguments and result. */
export function protocolJsonSchema(): object {
  return {
    $schema: 'http://json-schema.org/draft-07/schema#',
    $id: protocolSchemaId,
    title: 'flowconform engine protocol, version 1',
    description:
      'JSON lines on an engine\'s stdin (requests) and stdout (replies and events); see docs/engine-protocol.md. `request` and `engineLine` are the shapes of one line each way; `operations` gives the arguments (as the harness sends them, defaults filled in) and the result (as the engine answers) of each operation.',
    properties: {
      request: toSchema(Request, 'output'),
      engineLine: toSchema(EngineLine, 'input'),
      operations: {
        type: 'object',
        properties: Object.fromEntries(
          operationNames.map((op) => [op, { type: 'object', properties: { args: toSchema(operations[op].args, 'output'), result: toSchema(operations[op].result, 'input') } }]),
        ),
      },
    },
  };
}

/** The committed file's text: the schema, two-space indented, with a final newline. */
export function protocolJsonSchemaText(): string {
  return `${JSON.stringify(protocolJsonSchema(), null, 2)}\n`;
}

// `tsx protocol/json-schema.ts` rewrites the committed copy.
if (process.argv[1] !== undefined && import.meta.url === pathToFileURL(process.argv[1]).href) {
  await writeFile(protocolSchemaPath, protocolJsonSchemaText());
  process.stdout.write(`wrote ${protocolSchemaPath}\n`);
}
