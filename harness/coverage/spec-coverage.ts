/**
 * Spec coverage, computed: what a suite or a campaign reached of the machines and the
 * clauses (the shapes are in spec-coverage-types.ts, the totals and `--coverage-min` in
 * coverage-totals.ts). Pure functions of results; a campaign folds each run in as it
 * ends (`addScenario`) and keeps no trace; shards merge with `mergeCoverage`.
 *
 * What is counted, per scenario that ran (a not-applicable one ran nothing and counts for
 * nothing; an inconclusive one counts for what its trace shows):
 * - **states and transitions** from the trace's transitions: those the engine pushed,
 *   and, for an entity kind it pushes none of, those the harness derives from read-backs
 *   (harness/checker/observed-transitions.ts), run states in canonical form, exactly as
 *   the checkers' History reads them. So an engine that pushes no events gets coverage
 *   too. A state counts when an entity was in it (the `to` of a transition, or its
 *   non-null `from`); a transition counts when it is a legal move of the machine
 *   (spec/machine-description.ts). A derived transition that skips states the looks
 *   missed is no legal move and is not counted, though both its states are.
 * - **clauses** from the verdicts: exercised when `ClauseVerdict.exercised > 0`, that is,
 *   the situation the clause judges occurred at least once (a vacuous pass is not).
 *
 * The denominators are what the engine can be held to: the machines of the entity kinds
 * it declares (`capabilities.entities`) and the clauses of the families it is checked on
 * (harness/applicability.ts `clausesCheckedFor`), not the whole registry. An engine
 * without workflows is not told it covered none of the workflow clauses; its coverage
 * says how much of what applies to it the scenarios reached. A kind or clause the engine
 * did not declare but that a trace reached anyway is added (never a count without its
 * row). When the capabilities are unknown (the handshake never completed) only what was
 * reached is listed.
 */
import type { Capabilities } from '../../protocol/capabilities.ts';
import { clauses as registryClauses } from '../../spec/clauses/registry.ts';
import { describeMachines, type MachineDescription } from '../../spec/machine-description.ts';
import { entityKinds, type EntityKind } from '../../trace/events.ts';
import { clausesCheckedFor } from '../applicability.ts';
import { History } from '../checker/history.ts';
import type { ScenarioResult } from '../result.ts';
import type { ClauseCoverage, MachineCoverage, SpecCoverage, StateCoverage, TransitionCoverage } from './spec-coverage-types.ts';

/** What coverage reads of a scenario result. */
export type CoverageInput = Pick<ScenarioResult, 'outcome' | 'verdicts' | 'trace' | 'engine'>;

let machineDescriptions: MachineDescription[] | undefined;

/** The machines as data, read from XState once, on first use. */
function machines(): MachineDescription[] {
  machineDescriptions ??= describeMachines();
  return machineDescriptions;
}

function machineOf(kind: EntityKind): MachineDescription {
  return machines().find((machine) => machine.kind === kind)!;
}

function moveKey(from: string, to: string): string {
  return `${from}\u0000${to}`;
}

/** Position of a clause id in the registry; ids the registry lacks sort after, by name. */
function clauseOrder(a: string, b: string): number {
  const rank = (id: string) => {
    const index = registryClauses.findIndex((clause) => clause.id === id);
    return index === -1 ? registryClauses.length : index;
  };
  return rank(a) - rank(b) || (a < b ? -1 : a > b ? 1 : 0);
}

/** A machine's rows, each state and legal move with the count given by `reached` and `taken`. */
function machineRows(kind: EntityKind, reached: ReadonlySet<string>, taken: ReadonlySet<string>): MachineCoverage {
  const machine = machineOf(kind);
  return {
    kind,
    states: machine.states.map((state) => ({ state, scenarios: reached.has(state) ? 1 : 0 })),
    transitions: machine.moves.map((move) => ({ from: move.from, to: move.to, scenarios: taken.has(moveKey(move.from, move.to)) ? 1 : 0 })),
  };
}

/**
 * Coverage of nothing yet, with the rows an engine of these capabilities is measured
 * against (its kinds' machines, its checked clauses, every count 0); with null
 * capabilities, no rows. A campaign starts from this, so its denominators are known even
 * when no run gets far.
 */
export function emptyCoverage(capabilities: Capabilities | null): SpecCoverage {
  const none = new Set<string>();
  const kinds = capabilities === null ? [] : entityKinds.filter((kind) => capabilities.entities.includes(kind));
  const clauseIds = capabilities === null ? [] : clausesCheckedFor(capabilities);
  return {
    scenarios: 0,
    machines: kinds.map((kind) => machineRows(kind, none, none)),
    clauses: clauseIds.map((clauseId) => ({ clauseId, scenarios: 0, situations: 0 })),
  };
}

/** Coverage of one scenario: every count 0 or 1 (`situations` excepted); a not-applicable one only lists its rows. */
export function scenarioCoverage(result: CoverageInput): SpecCoverage {
  const empty = emptyCoverage(result.engine?.capabilities ?? null);
  if (result.outcome === 'not-applicable') return empty;

  const reached = new Map<EntityKind, Set<string>>();
  const taken = new Map<EntityKind, Set<string>>();
  // History reads the trace as every checker does: run states canonical, transitions derived from read-backs where none are pushed.
  for (const event of new History(result.trace).transitions) {
    const states = reached.get(event.entity) ?? new Set<string>();
    reached.set(event.entity, states);
    states.add(event.to);
    if (event.from === null) continue;
    states.add(event.from);
    const moves = taken.get(event.entity) ?? new Set<string>();
    taken.set(event.entity, moves);
    moves.add(moveKey(event.from, event.to));
  }
  const listedKinds = new Set(empty.machines.map((machine) => machine.kind));
  const kinds = entityKinds.filter((kind) => listedKinds.has(kind) || reached.has(kind));

  const exercised = result.verdicts.filter((verdict) => verdict.exercised > 0);
  const clauseIds = [...new Set([...empty.clauses.map((clause) => clause.clauseId), ...exercised.map((verdict) => verdict.clauseId)])].sort(clauseOrder);
  return {
    scenarios: 1,
    machines: kinds.map((kind) => machineRows(kind, reached.get(kind) ?? new Set(), taken.get(kind) ?? new Set())),
    clauses: clauseIds.map((clauseId) => {
      const verdict = exercised.find((candidate) => candidate.clauseId === clauseId);
      return { clauseId, scenarios: verdict ? 1 : 0, situations: verdict?.exercised ?? 0 };
    }),
  };
}

/** Rows of `a` then those only in `b`, counts added where both have the row. */
function mergeRows<Row extends { scenarios: number }>(a: readonly Row[], b: readonly Row[], key: (row: Row) => string, add: (x: Row, y: Row) => Row): Row[] {
  const fromB = new Map(b.map((row) => [key(row), row]));
  const merged = a.map((row) => {
    const other = fromB.get(key(row));
    fromB.delete(key(row));
    return other ? add(row, other) : { ...row };
  });
  return [...merged, ...[...fromB.values()].map((row) => ({ ...row }))];
}

/**
 * Coverage of two disjoint sets of scenarios (two shards, or a campaign and its next
 * run): scenarios and every count added, rows the union of both. Pure: neither argument
 * is changed.
 */
export function mergeCoverage(a: SpecCoverage, b: SpecCoverage): SpecCoverage {
  const byKindB = new Map(b.machines.map((machine) => [machine.kind, machine]));
  const kinds = entityKinds.filter((kind) => a.machines.some((machine) => machine.kind === kind) || byKindB.has(kind));
  const noMachine = (kind: EntityKind): MachineCoverage => ({ kind, states: [], transitions: [] });
  return {
    scenarios: a.scenarios + b.scenarios,
    machines: kinds.map((kind) => {
      const x = a.machines.find((machine) => machine.kind === kind) ?? noMachine(kind);
      const y = byKindB.get(kind) ?? noMachine(kind);
      return {
        kind,
        states: mergeRows<StateCoverage>(x.states, y.states, (row) => row.state, (p, q) => ({ state: p.state, scenarios: p.scenarios + q.scenarios })),
        transitions: mergeRows<TransitionCoverage>(
          x.transitions,
          y.transitions,
          (row) => moveKey(row.from, row.to),
          (p, q) => ({ from: p.from, to: p.to, scenarios: p.scenarios + q.scenarios }),
        ),
      };
    }),
    clauses: mergeRows<ClauseCoverage>(a.clauses, b.clauses, (row) => row.clauseId, (p, q) => ({
      clauseId: p.clauseId,
      scenarios: p.scenarios + q.scenarios,
      situations: p.situations + q.situations,
    })).sort((p, q) => clauseOrder(p.clauseId, q.clauseId)),
  };
}

/** `coverage` with one more scenario's result folded in: what a campaign does after each run. */
export function addScenario(coverage: SpecCoverage, result: CoverageInput): SpecCoverage {
  return mergeCoverage(coverage, scenarioCoverage(result));
}

/**
 * Coverage of a suite's results, measured against the capabilities of `engineCapabilities`
 * when given (a suite's engine), else of each result's engine.
 */
export function coverageOf(results: readonly CoverageInput[], engineCapabilities: Capabilities | null = null): SpecCoverage {
  return results.reduce(addScenario, emptyCoverage(engineCapabilities));
}
