import type { TraceEvent, TraceEventInput } from '../../trace/events.ts';

/** Where the engine and the harness write the history. The sink stamps seq and times. */
export interface TraceSink {
  emit(event: TraceEventInput): TraceEvent;
}
