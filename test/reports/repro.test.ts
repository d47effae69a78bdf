/**
 * Goal: REPRO.md is a bug report an upstream maintainer can act on: how to reproduce
 * comes first, then the broken rule in the registry's words with its source and what was
 * seen, the steps as YAML, a bounded trace excerpt around each violation, the
 * environment (with the engine: name, version, command, clause families checked), and
 * expected vs actual. Method: render the fixtures and check the order of sections, the
 * presence of the registry text, and the exact bounds of the excerpt.
 */
import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { formatExcerptEvent, formatRepro } from '../../reports/repro.ts';
import { clauseById } from '../../spec/clauses/registry.ts';
import {
  environment,
  failingResult,
  inconclusiveResult,
  longMessage,
  notApplicableResult,
  partialEngine,
  violationSeqs,
} from './fixtures.ts';

const replayCommand = 'npx flowconform replay scenarios/cancel-nested-win32.yaml --bug prefect-17792 --seed 42';

function render(): string {
  return formatRepro(failingResult(), { replayCommand, environment, extra: { seed: 9, path: '3:1', shrinks: 4 } });
}

/** The seq numbers of the JSON lines inside the fenced jsonl blocks. */
function excerptSeqs(markdown: string): number[] {
  const blocks = [...markdown.matchAll(/```jsonl\n([\s\S]*?)\n```/g)].map((match) => match[1]!);
  return blocks.flatMap((block) => block.split('\n').map((line) => (JSON.parse(line) as { seq: number }).seq));
}

describe('formatRepro of a failed scenario', () => {
  const markdown = render();

  it('starts with a title naming the violated clauses and the scenario', () => {
    expect(markdown.split('\n')[0]).toBe('# RUN-CANCEL-01, RUN-CANCEL-04 violated in scenario `cancel-nested-win32`');
  });

  it('puts how to reproduce before the clause text, with the replay command in a code block', () => {
    const reproduceAt = markdown.indexOf('## How to reproduce');
    const mustAt = markdown.indexOf(clauseById('RUN-CANCEL-01').must);
    expect(reproduceAt).toBeGreaterThan(0);
    expect(mustAt).toBeGreaterThan(reproduceAt);
    expect(markdown.indexOf('## Violated clauses')).toBeGreaterThan(reproduceAt);
    expect(markdown).toContain(`\`\`\`sh\n${replayCommand}\n\`\`\``);
    const reproduce = markdown.slice(reproduceAt, markdown.indexOf('## Violated clauses'));
    expect(reproduce).toContain('Bug profile: `prefect-17792`');
    expect(reproduce).toContain('Seed: `42`');
    expect(reproduce).toContain('campaign seed `9`, path `3:1`, 4 shrinks');
  });

  it('quotes each violated MUST sentence and upstream source from the registry, and what was seen', () => {
    for (const id of ['RUN-CANCEL-01', 'RUN-CANCEL-04']) {
      const clause = clauseById(id);
      expect(markdown).toContain(`### ${id}\n\n> ${clause.must}`);
      expect(markdown).toContain(`Upstream source: ${clause.source.replaceAll('_', '\\_')}`);
    }
    expect(markdown).not.toContain('### PROCESS-01');
    expect(markdown).toContain('- run parent: 7 kill-failed events > killAttemptsMax 3 (seq 32, entity `parent`)');
  });

  it('escapes text that Markdown would read as HTML', () => {
    expect(markdown).toContain('pid \\<object> & "quoted"');
    expect(markdown).not.toMatch(/[^\\]<object>/);
  });

  it('gives the steps as YAML that parses back to the steps', () => {
    const yamlBlock = /```yaml\n([\s\S]*?)\n```/.exec(markdown)?.[1];
    expect(yamlBlock).toBeDefined();
    expect(parse(yamlBlock!)).toEqual({ steps: failingResult().steps });
  });

  it('excerpts 10 events before and 5 after the violations, and nothing farther away', () => {
    const seqs = excerptSeqs(markdown);
    // Violations at 30 and 32: windows 20–35 and 22–37 merge into one.
    const expected = Array.from({ length: 18 }, (_, index) => 20 + index);
    expect(seqs).toEqual(expected);
    expect(seqs).toContain(violationSeqs.cancel);
    expect(seqs).toContain(violationSeqs.kill);
    expect(markdown).not.toContain('filler event 19"');
    expect(markdown).not.toContain('filler event 38"');
    expect(markdown).not.toContain('filler event 5"');
    expect(markdown).toContain('### Around seq 30 (RUN-CANCEL-01), seq 32 (RUN-CANCEL-04)');
  });

  it('cuts long fields in the excerpt', () => {
    expect(markdown).not.toContain(longMessage);
    const line = markdown.split('\n').find((candidate) => candidate.startsWith('{"seq":25,'));
    expect(line).toBeDefined();
    expect(line!.length).toBeLessThan(250);
    expect(line).toContain('…');
  });

  it('keeps separate excerpts for violations far apart', () => {
    const result = failingResult();
    result.verdicts[1]!.violations[0]!.seq = 55;
    const seqs = excerptSeqs(formatRepro(result, { replayCommand, environment }));
    expect(seqs).toContain(30);
    expect(seqs).toContain(55);
    expect(seqs).not.toContain(36);
    expect(seqs).not.toContain(44);
    expect(seqs).toContain(45);
  });

  it('ends with the environment, then expected vs actual', () => {
    const environmentAt = markdown.indexOf('## Environment');
    const expectedAt = markdown.indexOf('## Expected vs actual');
    expect(environmentAt).toBeGreaterThan(markdown.indexOf('## Trace excerpts'));
    expect(expectedAt).toBeGreaterThan(environmentAt);
    const environmentText = markdown.slice(environmentAt, expectedAt);
    expect(environmentText).toContain('Node: `v20.20.0`');
    expect(environmentText).toContain('OS: `linux 6.8.0 x64`');
    expect(environmentText).toContain('Commit: `abc1234def`');
    expect(markdown.slice(expectedAt)).toContain(`  - Expected: ${clauseById('RUN-CANCEL-04').must}`);
  });

  it('names the engine, its version and command, and the clause families checked, in the environment', () => {
    const environmentText = markdown.slice(markdown.indexOf('## Environment'), markdown.indexOf('## Expected vs actual'));
    expect(environmentText).toContain('- Engine: `acme-orchestrator` version `2.3.1`\n');
    expect(environmentText).toContain('- Engine command: `node acme/flowconform-server.mjs --port 0`');
    expect(environmentText).toContain('- Clause families checked: transitions, run-cancel, workflow, process');
    expect(environmentText).toContain('- Clause families not checked: deployment, instance, restart');
    expect(environmentText).not.toContain('capabilities: unknown');
  });

  it('is not huge', () => {
    expect(markdown.length).toBeLessThan(10_000);
  });
});

describe('formatRepro of an inconclusive scenario', () => {
  const markdown = formatRepro(inconclusiveResult(), { replayCommand: 'npx flowconform replay x.yaml', environment });

  it('says why, lists undecided clauses, and shows the end of the trace', () => {
    expect(markdown.split('\n')[0]).toBe('# Inconclusive run of scenario `terminate-archive-failing`');
    expect(markdown.indexOf('## How to reproduce')).toBeLessThan(markdown.indexOf('## Why the run is inconclusive'));
    expect(markdown).toContain('engine crashed: exit code 139 during step 2 (terminate)');
    expect(markdown).toContain('- WF-TERMINAL-01: trace ended before terminateBoundMs');
    expect(markdown).not.toContain('## Violated clauses');
    expect(excerptSeqs(markdown)).toEqual([0, 1, 2]);
    expect(markdown).toContain('Scenario file: none, the scenario was generated');
  });
});

describe('formatRepro and the engine', () => {
  const environmentOf = (markdown: string): string =>
    markdown.slice(markdown.indexOf('## Environment'), markdown.indexOf('## Expected vs actual'));

  it("falls back to the suite's engine, saying so, when the scenario reached none", () => {
    const result = inconclusiveResult();
    result.engine = null;
    const text = environmentOf(formatRepro(result, { replayCommand, environment, engine: partialEngine() }));
    expect(text).toContain("- Engine: `acme-orchestrator` version `2.3.1` (the suite's engine; it did not start for this scenario)");
    expect(text).toContain('- Engine command: `node acme/flowconform-server.mjs --port 0`');
  });

  it('says the engine is unknown when neither the scenario nor the suite has one', () => {
    const result = inconclusiveResult();
    result.engine = null;
    const text = environmentOf(formatRepro(result, { replayCommand, environment, engine: null }));
    expect(text).toContain('- Engine: unknown (it was not started)');
    expect(text).not.toContain('Engine command');
  });

  it('says when the handshake did not complete', () => {
    const result = inconclusiveResult();
    result.engine = { ...partialEngine(), capabilities: null, checkedFamilies: [] };
    const text = environmentOf(formatRepro(result, { replayCommand, environment }));
    expect(text).toContain('- Engine capabilities: unknown (the handshake did not complete)');
    expect(text).toContain('- Clause families checked: none');
  });

  it('renders a not-applicable scenario saying what the engine lacks, with no violated clause', () => {
    const markdown = formatRepro(notApplicableResult(), { replayCommand, environment });
    expect(markdown.split('\n')[0]).toBe('# Scenario `deploy-update-during-backlog` not applicable to this engine');
    expect(markdown).toContain('## Why the scenario is not applicable');
    expect(markdown).toContain('engine lacks operation deploy, a driven clock, operation advance-clock');
    expect(markdown).not.toContain('## Violated clauses');
    expect(markdown).not.toContain('inconclusive');
  });
});

describe('formatExcerptEvent', () => {
  it('puts seq and kind first and summarises large nested objects', () => {
    const line = formatExcerptEvent({
      seq: 3,
      timeMs: 0,
      wallMs: 1,
      kind: 'request',
      op: 'start-process-instance',
      requestId: 'r1',
      args: Object.fromEntries(Array.from({ length: 40 }, (_, index) => [`key${index}`, `value ${index}`])),
      outcome: 'ok',
      answer: { code: 0 },
    });
    expect(line.startsWith('{"seq":3,"kind":"request",')).toBe(true);
    expect(line).toContain('"args":"{… 40 keys}"');
    expect(line).toContain('"answer":{"code":0}');
  });
});
