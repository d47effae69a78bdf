/**
 * Goal: the machines as Mermaid text say exactly what the machines say, and spec coverage
 * drawn on them marks what a suite reached and greys what it did not. `flowconform spec
 * --mermaid` prints one `stateDiagram-v2` per machine (every state, every creation, every
 * legal move, every final state); the HTML report's coverage diagram styles each move by
 * its count, and its closing note names what was never reached.
 * Method: the text is read line by line against spec/machine-description.ts; coverage is
 * hand-made. Whether Mermaid draws the text is the browser test's job
 * (test/reports/html-browser.test.ts).
 */
import { describe, expect, it } from 'vitest';
import type { SpecCoverage } from '../../harness/coverage/spec-coverage-types.ts';
import type { HtmlReportAssets } from '../../reports/html/assets.ts';
import { coverageView } from '../../reports/html/coverage-diagram.ts';
import { toHtmlReport, type HtmlReportData } from '../../reports/html/page.ts';
import { describeMachine, describeMachines } from '../../spec/machine-description.ts';
import { machineStateDiagram, mermaidStateId } from '../../spec/mermaid.ts';
import { runMain } from '../support/run-main.ts';
import { environment, partialEngine, passingResult } from './fixtures.ts';

describe('machineStateDiagram', () => {
  it('declares every state, an arrow from the start to each creatable state, every move and an arrow from each final state to the end', () => {
    for (const machine of describeMachines()) {
      const lines = machineStateDiagram(machine).trimEnd().split('\n');
      expect(lines.slice(0, 4)).toEqual(['---', `title: ${JSON.stringify(`${machine.kind}: ${machine.upstream}`)}`, '---', 'stateDiagram-v2']);
      const body = lines.slice(4);
      expect(body.filter((line) => line.startsWith('  state '))).toEqual(machine.states.map((state) => `  state "${state}" as ${mermaidStateId(state)}`));
      expect(body.filter((line) => line.startsWith('  [*] --> '))).toEqual(machine.creatable.map((state) => `  [*] --> ${mermaidStateId(state)}`));
      expect(body.filter((line) => / --> s_/.test(line) && !line.startsWith('  [*]'))).toEqual(
        machine.moves.map((move) => `  ${mermaidStateId(move.from)} --> ${mermaidStateId(move.to)}`),
      );
      expect(body.filter((line) => line.endsWith(' --> [*]'))).toEqual(machine.final.map((state) => `  ${mermaidStateId(state)} --> [*]`));
    }
  });

  it('gives every state an id Mermaid accepts, distinct within its machine', () => {
    for (const machine of describeMachines()) {
      const ids = machine.states.map(mermaidStateId);
      for (const id of ids) expect(id).toMatch(/^s_[A-Za-z0-9_]+$/);
      expect(new Set(ids).size).toBe(ids.length);
    }
    expect(mermaidStateId('SCHEDULED/Late')).toBe('s_SCHEDULED_Late');
  });
});

describe('flowconform spec --mermaid', () => {
  it('prints one fenced mermaid block per machine under a heading', async () => {
    const { code, stdout } = await runMain(['spec', '--mermaid']);
    expect(code).toBe(0);
    const machines = describeMachines();
    expect(stdout.match(/^```mermaid$/gm)).toHaveLength(machines.length);
    for (const machine of machines) {
      expect(stdout).toContain(`## ${machine.kind}: ${machine.upstream}\n\n\`\`\`mermaid\n${machineStateDiagram(machine)}\`\`\`\n`);
    }
  });

  it('refuses two formats at once (exit 2)', async () => {
    const { code, stderr } = await runMain(['spec', '--mermaid', '--json']);
    expect(code).toBe(2);
    expect(stderr).toContain('--json and --mermaid are two formats');
  });
});

/** Coverage of the command machine only: CREATED → CLAIMED → CONSUMED reached by 3 scenarios, CLAIMED → CREATED by 1. */
function commandCoverage(): SpecCoverage {
  const machine = describeMachine('command');
  const reached: Record<string, number> = { 'CREATED→CLAIMED': 3, 'CLAIMED→CONSUMED': 3, 'CLAIMED→CREATED': 1 };
  return {
    scenarios: 4,
    machines: [
      {
        kind: 'command',
        states: machine.states.map((state) => ({ state, scenarios: state === 'ERROR' ? 0 : 3 })),
        transitions: machine.moves.map((move) => ({ from: move.from, to: move.to, scenarios: reached[`${move.from}→${move.to}`] ?? 0 })),
      },
    ],
    clauses: [
      { clauseId: 'INSTANCE-01', scenarios: 3, situations: 30 },
      { clauseId: 'INSTANCE-05', scenarios: 0, situations: 0 },
    ],
  };
}

describe('coverageView', () => {
  it('marks reached moves (green, labelled with their count) and greys the others, and lists what was never reached', () => {
    const machine = describeMachine('command');
    const [view] = coverageView(commandCoverage()).machines;
    expect(view).toMatchObject({ kind: 'command', statesReached: 3, statesTotal: 4, movesReached: 3, movesTotal: machine.moves.length });
    expect(view!.unreachedStates).toEqual(['ERROR']);
    expect(view!.unreachedMoves).toEqual(machine.moves.filter((move) => !['CREATED→CLAIMED', 'CLAIMED→CONSUMED', 'CLAIMED→CREATED'].includes(`${move.from}→${move.to}`)).map((move) => `${move.from} → ${move.to}`));
    const lines = view!.diagram.split('\n');
    expect(lines[0]).toBe('flowchart TB');
    expect(lines).toContain(`  ${mermaidStateId('CREATED')} -->|"3"| ${mermaidStateId('CLAIMED')}`);
    expect(lines).toContain(`  ${mermaidStateId('CLAIMED')} -->|"1"| ${mermaidStateId('CREATED')}`);
    // linkStyle counts edges from 0 in the order written: the creations first, then the moves.
    const edges = lines.filter((line) => line.includes(' --> ') || line.includes(' -->|'));
    const styles = new Map(lines.filter((line) => line.startsWith('  linkStyle ')).map((line) => {
      const [, index, body] = /^ {2}linkStyle (\d+) (.*)$/.exec(line)!;
      return [Number(index), body!] as const;
    }));
    for (const [index, edge] of edges.entries()) {
      if (edge.startsWith('  start_ ')) expect(styles.has(index)).toBe(false);
      else if (edge.includes('-->|')) expect(styles.get(index)).toMatch(/stroke:#238b45/);
      else expect(styles.get(index)).toMatch(/stroke-dasharray/);
    }
    expect(lines).toContain(`  class ${mermaidStateId('ERROR')} unreached`);
    expect(lines).toContain(`  class ${machine.final.map(mermaidStateId).join(',')} final`);
  });

  it('names the clauses no scenario judged on a situation that occurred', () => {
    expect(coverageView(commandCoverage()).clausesNeverExercised).toEqual(['INSTANCE-05']);
  });
});

describe('the HTML report with coverage', () => {
  it('holds each machine of the coverage as a diagram, and a closing note naming what was never reached', () => {
    const assets: HtmlReportAssets = { libraries: [], pageScript: '' };
    const html = toHtmlReport(
      { command: 'run', startedAt: '2026-12-02T10:00:00.000Z', durationMs: 1, bug: null, seed: 1, environment, engine: partialEngine(), results: [passingResult()], coverage: commandCoverage() },
      { assets, replayCommandFor: () => 'replay' },
    );
    expect(html.match(/data-testid="machine-diagram"/g)).toHaveLength(1);
    expect(html).toContain('<strong>command</strong> (DolphinScheduler t_ds_command row): 3 of 4 states and 3 of');
    const note = /<div class="closing-note" data-testid="coverage-note">([\s\S]*?)<\/div>/.exec(html)![1]!;
    expect(note).toContain('What this suite never reaches');
    expect(note).toContain('states ERROR');
    expect(note).toContain('INSTANCE-05');
    const data = JSON.parse(/<script type="application\/json" id="report-data">([\s\S]*?)<\/script>/.exec(html)![1]!) as HtmlReportData;
    expect(data.diagrams?.map((diagram) => diagram.kind)).toEqual(['command']);
  });
});
