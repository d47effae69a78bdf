/**
 * Goal: the HTML report's data is right before any browser draws it. `timelineOf` turns a
 * trace into lanes, segments and markers: entity state segments from pushed transitions
 * and from the transitions derived from read-backs, a lane per process from spawn to
 * death with survivors of the teardown marked, answers, signals, kill failures and faults
 * as markers, violations on the lane of the entity they name (or a lane of their own)
 * with the clause's sentence and the trace excerpt, and bounds for a burst. The page
 * (`toHtmlReport`) escapes what it embeds and carries the hooks the browser test uses.
 * Method: small hand-made traces (test/checker/trace-builder.ts) in results built here;
 * the page is rendered with stand-in library code, so these tests read no bundle.
 */
import { describe, expect, it } from 'vitest';
import type { ScenarioResult, SuiteResult } from '../../harness/result.ts';
import type { HtmlReportAssets } from '../../reports/html/assets.ts';
import { escapeHtml, jsonForScript, scriptText, toHtmlReport, type HtmlReportData } from '../../reports/html/page.ts';
import {
  entityLanesPerKindMax,
  processCategories,
  requestBinsMax,
  stepCategories,
  timelineOf,
  type ScenarioTimeline,
} from '../../reports/html/timeline-data.ts';
import { timelineSpec, violationLayerName } from '../../reports/html/timeline-spec.ts';
import { formatRepro } from '../../reports/repro.ts';
import { findClause } from '../../reports/text.ts';
import type { TraceEvent } from '../../trace/events.ts';
import { TraceBuilder } from '../checker/trace-builder.ts';
import { environment, partialEngine } from './fixtures.ts';

function resultOf(trace: TraceEvent[], overrides: Partial<ScenarioResult> = {}): ScenarioResult {
  return {
    scenario: 'hand-made',
    description: 'A hand-made trace.',
    file: null,
    platform: 'win32',
    bug: 'prefect-17792',
    seed: 1,
    outcome: 'pass',
    verdicts: [],
    durationMs: 5030,
    tracePath: null,
    steps: [],
    missingCapabilities: [],
    engine: partialEngine(),
    trace,
    ...overrides,
  };
}

interface CancelStory {
  trace: TraceEvent[];
  /** Seq of the parent's move to CANCELLING. */
  cancellingSeq: number;
}

/**
 * A cancel of a run with one subflow whose kill fails: the subflow's process is killed,
 * the parent's survives until teardown; instances are only read back (no pushed
 * instance transitions), so their lane comes from derived transitions.
 */
function cancelStory(): CancelStory {
  const trace = new TraceBuilder();
  trace.meta({}, { platform: 'win32', bug: 'prefect-17792' });
  trace.atWall(5).step(0, 'begin', { start: { run: 'parent' } });
  trace.atWall(10).transition('run', 'parent', null, 'PENDING', { cause: 'execute' });
  trace.atWall(15).processEvent('spawn', 'parent', { pid: 100, parentPid: 1 });
  trace.atWall(20).transition('run', 'parent', 'PENDING', 'RUNNING/Running', { cause: 'process-started' });
  trace.atWall(25).request('start-run', 'op-1', { args: { run: 'parent' }, answer: { state: 'PENDING' } });
  trace.atWall(30).processEvent('spawn', 'parent.child', { pid: 101, parentPid: 100 });
  trace.atWall(31).transition('run', 'parent.child', null, 'RUNNING', { parentId: 'parent', cause: 'subflow-started' });
  trace.atWall(40).step(0, 'end', { start: { run: 'parent' } }, { outcome: 'ok' });
  trace.atWall(90).step(1, 'begin', { cancel: { run: 'parent' } });
  const cancelling = trace.atWall(100).transition('run', 'parent', 'RUNNING', 'CANCELLING', { cause: 'cancel' });
  trace.atWall(101).transition('run', 'parent.child', 'RUNNING', 'CANCELLING', { parentId: 'parent', cause: 'parent-cancelling' });
  trace.atWall(105).processEvent('signal', 'parent', { pid: 101, signal: 'SIGKILL' });
  trace.atWall(110).processEvent('exit', 'parent.child', { pid: 101, signal: 'SIGKILL', code: null });
  trace.atWall(111).processEvent('kill-failed', 'parent', { error: 'TypeError: The "pid" argument must be of type number' });
  trace.atWall(112).request('cancel-run', 'op-2', { args: { run: 'parent' }, answer: { state: 'CANCELLING' } });
  trace.atWall(120).step(1, 'end', { cancel: { run: 'parent' } }, { outcome: 'ok' });
  trace.atWall(150).observe('instance', 'i-1', 'SUBMITTED_SUCCESS', { requestId: 'req-1' });
  trace.atWall(200).observe('instance', 'i-1', 'RUNNING_EXECUTION', { requestId: 'req-1' });
  trace.atWall(300).fault('inject', 'worker-kill', { target: 'parent', pid: 100 });
  trace.atWall(5000).teardown();
  trace.atWall(5010).processEvent('exit', 'parent', { pid: 100, signal: 'SIGKILL', code: null });
  trace.atWall(5020).observeProcess(100, 'parent', false, { reason: 'scenario-end' });
  trace.atWall(5030).end();
  return { trace: trace.build(), cancellingSeq: cancelling.seq };
}

function failingCancel(): { result: ScenarioResult; cancellingSeq: number } {
  const { trace, cancellingSeq } = cancelStory();
  const result = resultOf(trace, {
    outcome: 'fail',
    verdicts: [
      {
        clauseId: 'RUN-CANCEL-01',
        valid: false,
        violations: [{ clauseId: 'RUN-CANCEL-01', message: 'run parent stayed CANCELLING </script><b>', seq: cancellingSeq, entity: 'parent' }],
        unknownReasons: [],
        exercised: 1,
      },
      {
        clauseId: 'PROCESS-01',
        valid: false,
        violations: [{ clauseId: 'PROCESS-01', message: 'a process outlived the scenario', seq: null }],
        unknownReasons: [],
        exercised: 1,
      },
      { clauseId: 'TRANSITION-01', valid: true, violations: [], unknownReasons: [], exercised: 3 },
    ],
  });
  return { result, cancellingSeq };
}

function segmentsOf(timeline: ScenarioTimeline, lane: string) {
  return timeline.segments.filter((segment) => segment.lane === lane).map(({ category, startMs, endMs }) => ({ category, startMs, endMs }));
}

describe('timelineOf', () => {
  it('gives a lane per entity and per process, after the lanes of steps, requests and faults, with a lane for violations of no entity first', () => {
    const timeline = timelineOf(failingCancel().result);
    expect(timeline.lanes.map((lane) => lane.label)).toEqual([
      'violations (whole trace)',
      'steps',
      'requests (at the answer)',
      'faults',
      'run parent',
      'subflow parent.child',
      'instance i-1',
      'pid 100 parent (survived)',
      'pid 101 parent.child',
    ]);
    expect(timeline.endMs).toBe(5030);
    expect(timeline.notes).toEqual([]);
  });

  it('draws state segments from transitions, run states in canonical form, each open to the end of the trace', () => {
    const timeline = timelineOf(failingCancel().result);
    expect(segmentsOf(timeline, 'run parent')).toEqual([
      { category: 'PENDING', startMs: 10, endMs: 20 },
      { category: 'RUNNING', startMs: 20, endMs: 100 },
      { category: 'CANCELLING', startMs: 100, endMs: 5030 },
    ]);
    expect(segmentsOf(timeline, 'subflow parent.child')).toEqual([
      { category: 'RUNNING', startMs: 31, endMs: 101 },
      { category: 'CANCELLING', startMs: 101, endMs: 5030 },
    ]);
  });

  it('draws an entity the engine pushes no transitions of from its read-backs (derived transitions, cause observed)', () => {
    const timeline = timelineOf(failingCancel().result);
    expect(segmentsOf(timeline, 'instance i-1')).toEqual([
      { category: 'SUBMITTED_SUCCESS', startMs: 150, endMs: 200 },
      { category: 'RUNNING_EXECUTION', startMs: 200, endMs: 5030 },
    ]);
    expect(timeline.segments.find((segment) => segment.lane === 'instance i-1')?.detail).toContain('cause observed');
  });

  it('draws each process from spawn to death, and a survivor of the teardown on past it', () => {
    const timeline = timelineOf(failingCancel().result);
    expect(segmentsOf(timeline, 'pid 100 parent (survived)')).toEqual([
      { category: processCategories.alive, startMs: 15, endMs: 5000 },
      { category: processCategories.survived, startMs: 5000, endMs: 5010 },
    ]);
    expect(timeline.lanes.find((lane) => lane.pid === 100)?.survivor).toBe(true);
    expect(segmentsOf(timeline, 'pid 101 parent.child')).toEqual([{ category: processCategories.alive, startMs: 30, endMs: 110 }]);
    expect(timeline.lanes.find((lane) => lane.pid === 101)?.survivor).toBe(false);
  });

  it('marks answers, signals, a kill failure (on the lane of its owner) and faults, and draws steps', () => {
    const timeline = timelineOf(failingCancel().result);
    const markers = timeline.markers.map(({ lane, atMs, type, category }) => ({ lane, atMs, type, category }));
    expect(markers).toEqual(
      expect.arrayContaining([
        { lane: 'requests (at the answer)', atMs: 25, type: 'answer', category: 'answer ok' },
        { lane: 'requests (at the answer)', atMs: 112, type: 'answer', category: 'answer ok' },
        { lane: 'pid 101 parent.child', atMs: 105, type: 'signal', category: 'SIGKILL' },
        { lane: 'run parent', atMs: 111, type: 'kill-failed', category: 'kill failed' },
        { lane: 'faults', atMs: 300, type: 'fault', category: 'inject worker-kill' },
      ]),
    );
    expect(markers).toHaveLength(5);
    expect(segmentsOf(timeline, 'steps')).toEqual([
      { category: stepCategories.ok, startMs: 5, endMs: 40 },
      { category: stepCategories.ok, startMs: 90, endMs: 120 },
    ]);
  });

  it("marks each violation on its entity's lane where it happened, with the clause's sentence and the trace excerpt REPRO.md shows", () => {
    const { result, cancellingSeq } = failingCancel();
    const [cancel, whole] = timelineOf(result).violations;
    expect(cancel).toMatchObject({
      index: 0,
      lane: 'run parent',
      atMs: 100,
      clauseId: 'RUN-CANCEL-01',
      must: findClause('RUN-CANCEL-01')!.must,
      seq: cancellingSeq,
      entity: 'parent',
    });
    // 10 events before, the event, 5 after: the window of reports/repro.ts.
    expect(cancel!.excerpt).toHaveLength(16);
    expect(cancel!.excerpt!.filter((line) => line.startsWith(`{"seq":${cancellingSeq},`))).toHaveLength(1);
    expect(whole).toMatchObject({ index: 1, lane: 'violations (whole trace)', atMs: 5030, clauseId: 'PROCESS-01', seq: null, entity: null, excerpt: null });
  });

  it('draws the teardown and the deadline of each acknowledged cancel', () => {
    const timeline = timelineOf(failingCancel().result);
    expect(timeline.rules.map((rule) => rule.atMs)).toEqual([5000, 112 + 4000]);
    expect(timeline.rules[1]!.label).toContain('cancel bound of run parent');
  });

  it('keeps a burst readable: answers aggregated in time bins, lanes per kind bounded with the violated entity kept, each cut noted', () => {
    const trace = new TraceBuilder();
    trace.meta();
    for (let index = 0; index < 1000; index += 1) {
      trace.atWall(10 + index);
      trace.request('start-process-instance', `req-${index}`, { args: { requestId: `req-${index}` }, outcome: index === 500 ? 'info' : 'ok' });
      trace.transition('instance', `i-${index}`, null, 'SUBMITTED_SUCCESS', { cause: 'handle-command', attributes: { requestId: `req-${index}`, commandId: `c-${index}` } });
    }
    trace.atWall(2000).end();
    const result = resultOf(trace.build(), {
      outcome: 'fail',
      verdicts: [
        {
          clauseId: 'INSTANCE-04',
          valid: false,
          violations: [{ clauseId: 'INSTANCE-04', message: 'instance i-900 twice', seq: 1801, entity: 'i-900' }],
          unknownReasons: [],
          exercised: 1,
        },
      ],
    });
    const timeline = timelineOf(result);
    const answers = timeline.markers.filter((marker) => marker.type === 'answer');
    expect(answers.length).toBeLessThanOrEqual(requestBinsMax + 1);
    expect(answers.reduce((sum, marker) => sum + marker.count, 0)).toBe(1000);
    expect(answers.filter((marker) => marker.category === 'answer info')).toHaveLength(1);
    const instanceLanes = timeline.lanes.filter((lane) => lane.entity?.kind === 'instance');
    expect(instanceLanes).toHaveLength(entityLanesPerKindMax);
    expect(instanceLanes.map((lane) => lane.label)).toContain('instance i-900');
    expect(timeline.violations[0]!.lane).toBe('instance i-900');
    expect(timeline.notes.join('\n')).toContain(`instance: ${entityLanesPerKindMax} of 1000 lanes shown`);
    expect(timeline.notes.join('\n')).toMatch(/requests: 1000 answers drawn as \d+ markers/);
  });

  it('says why a scenario has no timeline', () => {
    expect(timelineOf(resultOf([], { outcome: 'not-applicable' })).notes).toEqual(['Nothing ran: the scenario is not applicable to this engine.']);
  });
});

describe('timelineSpec', () => {
  it('is a layered vega-lite spec with its data inline and the violations in the named layer', () => {
    const timeline = timelineOf(failingCancel().result);
    const spec = timelineSpec(timeline) as { datasets: Record<string, unknown[]>; layer: Array<{ name?: string; data: { name: string } }> };
    expect(Object.keys(spec.datasets).sort()).toEqual(['markers', 'rules', 'segments', 'violations']);
    expect(spec.datasets['violations']).toHaveLength(2);
    const layer = spec.layer.find((candidate) => candidate.name === violationLayerName);
    expect(layer?.data).toEqual({ name: 'violations' });
    expect(JSON.stringify(spec)).not.toMatch(/"url"/);
  });
});

describe('toHtmlReport', () => {
  const assets: HtmlReportAssets = {
    libraries: [
      { name: 'vega', version: '6.2.0', code: 'var s = "</script><!-- <script>";', deferred: false },
      { name: 'mermaid', version: '11.17.2', code: 'var m = "</SCRIPT>";', deferred: true },
    ],
    pageScript: 'window.ready = true;',
  };

  function suiteOf(results: ScenarioResult[], coverage?: SuiteResult['coverage']): SuiteResult {
    return {
      command: 'run',
      startedAt: '2026-12-02T10:00:00.000Z',
      durationMs: 5100,
      bug: 'prefect-17792',
      seed: 1,
      environment,
      engine: partialEngine(),
      results,
      ...(coverage === undefined ? {} : { coverage }),
    };
  }

  /** The page's options for a replay command: the command, and the REPRO.md text writeReports would pass. */
  function replayOptions(replayCommand: string) {
    return {
      replayCommandFor: () => replayCommand,
      reproFor: (result: ScenarioResult) => formatRepro(result, { replayCommand, environment, engine: partialEngine() }),
    };
  }

  function dataOf(html: string): HtmlReportData {
    const match = /<script type="application\/json" id="report-data">([\s\S]*?)<\/script>/.exec(html);
    return JSON.parse(match![1]!) as HtmlReportData;
  }

  it('escapes text, embedded data and inlined code so nothing closes an element early', () => {
    expect(escapeHtml(`<a href="x">'&'</a>`)).toBe('&#60;a href=&#34;x&#34;&#62;&#39;&#38;&#39;&#60;/a&#62;');
    expect(jsonForScript({ text: '</script>' })).toBe('{"text":"\\u003c/script>"}');
    expect(scriptText('"</script><!--<SCRIPT>"')).toBe('"\\x3C/script>\\x3C!--\\x3CSCRIPT>"');
    const html = toHtmlReport(suiteOf([failingCancel().result]), { assets, ...replayOptions('npx flowconform replay x.yaml') });
    // Only the page's own script elements close: the data, two libraries, the page script.
    expect(html.match(/<\/script>/g)).toHaveLength(4);
    expect(html).not.toContain('<b>');
    expect(dataOf(html).scenarios[0]!.violations[0]!.message).toBe('run parent stayed CANCELLING </script><b>');
    expect(html).toContain('<script data-library="mermaid" type="text/plain" id="library-mermaid">');
  });

  it('shows the verdicts, the engine, the families checked and the REPRO.md text, with the hooks the browser test uses', () => {
    const html = toHtmlReport(suiteOf([failingCancel().result]), {
      assets,
      ...replayOptions('npx flowconform replay x.yaml --bug prefect-17792'),
      reproLinkFor: () => 'hand-made/REPRO.md',
    });
    expect(html).toContain('acme-orchestrator 2.3.1');
    expect(html).toContain('transitions, run-cancel, workflow, process');
    expect(html).toMatch(/data-testid="scenario" data-scenario="hand-made"/);
    expect(html).toContain('data-testid="timeline"');
    expect(html).toContain('data-testid="violation-details"');
    expect(html).toContain('<a href="hand-made/REPRO.md">');
    expect(html).toContain('# RUN-CANCEL-01, PROCESS-01 violated in scenario `hand-made`');
    expect(html).toContain('Spec coverage was not computed for this suite');
    const data = dataOf(html);
    expect(data.scenarios[0]!.spec).not.toBeNull();
    expect(data.diagrams).toBeNull();
  });
});
