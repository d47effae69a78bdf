/**
 * The HTML report (`index.html`): one self-contained page that opens offline and fetches
 * nothing. It shows the suite's verdicts, the engine and the clause families checked;
 * per scenario a timeline (reports/html/timeline-data.ts, drawn by vega-lite from
 * timeline-spec.ts) with each violation marked where it happened, and selecting a marker
 * shows the clause, what was seen, the trace excerpt and the scenario's REPRO.md; and the
 * spec coverage machine by machine, as Mermaid diagrams with the moves the suite reached
 * marked and the others greyed (coverage-diagram.ts).
 *
 * Pure: `toHtmlReport` renders a string from the suite and the assets (the library
 * bundles and the page's script, read by assets.ts). Everything from the suite is
 * escaped: text into HTML by `escapeHtml`, data into a `<script type="application/json">`
 * by `jsonForScript`, and the bundles by `scriptText`, so no text can close a tag early.
 *
 * Stable hooks for tests and readers: each scenario is `[data-testid="scenario"]` with
 * `data-scenario="<name>"`; inside it `[data-testid="timeline"]` holds the chart, whose
 * violation markers the page script tags `[data-testid="violation-marker"]`, and
 * `[data-testid="violation-details"]` is the panel a selected marker fills. The root
 * element gets `data-timelines="ready"` once the charts of the scenarios open at load are
 * drawn, and `data-diagrams="ready"` once the machine diagrams are.
 */
import type { ClauseVerdict, ScenarioResult, SuiteResult } from '../../harness/result.ts';
import { countOutcomes } from '../console.ts';
import { clauses } from '../../spec/clauses/registry.ts';
import { findClause, inconclusiveReason, listOrNone, missingText, uncheckedFamilies, violatedClauseIds } from '../text.ts';
import type { HtmlReportAssets, InlinedLibrary } from './assets.ts';
import { coverageView, type CoverageView } from './coverage-diagram.ts';
import { timelineOf, type ScenarioTimeline, type ViolationMarker } from './timeline-data.ts';
import { timelineSpec, violationMarkClass } from './timeline-spec.ts';

export interface HtmlReportOptions {
  assets: HtmlReportAssets;
  /** The one-line shell command that replays a scenario (shown with it). */
  replayCommandFor(result: ScenarioResult): string;
  /** The scenario's REPRO.md text (reports/repro.ts), shown with it; null (or no function) for a scenario that has none. */
  reproFor?(result: ScenarioResult, index: number): string | null;
  /** Link from the report to the scenario's REPRO.md (relative), or null when none is written beside it. */
  reproLinkFor?(result: ScenarioResult, index: number): string | null;
}

/** What the page shows of one scenario, each computed once. */
interface ScenarioView {
  timeline: ScenarioTimeline;
  /** The REPRO.md text, or null. */
  repro: string | null;
  reproLink: string | null;
  /** The shell command that replays it. */
  replay: string;
}

/** Scenarios whose section is open, and whose timeline is drawn, when the page opens (count). */
export const scenariosOpenMax = 5;

/** What the page script reads (`#report-data`). */
export interface HtmlReportData {
  scenarios: Array<{
    index: number;
    name: string;
    /** The vega-lite spec of the timeline, or null when the scenario has no trace. */
    spec: object | null;
    violations: ViolationMarker[];
    reproLink: string | null;
  }>;
  /** Mermaid text per machine, or null when coverage was not computed. */
  diagrams: Array<{ kind: string; diagram: string }> | null;
  violationMarkClass: string;
}

const outcomeLabels: Record<ScenarioResult['outcome'], string> = {
  pass: 'PASS',
  fail: 'FAIL',
  inconclusive: 'INCONCLUSIVE',
  'not-applicable': 'N/A',
};

/** `&`, `<`, `>`, `"` and `'` as entities: safe in text and in quoted attributes. */
export function escapeHtml(text: string): string {
  return text.replace(/[&<>"']/g, (character) => `&#${character.charCodeAt(0)};`);
}

/**
 * JSON for a `<script type="application/json">`: every `<` as `\u003c` (only strings can
 * hold one, and JSON.parse reads the escape back), so neither `</script>` nor `<!--` can
 * end or change the element.
 */
export function jsonForScript(value: unknown): string {
  return JSON.stringify(value).replace(/</g, '\\u003c');
}

/**
 * JavaScript for an inline `<script>`: `</script`, `<script` and `<!--` (which would end
 * the element, or switch the HTML parser into a state where `</script>` does not end it)
 * get their `<` written as `\x3C`. In the bundles these occur only inside string and
 * regular-expression literals, where `\x3C` means `<`.
 */
export function scriptText(code: string): string {
  return code.replace(/<(\/script|script|!--)/gi, '\\x3C$1');
}

function formatMs(ms: number): string {
  return ms >= 10_000 ? `${(ms / 1000).toFixed(1)} s` : `${Math.round(ms)} ms`;
}

function badge(outcome: ScenarioResult['outcome']): string {
  return `<span class="badge ${outcome}">${outcomeLabels[outcome]}</span>`;
}

/** Scenarios opened at load: failed and inconclusive ones first, up to the bound; else the first with a trace. */
function openIndexes(results: readonly ScenarioResult[]): Set<number> {
  const bad = results.flatMap((result, index) => (result.outcome === 'fail' || result.outcome === 'inconclusive' ? [index] : []));
  if (bad.length > 0) return new Set(bad.slice(0, scenariosOpenMax));
  const first = results.findIndex((result) => result.trace.length > 0);
  return new Set(first >= 0 ? [first] : []);
}

function headerSection(suite: SuiteResult): string {
  const totals = countOutcomes(suite);
  const engine = suite.engine;
  const rows: Array<[string, string]> = [
    ['command', `flowconform ${suite.command}`],
    ['started', `${suite.startedAt}, took ${formatMs(suite.durationMs)}`],
    ['seed', String(suite.seed)],
    ['bug profile', suite.bug ?? 'none (the engine as shipped)'],
    ['engine', engine === null ? 'unknown (it was not started)' : `${engine.name} ${engine.version}`],
    ['engine command', engine?.command ?? 'unknown'],
    ['clause families checked', listOrNone(engine?.checkedFamilies ?? [])],
    ['clause families not checked', listOrNone(uncheckedFamilies(engine))],
    ['environment', `node ${suite.environment.node}, ${suite.environment.os}, commit ${suite.environment.commit ?? 'unknown'}`],
  ];
  const verdict =
    totals.failed > 0 ? 'violated: some clause does not hold' : totals.inconclusive > 0 ? 'inconclusive: some clause could not be decided' : 'conformant: every judged clause held';
  return `<header>
<h1>flowconform report</h1>
<p class="verdict ${totals.failed > 0 ? 'fail' : totals.inconclusive > 0 ? 'inconclusive' : 'pass'}" data-testid="suite-verdict">${escapeHtml(verdict)}: ${totals.scenarios} scenarios, ${totals.passed} passed, ${totals.failed} failed, ${totals.inconclusive} inconclusive, ${totals.notApplicable} not applicable</p>
<table class="facts">${rows.map(([name, value]) => `<tr><th>${escapeHtml(name)}</th><td>${escapeHtml(value)}</td></tr>`).join('')}</table>
</header>`;
}

function scenarioTable(suite: SuiteResult): string {
  const rows = suite.results.map((result, index) => {
    const detail =
      result.outcome === 'fail'
        ? `violated ${violatedClauseIds(result.verdicts).join(', ')}`
        : result.outcome === 'inconclusive'
          ? inconclusiveReason(result)
          : result.outcome === 'not-applicable'
            ? missingText(result.missingCapabilities)
            : `${result.verdicts.filter((verdict) => verdict.valid === true).length} clauses held`;
    return `<tr><td>${badge(result.outcome)}</td><td><a href="#scenario-${index}">${escapeHtml(result.scenario)}</a></td><td>${escapeHtml(result.platform)}</td><td class="number">${formatMs(result.durationMs)}</td><td>${escapeHtml(detail)}</td></tr>`;
  });
  return `<section id="verdicts"><h2>Verdicts by scenario</h2>
<table class="list"><thead><tr><th>outcome</th><th>scenario</th><th>platform</th><th>time</th><th>what</th></tr></thead><tbody>${rows.join('')}</tbody></table></section>`;
}

/** Per clause: in how many scenarios it held (judged or vacuously), was violated, or was undecided. */
function clauseTable(suite: SuiteResult): string {
  const counts = new Map<string, { held: number; vacuous: number; violated: number; unknown: number }>();
  for (const result of suite.results) {
    for (const verdict of result.verdicts) {
      const count = counts.get(verdict.clauseId) ?? { held: 0, vacuous: 0, violated: 0, unknown: 0 };
      if (verdict.valid === false) count.violated += 1;
      else if (verdict.valid === 'unknown') count.unknown += 1;
      else if (verdict.exercised > 0) count.held += 1;
      else count.vacuous += 1;
      counts.set(verdict.clauseId, count);
    }
  }
  if (counts.size === 0) return '';
  // Registry order; ids the registry lacks last, by name.
  const rank = (id: string) => {
    const position = clauses.findIndex((clause) => clause.id === id);
    return position < 0 ? clauses.length : position;
  };
  const familyOf = (id: string) => findClause(id)?.family ?? '';
  const ids = [...counts.keys()].sort((a, b) => rank(a) - rank(b) || a.localeCompare(b));
  const rows = ids.map((id) => {
    const count = counts.get(id)!;
    const state = count.violated > 0 ? 'fail' : count.unknown > 0 ? 'inconclusive' : 'pass';
    return `<tr class="${state}"><td><code>${escapeHtml(id)}</code></td><td>${escapeHtml(familyOf(id))}</td><td class="number">${count.held}</td><td class="number">${count.vacuous}</td><td class="number">${count.violated}</td><td class="number">${count.unknown}</td><td>${escapeHtml(findClause(id)?.must ?? '')}</td></tr>`;
  });
  return `<section id="clauses"><details><summary><h2>Verdicts by clause</h2></summary>
<p>Scenarios in which each clause held with its situation occurring, held vacuously (nothing it speaks of happened), was violated, or could not be decided.</p>
<table class="list"><thead><tr><th>clause</th><th>family</th><th>held</th><th>vacuous</th><th>violated</th><th>undecided</th><th>the rule</th></tr></thead><tbody>${rows.join('')}</tbody></table></details></section>`;
}

function undecidedList(verdicts: readonly ClauseVerdict[]): string {
  const unknown = verdicts.filter((verdict) => verdict.valid === 'unknown');
  if (unknown.length === 0) return '';
  return `<p>Undecided:</p><ul>${unknown.map((verdict) => `<li><code>${escapeHtml(verdict.clauseId)}</code>: ${escapeHtml(verdict.unknownReasons.join('; ') || 'no reason recorded')}</li>`).join('')}</ul>`;
}

function violationTable(index: number, violations: readonly ViolationMarker[]): string {
  if (violations.length === 0) return '';
  const rows = violations.map(
    (violation) =>
      `<tr><td><button type="button" class="show-violation" data-scenario-index="${index}" data-violation-index="${violation.index}">show</button></td><td><code>${escapeHtml(violation.clauseId)}</code></td><td class="number">${violation.seq ?? 'whole trace'}</td><td>${escapeHtml(violation.entity ?? '')}</td><td>${escapeHtml(violation.message)}</td></tr>`,
  );
  return `<table class="list violations"><thead><tr><th></th><th>clause</th><th>seq</th><th>entity</th><th>what was seen</th></tr></thead><tbody>${rows.join('')}</tbody></table>`;
}

function scenarioSection(result: ScenarioResult, index: number, view: ScenarioView, open: boolean): string {
  const { timeline, reproLink } = view;
  const facts: string[] = [];
  facts.push(`file ${result.file ?? 'none (generated)'}`, `seed ${result.seed}`, `platform ${result.platform}`, `bug profile ${result.bug ?? 'none'}`);
  if (result.tracePath !== null) facts.push(`trace ${result.tracePath}`);
  const why = result.outcome === 'inconclusive' ? `<p class="why">Inconclusive: ${escapeHtml(inconclusiveReason(result))}</p>` : result.outcome === 'not-applicable' ? `<p class="why">Not applicable: ${escapeHtml(missingText(result.missingCapabilities))}.</p>` : '';
  const violated = violatedClauseIds(result.verdicts);
  const repro =
    view.repro === null
      ? ''
      : `<details class="repro" data-testid="repro"><summary>REPRO.md${reproLink === null ? '' : ` (<a href="${escapeHtml(reproLink)}">open the file</a>)`}</summary><pre>${escapeHtml(view.repro)}</pre></details>`;
  const notes = timeline.notes.length > 0 ? `<ul class="notes">${timeline.notes.map((note) => `<li>${escapeHtml(note)}</li>`).join('')}</ul>` : '';
  const chart =
    timeline.lanes.length > 0
      ? `<div class="timeline" data-testid="timeline" id="timeline-${index}" role="figure" aria-label="timeline of ${escapeHtml(result.scenario)}"></div>
<p class="legend-note">Bars: the state of each entity (runs, subflows, workflows, tasks, commands, instances) and the life of each process, from spawn to death; a process still alive at teardown is named in pink and drawn on past it. Dots: answers to requests (a request is marked when its answer came), signals, kill failures, faults. Dashed lines: the teardown and the deadlines of bounds. Red triangles: violations; select one to see it below. Drag to pan, scroll to zoom.</p>`
      : '';
  return `<section class="scenario ${result.outcome}" id="scenario-${index}" data-testid="scenario" data-scenario="${escapeHtml(result.scenario)}" data-index="${index}">
<details class="scenario-body" data-index="${index}"${open ? ' open' : ''}>
<summary>${badge(result.outcome)} <strong>${escapeHtml(result.scenario)}</strong> <span class="muted">${formatMs(result.durationMs)}${violated.length > 0 ? ` — violated ${escapeHtml(violated.join(', '))}` : ''}</span></summary>
<p class="description">${escapeHtml(result.description.trim())}</p>
<p class="muted">${escapeHtml(facts.join(' · '))}</p>
<p class="muted">replay: <code>${escapeHtml(view.replay)}</code></p>
${why}${undecidedList(result.verdicts)}${notes}${chart}
<div class="violation-details" data-testid="violation-details" id="violation-details-${index}" aria-live="polite" hidden></div>
${violationTable(index, timeline.violations)}
${repro}
</details>
</section>`;
}

function coverageSection(view: CoverageView | null): string {
  if (view === null) {
    return `<section id="coverage" data-testid="coverage"><h2>Spec coverage</h2><p data-testid="coverage-note">Spec coverage was not computed for this suite, so the machines are not shown with what it reached (<code>flowconform spec --mermaid</code> draws them).</p></section>`;
  }
  const figures = view.machines.map(
    (machine) => `<figure class="machine" data-testid="machine-diagram" data-kind="${escapeHtml(machine.kind)}">
<figcaption><strong>${escapeHtml(machine.kind)}</strong> (${escapeHtml(machine.upstream)}): ${machine.statesReached} of ${machine.statesTotal} states and ${machine.movesReached} of ${machine.movesTotal} moves reached</figcaption>
<div class="diagram" id="diagram-${escapeHtml(machine.kind)}"><p class="muted">drawing…</p></div>
<details><summary>Mermaid source</summary><pre>${escapeHtml(machine.diagram)}</pre></details>
</figure>`,
  );
  const never: string[] = [];
  for (const machine of view.machines) {
    if (machine.unreachedStates.length === 0 && machine.unreachedMoves.length === 0) continue;
    const parts: string[] = [];
    if (machine.unreachedStates.length > 0) parts.push(`states ${machine.unreachedStates.join(', ')}`);
    if (machine.unreachedMoves.length > 0) parts.push(`moves ${machine.unreachedMoves.join(', ')}`);
    never.push(`<li><strong>${escapeHtml(machine.kind)}</strong>: ${escapeHtml(parts.join('; '))}</li>`);
  }
  if (view.clausesNeverExercised.length > 0) {
    never.push(`<li><strong>clauses</strong> never judged on a situation that occurred (${view.clausesNeverExercised.length} of ${view.clausesTotal}): ${escapeHtml(view.clausesNeverExercised.join(', '))}</li>`);
  }
  const note =
    never.length > 0
      ? `<div class="closing-note" data-testid="coverage-note"><p>What this suite never reaches:</p><ul>${never.join('')}</ul></div>`
      : `<div class="closing-note" data-testid="coverage-note"><p>This suite reaches every state, move and clause the engine can be held to.</p></div>`;
  return `<section id="coverage" data-testid="coverage"><h2>Spec coverage</h2>
<p>Over ${view.scenarios} scenarios that ran. Green: states and moves some scenario reached, each move labelled with the number of scenarios that made it; grey and dashed: never reached. The machines are those of the entity kinds the engine declares.</p>
${figures.join('\n')}
${note}</section>`;
}

/**
 * A library's inline script. A deferred one is kept as text (`type="text/plain"`, id
 * `library-<name>`), which the browser does not run, after the page script so the parser
 * reaches that first; the page script runs it when first needed by inserting it as a
 * script.
 */
function libraryScript(library: InlinedLibrary): string {
  const name = escapeHtml(library.name);
  const type = library.deferred ? ` type="text/plain" id="library-${name}"` : '';
  return `<script data-library="${name}"${type}>${scriptText(library.code)}</script>`;
}

const styles = `
:root { font-family: system-ui, -apple-system, "Segoe UI", Roboto, sans-serif; font-size: 14px; color: #222; }
body { margin: 0 auto; padding: 1em 2em 3em; max-width: 1500px; }
h1 { font-size: 1.6em; margin: 0.2em 0; } h2 { font-size: 1.25em; margin: 1.2em 0 0.4em; display: inline-block; }
table.facts th { text-align: left; font-weight: 600; padding-right: 1em; vertical-align: top; }
table.list { border-collapse: collapse; width: 100%; margin: 0.4em 0; }
table.list th, table.list td { border-bottom: 1px solid #e5e5e5; padding: 3px 6px; text-align: left; vertical-align: top; }
td.number { text-align: right; font-variant-numeric: tabular-nums; }
table.list td code { white-space: nowrap; }
tr.fail td:first-child { border-left: 3px solid #d62728; } tr.inconclusive td:first-child { border-left: 3px solid #ff7f0e; }
.badge { display: inline-block; min-width: 6.5em; text-align: center; border-radius: 3px; padding: 1px 4px; font-size: 0.85em; font-weight: 700; color: #fff; }
.badge.pass { background: #2ca02c; } .badge.fail { background: #d62728; } .badge.inconclusive { background: #ff7f0e; } .badge.not-applicable { background: #999; }
.verdict { font-size: 1.1em; font-weight: 600; } .verdict.fail { color: #b2182b; } .verdict.pass { color: #1a7f37; } .verdict.inconclusive { color: #b35806; }
.muted { color: #666; } code, pre { font-family: ui-monospace, Menlo, Consolas, monospace; font-size: 0.92em; }
pre { background: #f6f8fa; padding: 0.6em; overflow-x: auto; white-space: pre-wrap; word-break: break-word; }
section.scenario { border-top: 1px solid #ddd; padding: 0.3em 0; }
section.scenario > details > summary { cursor: pointer; padding: 0.3em 0; font-size: 1.05em; }
.timeline { width: 100%; min-height: 60px; margin: 0.5em 0; }
.legend-note, ul.notes { font-size: 0.9em; color: #555; }
ul.notes { background: #fff8e1; padding: 0.4em 1.6em; }
.violation-details { border: 2px solid #d62728; border-radius: 4px; padding: 0.6em 1em; margin: 0.6em 0; background: #fff5f5; }
.violation-details h3 { margin: 0 0 0.3em; font-size: 1.1em; }
.violation-details .must { font-style: italic; }
.violation-details pre .hit { background: #ffd7d7; display: block; }
figure.machine { margin: 1em 0; border: 1px solid #e5e5e5; padding: 0.5em; overflow-x: auto; }
figure.machine .diagram svg { max-width: 100%; height: auto; }
.closing-note { background: #f3f3f3; padding: 0.5em 1em; }
footer { margin-top: 3em; color: #777; font-size: 0.85em; }
`;

/**
 * The report as one HTML document. Each scenario's timeline and each machine's diagram
 * is drawn in the browser by the inlined libraries from the JSON data in the page; the
 * page works from a `file://` address and makes no request.
 */
export function toHtmlReport(suite: SuiteResult, options: HtmlReportOptions): string {
  const open = openIndexes(suite.results);
  const views: ScenarioView[] = suite.results.map((result, index) => ({
    timeline: timelineOf(result),
    repro: options.reproFor?.(result, index) ?? null,
    reproLink: options.reproLinkFor?.(result, index) ?? null,
    replay: options.replayCommandFor(result),
  }));
  const coverage = suite.coverage === undefined ? null : coverageView(suite.coverage);
  const data: HtmlReportData = {
    scenarios: views.map(({ timeline, reproLink }, index) => ({
      index,
      name: suite.results[index]!.scenario,
      spec: timeline.lanes.length > 0 ? timelineSpec(timeline) : null,
      violations: timeline.violations,
      reproLink,
    })),
    diagrams: coverage === null ? null : coverage.machines.map((machine) => ({ kind: machine.kind, diagram: machine.diagram })),
    violationMarkClass,
  };
  const libraries = options.assets.libraries;
  const title = `flowconform ${suite.command}: ${suite.engine === null ? 'no engine' : `${suite.engine.name} ${suite.engine.version}`}`;
  return `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>${escapeHtml(title)}</title>
<style>${styles}</style>
</head>
<body>
${headerSection(suite)}
${scenarioTable(suite)}
${clauseTable(suite)}
<section id="scenarios"><h2>Scenarios</h2>
${suite.results.map((result, index) => scenarioSection(result, index, views[index]!, open.has(index))).join('\n')}
</section>
${coverageSection(coverage)}
<footer>Written by flowconform. Charts by ${libraries.map((library) => `${escapeHtml(library.name)} ${escapeHtml(library.version)}`).join(', ')}, inlined in this file: it opens offline and fetches nothing.</footer>
<script type="application/json" id="report-data">${jsonForScript(data)}</script>
${libraries.filter((library) => !library.deferred).map(libraryScript).join('\n')}
<script>${scriptText(options.assets.pageScript)}</script>
${libraries.filter((library) => library.deferred).map(libraryScript).join('\n')}
</body>
</html>
`;
}
