/**
 * INSTANCE-01..04: every acknowledged start-process-instance request yields exactly one
 * instance within instanceBoundMs, never an ack without a stored command, and no command
 * vanishes (apache/dolphinscheduler#16572, #15099, #8980).
 */
import type { TransitionEvent } from '../../trace/events.ts';
import type { History } from './history.ts';
import { VerdictBuilder, type ClauseChecker } from './verdict.ts';

export const startInstanceOp = 'start-process-instance';

function instanceCreations(history: History): Map<string, TransitionEvent[]> {
  const byRequest = new Map<string, TransitionEvent[]>();
  for (const transition of history.transitions) {
    if (transition.entity !== 'instance' || transition.from !== null) continue;
    if (transition.attributes?.requestId === undefined) continue;
    const requestId = String(transition.attributes.requestId);
    byRequest.set(requestId, [...(byRequest.get(requestId) ?? []), transition]);
  }
  return byRequest;
}

/**
 * When consumers could make instances: at least one registered (set-consumers requests)
 * and the command table not faulted by the nemesis. A list of [wall ms, available]
 * changes, in order. The bound of INSTANCE-01 starts when this first holds at or after
 * the ack, so a request acknowledged while no master exists is judged from the moment
 * one joins.
 */
function consumerAvailability(history: History): Array<[number, boolean]> {
  // A trace that never says how many consumers there are (an engine that manages its own)
  // has them from the start.
  let consumers = history.requests.some((request) => request.op === 'set-consumers') ? 0 : 1;
  let faulted = false;
  const changes: Array<[number, boolean]> = [[0, consumers > 0]];
  for (const event of history.events) {
    if (event.kind === 'request' && event.op === 'set-consumers' && event.outcome === 'ok') consumers = Number(event.args.count);
    else if (event.kind === 'fault' && event.fault === 'command-store') faulted = event.action === 'inject';
    else continue;
    const available = consumers > 0 && !faulted;
    if (changes.at(-1)![1] !== available) changes.push([event.wallMs, available]);
  }
  return changes;
}

/** The first wall time at or after `wallMs` when consumers were available, or undefined. */
function availableFrom(changes: Array<[number, boolean]>, wallMs: number): number | undefined {
  const before = changes.filter(([at]) => at <= wallMs).at(-1);
  if (before?.[1]) return wallMs;
  return changes.find(([at, available]) => at > wallMs && available)?.[0];
}

function acknowledged(history: History) {
  return history.requests.filter((request) => request.op === startInstanceOp && request.outcome === 'ok');
}

export const acknowledgedYieldsInstance: ClauseChecker = (history) => {
  const verdict = new VerdictBuilder('INSTANCE-01');
  const boundMs = history.bounds.instanceBoundMs;
  const created = instanceCreations(history);
  const availability = consumerAvailability(history);
  let missing = 0;
  for (const ack of acknowledged(history)) {
    const instance = created.get(ack.requestId)?.[0];
    const from = availableFrom(availability, ack.wallMs);
    if (instance && (from === undefined || instance.wallMs <= from + boundMs)) continue;
    if (from === undefined) {
      verdict.unknown(`no consumer could take request ${ack.requestId} after its ack`);
      continue;
    }
    const deadline = from + boundMs;
    if (instance && instance.wallMs <= deadline) continue;
    if (instance) {
      verdict.violation(`request ${ack.requestId} got its instance ${Math.round(instance.wallMs - from)} ms after a consumer could take it (bound ${boundMs} ms)`, instance.seq, ack.requestId);
    } else if (history.covers(deadline)) {
      missing += 1;
      if (missing <= 20) verdict.violation(`request ${ack.requestId} was acknowledged (${String(ack.answer.commandId)}) but no instance was ever created`, ack.seq, ack.requestId);
    } else {
      verdict.unknown(`the trace ends before request ${ack.requestId}'s instance bound`);
    }
  }
  if (missing > 20) verdict.violation(`${missing} acknowledged requests in all never got an instance (first 20 listed)`, null);
  return verdict.build();
};

export const noDuplicateInstance: ClauseChecker = (history) => {
  const verdict = new VerdictBuilder('INSTANCE-02');
  for (const [requestId, instances] of instanceCreations(history)) {
    if (instances.length > 1) verdict.violation(`request ${requestId} yielded ${instances.length} instances: ${instances.map((instance) => instance.id).join(', ')}`, instances[1]!.seq, requestId);
  }
  return verdict.build();
};

export const ackAfterDurableCommand: ClauseChecker = (history) => {
  const verdict = new VerdictBuilder('INSTANCE-03');
  const commandSeq = new Map<string, number>();
  for (const transition of history.transitions) {
    if (transition.entity === 'command' && transition.from === null) commandSeq.set(String(transition.attributes?.requestId), transition.seq);
  }
  for (const ack of acknowledged(history)) {
    const stored = commandSeq.get(ack.requestId);
    if (stored === undefined || stored > ack.seq) verdict.violation(`request ${ack.requestId} was answered success with no command stored before the answer`, ack.seq, ack.requestId);
  }
  return verdict.build();
};

export const commandsNeverVanish: ClauseChecker = (history) => {
  const verdict = new VerdictBuilder('INSTANCE-04');
  const ended = new Set<string>();
  const open = new Map<string, TransitionEvent>();
  let vanished = 0;
  for (const event of history.events) {
    if (event.kind === 'transition' && event.entity === 'command') {
      if (event.to === 'CONSUMED' || event.to === 'ERROR') {
        ended.add(event.id);
        open.delete(event.id);
      } else open.set(event.id, event);
    }
    const gone = (event.kind === 'delete' && event.entity === 'command') || (event.kind === 'observe' && event.entity === 'command' && event.state === null);
    if (gone && !ended.has(event.id) && open.has(event.id)) {
      const last = open.get(event.id)!;
      open.delete(event.id);
      vanished += 1;
      if (vanished <= 20) {
        verdict.violation(`command ${event.id} (request ${String(last.attributes?.requestId)}) vanished while ${last.to}: no instance, no error record`, event.seq, event.id);
      }
    }
  }
  if (vanished > 20) verdict.violation(`${vanished} commands in all vanished (first 20 listed)`, null);
  for (const [commandId, last] of open) verdict.unknown(`command ${commandId} was still ${last.to} when the trace ended`);
  return verdict.build();
};
