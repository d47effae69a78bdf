/**
 * INSTANCE-01..04: every acknowledged start-process-instance request yields exactly one
 * instance within instanceBoundMs, never an ack without a stored command, and no command
 * vanishes (apache/dolphinscheduler#16572, #15099, #8980). INSTANCE-05: a request
 * acknowledged before the engine crashed has exactly one instance after its restart,
 * within restartBoundMs (DolphinScheduler's failover of a dead master's commands).
 */
import type { TransitionEvent } from '../../trace/events.ts';
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
    const from = availableFrom(availability, ack.wallMs);
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
  let seenFromOutside = false;
  for (const transition of history.transitions) {
    if (transition.entity !== 'command') continue;
    if (transition.cause === 'observed') {
      seenFromOutside = true;
      continue;
    }
    written = true;
    if (transition.from === null) commandSeq.set(String(transition.attributes?.requestId), transition.seq);
  }
  const acks = acknowledged(history);
  if (!written && seenFromOutside && acks.length > 0) {
    // Only the engine can tell that it stored a command before answering; from outside,
    // an ack that is not durable shows as a request lost across a crash (INSTANCE-05).
    verdict.unknown('the engine wrote no command transitions, so whether each command was stored before its answer cannot be told here (INSTANCE-05 judges acks across a crash)');
    return verdict.build();
  }
  for (const ack of acks) {
    verdict.exercised();
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
  const requestsWithInstance = new Set<string>();
  for (const event of history.events) {
    const requestId = event.kind === 'observe' ? event.requestId : event.kind === 'transition' ? event.attributes?.requestId : undefined;
    if ((event.kind === 'observe' || event.kind === 'transition') && event.entity === 'instance' && requestId !== undefined) requestsWithInstance.add(requestId);
  }
  /** The situation: a command the trace shows stored (any transition of it), counted once per command. */
  const commands = new Set<string>();
  for (const event of history.events) {
    if (event.kind === 'transition' && event.entity === 'command') {
      if (!commands.has(event.id)) verdict.exercised();
      commands.add(event.id);
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
  if (vanished > 20) verdict.violation(`${vanished} commands in all vanished (first 20 listed)`, null);
  for (const [commandId, last] of open) verdict.unknown(`command ${commandId} was still ${last.to} when the trace ended`);
  return verdict.build();
};

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
