/**
 * INSTANCE-01..04: every acknowledged start-process-instance request yields exactly one
 * instance within instanceBoundMs, never an ack without a stored command, and no command
 * vanishes (apache/dolphinscheduler#16572, #15099, #8980). INSTANCE-05: a request
 * acknowledged before the engine crashed has exactly one instance after its restart,
 * within restartBoundMs (DolphinScheduler's failover of a dead master's commands).
 */
import type { ObserveEvent, RequestEvent, TransitionEvent } from '../../trace/events.ts';
import type { Crash, History } from './history.ts';
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
 * one joins; and starts again when one joins after all had left (`boundStart`).
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

/**
 * Where the bound of a request starts: the first moment at or after its ack when
 * consumers were available, moved on to the next such moment each time every consumer
 * left (or the store failed) before the bound ran out with no instance yet, since no
 * consumer was then left to take it. Undefined when no consumer ever could.
 */
function boundStart(changes: Array<[number, boolean]>, ackWallMs: number, instanceWallMs: number | undefined, boundMs: number): number | undefined {
  let from = availableFrom(changes, ackWallMs);
  while (from !== undefined) {
    const start = from;
    const end = changes.find(([at, available]) => at > start && !available)?.[0];
    const madeInWindow = instanceWallMs !== undefined && (end === undefined || instanceWallMs <= end);
    if (end === undefined || end >= start + boundMs || madeInWindow) return start;
    from = availableFrom(changes, end);
  }
  return undefined;
}

/** The first crash of the engine after trace position `seq`, with its restart. */
function crashAfter(history: History, seq: number): Crash | undefined {
  return history.crashes.find((crash) => crash.crash.seq > seq);
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
    const from = boundStart(availability, ack.wallMs, instance?.wallMs, boundMs);
    // The situation: an acknowledged request, save one left to INSTANCE-05 below.
    if (instance && (from === undefined || instance.wallMs <= from + boundMs)) {
      verdict.exercised();
      continue;
    }
    if (from === undefined) {
      verdict.exercised();
      verdict.unknown(`no consumer could take request ${ack.requestId} after its ack`);
      continue;
    }
    const deadline = history.deadlineAfter(from, boundMs);
    if (instance && instance.wallMs <= deadline) {
      verdict.exercised();
      continue;
    }
    // An engine that crashed before the bound ran out and before making the instance is
    // judged on its restart by INSTANCE-05, with the bound a restart gets.
    const crash = crashAfter(history, ack.seq);
    const restarted = crash?.restart !== undefined && crash.restart.seq < history.teardownSeq;
    if (crash && restarted && crash.crash.wallMs <= deadline && !(instance && instance.seq < crash.crash.seq)) continue;
    verdict.exercised();
    const note = history.boundNote(from, boundMs);
    if (instance) {
      verdict.violation(`request ${ack.requestId} got its instance ${Math.round(instance.wallMs - from)} ms after a consumer could take it (bound ${boundMs} ms${note})`, instance.seq, ack.requestId);
    } else if (history.covers(deadline)) {
      missing += 1;
      if (missing <= 20) verdict.violation(`request ${ack.requestId} was acknowledged (${String(ack.answer.commandId)}) but no instance was ever created`, ack.seq, ack.requestId);
    } else {
      verdict.unknown(history.notCovered(deadline, `request ${ack.requestId}'s instance bound`));
    }
  }
  if (missing > 20) verdict.violation(`${missing} acknowledged requests in all never got an instance (first 20 listed)`, null);
  return verdict.build();
};

export const noDuplicateInstance: ClauseChecker = (history) => {
  const verdict = new VerdictBuilder('INSTANCE-02');
  // The situation: a request that yielded an instance (at least one), counted once per request.
  for (const [requestId, instances] of instanceCreations(history)) {
    verdict.exercised();
    if (instances.length > 1) verdict.violation(`request ${requestId} yielded ${instances.length} instances: ${instances.map((instance) => instance.id).join(', ')}`, instances[1]!.seq, requestId);
  }
  return verdict.build();
};

export const ackAfterDurableCommand: ClauseChecker = (history) => {
  const verdict = new VerdictBuilder('INSTANCE-03');
  const commandSeq = new Map<string, number>();
  let written = false;
  for (const transition of history.transitions) {
    if (transition.entity !== 'command' || transition.cause === 'observed') continue;
    written = true;
    if (transition.from === null) commandSeq.set(String(transition.attributes?.requestId), transition.seq);
  }
  const acks = acknowledged(history);
  if (!written) {
    storedByFirstLook(history, acks, verdict);
    return verdict.build();
  }
  for (const ack of acks) {
    verdict.exercised();
    const stored = commandSeq.get(ack.requestId);
    if (stored === undefined || stored > ack.seq) verdict.violation(`request ${ack.requestId} was answered success with no command stored before the answer`, ack.seq, ack.requestId);
  }
  return verdict.build();
};

/**
 * INSTANCE-03 from outside, for an engine that writes no command transitions: only the
 * engine can tell that it stored a command before answering, but a stored command shows
 * in the first read of the query API after the answer, as itself or, consumed already,
 * as an instance of its request. So each acknowledged request must have its command or
 * an instance read back by the first look after its answer (the first look that read
 * anything: a look that changes nothing writes no line). One that shows only at a later
 * look was stored after its answer. One never read back is left unknown: never stored,
 * or stored and lost before the look, cannot be told apart, and INSTANCE-01/04 judge it;
 * INSTANCE-05 judges acks across a crash.
 */
function storedByFirstLook(history: History, acks: readonly RequestEvent[], verdict: VerdictBuilder): void {
  const reads = history.observesBeforeTeardown();
  const firstSeen = new Map<string, ObserveEvent>();
  for (const observe of reads) {
    if ((observe.entity === 'command' || observe.entity === 'instance') && observe.state !== null && observe.requestId !== undefined && !firstSeen.has(observe.requestId)) {
      firstSeen.set(observe.requestId, observe);
    }
  }
  let neverShown = 0;
  for (const ack of acks) {
    const seen = firstSeen.get(ack.requestId);
    if (seen === undefined) {
      neverShown += 1;
      continue;
    }
    if (seen.seq < ack.seq) {
      verdict.exercised();
      continue;
    }
    const firstLook = reads.find((observe) => observe.seq > ack.seq);
    if (firstLook === undefined || firstLook.look === undefined || seen.look === undefined) {
      verdict.unknown('the trace does not number its looks (`observe.look`), so whether each command was shown by the first read after its answer cannot be told');
      continue;
    }
    verdict.exercised();
    if (seen.look > firstLook.look) {
      verdict.violation(
        `request ${ack.requestId} was answered success, but the first read of the query API after the answer (look ${firstLook.look}) showed neither its command nor an instance of it; its ${seen.entity} ${seen.id} was first shown at look ${seen.look}`,
        firstLook.seq,
        ack.requestId,
      );
    }
  }
  if (neverShown > 0) {
    verdict.unknown(
      `${neverShown} acknowledged request(s) never had a command or an instance read back, so whether their commands were stored before the answer cannot be told (INSTANCE-01 and INSTANCE-04 judge them)`,
    );
  }
}

export const commandsNeverVanish: ClauseChecker = (history) => {
  const verdict = new VerdictBuilder('INSTANCE-04');
  const ended = new Set<string>();
  const open = new Map<string, TransitionEvent>();
  let vanished = 0;
  const requestsWithInstance = new Set<string>();
  for (const event of history.events) {
    const requestId = event.kind === 'observe' ? event.requestId : event.kind === 'transition' ? event.attributes?.requestId : undefined;
    if ((event.kind === 'observe' || event.kind === 'transition') && event.entity === 'instance' && requestId !== undefined) requestsWithInstance.add(requestId);
  }
  for (const event of history.events) {
    if (event.kind === 'transition' && event.entity === 'command') {
      // The situation: a command the trace shows stored (any transition of it), counted once per command.
      verdict.exercisedOnce(event.id);
      if (event.to === 'CONSUMED' || event.to === 'ERROR') {
        ended.add(event.id);
        open.delete(event.id);
      } else open.set(event.id, event);
    }
    const gone = (event.kind === 'delete' && event.entity === 'command') || (event.kind === 'observe' && event.entity === 'command' && event.state === null);
    if (gone && !ended.has(event.id) && open.has(event.id)) {
      const last = open.get(event.id)!;
      // Seen only from outside (no CONSUMED written): a command gone whose request has an
      // instance was consumed.
      if (last.cause === 'observed' && requestsWithInstance.has(String(last.attributes?.requestId))) {
        open.delete(event.id);
        continue;
      }
      open.delete(event.id);
      vanished += 1;
      if (vanished <= 20) {
        verdict.violation(`command ${event.id} (request ${String(last.attributes?.requestId)}) vanished while ${last.to}: no instance, no error record`, event.seq, event.id);
      }
    }
  }
  for (const { ack, commandId, look } of acknowledgedCommandsNeverShown(history, requestsWithInstance)) {
    verdict.exercised();
    vanished += 1;
    if (vanished <= 20) {
      verdict.violation(
        `request ${ack.requestId} was acknowledged with command ${commandId}, but neither that command nor an instance of the request was ever read back, from the first read after the answer (look ${look.look}) on: it vanished with no error record`,
        look.seq,
        commandId,
      );
    }
  }
  if (vanished > 20) verdict.violation(`${vanished} commands in all vanished (first 20 listed)`, null);
  for (const [commandId, last] of open) verdict.unknown(`command ${commandId} was still ${last.to} when the trace ended`);
  return verdict.build();
};

/**
 * INSTANCE-04 from outside, for an engine that writes no command transitions: an ok
 * answer naming its command (`commandId`) says the command was stored, and a query API
 * that lists commands shows a stored one until it is consumed, when an instance of its
 * request shows instead. A command whose answer named it, never read back, whose request
 * never had an instance read back, though a look came after the answer, vanished between
 * the answer and that look. (Had it never been stored, the answer broke INSTANCE-03
 * instead: either way a clause is broken, and this is what the engine's answer says.)
 * Judged only when the query API shows commands with their request (one was read back so).
 */
function acknowledgedCommandsNeverShown(history: History, requestsWithInstance: ReadonlySet<string>): Array<{ ack: RequestEvent; commandId: string; look: ObserveEvent }> {
  if (history.transitions.some((transition) => transition.entity === 'command' && transition.cause !== 'observed')) return [];
  const reads = history.observesBeforeTeardown();
  if (!reads.some((observe) => observe.entity === 'command' && observe.requestId !== undefined)) return [];
  const shown = new Set<string>();
  for (const observe of history.observes) if (observe.entity === 'command' && observe.requestId !== undefined) shown.add(observe.requestId);
  const neverShown: Array<{ ack: RequestEvent; commandId: string; look: ObserveEvent }> = [];
  for (const ack of acknowledged(history)) {
    const commandId = ack.answer.commandId;
    if (typeof commandId !== 'string' || shown.has(ack.requestId) || requestsWithInstance.has(ack.requestId)) continue;
    const look = reads.find((observe) => observe.seq > ack.seq);
    if (look) neverShown.push({ ack, commandId, look });
  }
  return neverShown;
}

/**
 * Instance ids read back through the query API (before teardown) that no transition ties
 * to a request: an engine may make an instance and crash before its transition line got
 * out, so while one of these exists, a request with no known instance may still have one.
 */
function instancesOfUnknownRequest(history: History): string[] {
  const linked = new Set<string>();
  for (const transition of history.transitions) if (transition.entity === 'instance' && transition.attributes?.requestId !== undefined) linked.add(transition.id);
  const unlinked = new Set<string>();
  for (const observe of history.observesBeforeTeardown()) if (observe.entity === 'instance' && observe.state !== null && !linked.has(observe.id)) unlinked.add(observe.id);
  return [...unlinked];
}

export const acknowledgedBeforeCrashYieldsOne: ClauseChecker = (history) => {
  const verdict = new VerdictBuilder('INSTANCE-05');
  const boundMs = history.bounds.restartBoundMs;
  const created = instanceCreations(history);
  const availability = consumerAvailability(history);
  const unlinked = instancesOfUnknownRequest(history);
  for (const ack of acknowledged(history)) {
    const crashed = crashAfter(history, ack.seq);
    // Never crashed after the ack, or never restarted (nothing after a restart to judge), or restarted only in teardown.
    if (!crashed?.restart || crashed.restart.seq >= history.teardownSeq) continue;
    // The situation: a request acknowledged before a crash the engine was restarted from.
    verdict.exercised();
    const { crash, restart } = crashed;
    const before = `request ${ack.requestId}, acknowledged (seq ${ack.seq}) before the engine crashed (seq ${crash.seq})`;
    const creations = (created.get(ack.requestId) ?? []).filter((creation) => creation.seq < history.teardownSeq);
    const ids = [...new Set(creations.map((creation) => creation.id))];
    if (ids.length > 1) {
      if (creations.some((creation) => creation.seq > crash.seq)) {
        const second = creations.find((creation) => creation.id !== creations[0]!.id)!;
        const listed = ids.map((id) => {
          const first = creations.find((creation) => creation.id === id)!;
          return `${id} (seq ${first.seq}, ${first.seq < crash.seq ? 'before the crash' : 'after the restart'})`;
        });
        verdict.violation(`${before}, yielded ${ids.length} instances: ${listed.join(', ')}`, second.seq, ack.requestId);
      }
      continue;
    }
    const from = availableFrom(availability, restart.wallMs);
    const instance = creations[0];
    if (instance && instance.seq < crash.seq) {
      const gone = history.observesBeforeTeardown().find((observe) => observe.entity === 'instance' && observe.id === instance.id && observe.seq > restart.seq && observe.state === null);
      if (gone) verdict.violation(`${before}, had instance ${instance.id} (seq ${instance.seq}), which was read back as gone after the restart (seq ${gone.seq})`, gone.seq, ack.requestId);
      continue;
    }
    if (from === undefined) {
      if (!instance) verdict.unknown(`no consumer could take request ${ack.requestId} after the restart (seq ${restart.seq})`);
      continue;
    }
    const deadline = history.deadlineAfter(from, boundMs);
    if (instance && instance.wallMs <= deadline) continue;
    const note = history.boundNote(from, boundMs);
    if (instance) {
      verdict.violation(`${before}, got its instance ${instance.id} ${Math.round(instance.wallMs - from)} ms after the restart (seq ${restart.seq}) let a consumer take it (bound restartBoundMs ${boundMs} ms${note})`, instance.seq, ack.requestId);
    } else if (!history.covers(deadline)) {
      verdict.unknown(history.notCovered(deadline, `the restart bound of request ${ack.requestId} (acknowledged before the crash at seq ${crash.seq})`));
    } else if (unlinked.length > 0) {
      verdict.unknown(`request ${ack.requestId} has no instance that names it, but instance(s) ${unlinked.join(', ')} were read back with no request the trace ties them to`);
    } else {
      verdict.violation(`${before}, had no instance ${Math.round(deadline - restart.wallMs)} ms after the restart at seq ${restart.seq} (bound restartBoundMs ${boundMs} ms${note}): the restarted engine lost it`, ack.seq, ack.requestId);
    }
  }
  return verdict.build();
};
