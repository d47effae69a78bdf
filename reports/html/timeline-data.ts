/**
 * One scenario's trace as timeline rows, the data the HTML report charts: a lane per
 * entity (state segments), a lane per process (from birth to death, survivors marked),
 * lanes for the steps, the requests and the faults, and markers where things happened
 * (answers, signals, faults, deletions, violations), all on one time axis, the trace's
 * wall clock (`wallMs`).
 *
 * Pure: a function of the result and the clause registry. Transitions are read the way
 * the checkers read them (History): run states in canonical form, and for an entity kind
 * the engine pushes no transitions of, the transitions the harness derives from its
 * read-backs (harness/checker/observed-transitions.ts), so an engine that pushes nothing
 * still gets entity lanes.
 *
 * A burst has a thousand instances and commands, and a thousand requests: lanes and
 * markers are bounded (the `…Max` constants below), the entities and processes a
 * violation names are kept first, and every cut is said in `notes`, which the page shows.
 */
import { entityKey, History, type Downtime } from '../../harness/checker/history.ts';
import type { ScenarioResult, Violation } from '../../harness/result.ts';
import { entityKinds, type EntityKind, type FaultEvent, type ProcessEvent, type RequestEvent, type StepEvent, type TraceEvent } from '../../trace/events.ts';
import { excerptLines } from '../repro.ts';
import { findClause, truncate } from '../text.ts';

/** Entity lanes shown per entity kind (count); past it, lanes are chosen and the cut is noted. */
export const entityLanesPerKindMax = 25;
/** Process lanes shown (count). */
const processLanesMax = 60;
/** Requests marked one by one (count); past it (a burst), answers are drawn aggregated in `requestBinsMax` time bins. */
const requestMarkersMax = 200;
/** Time bins the answers of a burst are aggregated into (count). */
export const requestBinsMax = 100;
/** Violation markers shown (count). */
const violationMarkersMax = 300;
/** Violations that carry their trace excerpt (count); later ones point to REPRO.md and the trace file. */
const violationExcerptsMax = 60;
/** Bound deadlines drawn as rules (count). */
const boundRulesMax = 20;
/** Longest text in a tooltip field (characters). */
const tooltipLengthMax = 160;

/** Which band of the chart a lane belongs to, top to bottom. */
export type LaneGroup = 'violations' | 'steps' | 'requests' | 'faults' | 'entity' | 'process';

export interface TimelineLane {
  /** Unique within the scenario, and the text on the chart's lane axis. */
  label: string;
  group: LaneGroup;
  /** For an entity lane. */
  entity?: { kind: EntityKind; id: string; parentId: string | null };
  /** For a process lane. */
  pid?: number;
  /** For a process lane: still alive when the harness began tearing down (or at the end of a trace without teardown). */
  survivor?: boolean;
}

/**
 * What a segment's colour says: an entity state as the trace writes it (`RUNNING`,
 * `SCHEDULED/Late`), or one of the harness's own categories below.
 */
export const processCategories = { alive: 'process alive', survived: 'process alive past teardown' } as const;
export const stepCategories = { ok: 'step', timeout: 'step timed out', error: 'step failed' } as const;
export const engineCategories = { crashed: 'engine crashed', paused: 'engine stopped' } as const;

export interface TimelineSegment {
  lane: string;
  startMs: number;
  endMs: number;
  category: string;
  /** Seq of the event that began the segment. */
  seq: number;
  /** For the tooltip: what began it (a transition's cause, a step's body). */
  detail: string;
}

export type MarkerType = 'answer' | 'signal' | 'kill-failed' | 'fault' | 'delete';

export interface TimelineMarker {
  lane: string;
  atMs: number;
  type: MarkerType;
  /** What the marker's colour says: `answer ok`, `SIGKILL`, `inject engine-crash`, …. */
  category: string;
  /** Events the marker stands for: 1, or more for the aggregated answers of a burst (count). */
  count: number;
  /** Seq of the (first) event. */
  seq: number;
  detail: string;
}

export interface ViolationMarker {
  /** Position in the scenario's violations, the panel's key. */
  index: number;
  lane: string;
  atMs: number;
  clauseId: string;
  /** The clause's MUST sentence, or '' for an id the registry lacks. */
  must: string;
  message: string;
  seq: number | null;
  entity: string | null;
  /** Trace lines around `seq` (compact JSON), or null when none is kept (whole-trace violation, or past `violationExcerptsMax`). */
  excerpt: string[] | null;
}

/** A vertical line across the chart: the teardown, or the deadline of a bound. */
export interface TimelineRule {
  atMs: number;
  label: string;
}

export interface ScenarioTimeline {
  lanes: TimelineLane[];
  segments: TimelineSegment[];
  markers: TimelineMarker[];
  violations: ViolationMarker[];
  rules: TimelineRule[];
  /** Wall time of the last event (ms), where open segments end. */
  endMs: number;
  /** What was left out or aggregated, in sentences for the page. */
  notes: string[];
}

/** Lanes of the harness's own bands. */
const laneLabels = { violations: 'violations (whole trace)', steps: 'steps', requests: 'requests (at the answer)', faults: 'faults' } as const;

function entityLabel(kind: EntityKind, id: string, parentId: string | null): string {
  if (kind === 'run' && parentId !== null) return `subflow ${id}`;
  return `${kind} ${id}`;
}

function compactJson(value: unknown): string {
  return truncate(JSON.stringify(value) ?? '', tooltipLengthMax);
}

/** The step's kind and body in a line: `cancel {"run":"nightly"}`. */
function stepText(step: Record<string, unknown>): string {
  const [kind, body] = Object.entries(step)[0] ?? ['step', {}];
  return truncate(`${kind} ${JSON.stringify(body)}`, tooltipLengthMax);
}

interface EntityRecord {
  kind: EntityKind;
  id: string;
  parentId: string | null;
  transitions: Array<{ atMs: number; seq: number; to: string; from: string | null; cause: string; detail?: string }>;
  deleted: { atMs: number; seq: number; cause: string } | null;
}

interface ProcessRecord {
  pid: number;
  owner: string;
  bornMs: number;
  bornSeq: number;
  diedMs: number | null;
  diedHow: string;
}

/** A process event that names its process. */
type PidProcessEvent = ProcessEvent & { pid: number };

function namesPid(event: ProcessEvent): event is PidProcessEvent {
  return event.pid !== null;
}

/**
 * Entities in chart order: kinds in `entityKinds` order; runs as a tree (each parent
 * followed by its subflows), tasks after their workflow; otherwise in the order given
 * (of first appearance).
 */
function orderEntities(records: Iterable<EntityRecord>): EntityRecord[] {
  const byKind = new Map<EntityKind, EntityRecord[]>();
  for (const record of records) {
    const ofKind = byKind.get(record.kind);
    if (ofKind === undefined) byKind.set(record.kind, [record]);
    else ofKind.push(record);
  }
  const ordered: EntityRecord[] = [];
  const runs = byKind.get('run') ?? [];
  const runIds = new Set(runs.map((run) => run.id));
  const visit = (run: EntityRecord) => {
    ordered.push(run);
    for (const child of runs) if (child.parentId === run.id) visit(child);
  };
  for (const run of runs) if (run.parentId === null || !runIds.has(run.parentId)) visit(run);
  const tasks = byKind.get('task') ?? [];
  const workflowIds = new Set((byKind.get('workflow') ?? []).map((workflow) => workflow.id));
  for (const workflow of byKind.get('workflow') ?? []) {
    ordered.push(workflow);
    ordered.push(...tasks.filter((task) => task.parentId === workflow.id));
  }
  ordered.push(...tasks.filter((task) => task.parentId === null || !workflowIds.has(task.parentId)));
  for (const kind of entityKinds) if (kind !== 'run' && kind !== 'workflow' && kind !== 'task') ordered.push(...(byKind.get(kind) ?? []));
  return ordered;
}

/**
 * The first `max` of `items`, those `keep` says first, each group in its given order;
 * the kept items come back in their given order.
 */
function choose<T>(items: T[], max: number, keep: (item: T) => boolean): T[] {
  if (items.length <= max) return items;
  const chosen = new Set<T>(items.filter(keep).slice(0, max));
  for (const item of items) {
    if (chosen.size >= max) break;
    chosen.add(item);
  }
  return items.filter((item) => chosen.has(item));
}

/**
 * The timeline of one scenario. A result with an empty trace (not applicable, or a trace
 * not kept) gives no lanes and a note saying so.
 */
export function timelineOf(result: ScenarioResult): ScenarioTimeline {
  const notes: string[] = [];
  const trace = result.trace;
  if (trace.length === 0) {
    return {
      lanes: [],
      segments: [],
      markers: [],
      violations: [],
      rules: [],
      endMs: 0,
      notes: [result.outcome === 'not-applicable' ? 'Nothing ran: the scenario is not applicable to this engine.' : 'The trace was not kept with the result.'],
    };
  }
  // Read the way the checkers read it: run states in canonical form, derived transitions among the events.
  const history = new History(trace);
  const bySeq = new Map<number, TraceEvent>();
  for (const event of trace) bySeq.set(event.seq, event);
  const endMs = trace.reduce((latest, event) => Math.max(latest, event.wallMs), 0);
  const bounds = history.bounds;
  // With a teardown line, the history ends there (history.endWallMs is its wall time).
  const teardownSeq = history.teardownSeq === Infinity ? null : history.teardownSeq;

  // Entities, from transitions (pushed or derived) and deletions.
  const entities = new Map<string, EntityRecord>();
  const entityOf = (kind: EntityKind, id: string, parentId: string | null) => {
    const key = entityKey(kind, id);
    let record = entities.get(key);
    if (record === undefined) {
      record = { kind, id, parentId, transitions: [], deleted: null };
      entities.set(key, record);
    }
    if (record.parentId === null && parentId !== null) record.parentId = parentId;
    return record;
  };
  // Processes, from the engine's process lines and the harness's /proc looks.
  const processes = new Map<number, ProcessRecord>();
  const processOf = (pid: number, owner: string, atMs: number, seq: number) => {
    let record = processes.get(pid);
    if (record === undefined) {
      record = { pid, owner, bornMs: atMs, bornSeq: seq, diedMs: null, diedHow: '' };
      processes.set(pid, record);
    }
    return record;
  };
  const signals: PidProcessEvent[] = [];
  const killFailures: ProcessEvent[] = [];
  const requests = history.requests;
  const faults: FaultEvent[] = [];
  const steps = new Map<number, { begin: StepEvent; end?: StepEvent }>();

  for (const event of history.events) {
    switch (event.kind) {
      case 'transition':
        entityOf(event.entity, event.id, event.parentId).transitions.push({
          atMs: event.wallMs,
          seq: event.seq,
          from: event.from,
          to: event.to,
          cause: event.cause,
          ...(event.detail === undefined ? {} : { detail: event.detail }),
        });
        break;
      case 'delete': {
        const record = entityOf(event.entity, event.id, null);
        record.deleted ??= { atMs: event.wallMs, seq: event.seq, cause: event.cause };
        break;
      }
      case 'process':
        if (event.action === 'kill-failed') killFailures.push(event);
        if (!namesPid(event)) break;
        if (event.action === 'spawn') processOf(event.pid, event.owner, event.wallMs, event.seq);
        else if (event.action === 'signal') signals.push(event);
        else if (event.action === 'exit') {
          const record = processOf(event.pid, event.owner, event.wallMs, event.seq);
          if (record.diedMs === null) {
            record.diedMs = event.wallMs;
            record.diedHow = event.signal !== undefined ? `exited by ${event.signal}` : `exited with code ${event.code ?? 'unknown'}`;
          }
        }
        break;
      case 'observe-process': {
        if (event.alive) {
          processOf(event.pid, event.owner, event.wallMs, event.seq);
        } else {
          const record = processes.get(event.pid);
          if (record !== undefined && record.diedMs === null) {
            record.diedMs = event.wallMs;
            record.diedHow = `seen dead in /proc (${event.reason})`;
          }
        }
        break;
      }
      case 'fault':
        faults.push(event);
        break;
      case 'step': {
        const entry = steps.get(event.index);
        if (event.phase === 'begin') steps.set(event.index, { begin: event });
        else if (entry !== undefined) entry.end = event;
        break;
      }
      default:
        break;
    }
  }

  // Violations, each on the lane of the entity it names when there is one.
  const violated = result.verdicts.filter((verdict) => verdict.valid === false);
  const allViolations: Violation[] = violated.flatMap((verdict) => verdict.violations);
  const violatedEntityIds = new Set(allViolations.flatMap((violation) => (violation.entity === undefined ? [] : [violation.entity])));

  // Entity lanes, bounded per kind.
  const orderedEntities = orderEntities(entities.values());
  const chosenEntities = new Set<EntityRecord>();
  for (const kind of entityKinds) {
    const ofKind = orderedEntities.filter((record) => record.kind === kind);
    const chosen = choose(ofKind, entityLanesPerKindMax, (record) => violatedEntityIds.has(record.id));
    if (chosen.length < ofKind.length) {
      notes.push(
        `${kind}: ${chosen.length} of ${ofKind.length} lanes shown (those a violation names first, then in order of appearance).`,
      );
    }
    for (const record of chosen) chosenEntities.add(record);
  }
  const shownEntities = orderedEntities.filter((record) => chosenEntities.has(record));

  // Process lanes: survivors and processes of violated entities first. A survivor is
  // alive where the history ends: at the teardown line, or the last event without one.
  const survivorCutMs = history.endWallMs;
  const isSurvivor = (record: ProcessRecord) => record.bornMs <= survivorCutMs && (record.diedMs === null || record.diedMs > survivorCutMs);
  const allProcesses = [...processes.values()];
  const shownProcesses = choose(allProcesses, processLanesMax, (record) => isSurvivor(record) || violatedEntityIds.has(record.owner));
  if (shownProcesses.length < allProcesses.length) {
    notes.push(`processes: ${shownProcesses.length} of ${allProcesses.length} lanes shown (survivors and processes of violated entities first).`);
  }

  const lanes: TimelineLane[] = [];
  const segments: TimelineSegment[] = [];
  const markers: TimelineMarker[] = [];
  const laneOfEntityId = new Map<string, string>();
  const laneOfPid = new Map<number, string>();

  if (steps.size > 0) lanes.push({ label: laneLabels.steps, group: 'steps' });
  if (requests.length > 0) lanes.push({ label: laneLabels.requests, group: 'requests' });
  if (faults.length > 0) lanes.push({ label: laneLabels.faults, group: 'faults' });

  for (const record of shownEntities) {
    const label = entityLabel(record.kind, record.id, record.parentId);
    lanes.push({ label, group: 'entity', entity: { kind: record.kind, id: record.id, parentId: record.parentId } });
    // A violation's `entity` is an id without its kind; the first kind (runs first) that has it wins.
    if (!laneOfEntityId.has(record.id)) laneOfEntityId.set(record.id, label);
    const endOfLife = record.deleted?.atMs ?? endMs;
    record.transitions.forEach((transition, index) => {
      const next = record.transitions[index + 1];
      segments.push({
        lane: label,
        startMs: transition.atMs,
        endMs: Math.max(transition.atMs, next?.atMs ?? endOfLife),
        category: transition.to,
        seq: transition.seq,
        detail: `${transition.from ?? '(created)'} → ${transition.to}, cause ${transition.cause}${transition.detail === undefined ? '' : ` (${truncate(transition.detail, tooltipLengthMax)})`}`,
      });
    });
    if (record.deleted !== null) {
      markers.push({ lane: label, atMs: record.deleted.atMs, type: 'delete', category: 'deleted', count: 1, seq: record.deleted.seq, detail: `deleted, cause ${record.deleted.cause}` });
    }
  }

  for (const record of shownProcesses) {
    const survivor = isSurvivor(record);
    const label = `pid ${record.pid} ${record.owner}${survivor ? ' (survived)' : ''}`;
    lanes.push({ label, group: 'process', pid: record.pid, survivor });
    laneOfPid.set(record.pid, label);
    const aliveUntil = survivor ? survivorCutMs : (record.diedMs ?? endMs);
    const ending = record.diedMs === null ? 'never seen dead' : record.diedHow;
    segments.push({
      lane: label,
      startMs: record.bornMs,
      endMs: Math.max(record.bornMs, aliveUntil),
      category: processCategories.alive,
      seq: record.bornSeq,
      detail: `pid ${record.pid} of ${record.owner}; ${ending}`,
    });
    if (survivor) {
      segments.push({
        lane: label,
        startMs: survivorCutMs,
        endMs: Math.max(survivorCutMs, record.diedMs ?? endMs),
        category: processCategories.survived,
        seq: teardownSeq ?? record.bornSeq,
        detail: `pid ${record.pid} of ${record.owner} was still alive when the harness began tearing down; ${ending}`,
      });
    }
  }

  for (const event of signals) {
    const lane = laneOfPid.get(event.pid);
    if (lane === undefined) continue;
    markers.push({ lane, atMs: event.wallMs, type: 'signal', category: event.signal ?? 'signal', count: 1, seq: event.seq, detail: `${event.signal ?? 'a signal'} sent to pid ${event.pid} (for ${event.owner})` });
  }
  for (const event of killFailures) {
    const lane = (event.pid === null ? undefined : laneOfPid.get(event.pid)) ?? laneOfEntityId.get(event.owner);
    if (lane === undefined) continue;
    markers.push({ lane, atMs: event.wallMs, type: 'kill-failed', category: 'kill failed', count: 1, seq: event.seq, detail: `kill of ${event.owner} failed: ${truncate(event.error ?? 'no error given', tooltipLengthMax)}` });
  }

  // Steps: one segment per step, begin to end.
  for (const { begin, end } of [...steps.values()].sort((a, b) => a.begin.index - b.begin.index)) {
    const outcome = end?.outcome ?? 'ok';
    segments.push({
      lane: laneLabels.steps,
      startMs: begin.wallMs,
      endMs: Math.max(begin.wallMs, end?.wallMs ?? endMs),
      category: outcome === 'ok' ? stepCategories.ok : outcome === 'timeout' ? stepCategories.timeout : stepCategories.error,
      seq: begin.seq,
      detail: `step ${begin.index}: ${stepText(begin.step)}${end === undefined ? ' (never ended)' : ''}${end?.detail === undefined ? '' : ` (${truncate(end.detail, tooltipLengthMax)})`}`,
    });
  }

  // Requests, marked at their answer: each one, or past the bound (a burst), one marker
  // per time bin, operation and outcome, with its count.
  if (requests.length <= requestMarkersMax) {
    for (const request of requests) {
      markers.push({
        lane: laneLabels.requests,
        atMs: request.wallMs,
        type: 'answer',
        category: `answer ${request.outcome}`,
        count: 1,
        seq: request.seq,
        detail: `${request.op} ${request.requestId} ${compactJson(request.args)} → ${request.outcome} ${compactJson(request.answer)}`,
      });
    }
  } else {
    const aggregated = aggregateRequests(requests);
    markers.push(...aggregated);
    notes.push(
      `requests: ${requests.length} answers drawn as ${aggregated.length} markers, one per ${formatBinMs(requestBinMs(requests))} of wall time, operation and outcome (the tooltip gives the count and the seq range); summary.json and the trace have each one.`,
    );
  }

  // Faults: a marker per inject and clear; the engine's down time (as the checkers count
  // it, History.downtimes) as segments.
  for (const fault of faults) {
    const target = fault.target === undefined ? '' : ` of ${fault.target}`;
    const pid = fault.pid === undefined ? '' : ` (pid ${fault.pid})`;
    markers.push({ lane: laneLabels.faults, atMs: fault.wallMs, type: 'fault', category: `${fault.action} ${fault.fault}`, count: 1, seq: fault.seq, detail: `${fault.action} ${fault.fault}${target}${pid}` });
  }
  for (const downtime of history.downtimes) segments.push(downSegment(downtime, bySeq.get(downtime.fromSeq), endMs));

  // Violations.
  const violations: ViolationMarker[] = [];
  let needsViolationLane = false;
  for (const violation of allViolations.slice(0, violationMarkersMax)) {
    const event = violation.seq === null ? undefined : bySeq.get(violation.seq);
    let lane = violation.entity === undefined ? undefined : laneOfEntityId.get(violation.entity);
    if (lane === undefined) {
      lane = laneLabels.violations;
      needsViolationLane = true;
    }
    const index = violations.length;
    violations.push({
      index,
      lane,
      atMs: event?.wallMs ?? endMs,
      clauseId: violation.clauseId,
      must: findClause(violation.clauseId)?.must ?? '',
      message: violation.message,
      seq: violation.seq,
      entity: violation.entity ?? null,
      excerpt: violation.seq === null || index >= violationExcerptsMax ? null : excerptLines(trace, violation.seq),
    });
  }
  if (allViolations.length > violationMarkersMax) {
    notes.push(`violations: the first ${violationMarkersMax} of ${allViolations.length} marked; summary.json lists them all.`);
  }
  if (Math.min(allViolations.length, violationMarkersMax) > violationExcerptsMax) {
    notes.push(`violations: the first ${violationExcerptsMax} carry their trace excerpt; for the others see REPRO.md and the trace file.`);
  }
  if (needsViolationLane) lanes.unshift({ label: laneLabels.violations, group: 'violations' });

  // Rules: the teardown, and the deadlines of the bounds acknowledged requests started.
  const rules: TimelineRule[] = [];
  if (teardownSeq !== null) rules.push({ atMs: history.endWallMs, label: 'teardown: the harness stops the engine and kills what is left' });
  const deadlines: TimelineRule[] = [];
  for (const request of requests) {
    if (request.outcome !== 'ok') continue;
    if (request.op === 'cancel-run') {
      deadlines.push({ atMs: request.wallMs + bounds.cancelBoundMs, label: `cancel bound of run ${String(request.args['run'])} (${bounds.cancelBoundMs} ms after the acknowledged cancel)` });
    } else if (request.op === 'terminate-workflow') {
      deadlines.push({ atMs: request.wallMs + bounds.terminateBoundMs, label: `terminate bound of workflow ${String(request.args['workflow'])} (${bounds.terminateBoundMs} ms after the acknowledged terminate)` });
    }
  }
  rules.push(...deadlines.slice(0, boundRulesMax));
  if (deadlines.length > boundRulesMax) notes.push(`bounds: the first ${boundRulesMax} of ${deadlines.length} deadlines drawn.`);

  return { lanes, segments, markers, violations, rules, endMs, notes };
}

/** Width of the time bins the answers of a burst are aggregated into (wall ms): the span of the answers over `requestBinsMax`, at least 1 ms. */
function requestBinMs(requests: readonly RequestEvent[]): number {
  const first = requests[0]?.wallMs ?? 0;
  const last = requests.at(-1)?.wallMs ?? first;
  return Math.max(1, (last - first) / requestBinsMax);
}

function formatBinMs(ms: number): string {
  return `${ms < 10 ? ms.toFixed(1) : Math.round(ms)} ms`;
}

/** One marker per time bin, operation and outcome, at the bin's first answer, with the count and the seq range. */
function aggregateRequests(requests: readonly RequestEvent[]): TimelineMarker[] {
  const binMs = requestBinMs(requests);
  const first = requests[0]?.wallMs ?? 0;
  const groups = new Map<string, RequestEvent[]>();
  for (const request of requests) {
    const bin = Math.min(requestBinsMax - 1, Math.floor((request.wallMs - first) / binMs));
    const key = `${bin}\u0000${request.op}\u0000${request.outcome}`;
    const group = groups.get(key);
    if (group === undefined) groups.set(key, [request]);
    else group.push(request);
  }
  return [...groups.values()].map((group) => {
    const head = group[0]!;
    const tail = group.at(-1)!;
    return {
      lane: laneLabels.requests,
      atMs: head.wallMs,
      type: 'answer' as const,
      category: `answer ${head.outcome}`,
      count: group.length,
      seq: head.seq,
      detail:
        group.length === 1
          ? `${head.op} ${head.requestId} → ${head.outcome} ${compactJson(head.answer)}`
          : `${group.length} × ${head.op} answered ${head.outcome} from ${head.wallMs.toFixed(1)} to ${tail.wallMs.toFixed(1)} ms (seq ${head.seq}–${tail.seq})`,
    };
  });
}

/**
 * A stretch the engine was down, from the inject that began it (`start`, the fault event
 * at `downtime.fromSeq`) to its end, or to `endMs` when the trace ends with the engine
 * still down.
 */
function downSegment(downtime: Downtime, start: TraceEvent | undefined, endMs: number): TimelineSegment {
  const pid = start?.kind === 'fault' ? start.pid : undefined;
  const untilMs = downtime.toWallMs === Infinity ? endMs : downtime.toWallMs;
  return {
    lane: laneLabels.faults,
    startMs: downtime.fromWallMs,
    endMs: Math.max(downtime.fromWallMs, untilMs),
    category: downtime.fault === 'engine-crash' ? engineCategories.crashed : engineCategories.paused,
    seq: downtime.fromSeq,
    detail: `${downtime.fault}${pid === undefined ? '' : ` (pid ${pid})`}`,
  };
}

