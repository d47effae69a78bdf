/**
 * The machines as Mermaid diagrams (https://mermaid.js.org), text only, read from
 * spec/machine-description.ts like everything else that shows the machines.
 *
 * - `machineStateDiagram`: a `stateDiagram-v2` of one machine, what `flowconform spec
 *   --mermaid` prints: the states (named sub-states as `TYPE/Name`), an arrow from the
 *   start to each state an entity may be created in, every legal move, and an arrow from
 *   each final state to the end.
 * - `machineFlowchart`: the same machine as a `flowchart`, with a style per state and per
 *   move. The HTML report draws spec coverage with it (reports/html/coverage-diagram.ts):
 *   a state diagram can style states (`classDef`) but not its transitions (Mermaid 11
 *   reads `linkStyle` in a state diagram as state names), and greying the moves a suite
 *   never made is the point of that picture.
 *
 * Mermaid ids may not hold `/`, so each state gets an id (`mermaidStateId`) and keeps its
 * text as the label.
 */
import type { MachineDescription } from './machine-description.ts';

/** The Mermaid id of a state: letters, digits and `_` only, prefixed so no id is a Mermaid keyword. */
export function mermaidStateId(state: string): string {
  return `s_${state.replace(/[^A-Za-z0-9]/g, '_')}`;
}

/** Text made safe inside a double-quoted Mermaid label. */
function quoted(text: string): string {
  return `"${text.replace(/"/g, '#quot;')}"`;
}

/** One machine as a `stateDiagram-v2`, titled with its kind and upstream; ends with a newline. */
export function machineStateDiagram(machine: MachineDescription): string {
  const lines = ['---', `title: ${JSON.stringify(`${machine.kind}: ${machine.upstream}`)}`, '---', 'stateDiagram-v2'];
  for (const state of machine.states) lines.push(`  state ${quoted(state)} as ${mermaidStateId(state)}`);
  for (const state of machine.creatable) lines.push(`  [*] --> ${mermaidStateId(state)}`);
  for (const move of machine.moves) lines.push(`  ${mermaidStateId(move.from)} --> ${mermaidStateId(move.to)}`);
  for (const state of machine.final) lines.push(`  ${mermaidStateId(state)} --> [*]`);
  return `${lines.join('\n')}\n`;
}

/** How `machineFlowchart` styles a state and a move. */
export interface FlowchartStyle {
  /** The `classDef` lines' bodies, by class name (`fill:#eee,color:#999`). */
  classes: Record<string, string>;
  /** The class of a state, or undefined for none. */
  stateClass(state: string): string | undefined;
  /** A move's edge label, or undefined for none. */
  moveLabel(from: string, to: string): string | undefined;
  /** A move's `linkStyle` body (`stroke:#bbb,stroke-dasharray:4 3`), or undefined for the default. */
  moveStyle(from: string, to: string): string | undefined;
}

/** Id of the start node of a flowchart (creation: `from: null`). */
const startId = 'start_';

/**
 * One machine as a `flowchart TB` (top to bottom, as a state diagram is laid out): the states as rounded boxes (final ones with a thick
 * border, class `final`), a start dot with an arrow to each state an entity may be
 * created in, and every legal move, styled by `style`. Ends with a newline.
 */
export function machineFlowchart(machine: MachineDescription, style: FlowchartStyle): string {
  const lines = ['flowchart TB'];
  for (const [name, body] of Object.entries(style.classes)) lines.push(`  classDef ${name} ${body}`);
  lines.push('  classDef final stroke-width:3px', '  classDef start fill:#333,stroke:#333');
  lines.push(`  ${startId}(( ))`);
  for (const state of machine.states) lines.push(`  ${mermaidStateId(state)}(${quoted(state)})`);
  // linkStyle counts edges in the order they are written, from 0.
  let edge = 0;
  const linkStyles: string[] = [];
  for (const state of machine.creatable) {
    lines.push(`  ${startId} --> ${mermaidStateId(state)}`);
    edge += 1;
  }
  for (const move of machine.moves) {
    const label = style.moveLabel(move.from, move.to);
    lines.push(`  ${mermaidStateId(move.from)} -->${label === undefined ? '' : `|${quoted(label)}|`} ${mermaidStateId(move.to)}`);
    const body = style.moveStyle(move.from, move.to);
    if (body !== undefined) linkStyles.push(`  linkStyle ${edge} ${body}`);
    edge += 1;
  }
  lines.push(...linkStyles);
  // A node may take several classes, one `class` line each.
  lines.push(`  class ${startId} start`);
  const byClass = new Map<string, string[]>();
  for (const state of machine.states) {
    const name = style.stateClass(state);
    if (name !== undefined) byClass.set(name, [...(byClass.get(name) ?? []), mermaidStateId(state)]);
  }
  for (const [name, ids] of byClass) lines.push(`  class ${ids.join(',')} ${name}`);
  if (machine.final.length > 0) lines.push(`  class ${machine.final.map(mermaidStateId).join(',')} final`);
  return `${lines.join('\n')}\n`;
}
