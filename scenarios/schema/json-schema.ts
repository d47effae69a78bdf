/**
 * The scenario format as JSON Schema, so editors check and complete scenario YAML:
 * `# yaml-language-server: $schema=./scenario.schema.json` at the top of a file.
 * It is derived from the zod schemas in steps.ts; `scenarios/scenario.schema.json` is
 * the committed copy and a test fails when it differs from `scenarioJsonSchema()`.
 *
 * Hazards: the target is draft-07 because the YAML language server validates draft-07
 * and only partly understands 2020-12. The schema is the *input* form (defaults are
 * optional and shown as `default`). Rules written as zod refinements, such as "await
 * names exactly one target", cannot be expressed and are only in the descriptions;
 * `parseScenario` remains the judge.
 */
import { z } from 'zod';
import { stepKinds } from '../steps/registry.ts';
import { Scenario, stepNames, stepSchemas, SubflowPlan } from './steps.ts';

/** Where editors and tools may refer to the schema; a URN because the project has no web home. */
export const scenarioSchemaId = 'urn:flowconform:scenario';

/** The JSON Schema (draft-07) of a scenario file, with `$id`, `title` and `description`. */
export function scenarioJsonSchema(): object {
  // A registry of our own, so generating the schema never touches zod's global registry.
  const metadata = z.registry<{ id?: string; description?: string }>();
  metadata.add(SubflowPlan, {
    id: 'SubflowPlan',
    description: 'A subflow run: a worker process spawned by its parent run; it may have subflows of its own.',
  });
  for (const name of stepNames) metadata.add(stepSchemas[name], { description: stepKinds[name].description });
  const generated = z.toJSONSchema(Scenario, {
    io: 'input',
    target: 'draft-07',
    metadata,
    // Refinements are dropped by design (see above); anything else unrepresentable becomes `{}`
    // rather than breaking the export.
    unrepresentable: 'any',
  }) as Record<string, unknown>;
  const { $schema, ...rest } = generated;
  return {
    $schema,
    $id: scenarioSchemaId,
    title: 'flowconform scenario',
    description:
      'A scripted flowconform scenario: a name, a description and a list of steps, each a mapping with one key, the step name. Durations are ms, sizes are counts.',
    ...rest,
  };
}
