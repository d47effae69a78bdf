/**
 * The machines as data for people who write traces: per entity kind its states, named
 * sub-states, final states and legal moves, read from the XState machines through the
 * transition tables of spec/transitions.ts (nothing here lists a state or a move by
 * hand). `flowconform spec` prints it; docs/trace.md explains how a trace uses it.
 */
import type { AnyStateNode } from 'xstate';
import { entityKinds, type EntityKind } from '../trace/events.ts';
import { isCreatable, machinesByKind, transitionTable } from './transitions.ts';
import { runStateNames, type RunStateType } from './states.ts';

/** Which upstream system's vocabulary each kind speaks (see spec/states.ts). */
const upstreamByKind: Record<EntityKind, string> = {
  run: 'Prefect flow run states (StateType and state names)',
  workflow: 'Conductor Workflow.WorkflowStatus',
  task: 'Conductor Task.Status',
  command: 'DolphinScheduler t_ds_command row',
  instance: 'DolphinScheduler WorkflowExecutionStatus',
};

/** One legal move: the entity may go from `from` to `to`; `events` are the machine events that do it. */
export interface MachineMove {
  from: string;
  to: string;
  events: string[];
}

/** A state with named sub-states (runs only): written `TYPE/Name`, the default as plain `TYPE`. */
export interface SubStates {
  type: string;
  /** The names, the default (the machine's initial child) first. */
  names: string[];
}

export interface MachineDescription {
  kind: EntityKind;
  upstream: string;
  /** Every state as a trace writes it (`SCHEDULED`, `SCHEDULED/Late`, …). */
  states: string[];
  /** States with named sub-states; empty for every kind but runs. */
  subStates: SubStates[];
  /** The machine's initial state. */
  initial: string;
  /** States a transition with `from: null` may create the entity in. */
  creatable: string[];
  /** States with no way out: no transition may leave them. */
  final: string[];
  /** Every legal move, grouped by `from` in the order of `states`. */
  moves: MachineMove[];
}

/**
 * Named sub-states from the machine's compound states; the default name is the
 * compound state's initial child. For run types the machine models as one leaf
 * (`PENDING`), Prefect still has a default name (`Pending`), which may be written out.
 */
function subStatesOf(kind: EntityKind): SubStates[] {
  const root = machinesByKind[kind].root;
  const result: SubStates[] = [];
  for (const node of Object.values(root.states) as AnyStateNode[]) {
    const children = Object.keys(node.states);
    if (children.length > 0) {
      const initial = node.initial?.target[0]?.key ?? children[0]!;
      result.push({ type: node.key, names: [initial, ...children.filter((child) => child !== initial)] });
    } else if (kind === 'run') {
      result.push({ type: node.key, names: [runStateNames[node.key as RunStateType][0]] });
    }
  }
  return result;
}

/** One kind's machine, described. */
export function describeMachine(kind: EntityKind): MachineDescription {
  const table = transitionTable(kind);
  const moves = table.states.flatMap((from) => [...(table.edges.get(from) ?? new Map<string, string[]>())].map(([to, events]) => ({ from, to, events })));
  return {
    kind,
    upstream: upstreamByKind[kind],
    states: [...table.states],
    subStates: subStatesOf(kind),
    initial: table.initial,
    creatable: table.states.filter((state) => isCreatable(kind, state)),
    final: table.states.filter((state) => table.terminal.has(state)),
    moves,
  };
}

/** Every kind's machine, in the order of `entityKinds`. */
export function describeMachines(): MachineDescription[] {
  return entityKinds.map(describeMachine);
}
