/**
 * `flowconform spec [--json | --mermaid]`: the contract's vocabularies for someone writing
 * a trace by hand or an engine of their own (docs/trace.md): per machine its states, named
 * sub-states, final states and legal moves, then the closed lists of causes. Everything
 * is read from spec/machine-description.ts and trace/causes.ts, never restated.
 *
 * Formats are pure functions of one `SpecDocument`, picked from `specFormatters`: text
 * for a terminal, JSON for programs, and Mermaid state diagrams (spec/mermaid.ts), one per
 * machine in a Markdown section of its own, to paste into a page that renders Mermaid.
 */
import { describeMachines, type MachineDescription } from '../../../spec/machine-description.ts';
import { machineStateDiagram } from '../../../spec/mermaid.ts';
import { deleteCauseMeanings, transitionCauseMeanings } from '../../../trace/events.ts';
import { exitCodes, UsageError } from '../exit-codes.ts';

/** What `spec` prints: the machines and the cause lists, each cause with its meaning. */
export interface SpecDocument {
  machines: MachineDescription[];
  transitionCauses: Record<string, string>;
  deleteCauses: Record<string, string>;
}

export function specDocument(): SpecDocument {
  return { machines: describeMachines(), transitionCauses: { ...transitionCauseMeanings }, deleteCauses: { ...deleteCauseMeanings } };
}

function formatMachineText(machine: MachineDescription): string[] {
  const lines = [`${machine.kind}: ${machine.upstream}`, `  states: ${machine.states.join(', ')}`];
  if (machine.subStates.length > 0) {
    lines.push('  named sub-states (write TYPE/Name; the first name is the default, written as TYPE alone or in full):');
    for (const { type, names } of machine.subStates) lines.push(`    ${type}: ${names.join(', ')}`);
  }
  lines.push(`  initial: ${machine.initial}`);
  lines.push(`  created in (from: null): ${machine.creatable.join(', ')}`);
  lines.push(`  final: ${machine.final.join(', ')}`);
  // One line per state with a way out; the machine events behind each move are in --json.
  lines.push('  legal moves (from → to):');
  const targets = new Map<string, string[]>();
  for (const move of machine.moves) targets.set(move.from, [...(targets.get(move.from) ?? []), move.to]);
  const width = Math.max(...[...targets.keys()].map((from) => from.length));
  for (const [from, to] of targets) lines.push(`    ${from.padEnd(width)} → ${to.join(', ')}`);
  return lines;
}

function formatCausesText(title: string, causes: Record<string, string>): string[] {
  const width = Math.max(...Object.keys(causes).map((cause) => cause.length));
  return [title, ...Object.entries(causes).map(([cause, meaning]) => `  ${cause.padEnd(width)}  ${meaning}`)];
}

/** For a terminal: one block per machine, then the causes; ends with a newline. */
export function formatSpecText(document: SpecDocument): string {
  const blocks = [
    ...document.machines.map(formatMachineText),
    formatCausesText('transition causes (`cause` of a transition line):', document.transitionCauses),
    formatCausesText('delete causes (`cause` of a delete line):', document.deleteCauses),
  ];
  return `${blocks.map((lines) => lines.join('\n')).join('\n\n')}\n`;
}

/** For programs: the document as two-space-indented JSON; ends with a newline. */
export function formatSpecJson(document: SpecDocument): string {
  return `${JSON.stringify(document, null, 2)}\n`;
}

/**
 * For pages that render Mermaid (GitHub, docs sites): per machine a Markdown heading and a
 * fenced `mermaid` block holding its `stateDiagram-v2`; the causes are not drawn. Ends
 * with a newline.
 */
export function formatSpecMermaid(document: SpecDocument): string {
  const sections = document.machines.map(
    (machine) => `## ${machine.kind}: ${machine.upstream}\n\n\`\`\`mermaid\n${machineStateDiagram(machine)}\`\`\`\n`,
  );
  return sections.join('\n');
}

/** Each output format of `flowconform spec`, by name. */
export const specFormatters = {
  text: formatSpecText,
  json: formatSpecJson,
  mermaid: formatSpecMermaid,
} satisfies Record<string, (document: SpecDocument) => string>;

export type SpecFormat = keyof typeof specFormatters;

/**
 * Print the spec; returns the exit code (0: there is no input to be wrong).
 *
 * @throws UsageError when both --json and --mermaid are given (the CLI exits 2).
 */
export function specCommand(options: { json?: boolean; mermaid?: boolean }): number {
  if (options.json && options.mermaid) throw new UsageError('spec: --json and --mermaid are two formats; give one');
  const format: SpecFormat = options.json ? 'json' : options.mermaid ? 'mermaid' : 'text';
  process.stdout.write(specFormatters[format](specDocument()));
  return exitCodes.conformant;
}
