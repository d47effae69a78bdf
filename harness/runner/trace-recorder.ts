import { performance } from 'node:perf_hooks';
import type { PushedEvent } from '../../protocol/messages.ts';
import type { TraceEvent, TraceEventInput } from '../../trace/events.ts';

/**
 * The trace of one scenario, kept in memory: stamps each event with its sequence number,
 * the logical time (ms; a driven engine's clock, as its events and answers tell it) and
 * the wall time since the recorder was made (ms, to 0.1 ms), and keeps them in order.
 * `toJsonLines()` is the file format of the contract (docs/trace.md).
 */
export class TraceRecorder {
  readonly events: TraceEvent[] = [];
  private readonly wallStartMs = performance.now();
  /** The logical time as last told by the engine (ms). */
  logicalNowMs = 0;

  /**
   * @param withholdPushed drop every event the engine pushes (transitions, process
   *   events, logs): the trace then holds only what the harness saw itself (requests and
   *   answers, read-backs, /proc), which is how a clause is shown to be judged from outside.
   */
  constructor(private readonly withholdPushed = false) {}

  /**
   * Stamp and keep an event. After the `end` line the history is closed: a late event is
   * returned stamped but not kept, so the stored trace and the verdicts computed from it
   * never disagree.
   */
  emit(input: TraceEventInput, timeMs = this.logicalNowMs): TraceEvent {
    const event = { ...input, seq: this.events.length, timeMs, wallMs: this.wallNowMs() } as TraceEvent;
    if (this.events.at(-1)?.kind !== 'end') this.events.push(event);
    return event;
  }

  /** An event the engine pushed, at the engine's logical time when it gave one. */
  emitPushed(event: PushedEvent, timeMs: number | undefined): TraceEvent | null {
    if (timeMs !== undefined) this.logicalNowMs = Math.max(this.logicalNowMs, timeMs);
    if (this.withholdPushed) return null;
    return this.emit(event as TraceEventInput, timeMs ?? this.logicalNowMs);
  }

  /** Wall time since the recorder was made (ms). */
  wallNowMs(): number {
    return Math.round((performance.now() - this.wallStartMs) * 10) / 10;
  }

  toJsonLines(): string {
    return this.events.map((event) => JSON.stringify(event)).join('\n') + '\n';
  }
}
