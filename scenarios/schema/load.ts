/**
 * Loading scripted scenarios: YAML text → validated `Scenario`, with every error pointing
 * at the line of the node that is wrong. Steps are validated one at a time against their
 * own schema (`stepSchemas[name]`), so a mistake in step 7 is reported as a mistake in
 * step 7, not as "no member of a 13-way union matched". The YAML is kept as a Document
 * (with a `LineCounter`) so a zod issue path can be walked back to the node it names;
 * when the node is absent (a missing required field) the nearest existing parent is used.
 */
import { readdir, readFile, stat } from 'node:fs/promises';
import { join } from 'node:path';
import { isMap, isPair, isScalar, isSeq, LineCounter, parseDocument, type Document } from 'yaml';
import { z } from 'zod';
import { Scenario, scenarioLimits, stepNames, stepSchemas, type StepName } from './steps.ts';

/** Longest scenario text accepted (characters); a scenario is a page of steps, not a data set. */
export const scenarioTextLengthMax = 1_000_000;

/** The field name used when a problem concerns the file or document as a whole. */
const wholeDocument = '(root)';

/**
 * An invalid scenario: thrown for a file that cannot be read (missing path, a directory
 * with no scenario files), YAML that does not parse, a step that is not a one-key mapping,
 * an unknown step name, an unknown field, and a value of the wrong type or out of bounds.
 * The message reads `<file>:<line>:<col>: <field>: <what is wrong>` (without line and
 * column when the problem has no position), so editors and CI logs link to the spot.
 * The CLI maps it to exit code 2 (invalid input); fix the file and run again.
 */
export class ScenarioError extends Error {
  override readonly name = 'ScenarioError';
  /** The file as given by the caller. */
  readonly file: string;
  /** 1-based line of the offending node, or null when the problem has no position. */
  readonly line: number | null;
  /** 1-based column of the offending node, or null when the problem has no position. */
  readonly column: number | null;
  /** Path of the offending field, e.g. `steps[3].cancel.run`; `(root)` for the whole document. */
  readonly field: string;
  /** What is wrong, without the location prefix. */
  readonly problem: string;

  constructor(file: string, line: number | null, column: number | null, field: string, problem: string) {
    const location = line === null ? file : `${file}:${line}:${column ?? 1}`;
    super(`${location}: ${field}: ${problem}`);
    this.file = file;
    this.line = line;
    this.column = line === null ? null : (column ?? 1);
    this.field = field;
    this.problem = problem;
  }
}

type PathSegment = string | number;

/** `['steps', 3, 'cancel', 'run']` → `steps[3].cancel.run`. */
function formatField(path: readonly PathSegment[]): string {
  if (path.length === 0) return wholeDocument;
  let text = '';
  for (const segment of path) {
    if (typeof segment === 'number') text += `[${segment}]`;
    else if (/^[A-Za-z_$][\w$-]*$/.test(segment)) text += text === '' ? segment : `.${segment}`;
    else text += `[${JSON.stringify(segment)}]`;
  }
  return text;
}

/** Optimal string alignment distance: edits, with a swap of two neighbours counting as one. */
function editDistance(a: string, b: string): number {
  const rows = a.length + 1;
  const columns = b.length + 1;
  const distance: number[][] = Array.from({ length: rows }, (_, i) => Array.from({ length: columns }, (_, j) => (i === 0 ? j : j === 0 ? i : 0)));
  for (let i = 1; i < rows; i++) {
    for (let j = 1; j < columns; j++) {
      const cost = a[i - 1] === b[j - 1] ? 0 : 1;
      let best = Math.min(distance[i - 1]![j]! + 1, distance[i]![j - 1]! + 1, distance[i - 1]![j - 1]! + cost);
      if (i > 1 && j > 1 && a[i - 1] === b[j - 2] && a[i - 2] === b[j - 1]) best = Math.min(best, distance[i - 2]![j - 2]! + 1);
      distance[i]![j] = best;
    }
  }
  return distance[a.length]![b.length]!;
}

/** The known name closest to `name`, when it is close enough to be a likely typo. */
function closestName(name: string, known: readonly string[]): string | undefined {
  let best: string | undefined;
  let bestDistance = Infinity;
  for (const candidate of known) {
    const distance = editDistance(name.toLowerCase(), candidate.toLowerCase());
    if (distance < bestDistance) {
      best = candidate;
      bestDistance = distance;
    }
  }
  return bestDistance <= Math.max(2, Math.floor(name.length / 3)) ? best : undefined;
}

function didYouMean(name: string, known: readonly string[]): string {
  const suggestion = closestName(name, known);
  return suggestion === undefined ? '' : `; did you mean '${suggestion}'?`;
}

/** Where a node of the document starts, as a character offset. */
interface Located {
  offset: number;
}

/**
 * Walks the document along `path` and returns the start of the deepest node that exists.
 * With `key`, and when the whole path exists and ends in a mapping, returns the start of
 * that key inside it (used for unknown fields, whose path is their parent's).
 */
function locate(doc: Document, path: readonly PathSegment[], key?: string): Located {
  let node: unknown = doc.contents;
  let offset = rangeStart(node) ?? 0;
  let complete = true;
  for (const segment of path) {
    let next: unknown;
    let keyOffset: number | undefined;
    if (isMap(node)) {
      const pair = node.items.find((item) => isPair(item) && scalarKey(item.key) === String(segment));
      if (pair) {
        next = pair.value;
        keyOffset = rangeStart(pair.key);
      }
    } else if (isSeq(node) && typeof segment === 'number') {
      next = node.items[segment];
    }
    // `key:` with no value has no value node; the key is then the best place to point at.
    const nextOffset = rangeStart(next) ?? keyOffset;
    if (nextOffset === undefined) {
      complete = false;
      break;
    }
    node = next;
    offset = nextOffset;
  }
  if (key !== undefined && complete && isMap(node)) {
    const pair = node.items.find((item) => isPair(item) && scalarKey(item.key) === key);
    const keyOffset = pair ? rangeStart(pair.key) : undefined;
    if (keyOffset !== undefined) offset = keyOffset;
  }
  return { offset };
}

function rangeStart(node: unknown): number | undefined {
  if (node === null || typeof node !== 'object' || !('range' in node)) return undefined;
  const range = (node as { range?: readonly number[] | null }).range;
  return range ? range[0] : undefined;
}

function scalarKey(key: unknown): string | undefined {
  if (isScalar(key)) return String(key.value);
  return typeof key === 'string' ? key : undefined;
}

/** The shape of zod 4 schema definitions that `objectKeysAt` looks through. */
interface SchemaDefinition {
  type: string;
  innerType?: z.core.$ZodType;
  getter?: () => z.core.$ZodType;
  in?: z.core.$ZodType;
  shape?: Record<string, z.core.$ZodType>;
  element?: z.core.$ZodType;
  options?: readonly z.core.$ZodType[];
}

function definitionOf(schema: z.core.$ZodType): SchemaDefinition {
  return schema._zod.def as unknown as SchemaDefinition;
}

/** Strips wrappers (optional, default, lazy, pipe, …) down to the schema that decides the shape. */
function unwrap(schema: z.core.$ZodType): z.core.$ZodType {
  for (let depth = 0; depth < 32; depth++) {
    const definition = definitionOf(schema);
    const inner =
      definition.type === 'lazy'
        ? definition.getter?.()
        : definition.type === 'pipe'
          ? definition.in
          : ['optional', 'default', 'prefault', 'nullable', 'nonoptional', 'readonly', 'catch'].includes(definition.type)
            ? definition.innerType
            : undefined;
    if (!inner) return schema;
    schema = inner;
  }
  return schema;
}

/** The schemas that a value at `segment` inside a value of `schema` may be validated by. */
function childSchemas(schema: z.core.$ZodType, segment: PathSegment): z.core.$ZodType[] {
  const definition = definitionOf(unwrap(schema));
  switch (definition.type) {
    case 'object':
      return typeof segment === 'string' && definition.shape?.[segment] ? [definition.shape[segment]] : [];
    case 'array':
      return typeof segment === 'number' && definition.element ? [definition.element] : [];
    case 'union':
      return (definition.options ?? []).flatMap((option) => childSchemas(option, segment));
    default:
      return [];
  }
}

function objectKeys(schema: z.core.$ZodType): string[] {
  const definition = definitionOf(unwrap(schema));
  if (definition.type === 'object') return Object.keys(definition.shape ?? {});
  if (definition.type === 'union') return (definition.options ?? []).flatMap(objectKeys);
  return [];
}

/** The field names a mapping at `path` inside `schema` may have; a union of objects gives all of theirs. */
function objectKeysAt(schema: z.core.$ZodType, path: readonly PathSegment[]): string[] {
  let candidates = [schema];
  for (const segment of path) candidates = candidates.flatMap((candidate) => childSchemas(candidate, segment));
  return [...new Set(candidates.flatMap(objectKeys))];
}

/** One problem found by zod, its path from the document root, and where it is in the text. */
interface Problem {
  /** Field path to report; for an unknown field it ends with the unknown key. */
  field: PathSegment[];
  offset: number;
  message: string;
  /**
   * A missing field is located at its parent mapping, ahead of everything inside it; it
   * is reported after the other problems, since a misspelt key shows up as both.
   */
  missing: boolean;
}

/** What was validated: the schema, the value, and where that value sits in the document. */
interface Validated {
  schema: z.core.$ZodType;
  input: unknown;
  path: readonly PathSegment[];
}

/**
 * Turns zod issues into problems located in the document. Issue paths are relative to
 * `base` (the validated value's path, or a union's path for the issues of its members).
 * A union that matched no member is replaced by the issues of the member that came
 * closest (fewest issues), so `fault: {inject: nope}` reports the bad fault name, not
 * "Invalid input".
 */
function problemsOf(doc: Document, issues: readonly z.core.$ZodIssue[], base: readonly PathSegment[], validated: Validated): Problem[] {
  return issues.flatMap((issue): Problem[] => {
    const path = [...base, ...issue.path.filter((segment): segment is PathSegment => typeof segment !== 'symbol')];
    const inside = path.slice(validated.path.length);
    if (issue.code === 'invalid_union' && issue.errors.length > 0) {
      const closest = [...issue.errors].sort((a, b) => a.length - b.length)[0]!;
      if (closest.length > 0) return problemsOf(doc, closest, path, validated);
    }
    if (issue.code === 'unrecognized_keys') {
      const known = objectKeysAt(validated.schema, inside);
      return issue.keys.map((key) => ({
        field: [...path, key],
        offset: locate(doc, path, key).offset,
        missing: false,
        message: `unknown field '${key}'${didYouMean(key, known)}${known.length > 0 ? ` Known fields: ${known.join(', ')}.` : ''}`,
      }));
    }
    const missing = (issue.code === 'invalid_type' || issue.code === 'invalid_value') && valueAt(validated.input, inside) === undefined;
    const message = missing ? `required field is missing (${issue.message.replace(/^Invalid (input|option): /, '')})` : issue.message;
    return [{ field: path, offset: locate(doc, path).offset, message, missing }];
  });
}

function valueAt(input: unknown, path: readonly PathSegment[]): unknown {
  let value = input;
  for (const segment of path) {
    if (value === null || typeof value !== 'object') return undefined;
    value = (value as Record<PathSegment, unknown>)[segment];
  }
  return value;
}

function isPlainObject(value: unknown): value is Record<string, unknown> {
  return value !== null && typeof value === 'object' && !Array.isArray(value);
}

function describeValue(value: unknown): string {
  if (value === null || value === undefined) return 'nothing';
  if (Array.isArray(value)) return 'a list';
  if (typeof value === 'string') return `the text '${value}'`;
  return `a ${typeof value}`;
}

/** The top level, with steps only checked for being a list of the right length: each step is checked on its own. */
const TopLevel = Scenario.extend({ steps: z.array(z.unknown()).min(1).max(scenarioLimits.stepsMax) });

/**
 * Parses and validates scenario YAML. `file` is only used in error messages.
 * Returns the scenario with every default filled in (the output of `Scenario.parse`).
 * @throws ScenarioError at the first problem in reading order, with its line and field.
 */
export function parseScenario(text: string, file: string): Scenario {
  if (text.length > scenarioTextLengthMax) {
    throw new ScenarioError(file, null, null, wholeDocument, `the file has ${text.length} characters; at most ${scenarioTextLengthMax} are accepted`);
  }
  const lineCounter = new LineCounter();
  const doc = parseDocument(text, { lineCounter, keepSourceTokens: true, prettyErrors: true });
  const at = (offset: number, field: string, problem: string): ScenarioError => {
    const { line, col } = lineCounter.linePos(offset);
    return new ScenarioError(file, line, col, field, problem);
  };

  const syntaxError = doc.errors[0];
  if (syntaxError) {
    const position = syntaxError.linePos?.[0] ?? lineCounter.linePos(syntaxError.pos[0]);
    // The yaml message repeats the position and quotes the source; its first line is the news.
    const problem = `YAML syntax error: ${syntaxError.message.split('\n')[0]!.replace(/ at line \d+, column \d+:?$/, '')}`;
    throw new ScenarioError(file, position.line, position.col, wholeDocument, problem);
  }

  let data: unknown;
  try {
    data = doc.toJS();
  } catch (error) {
    throw at(0, wholeDocument, `the YAML cannot be read as data: ${(error as Error).message}`);
  }
  if (!isPlainObject(data)) {
    throw at(rangeStart(doc.contents) ?? 0, wholeDocument, `a scenario is a mapping with name, description and steps; found ${describeValue(data)}`);
  }

  const validate = (schema: z.core.$ZodType, input: unknown, path: PathSegment[]): void => {
    const result = z.safeParse(schema, input);
    if (result.success) return;
    const problems = problemsOf(doc, result.error.issues, path, { schema, input, path });
    const first = problems.sort((a, b) => Number(a.missing) - Number(b.missing) || a.offset - b.offset)[0];
    if (first) throw at(first.offset, formatField(first.field), first.message);
  };

  validate(TopLevel, data, []);
  const steps = data['steps'] as unknown[];
  steps.forEach((step, index) => {
    const stepPath: PathSegment[] = ['steps', index];
    const field = formatField(stepPath);
    const where = locate(doc, stepPath).offset;
    const known = `one of ${stepNames.join(', ')}`;
    if (!isPlainObject(step)) {
      throw at(where, field, `a step is a mapping with one key, the step name (${known}); found ${describeValue(step)}`);
    }
    const keys = Object.keys(step);
    if (keys.length !== 1) {
      const loose = keys.find((key) => key in stepSchemas && step[key] === null);
      const hint = loose ? ` (indent the fields of '${loose}' under it)` : '';
      throw at(where, field, `a step has exactly one key, the step name (${known}); found ${keys.length}: ${keys.join(', ')}${hint}`);
    }
    const name = keys[0]!;
    if (!(name in stepSchemas)) {
      throw at(locate(doc, stepPath, name).offset, field, `unknown step '${name}'${didYouMean(name, stepNames)} Known steps: ${stepNames.join(', ')}.`);
    }
    validate(stepSchemas[name as StepName], step[name], [...stepPath, name]);
  });

  const result = Scenario.safeParse(data);
  if (result.success) return result.data;
  // Unreachable while the checks above mirror `Scenario`; kept so a drift is still located.
  validate(Scenario, data, []);
  throw at(0, wholeDocument, z.prettifyError(result.error));
}

function describeReadError(error: unknown): string {
  const code = (error as NodeJS.ErrnoException).code;
  switch (code) {
    case 'ENOENT':
      return 'no such file or directory';
    case 'EISDIR':
      return 'is a directory, not a scenario file';
    case 'EACCES':
      return 'permission denied';
    default:
      return `cannot be read: ${(error as Error).message}`;
  }
}

/**
 * Reads and validates one scenario file; the result carries the path it came from.
 * @throws ScenarioError when the file cannot be read (line null) or is not a valid scenario.
 */
export async function loadScenarioFile(path: string): Promise<Scenario & { file: string }> {
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch (error) {
    throw new ScenarioError(path, null, null, wholeDocument, describeReadError(error));
  }
  return { ...parseScenario(text, path), file: path };
}

function isScenarioFileName(name: string): boolean {
  return !name.startsWith('_') && (name.endsWith('.yaml') || name.endsWith('.yml'));
}

/**
 * Loads scenarios from files and directories, in the order given. A directory contributes
 * its `*.yaml` and `*.yml` files, sorted by name, not recursively, skipping names that
 * start with `_` (drafts and shared fragments). A file named explicitly is always loaded.
 * @throws ScenarioError for a missing path or a directory with no scenario file (line
 * null), and for the first invalid scenario, in order.
 */
export async function loadScenarios(paths: string[]): Promise<Array<Scenario & { file: string }>> {
  const scenarios: Array<Scenario & { file: string }> = [];
  for (const path of paths) {
    let isDirectory: boolean;
    try {
      isDirectory = (await stat(path)).isDirectory();
    } catch (error) {
      throw new ScenarioError(path, null, null, wholeDocument, describeReadError(error));
    }
    if (!isDirectory) {
      scenarios.push(await loadScenarioFile(path));
      continue;
    }
    const entries = await readdir(path, { withFileTypes: true });
    const names = entries
      .filter((entry) => (entry.isFile() || entry.isSymbolicLink()) && isScenarioFileName(entry.name))
      .map((entry) => entry.name)
      .sort();
    if (names.length === 0) {
      // An empty suite would otherwise pass as "conformant" without running anything.
      throw new ScenarioError(path, null, null, wholeDocument, 'no scenario files (*.yaml, *.yml not starting with _) in this directory');
    }
    for (const name of names) scenarios.push(await loadScenarioFile(join(path, name)));
  }
  return scenarios;
}
