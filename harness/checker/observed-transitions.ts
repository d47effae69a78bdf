/**
 * Transitions the harness saw for itself. An engine that pushes no transition events of
 * an entity kind (a third-party engine that only answers `query`, or any engine run with
 * pushed events withheld) still has every change of state it showed judged: each change
 * between two read-backs of one entity becomes a transition with cause `observed`, at the
 * look that found it (its seq and wall time), from the state read before (null for a
 * first read or after it was read back gone). Where an engine pushes transitions of a
 * kind, those are the record and nothing is derived for that kind, so the two never tell
 * one change twice. A derived transition carries what the read showed besides the state:
 * a command's or instance's request, a run's attributes and its attempts (as `runCount`);
 * a clause that needs an attribute the read did not show says unknown and names it.
 *
 * One exception for pushed kinds: an engine killed by the nemesis may have committed a
 * change and died before its line went out (the outbox commits, then writes; so may any
 * engine). The first read-back of an entity after the restart that shows a state other
 * than the last one pushed for it, with no line of the restarted engine about it before
 * that read, becomes a derived transition too, so that what the clauses count (active
 * runs, open tasks) follows what the engine holds rather than a line that was never sent.
 */
import type { EntityKind, ObserveEvent, TraceEvent, TransitionAttributes, TransitionEvent } from '../../trace/events.ts';

/** `events` with a derived transition after each read-back that shows a change, for kinds no engine transition covers. */
export function withObservedTransitions(events: readonly TraceEvent[]): TraceEvent[] {
  const pushedKinds = new Set<EntityKind>();
  for (const event of events) if (event.kind === 'transition') pushedKinds.add(event.entity);
  const lastState = new Map<string, string>();
  /** Pushed kinds: entity key → the `to` of its last pushed transition. */
  const lastPushed = new Map<string, string>();
  /** Pushed entities not yet read back, nor told about, since the engine last restarted. */
  const unreadSinceRestart = new Set<string>();
  const out: TraceEvent[] = [];
  for (const event of events) {
    out.push(event);
    if (event.kind === 'transition') {
      const key = `${event.entity}\u0000${event.id}`;
      lastPushed.set(key, event.to);
      unreadSinceRestart.delete(key);
      continue;
    }
    if (event.kind === 'fault' && event.action === 'clear' && event.fault === 'engine-crash') {
      for (const key of lastPushed.keys()) unreadSinceRestart.add(key);
      continue;
    }
    if (event.kind !== 'observe') continue;
    const key = `${event.entity}\u0000${event.id}`;
    if (pushedKinds.has(event.entity)) {
      if (!unreadSinceRestart.delete(key)) continue;
      const pushed = lastPushed.get(key);
      if (event.state === null || pushed === undefined || event.state === pushed) continue;
      lastPushed.set(key, event.state);
      out.push(derivedTransition(event, pushed, event.state, 'read back after the engine restarted: a change the crashed engine made but never told'));
      continue;
    }
    if (event.state === null) {
      lastState.delete(key);
      continue;
    }
    const from = lastState.get(key) ?? null;
    if (from === event.state) continue;
    lastState.set(key, event.state);
    out.push(derivedTransition(event, from, event.state));
  }
  return out;
}

/** The transition a read-back shows: cause `observed`, at the read's seq and times. */
function derivedTransition(event: ObserveEvent, from: string | null, to: string, detail?: string): TransitionEvent {
  const attributes = attributesOf(event);
  return {
    kind: 'transition',
    entity: event.entity,
    id: event.id,
    parentId: event.parentId,
    from,
    to,
    cause: 'observed',
    ...(detail === undefined ? {} : { detail }),
    seq: event.seq,
    timeMs: event.timeMs,
    wallMs: event.wallMs,
    ...(attributes === undefined ? {} : { attributes }),
  };
}

/** The attributes a read-back shows, in the names transitions use; undefined when it shows none. */
function attributesOf(event: ObserveEvent): TransitionAttributes | undefined {
  const attributes: TransitionAttributes = {
    ...event.attributes,
    ...(event.attempts === undefined ? {} : { runCount: event.attempts }),
    ...(event.requestId === undefined ? {} : { requestId: event.requestId }),
  };
  return Object.keys(attributes).length === 0 ? undefined : attributes;
}
