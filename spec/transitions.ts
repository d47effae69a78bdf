/**
 * Judging transitions against the machines. The machines are the law; this module asks
 * them, through XState's pure `transition()`, which state each event leads to from each
 * state, and keeps the answers as a table: `from → to → events`. Nothing here executes
 * actions. States are written as in the trace: `SCHEDULED/Late` for runs (the machine's
 * value `{SCHEDULED: 'Late'}`), plain names for the other kinds. The questions below
 * accept Prefect's full default names (`SCHEDULED/Scheduled`) wherever a run state is
 * asked about; `canonicalState` says what a text means and `nearestState` what a text
 * the machine does not know was probably meant to be.
 */
import { transition, type AnyStateMachine, type StateValue, type AnyStateNode } from 'xstate';
import type { EntityKind } from '../trace/events.ts';
import { commandMachine, instanceMachine, runMachine, taskMachine, workflowMachine } from './machines/index.ts';
import { nearestHint, nearestName } from '../trace/nearest-name.ts';
import { formatRunState, normaliseRunState, parseRunState, runStateNames, type RunStateType } from './states.ts';

export const machinesByKind: Record<EntityKind, AnyStateMachine> = {
  run: runMachine,
  workflow: workflowMachine,
  task: taskMachine,
  command: commandMachine,
  instance: instanceMachine,
};

/** Trace state text → machine state value. @throws Error for a state the machine lacks. */
export function toStateValue(kind: EntityKind, state: string): StateValue {
  if (kind === 'run') {
    const { type, name } = parseRunState(state);
    return runStateNames[type].length > 1 ? { [type]: name } : type;
  }
  if (!(state in machinesByKind[kind].root.states)) {
    throw new Error(`toStateValue: '${state}' is not a state of the ${kind} machine${nearestHint(state, transitionTable(kind).states)}`);
  }
  return state;
}

/** Machine state value → trace state text. */
export function fromStateValue(kind: EntityKind, value: StateValue): string {
  if (typeof value === 'string') {
    return kind === 'run' ? formatRunState({ type: value as RunStateType, name: runStateNames[value as RunStateType][0] }) : value;
  }
  const [type, name] = Object.entries(value)[0] as [string, string];
  return kind === 'run' ? formatRunState({ type: type as RunStateType, name }) : `${type}.${name}`;
}

function leafStateValues(node: AnyStateNode, path: string[] = []): StateValue[] {
  const children = Object.values(node.states) as AnyStateNode[];
  if (children.length === 0) {
    if (path.length === 1) return [path[0]!];
    return [{ [path[0]!]: path[1]! }];
  }
  return children.flatMap((child) => leafStateValues(child, [...path, child.key]));
}

function eventTypes(node: AnyStateNode): string[] {
  const own = Object.keys((node.config as { on?: Record<string, unknown> }).on ?? {});
  const nested = (Object.values(node.states) as AnyStateNode[]).flatMap(eventTypes);
  return [...new Set([...own, ...nested])];
}

export interface TransitionTable {
  /** Every state of the machine, as trace text. */
  states: string[];
  /** The initial state, as trace text. */
  initial: string;
  /** States with no way out (final). */
  terminal: Set<string>;
  /** from → (to → event types that lead there). */
  edges: Map<string, Map<string, string[]>>;
}

function buildTable(kind: EntityKind): TransitionTable {
  const machine = machinesByKind[kind];
  const states = leafStateValues(machine.root).map((value) => fromStateValue(kind, value));
  const events = eventTypes(machine.root);
  const edges = new Map<string, Map<string, string[]>>();
  const terminal = new Set<string>();
  for (const from of states) {
    const snapshot = machine.resolveState({ value: toStateValue(kind, from), context: {} });
    if (snapshot.status === 'done') terminal.add(from);
    const targets = new Map<string, string[]>();
    for (const type of events) {
      // `can` is true when a transition is enabled, a self-transition included (Prefect
      // writes a new AwaitingConcurrencySlot state each time the limit is still full).
      if (!snapshot.can({ type })) continue;
      const [next] = transition(machine, snapshot, { type });
      const to = fromStateValue(kind, next.value as StateValue);
      targets.set(to, [...(targets.get(to) ?? []), type]);
    }
    edges.set(from, targets);
  }
  const initialSnapshot = machine.resolveState({ value: machine.root.initial?.target[0]?.key ?? '', context: {} });
  return { states, initial: fromStateValue(kind, initialSnapshot.value as StateValue), terminal, edges };
}

const tables = new Map<EntityKind, TransitionTable>();

/** The transition table of one entity kind, built once from its machine. */
export function transitionTable(kind: EntityKind): TransitionTable {
  let table = tables.get(kind);
  if (!table) {
    table = buildTable(kind);
    tables.set(kind, table);
  }
  return table;
}

/**
 * The state a trace text names, in the table's words (`SCHEDULED/Scheduled` →
 * `SCHEDULED`), or undefined when the entity's machine has no such state. Only run
 * states have more than one spelling.
 */
export function canonicalState(kind: EntityKind, text: string): string | undefined {
  if (kind === 'run') return normaliseRunState(text);
  return transitionTable(kind).states.includes(text) ? text : undefined;
}

/**
 * The state of the entity's machine nearest to a text the machine does not know
 * (`COMPLETE` → `COMPLETED`, `RUNNING` for an instance → `RUNNING_EXECUTION`), as
 * `nearestName` of trace/nearest-name.ts picks it.
 */
export function nearestState(kind: EntityKind, text: string): string {
  const states = transitionTable(kind).states;
  return nearestName(text, states) ?? transitionTable(kind).initial;
}

/**
 * States other than the machine's initial one that upstream creates an entity in:
 * - runs: any SCHEDULED sub-state, and PENDING for ad-hoc runs (Prefect);
 * - tasks: SKIPPED, a skipped task being a new row (Conductor `skipTaskFromWorkflow`);
 * - instances: RUNNING_EXECUTION (DolphinScheduler `generateNewProcessInstance`, "init
 *   running"), SERIAL_WAIT (`saveSerialProcess`) and WAIT_TO_RUN (3.2's dynamic
 *   sub-instances, `DynamicLogicTask.generateSubWorkflowInstance`).
 */
const alsoCreatedIn: Record<EntityKind, (state: string) => boolean> = {
  run: (state) => state.startsWith('SCHEDULED') || state === 'PENDING',
  workflow: () => false,
  task: (state) => state === 'SKIPPED',
  command: () => false,
  instance: (state) => state === 'RUNNING_EXECUTION' || state === 'SERIAL_WAIT' || state === 'WAIT_TO_RUN',
};

/**
 * May an entity be created in `state` (a transition from null)? Into its machine's
 * initial state, or into one of the states upstream also creates it in (runs: any
 * SCHEDULED sub-state and PENDING, which Prefect allows for ad-hoc runs; tasks: SKIPPED;
 * instances: RUNNING_EXECUTION, SERIAL_WAIT, WAIT_TO_RUN). `state` in the table's words.
 */
export function isCreatable(kind: EntityKind, state: string): boolean {
  return state === transitionTable(kind).initial || alsoCreatedIn[kind](state);
}

/**
 * Is `from → to` one step of the machine? `from: null` is creation, legal only into a
 * state the entity may be created in (`isCreatable`). `from` and `to` may be the same
 * state where the machine has a self-transition. Returns the event types that make the
 * step, or an empty list when it is illegal or names a state the machine does not know
 * (ask `canonicalState` first to tell the two apart).
 */
export function eventsBetween(kind: EntityKind, from: string | null, to: string): string[] {
  const table = transitionTable(kind);
  const target = canonicalState(kind, to);
  if (target === undefined) return [];
  if (from === null) return isCreatable(kind, target) ? ['CREATE'] : [];
  const source = canonicalState(kind, from);
  if (source === undefined) return [];
  return table.edges.get(source)?.get(target) ?? [];
}

/**
 * States reachable from `from` in one or more steps (for reads that may skip steps), in
 * the table's words; empty for a state the machine does not know.
 */
export function reachableFrom(kind: EntityKind, from: string): Set<string> {
  const table = transitionTable(kind);
  const seen = new Set<string>();
  const start = canonicalState(kind, from);
  if (start === undefined) return seen;
  const queue = [start];
  while (queue.length > 0) {
    const current = queue.shift()!;
    for (const next of table.edges.get(current)?.keys() ?? []) {
      if (!seen.has(next)) {
        seen.add(next);
        queue.push(next);
      }
    }
  }
  return seen;
}

/** Is `state` final in its machine? False for a state the machine does not know. */
export function isTerminal(kind: EntityKind, state: string): boolean {
  const known = canonicalState(kind, state);
  return known !== undefined && transitionTable(kind).terminal.has(known);
}
