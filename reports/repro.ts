/**
 * The bug-reproduction report (REPRO.md) of one failed or inconclusive scenario: Markdown
 * an upstream maintainer can read in an issue. Like fast-check's failure report it starts
 * with how to reproduce (command, bug profile, seed), then what rule was broken and what
 * was seen, then the evidence (steps, trace excerpts), then the environment.
 *
 * Pure: everything it shows comes from the arguments and the clause registry.
 */
import { stringify } from 'yaml';
import type { ClauseVerdict, EngineInfo, Environment, ScenarioResult, Violation } from '../harness/result.ts';
import type { TraceEvent } from '../trace/events.ts';
import { findClause, inconclusiveReason, listOrNone, missingText, truncate, uncheckedFamilies, violatedClauseIds } from './text.ts';

/** How an exploration found the scenario, when it was generated rather than scripted. */
export interface ReproExtra {
  /** Seed of the exploration campaign (`flowconform explore --seed`). */
  seed?: number;
  /** fast-check's replay path of the counterexample (`"3:1:0"`). */
  path?: string;
  /** How many shrink steps led from the first counterexample to this one (count). */
  shrinks?: number;
}

export interface ReproContext {
  /** One shell command that replays the scenario, printed verbatim in a code block. */
  replayCommand: string;
  /** Where the scenario ran (usually the suite's environment). */
  environment: Environment;
  /**
   * The suite's engine, shown when the result names none (the engine could not be started
   * for this scenario, yet the suite knows which command it ran). Absent or null: none known.
   */
  engine?: EngineInfo | null;
  extra?: ReproExtra;
}

/** Trace events shown before a violation's event (count). */
const excerptEventsBeforeCount = 10;
/** Trace events shown after a violation's event (count). */
const excerptEventsAfterCount = 5;
/** Excerpts per report; windows that overlap are merged first (count). */
export const excerptsMax = 5;
/** Longest string field of an event in an excerpt (characters). */
const fieldLengthMax = 100;
/** Longest array of an event shown in an excerpt (items). */
const arrayItemsMax = 8;
/** A nested object whose JSON is longer than this is replaced by a summary (characters). */
const nestedObjectLengthMax = 240;
/** Violation messages listed per clause (count). */
const messagesPerClauseMax = 10;
/** Longest violation message or error quoted (characters). */
const messageLengthMax = 500;

/** A fenced code block whose fence is longer than any run of backticks in `content`. */
function fenced(content: string, language: string): string {
  const longestRun = Math.max(0, ...(content.match(/`+/g) ?? []).map((run) => run.length));
  const fence = '`'.repeat(Math.max(3, longestRun + 1));
  return `${fence}${language}\n${content.replace(/\n+$/, '')}\n${fence}`;
}

/**
 * Free text (messages, errors, clause sentences) made safe for Markdown: characters that
 * would start HTML (`<object>` vanishes on GitHub), code, emphasis or a link are
 * backslash-escaped, and newlines become spaces.
 */
function markdownText(text: string): string {
  return text.replace(/\s+/g, ' ').replace(/[\\`*_<[\]]/g, (character) => `\\${character}`);
}

function inlineCode(text: string): string {
  return text.includes('`') ? `\`\` ${text} \`\`` : `\`${text}\``;
}

/** A value with long strings cut, long arrays shortened and large nested objects summarised. */
function compactValue(value: unknown, depth: number): unknown {
  if (typeof value === 'string') return truncate(value, fieldLengthMax);
  if (Array.isArray(value)) {
    const shown = value.slice(0, arrayItemsMax).map((item) => compactValue(item, depth + 1));
    if (value.length > arrayItemsMax) shown.push(`… ${value.length - arrayItemsMax} more`);
    return shown;
  }
  if (value !== null && typeof value === 'object') {
    const entries = Object.entries(value as Record<string, unknown>);
    const compacted = Object.fromEntries(entries.map(([key, item]) => [key, compactValue(item, depth + 1)]));
    if (depth > 0 && JSON.stringify(compacted).length > nestedObjectLengthMax) {
      return `{… ${entries.length} keys}`;
    }
    return compacted;
  }
  return value;
}

/** One trace event as one compact JSON line, `seq` and `kind` first. */
export function formatExcerptEvent(event: TraceEvent): string {
  const { seq, kind, ...rest } = event;
  return JSON.stringify(compactValue({ seq, kind, ...rest }, 0));
}

/** An inclusive range of trace sequence numbers, and the violations it is shown for. */
interface ExcerptWindow {
  seqFirst: number;
  seqLast: number;
  violations: Violation[];
}

/** The seq range shown around a violation's event at `seq`: `excerptEventsBeforeCount` events before it, `excerptEventsAfterCount` after. */
function windowAround(seq: number): { seqFirst: number; seqLast: number } {
  return { seqFirst: Math.max(0, seq - excerptEventsBeforeCount), seqLast: seq + excerptEventsAfterCount };
}

/** Windows around each violation's event, overlapping or touching ones merged, in seq order. */
function excerptWindows(violations: readonly Violation[]): ExcerptWindow[] {
  const located = violations
    .filter((violation): violation is Violation & { seq: number } => violation.seq !== null)
    .sort((left, right) => left.seq - right.seq);
  const windows: ExcerptWindow[] = [];
  for (const violation of located) {
    const { seqFirst, seqLast } = windowAround(violation.seq);
    const previous = windows.at(-1);
    if (previous !== undefined && seqFirst <= previous.seqLast + 1) {
      previous.seqLast = Math.max(previous.seqLast, seqLast);
      previous.violations.push(violation);
    } else {
      windows.push({ seqFirst, seqLast, violations: [violation] });
    }
  }
  return windows;
}

/** The events with seq `seqFirst` to `seqLast`, one compact JSON object per line. */
function linesBetween(trace: readonly TraceEvent[], seqFirst: number, seqLast: number): string[] {
  return trace.filter((event) => event.seq >= seqFirst && event.seq <= seqLast).map(formatExcerptEvent);
}

/**
 * The trace lines REPRO.md shows around a violation's event at `seq` (before windows are
 * merged), one compact JSON object per line: the HTML report's violation panel shows the same.
 */
export function excerptLines(trace: readonly TraceEvent[], seq: number): string[] {
  const { seqFirst, seqLast } = windowAround(seq);
  return linesBetween(trace, seqFirst, seqLast);
}

function violationWhere(violation: Violation): string {
  const parts = [violation.seq === null ? 'whole trace' : `seq ${violation.seq}`];
  if (violation.entity !== undefined) parts.push(`entity ${inlineCode(violation.entity)}`);
  return parts.join(', ');
}

function violatedVerdicts(result: ScenarioResult): ClauseVerdict[] {
  return result.verdicts.filter((verdict) => verdict.valid === false);
}

function titleOf(result: ScenarioResult): string {
  switch (result.outcome) {
    case 'fail': {
      const ids = violatedClauseIds(result.verdicts);
      return `# ${ids.length > 0 ? ids.join(', ') : 'Clause'} violated in scenario ${inlineCode(result.scenario)}`;
    }
    case 'inconclusive':
      return `# Inconclusive run of scenario ${inlineCode(result.scenario)}`;
    case 'pass':
      return `# Scenario ${inlineCode(result.scenario)} passed`;
    case 'not-applicable':
      return `# Scenario ${inlineCode(result.scenario)} not applicable to this engine`;
    default: {
      const unhandled: never = result.outcome;
      throw new Error(`formatRepro: unknown outcome '${String(unhandled)}'`);
    }
  }
}

function reproduceSection(result: ScenarioResult, context: ReproContext): string {
  const lines = ['## How to reproduce', '', fenced(context.replayCommand, 'sh'), ''];
  lines.push(
    result.bug === null
      ? '- Bug profile: none (the engine as shipped)'
      : `- Bug profile: ${inlineCode(result.bug)} (the upstream defect switched back on in the reference engine)`,
  );
  lines.push(`- Seed: ${inlineCode(String(result.seed))}`);
  lines.push(
    `- Platform: ${inlineCode(result.platform)}` +
      (result.platform === 'win32' ? ' (Windows kill strategy; on Linux it is emulated with real processes)' : ''),
  );
  lines.push(
    result.file === null
      ? '- Scenario file: none, the scenario was generated; its steps are below'
      : `- Scenario file: ${inlineCode(result.file)}`,
  );
  const extra = context.extra;
  if (extra !== undefined) {
    const parts: string[] = [];
    if (extra.seed !== undefined) parts.push(`campaign seed ${inlineCode(String(extra.seed))}`);
    if (extra.path !== undefined) parts.push(`path ${inlineCode(extra.path)}`);
    if (extra.shrinks !== undefined) parts.push(`${extra.shrinks} shrink${extra.shrinks === 1 ? '' : 's'}`);
    if (parts.length > 0) lines.push(`- Found by exploration: ${parts.join(', ')}`);
  }
  if (result.tracePath !== null) lines.push(`- Full trace (JSON lines): ${inlineCode(result.tracePath)}`);
  return lines.join('\n');
}

function clausesSection(result: ScenarioResult): string | null {
  const verdicts = violatedVerdicts(result);
  if (verdicts.length === 0) return null;
  const blocks = ['## Violated clauses'];
  for (const verdict of verdicts) {
    const clause = findClause(verdict.clauseId);
    const lines = [`### ${verdict.clauseId}`, ''];
    if (clause === undefined) {
      lines.push(`(${verdict.clauseId} is not in this version's clause registry.)`);
    } else {
      lines.push(`> ${markdownText(clause.must)}`, '', `Upstream source: ${markdownText(clause.source)}`);
    }
    lines.push('', 'What was seen:', '');
    const shown = verdict.violations.slice(0, messagesPerClauseMax);
    for (const violation of shown) {
      lines.push(`- ${markdownText(truncate(violation.message, messageLengthMax))} (${violationWhere(violation)})`);
    }
    if (verdict.violations.length === 0) lines.push('- (the checker recorded no message)');
    if (verdict.violations.length > shown.length) {
      lines.push(`- … and ${verdict.violations.length - shown.length} more (see summary.json)`);
    }
    blocks.push(lines.join('\n'));
  }
  return blocks.join('\n\n');
}

function inconclusiveSection(result: ScenarioResult): string | null {
  const unknown = result.verdicts.filter((verdict) => verdict.valid === 'unknown');
  if (result.outcome !== 'inconclusive' && unknown.length === 0) return null;
  const lines: string[] = [];
  if (result.outcome === 'inconclusive') {
    lines.push('## Why the run is inconclusive', '');
    lines.push(markdownText(truncate(inconclusiveReason(result), messageLengthMax)));
  } else {
    lines.push('## Clauses left undecided');
  }
  if (unknown.length > 0) {
    lines.push('', 'Undecided clauses:', '');
    for (const verdict of unknown) {
      const reasons = verdict.unknownReasons.length > 0 ? verdict.unknownReasons.join('; ') : 'no reason recorded';
      lines.push(`- ${verdict.clauseId}: ${markdownText(truncate(reasons, messageLengthMax))}`);
    }
  }
  return lines.join('\n');
}

function notApplicableSection(result: ScenarioResult): string | null {
  if (result.outcome !== 'not-applicable') return null;
  return [
    '## Why the scenario is not applicable',
    '',
    `The ${markdownText(missingText(result.missingCapabilities))}, which the scenario's steps need. ` +
      'Nothing was checked: this is neither a pass nor a failure.',
  ].join('\n');
}

function stepsSection(result: ScenarioResult): string {
  // All steps, never cut: the block is meant to be pasted into a scenario file and replay exactly.
  return ['## Scenario steps', '', fenced(stringify({ steps: result.steps }), 'yaml')].join('\n');
}

function excerptSection(result: ScenarioResult): string | null {
  const lines = ['## Trace excerpts', ''];
  if (result.trace.length === 0) {
    lines.push('The trace was not kept with the result; see the full trace file above.');
    return lines.join('\n');
  }
  const violations = violatedVerdicts(result).flatMap((verdict) => verdict.violations);
  const windows = excerptWindows(violations);
  if (windows.length === 0) {
    if (result.outcome === 'inconclusive') {
      const tail = result.trace.slice(-(excerptEventsBeforeCount + excerptEventsAfterCount));
      lines.push(`The last ${tail.length} events of the trace:`, '');
      lines.push(fenced(tail.map(formatExcerptEvent).join('\n'), 'jsonl'));
      return lines.join('\n');
    }
    if (violations.length === 0) return null;
    lines.push('Every violation is about the whole trace; see the full trace file above.');
    return lines.join('\n');
  }
  lines.push(
    `Up to ${excerptEventsBeforeCount} events before and ${excerptEventsAfterCount} after each violation, ` +
      `one JSON object per line; long fields are cut.`,
  );
  for (const window of windows.slice(0, excerptsMax)) {
    const marks = window.violations.map((violation) => `seq ${violation.seq} (${violation.clauseId})`).join(', ');
    const excerpt = linesBetween(result.trace, window.seqFirst, window.seqLast);
    lines.push('', `### Around ${marks}`, '');
    lines.push(
      excerpt.length > 0
        ? fenced(excerpt.join('\n'), 'jsonl')
        : `(no event with seq ${window.seqFirst}–${window.seqLast} in the trace)`,
    );
  }
  if (windows.length > excerptsMax) {
    lines.push('', `${windows.length - excerptsMax} more excerpt(s) left out; see the full trace file.`);
  }
  return lines.join('\n');
}

function engineLines(result: ScenarioResult, context: ReproContext): string[] {
  const engine = result.engine ?? context.engine ?? null;
  if (engine === null) return ['- Engine: unknown (it was not started)'];
  const lines = [
    `- Engine: ${inlineCode(engine.name)} version ${inlineCode(engine.version)}` +
      (result.engine === null ? ' (the suite\'s engine; it did not start for this scenario)' : ''),
    `- Engine command: ${inlineCode(engine.command)}`,
  ];
  if (engine.capabilities === null) lines.push('- Engine capabilities: unknown (the handshake did not complete)');
  lines.push(`- Clause families checked: ${listOrNone(engine.checkedFamilies)}`);
  lines.push(`- Clause families not checked: ${listOrNone(uncheckedFamilies(engine))}`);
  return lines;
}

function environmentSection(result: ScenarioResult, context: ReproContext): string {
  const environment = context.environment;
  return [
    '## Environment',
    '',
    ...engineLines(result, context),
    `- Node: ${inlineCode(environment.node)}`,
    `- OS: ${inlineCode(environment.os)}`,
    `- Scenario platform: ${inlineCode(result.platform)}`,
    `- Commit: ${environment.commit === null ? 'unknown (not a git checkout)' : inlineCode(environment.commit)}`,
  ].join('\n');
}

function expectedActualSection(result: ScenarioResult): string {
  const lines = ['## Expected vs actual', ''];
  if (result.outcome === 'not-applicable') {
    lines.push("- Expected: the engine has every capability the scenario's steps use.");
    lines.push(`- Actual: ${markdownText(missingText(result.missingCapabilities))}.`);
    return lines.join('\n');
  }
  if (result.outcome === 'inconclusive') {
    lines.push('- Expected: the scenario runs to its end, so that every clause can be decided.');
    lines.push(`- Actual: ${markdownText(truncate(inconclusiveReason(result), messageLengthMax))}`);
    return lines.join('\n');
  }
  const verdicts = violatedVerdicts(result);
  if (verdicts.length === 0) {
    lines.push('- Expected: every clause holds.', '- Actual: every clause held.');
    return lines.join('\n');
  }
  for (const verdict of verdicts) {
    const clause = findClause(verdict.clauseId);
    const first = verdict.violations[0];
    const more = verdict.violations.length > 1 ? ` (and ${verdict.violations.length - 1} more)` : '';
    lines.push(`- **${verdict.clauseId}**`);
    lines.push(`  - Expected: ${clause === undefined ? 'the clause holds' : markdownText(clause.must)}`);
    lines.push(`  - Actual: ${first === undefined ? 'violated' : markdownText(truncate(first.message, messageLengthMax))}${more}`);
  }
  return lines.join('\n');
}

/**
 * REPRO.md for one scenario. Sections, in order: title (violated clause ids and the
 * scenario), How to reproduce (replay command, bug profile, seed, platform, file, trace
 * path), the violated clauses (MUST sentence, upstream source, what was seen) or why the
 * run is inconclusive, the steps as YAML, trace excerpts around each violation (10 events
 * before, 5 after, at most 5 excerpts; for an inconclusive run, the end of the trace),
 * the environment (engine name, version, command and clause families checked first, from
 * the result or else `context.engine`), and Expected vs actual. Ends with a newline.
 *
 * Meant for failed and inconclusive scenarios; for a passing or not-applicable one it
 * still renders, saying so (writeReports writes none for those).
 *
 * @throws Error when `result.outcome` is not a known outcome.
 */
export function formatRepro(result: ScenarioResult, context: ReproContext): string {
  const sections = [
    titleOf(result),
    markdownText(result.description.trim()),
    reproduceSection(result, context),
    clausesSection(result),
    inconclusiveSection(result),
    notApplicableSection(result),
    stepsSection(result),
    excerptSection(result),
    environmentSection(result, context),
    expectedActualSection(result),
  ];
  return `${sections.filter((section): section is string => section !== null && section !== '').join('\n\n')}\n`;
}
