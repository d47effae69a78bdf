/**
 * Run states in one spelling before any checker reads them. Prefect names a state by
 * type and name, and an engine may write the default name out in full
 * (`SCHEDULED/Scheduled`, `CANCELLED/Cancelled`); the checkers compare states as text
 * (`to === 'CANCELLED'`), so each transition and read-back of a run is rewritten once,
 * here, to the canonical form of spec/states.ts (`SCHEDULED`, `CANCELLED`). A name the
 * spec does not know is left as written, for TRANSITION-01 and OBSERVE-01 to report.
 */
import { normaliseRunState } from '../../spec/states.ts';
import type { TraceEvent } from '../../trace/events.ts';

function canonical(state: string): string {
  return normaliseRunState(state) ?? state;
}

/** The events with every run state in canonical form; events that need no change are kept as they are. */
export function withCanonicalRunStates(events: readonly TraceEvent[]): TraceEvent[] {
  return events.map((event) => {
    if (event.kind === 'transition' && event.entity === 'run') {
      const from = event.from === null ? null : canonical(event.from);
      const to = canonical(event.to);
      return from === event.from && to === event.to ? event : { ...event, from, to };
    }
    if (event.kind === 'observe' && event.entity === 'run' && event.state !== null) {
      const state = canonical(event.state);
      return state === event.state ? event : { ...event, state };
    }
    return event;
  });
}
