/**
 * The vega-lite specification of one scenario's timeline (reports/html/timeline-data.ts
 * gives the rows): lanes on the y axis, the trace's wall clock on the x axis, state
 * segments as bars coloured by state, markers as points, bound deadlines and the teardown
 * as rules, and violations as red triangles on top, in the layer named
 * `violationLayerName` so the page can find them and listen for clicks on them.
 *
 * Pure, and JSON all through: the page embeds it as it is.
 */
import type { TopLevelSpec } from 'vega-lite';
import { truncate } from '../text.ts';
import { engineCategories, processCategories, stepCategories, type MarkerType, type ScenarioTimeline } from './timeline-data.ts';

/**
 * Name of the layer of violation markers. vega-lite names its mark `<name>_marks`, and
 * vega's SVG renderer gives the mark's group that class; the page tags each marker in it
 * with `data-testid="violation-marker"`.
 */
export const violationLayerName = 'violation_markers';
/** The class of the SVG group holding the violation markers (vega-lite's mark name). */
export const violationMarkClass = `${violationLayerName}_marks`;
/** The point selection that highlights the violation last clicked. */
const pickedParameter = 'picked';

/** Longest violation message in a marker's tooltip (characters). */
const tooltipMessageLengthMax = 200;
/** Height of one lane (px). */
const laneHeightPx = 18;
/** Longest lane label on the axis before it is cut (px). */
const laneLabelLimitPx = 300;

const stateColours: ReadonlyArray<readonly [RegExp, string]> = [
  // Working.
  [/^(RUNNING|IN_PROGRESS|RUNNING_EXECUTION)(\/.*)?$/, '#3182bd'],
  // Waiting to work.
  [/^SCHEDULED\/.+$/, '#c6dbef'],
  [/^(SCHEDULED|PENDING|CREATED|CLAIMED|SUBMITTED_SUCCESS|WAIT_TO_RUN|SERIAL_WAIT|DELAY_EXECUTION)$/, '#9ecae1'],
  // Paused or blocked.
  [/^(PAUSED|PAUSE|READY_PAUSE|BLOCK|READY_BLOCK)(\/.*)?$/, '#fdd835'],
  // On the way out: a cancel or stop asked, not yet done.
  [/^(CANCELLING|READY_STOP)$/, '#fd8d3c'],
  // Ended well.
  [/^(COMPLETED|SUCCESS|CONSUMED)$/, '#31a354'],
  [/^COMPLETED_WITH_ERRORS$/, '#a1d99b'],
  // Ended badly.
  [/^(FAILED|FAILURE|CRASHED|ERROR|TIMED_OUT|FAILED_WITH_TERMINAL_ERROR)$/, '#d62728'],
  // Stopped on request, or never run.
  [/^(CANCELLED|CANCELED|STOP|TERMINATED|SKIPPED)$/, '#969696'],
];

const categoryColours: Record<string, string> = {
  [processCategories.alive]: '#9467bd',
  [processCategories.survived]: '#e7298a',
  [stepCategories.ok]: '#d9d9d9',
  [stepCategories.timeout]: '#fb6a4a',
  [stepCategories.error]: '#a50f15',
  [engineCategories.crashed]: '#252525',
  [engineCategories.paused]: '#737373',
};

/** A state name the machines do not know (TRANSITION-01 reports it) is drawn in brown. */
const unknownStateColour = '#8c564b';

/** The colour of a segment's category: the harness's own categories, else the state's family. */
function segmentColour(category: string): string {
  const own = categoryColours[category];
  if (own !== undefined) return own;
  return stateColours.find(([pattern]) => pattern.test(category))?.[1] ?? unknownStateColour;
}

/** The colour of a marker's category: answers by outcome, signals black, faults by action. */
function markerColour(category: string): string {
  if (category === 'answer ok') return '#2ca02c';
  if (category === 'answer fail') return '#d62728';
  if (category === 'answer info') return '#ff7f0e';
  if (category === 'kill failed') return '#d62728';
  if (category === 'deleted') return '#636363';
  if (category.startsWith('inject ')) return '#000000';
  if (category.startsWith('clear ')) return '#969696';
  return '#111111';
}

const markerShapes: Record<MarkerType, string> = {
  answer: 'circle',
  signal: 'cross',
  'kill-failed': 'diamond',
  fault: 'diamond',
  delete: 'square',
};

function distinct<T extends string>(values: Iterable<T>): T[] {
  return [...new Set(values)];
}

/** A colour encoding of the `category` field: each category in `domain` in the colour `colourOf` gives it. */
function colourBy(title: string, domain: string[], colourOf: (category: string) => string, legend: Record<string, unknown>) {
  return { field: 'category', type: 'nominal' as const, title, scale: { domain, range: domain.map(colourOf) }, legend };
}

/** The vega-lite spec of a timeline; its data is inline (`datasets`), so the page fetches nothing. */
export function timelineSpec(timeline: ScenarioTimeline): TopLevelSpec {
  const lanes = timeline.lanes.map((lane) => lane.label);
  const segmentCategories = distinct(timeline.segments.map((segment) => segment.category));
  const markerCategories = distinct(timeline.markers.map((marker) => marker.category));
  const markerTypes = distinct(timeline.markers.map((marker) => marker.type));
  const countMax = timeline.markers.reduce((max, marker) => Math.max(max, marker.count), 1);
  const survivorLanes = timeline.lanes.filter((lane) => lane.survivor === true).map((lane) => lane.label);
  const x = {
    type: 'quantitative' as const,
    title: 'wall time since the trace began (ms)',
    scale: { domain: [0, Math.max(1, timeline.endMs)], nice: false },
  };
  const y = {
    field: 'lane',
    type: 'nominal' as const,
    title: null,
    scale: { domain: lanes },
    axis: {
      labelLimit: laneLabelLimitPx,
      // Survivors' lanes are named in red, so they are found without hovering.
      labelColor: { condition: { test: `indexof(${JSON.stringify(survivorLanes)}, datum.value) >= 0`, value: '#c51b7d' }, value: '#333333' },
    },
  };
  return {
    $schema: 'https://vega.github.io/schema/vega-lite/v6.json',
    width: 'container',
    height: { step: laneHeightPx },
    datasets: {
      segments: timeline.segments as unknown as Record<string, unknown>[],
      markers: timeline.markers as unknown as Record<string, unknown>[],
      rules: timeline.rules as unknown as Record<string, unknown>[],
      violations: timeline.violations.map(({ index, lane, atMs, clauseId, message, seq, entity }) => ({
        index,
        lane,
        atMs,
        clauseId,
        message: truncate(message, tooltipMessageLengthMax),
        seq: seq ?? 'whole trace',
        entity: entity ?? '',
      })),
    },
    layer: [
      {
        data: { name: 'segments' },
        mark: { type: 'bar', height: { band: 0.7 }, tooltip: true },
        params: [{ name: 'zoom', select: { type: 'interval', encodings: ['x'] }, bind: 'scales' }],
        encoding: {
          x: { ...x, field: 'startMs' },
          x2: { field: 'endMs' },
          y,
          color: colourBy('state', segmentCategories, segmentColour, { orient: 'bottom', columns: 6, symbolType: 'square' }),
          tooltip: [
            { field: 'lane', title: 'lane' },
            { field: 'category', title: 'state' },
            { field: 'startMs', title: 'from (ms)', format: '.1f' },
            { field: 'endMs', title: 'to (ms)', format: '.1f' },
            { field: 'seq', title: 'seq' },
            { field: 'detail', title: 'what' },
          ],
        },
      },
      {
        data: { name: 'rules' },
        mark: { type: 'rule', strokeDash: [4, 3], color: '#636363', tooltip: true },
        encoding: {
          x: { ...x, field: 'atMs' },
          tooltip: [
            { field: 'label', title: 'line' },
            { field: 'atMs', title: 'at (ms)', format: '.1f' },
          ],
        },
      },
      {
        data: { name: 'markers' },
        mark: { type: 'point', filled: true, opacity: 0.85, tooltip: true },
        encoding: {
          x: { ...x, field: 'atMs' },
          y,
          // An aggregated marker (a burst's answers) is larger the more answers it holds.
          size: { field: 'count', type: 'quantitative', scale: { type: 'sqrt', domain: [1, Math.max(2, countMax)], range: [50, 400] }, legend: null },
          shape: {
            field: 'type',
            type: 'nominal',
            title: 'marker',
            scale: { domain: markerTypes, range: markerTypes.map((type) => markerShapes[type]) },
            legend: { orient: 'bottom' },
          },
          color: colourBy('what', markerCategories, markerColour, { orient: 'bottom', columns: 4 }),
          tooltip: [
            { field: 'lane', title: 'lane' },
            { field: 'category', title: 'what' },
            { field: 'count', title: 'events' },
            { field: 'atMs', title: 'at (ms)', format: '.1f' },
            { field: 'seq', title: 'seq' },
            { field: 'detail', title: 'detail' },
          ],
        },
      },
      {
        name: violationLayerName,
        data: { name: 'violations' },
        mark: { type: 'point', shape: 'triangle-down', filled: true, size: 320, color: '#d62728', stroke: '#000000', cursor: 'pointer', tooltip: true },
        params: [{ name: pickedParameter, select: { type: 'point', on: 'click', fields: ['index'], clear: 'dblclick' } }],
        encoding: {
          x: { ...x, field: 'atMs' },
          y,
          strokeWidth: { condition: { param: pickedParameter, empty: false, value: 3 }, value: 1 },
          description: { field: 'clauseId' },
          tooltip: [
            { field: 'clauseId', title: 'violated' },
            { field: 'message', title: 'what was seen' },
            { field: 'seq', title: 'seq' },
            { field: 'atMs', title: 'at (ms)', format: '.1f' },
          ],
        },
      },
    ],
    resolve: { scale: { color: 'independent', shape: 'independent', size: 'independent' }, legend: { color: 'independent' } },
    config: {
      view: { stroke: null },
      axis: { labelFontSize: 11, titleFontSize: 11 },
      legend: { labelFontSize: 11, titleFontSize: 11 },
    },
  };
}
