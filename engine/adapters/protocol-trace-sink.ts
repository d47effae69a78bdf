/**
 * The TraceSink port over the engine protocol: each event becomes an `event` line on
 * stdout (docs/engine-protocol.md), stamped with the engine's logical time. It also
 * remembers every process the engine reported spawning, with its owner, which is what
 * the `processes` operation answers.
 */
import type { EventLine, PushedEvent } from '../../protocol/messages.ts';
import type { ProcessView } from '../../protocol/operations.ts';
import type { Clock } from '../ports/clock.ts';
import type { TraceSink } from '../ports/trace-sink.ts';

export class ProtocolTraceSink implements TraceSink {
  /** pid → the process as the engine reported spawning it. */
  private readonly spawned = new Map<number, ProcessView>();

  constructor(
    private readonly clock: Clock,
    /** Writes one line (without its newline) to the harness. */
    private readonly writeLine: (line: string) => void,
  ) {}

  emit(event: PushedEvent): void {
    if (event.kind === 'process' && event.action === 'spawn' && typeof event.pid === 'number') {
      this.spawned.set(event.pid, { pid: event.pid, owner: event.owner, parentPid: event.parentPid });
    }
    const line: EventLine = { type: 'event', timeMs: this.clock.now(), event };
    this.writeLine(JSON.stringify(line));
  }

  /** Every process the engine reported spawning, in spawn order (alive or not). */
  processes(): ProcessView[] {
    return [...this.spawned.values()];
  }
}
