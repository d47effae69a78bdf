/**
 * Spec coverage as data: what a suite or a campaign reached of the machines and the
 * clauses. Every count is a number of scenarios (not of occurrences), so the coverage of
 * shards merges by adding (`flowconform merge`) and a fraction is `count / scenarios`.
 * The machines' states and moves come from spec/machine-description.ts; every state and
 * move is listed, unreached ones with 0, so a report can grey them.
 */
import type { EntityKind } from '../../trace/events.ts';

export interface StateCoverage {
  /** As a trace writes it (`SCHEDULED/Late`, `IN_PROGRESS`). */
  state: string;
  /** Scenarios in which some entity of this kind was seen in the state (count). */
  scenarios: number;
}

export interface TransitionCoverage {
  /** One legal move of the machine (spec/machine-description.ts `MachineMove`). */
  from: string;
  to: string;
  /** Scenarios in which some entity of this kind made the move (count). */
  scenarios: number;
}

export interface MachineCoverage {
  kind: EntityKind;
  states: StateCoverage[];
  transitions: TransitionCoverage[];
}

export interface ClauseCoverage {
  clauseId: string;
  /** Scenarios in which the clause was judged non-vacuously (`ClauseVerdict.exercised > 0`) (count). */
  scenarios: number;
  /** Occurrences of the judged situation over all scenarios (sum of `exercised`). */
  situations: number;
}

export interface SpecCoverage {
  /** Scenarios that ran and were checked (not-applicable ones are not counted). */
  scenarios: number;
  machines: MachineCoverage[];
  clauses: ClauseCoverage[];
}
