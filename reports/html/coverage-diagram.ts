/**
 * Spec coverage drawn on the machines: per machine, a Mermaid flowchart
 * (spec/mermaid.ts `machineFlowchart`) with the states and moves the suite reached marked
 * (green, each move labelled with the number of scenarios that made it) and the ones it
 * never reached greyed and dashed, plus the lists the page's closing note names.
 *
 * Pure: a function of the machine descriptions and a `SpecCoverage`.
 */
import type { MachineCoverage, SpecCoverage } from '../../harness/coverage/spec-coverage-types.ts';
import { describeMachines, type MachineDescription } from '../../spec/machine-description.ts';
import { machineFlowchart } from '../../spec/mermaid.ts';
import type { EntityKind } from '../../trace/events.ts';

export interface MachineCoverageView {
  kind: EntityKind;
  upstream: string;
  /** Mermaid flowchart text. */
  diagram: string;
  statesReached: number;
  statesTotal: number;
  movesReached: number;
  movesTotal: number;
  /** States no scenario reached, in the machine's order. */
  unreachedStates: string[];
  /** Moves no scenario made, `FROM → TO`, in the machine's order. */
  unreachedMoves: string[];
}

export interface CoverageView {
  /** Scenarios counted (those that ran). */
  scenarios: number;
  machines: MachineCoverageView[];
  /** Clauses of the suite's coverage that no scenario judged non-vacuously, in coverage order. */
  clausesNeverExercised: string[];
  clausesTotal: number;
}

const reachedClass = 'reached';
const unreachedClass = 'unreached';

function moveKey(from: string, to: string): string {
  return `${from}\u0000${to}`;
}

/** One machine with the coverage of its kind. */
export function machineCoverageView(machine: MachineDescription, coverage: MachineCoverage): MachineCoverageView {
  const stateCounts = new Map(coverage.states.map((state) => [state.state, state.scenarios]));
  const moveCounts = new Map(coverage.transitions.map((move) => [moveKey(move.from, move.to), move.scenarios]));
  const reachedState = (state: string) => (stateCounts.get(state) ?? 0) > 0;
  const moveCount = (from: string, to: string) => moveCounts.get(moveKey(from, to)) ?? 0;
  const diagram = machineFlowchart(machine, {
    classes: {
      [reachedClass]: 'fill:#c7e9c0,stroke:#238b45,color:#00441b',
      [unreachedClass]: 'fill:#f0f0f0,stroke:#bdbdbd,color:#969696,stroke-dasharray:3 3',
    },
    stateClass: (state) => (reachedState(state) ? reachedClass : unreachedClass),
    moveLabel: (from, to) => {
      const count = moveCount(from, to);
      return count > 0 ? String(count) : undefined;
    },
    moveStyle: (from, to) => (moveCount(from, to) > 0 ? 'stroke:#238b45,stroke-width:2px' : 'stroke:#cccccc,stroke-width:1px,stroke-dasharray:4 3'),
  });
  const unreachedStates = machine.states.filter((state) => !reachedState(state));
  const unreachedMoves = machine.moves.filter((move) => moveCount(move.from, move.to) === 0).map((move) => `${move.from} → ${move.to}`);
  return {
    kind: machine.kind,
    upstream: machine.upstream,
    diagram,
    statesReached: machine.states.length - unreachedStates.length,
    statesTotal: machine.states.length,
    movesReached: machine.moves.length - unreachedMoves.length,
    movesTotal: machine.moves.length,
    unreachedStates,
    unreachedMoves,
  };
}

/**
 * The suite's coverage machine by machine, in the coverage's order (the machines it
 * holds are those the engine can be held to; see harness/coverage/spec-coverage.ts).
 */
export function coverageView(coverage: SpecCoverage, machines: readonly MachineDescription[] = describeMachines()): CoverageView {
  const views: MachineCoverageView[] = [];
  for (const machineCoverage of coverage.machines) {
    const machine = machines.find((candidate) => candidate.kind === machineCoverage.kind);
    if (machine !== undefined) views.push(machineCoverageView(machine, machineCoverage));
  }
  return {
    scenarios: coverage.scenarios,
    machines: views,
    clausesNeverExercised: coverage.clauses.filter((clause) => clause.scenarios === 0).map((clause) => clause.clauseId),
    clausesTotal: coverage.clauses.length,
  };
}
