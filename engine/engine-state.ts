/**
 * The engine's own state besides its entities, kept in the store so that an engine
 * started again on its data (docs/architecture.md "Durability and recovery") finds it:
 * one row per fact in the table `engine_state`. Entities, deployments, the run ids ever
 * used and pending listener retries have tables of their own.
 */
import type { Bounds } from '../trace/events.ts';
import type { BugProfileId } from './bugs/profiles.ts';
import type { KillStrategy } from './ports/process-host.ts';
import type { Store } from './ports/store.ts';

export const engineStateTable = 'engine_state';

/** What `setup` said when the data was made, and the marker its workers carry. */
export interface SetupState {
  id: 'setup';
  platform: KillStrategy;
  bounds: Bounds;
  bug: BugProfileId | null;
  seed: number;
  consumerOrder: number[];
  session: string;
}

export interface ClockState {
  id: 'clock';
  /** Logical time (ms). */
  timeMs: number;
}

export interface WorkersState {
  id: 'workers';
  paused: boolean;
}

export interface CommandCounterState {
  id: 'command-counter';
  /** The number the next command gets. */
  nextNumber: number;
}

export interface MastersState {
  id: 'masters';
  /** Registered masters in registration order, with their cached views. */
  masters: Array<{ id: string; slotView: number; countView: number }>;
  nextIndex: number;
}

export interface FaultsState {
  id: 'faults';
  /** The `archive-listener` fault is on. */
  archiveFailing: boolean;
  /** The `command-store` fault is on. */
  commandStoreFailing: boolean;
  /** The `process-signal` fault is on: the kills' signals are refused. */
  processSignalFailing: boolean;
}

export type EngineState = SetupState | ClockState | WorkersState | CommandCounterState | MastersState | FaultsState;

export function readState<Id extends EngineState['id']>(store: Store, id: Id): Extract<EngineState, { id: Id }> | undefined {
  return store.table<EngineState>(engineStateTable).get(id) as Extract<EngineState, { id: Id }> | undefined;
}

/** Insert or replace the row of one fact. */
export function writeState(store: Store, row: EngineState): void {
  const table = store.table<EngineState>(engineStateTable);
  if (table.get(row.id)) table.update(row);
  else table.insert(row);
}
