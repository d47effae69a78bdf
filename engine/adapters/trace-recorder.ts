import { performance } from 'node:perf_hooks';
import type { TraceEvent, TraceEventInput } from '../../trace/events.ts';
import type { Clock } from '../ports/clock.ts';
import type { TraceSink } from '../ports/trace-sink.ts';

/**
 * The trace sink kept in memory: stamps each event with its sequence number, the
 * logical time of `clock` (ms) and the wall time since the recorder was made (ms, to
 * 0.1 ms), and keeps them in order. `toJsonLines()` is the file format of the contract.
 */
export class TraceRecorder implements TraceSink {
  readonly events: TraceEvent[] = [];
  private readonly wallStartMs = performance.now();

  constructor(private readonly clock: Clock) {}

  /**
   * Stamp and keep an event. After the `end` line the history is closed: a late event
   * (a callback of a process reaped after the end) is returned stamped but not kept, so
   * the stored trace and the verdicts computed from it never disagree.
   */
  emit(input: TraceEventInput): TraceEvent {
    const event = {
      ...input,
      seq: this.events.length,
      timeMs: this.clock.now(),
      wallMs: this.wallNowMs(),
    } as TraceEvent;
    if (this.events.at(-1)?.kind !== 'end') this.events.push(event);
    return event;
  }

  /** Wall time since the recorder was made (ms). */
  wallNowMs(): number {
    return Math.round((performance.now() - this.wallStartMs) * 10) / 10;
  }

  toJsonLines(): string {
    return this.events.map((event) => JSON.stringify(event)).join('\n') + '\n';
  }
}
