/**
 * Goal: every state of every machine can actually happen, and terminal states are
 * absorbing. Method: xstate/graph explores each machine with `getShortestPaths` (events
 * taken from the machine itself) from each state an entity may be created in (its
 * initial state first; a Conductor task is also created SKIPPED, a DolphinScheduler
 * instance RUNNING_EXECUTION, …: `isCreatable`), and the states it reaches are compared
 * with the leaf states of `transitionTable(kind)`. A failure lists the unreachable states
 * and, so the gap can be traced, the shortest path to every state that was reached.
 * Terminal states are checked twice: in the machine's own graph (`toDirectedGraph`: a
 * final node has no edges) and in the transition table.
 */
import { describe, expect, it } from 'vitest';
import type { StateValue } from 'xstate';
import { getShortestPaths, toDirectedGraph, type DirectedGraphNode } from 'xstate/graph';
import { fromStateValue, isCreatable, machinesByKind, toStateValue, transitionTable } from '../../spec/transitions.ts';
import type { EntityKind } from '../../trace/events.ts';

const kinds = Object.keys(machinesByKind) as EntityKind[];

/**
 * State (as trace text) → its shortest path: the state the entity is created in, then the
 * events from there. The initial state is explored first, so its paths win ties.
 */
function shortestPaths(kind: EntityKind): Map<string, string[]> {
  const table = transitionTable(kind);
  const machine = machinesByKind[kind];
  const starts = [table.initial, ...table.states.filter((state) => state !== table.initial && isCreatable(kind, state))];
  const paths = new Map<string, string[]>();
  for (const start of starts) {
    const fromState = machine.resolveState({ value: toStateValue(kind, start), context: {} });
    for (const path of getShortestPaths(machine, { fromState })) {
      const state = fromStateValue(kind, path.state.value as StateValue);
      // The first step of every path is XState's own `xstate.init`; it is not one of ours.
      const events = path.steps.map((step) => step.event.type).filter((type) => type !== 'xstate.init');
      const best = paths.get(state);
      if (best === undefined || events.length + 1 < best.length) paths.set(state, [start, ...events]);
    }
  }
  return paths;
}

function graphNodes(node: DirectedGraphNode): DirectedGraphNode[] {
  return [node, ...node.children.flatMap(graphNodes)];
}

describe.each(kinds)('the %s machine', (kind) => {
  it('reaches every state from the states it may be created in', () => {
    const table = transitionTable(kind);
    const paths = shortestPaths(kind);
    const unreachable = table.states.filter((state) => !paths.has(state));
    const reached = [...paths].map(([state, path]) => `  ${state}: ${path.join(' → ')}`);
    expect(
      unreachable,
      `${kind}: states unreachable from creation: ${unreachable.join(', ')}\nreached (created in, then the shortest event path):\n${reached.join('\n')}`,
    ).toEqual([]);
  });

  it('gives terminal states no outgoing edges', () => {
    const table = transitionTable(kind);
    expect(table.terminal.size, `${kind}: the machine has no terminal state`).toBeGreaterThan(0);
    for (const state of table.terminal) {
      const outgoing = [...(table.edges.get(state) ?? new Map<string, string[]>())].map(([to, events]) => `${to} via ${events.join('|')}`);
      expect(outgoing, `${kind}: terminal ${state} has edges in the transition table`).toEqual([]);
    }
    const finals = graphNodes(toDirectedGraph(machinesByKind[kind])).filter((node) => node.stateNode.type === 'final');
    expect(finals.map((node) => node.stateNode.key).sort()).toEqual([...table.terminal].sort());
    for (const node of finals) {
      const edges = node.edges.map((edge) => `${edge.label.text} → ${edge.target.id}`);
      expect(edges, `${kind}: final state ${node.id} has edges in the machine graph`).toEqual([]);
    }
  });
});
