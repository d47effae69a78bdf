import type { PushedEvent } from '../../protocol/messages.ts';

/**
 * Where the engine tells what only it can see: transitions with their cause, processes
 * it spawned and signalled, side effects, deletions, log lines. Served over the protocol,
 * each becomes an `event` line (engine/adapters/protocol-trace-sink.ts); the harness
 * stamps it into the trace.
 */
export interface TraceSink {
  emit(event: PushedEvent): void;
}
