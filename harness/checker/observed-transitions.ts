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
 */
import type { EntityKind, ObserveEvent, TraceEvent, TransitionAttributes, TransitionEvent } from '../../trace/events.ts';

/** `events` with a derived transition after each read-back that shows a change, for kinds no engine transition covers. */
export function withObservedTransitions(events: readonly TraceEvent[]): TraceEvent[] {
  const pushedKinds = new Set<EntityKind>();
  for (const event of events) if (event.kind === 'transition') pushedKinds.add(event.entity);
  const lastState = new Map<string, string>();
  const out: TraceEvent[] = [];
  for (const event of events) {
    out.push(event);
    if (event.kind !== 'observe' || pushedKinds.has(event.entity)) continue;
    const key = `${event.entity}\u0000${event.id}`;
    if (event.state === null) {
      lastState.delete(key);
      continue;
    }
    const from = lastState.get(key) ?? null;
    if (from === event.state) continue;
    lastState.set(key, event.state);
    const attributes = attributesOf(event);
    const derived: TransitionEvent = {
      kind: 'transition',
      entity: event.entity,
      id: event.id,
      parentId: event.parentId,
      from,
      to: event.state,
      cause: 'observed',
      seq: event.seq,
      timeMs: event.timeMs,
      wallMs: event.wallMs,
      ...(attributes === undefined ? {} : { attributes }),
    };
    out.push(derived);
  }
  return out;
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
