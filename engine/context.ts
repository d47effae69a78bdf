/**
 * What every part of the engine is given: the ports, the platform's kill strategy, the
 * bounds, and which bug profile (if any) is on. Lifecycle code reaches the outside only
 * through these.
 */
import type { Bounds, EntityKind, TransitionAttributes, TransitionCause } from '../trace/events.ts';
import type { BugProfileId } from './bugs/profiles.ts';
import type { Clock } from './ports/clock.ts';
import type { ProcessHost, KillStrategy } from './ports/process-host.ts';
import type { Rng } from './ports/rng.ts';
import type { Store } from './ports/store.ts';
import type { TraceSink } from './ports/trace-sink.ts';

export interface EngineContext {
  clock: Clock;
  host: ProcessHost;
  store: Store;
  rng: Rng;
  trace: TraceSink;
  /** Marker passed to every worker (`--session`), so its processes can be found in /proc. */
  session: string;
  strategy: KillStrategy;
  bounds: Bounds;
  bug: BugProfileId | null;
  /** Faults the nemesis switched on that act where the engine meets the operating system. */
  faults: OperatingSystemFaults;
  /** Where teardown is; set by `ReferenceEngine.close` alone. */
  phase: EnginePhase;
}

/**
 * Teardown of the engine: `open` until `close` begins; `closing` while its processes are
 * killed (no tick runs, no task process starts, failed kills are no longer retried);
 * `closed` once they are all dead (an exit reported now is ignored: `reset` is about to
 * close the store, and its lines would go to the next scenario).
 */
export type EnginePhase = 'open' | 'closing' | 'closed';

/**
 * Engine-level faults (`set-fault`) that stand for the operating system failing the
 * engine, read by the module that meets it. The others act where they belong: the
 * `archive-listener` fault in the status listeners, `command-store` in the Store.
 */
export interface OperatingSystemFaults {
  /**
   * `process-signal`: every signal a kill sends (engine/processes/kill-tree.ts `killTree`)
   * is refused, the failure behind "Flow run may not be cancelled." (PrefectHQ/prefect#17792).
   */
  processSignalFailing: boolean;
}

export function bugIsOn(context: EngineContext, profile: BugProfileId): boolean {
  return context.bug === profile;
}

export function log(context: EngineContext, level: 'debug' | 'info' | 'warn' | 'error', message: string, entity?: string): void {
  context.trace.emit({ kind: 'log', level, message, ...(entity === undefined ? {} : { entity }) });
}

/** Rows every entity table shares: an id, a parent and a state in upstream words. */
export interface EntityRow {
  id: string;
  parentId: string | null;
  state: string;
}

/** What varies about a transition's cause (trace `detail`, `signal`). */
export interface TransitionDetails {
  detail?: string;
  /** The signal that ended the process, with cause `process-killed`. */
  signal?: string;
}

/**
 * Write a state change to the store, then to the trace (persist, then tell). `from` is
 * the row's state before; the row passed in already carries the new state.
 */
export function recordTransition(
  context: EngineContext,
  entity: EntityKind,
  table: string,
  row: EntityRow,
  from: string | null,
  cause: TransitionCause,
  attributes?: TransitionAttributes,
  /** What varies about the cause: the signal that killed a process, an exit code, a reason. */
  details: TransitionDetails = {},
): void {
  const rows = context.store.table<EntityRow>(table);
  if (from === null) rows.insert(row);
  else rows.update(row);
  context.trace.emit({
    kind: 'transition',
    entity,
    id: row.id,
    parentId: row.parentId,
    from,
    to: row.state,
    cause,
    ...details,
    ...(attributes === undefined ? {} : { attributes }),
  });
}
