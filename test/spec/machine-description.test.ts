/**
 * Goal: what `flowconform spec` prints is the machines, not a second copy of them: every
 * move it lists is one the checker accepts and every move the checker accepts is listed,
 * final states are the terminal ones, the states an entity may be created in are those
 * a creation is accepted into, and the run's named sub-states spell exactly its states.
 * Method: `describeMachine(kind)` compared, for every pair of states, with
 * `eventsBetween` and `isTerminal` of spec/transitions.ts (what TRANSITION-01 uses).
 */
import { describe, expect, it } from 'vitest';
import { describeMachine, describeMachines } from '../../spec/machine-description.ts';
import { eventsBetween, isTerminal } from '../../spec/transitions.ts';
import { entityKinds } from '../../trace/events.ts';

describe('describeMachines', () => {
  it('describes every entity kind once, in order', () => {
    expect(describeMachines().map((machine) => machine.kind)).toEqual([...entityKinds]);
  });
});

describe.each(entityKinds)('the %s machine, described', (kind) => {
  const machine = describeMachine(kind);

  it('lists exactly the moves the checker accepts, each with the machine events behind it', () => {
    const listed = new Set(machine.moves.map((move) => `${move.from} → ${move.to}`));
    const accepted = machine.states.flatMap((from) => machine.states.filter((to) => eventsBetween(kind, from, to).length > 0).map((to) => `${from} → ${to}`));
    expect([...listed].sort()).toEqual(accepted.sort());
    for (const move of machine.moves) expect(move.events).toEqual(eventsBetween(kind, move.from, move.to));
  });

  it('names as final exactly the terminal states, and no move leaves them', () => {
    expect(machine.final).toEqual(machine.states.filter((state) => isTerminal(kind, state)));
    expect(machine.moves.filter((move) => machine.final.includes(move.from))).toEqual([]);
    expect(machine.final.length).toBeGreaterThan(0);
  });

  it('lists as creatable exactly the states a creation is accepted into, the initial state among them', () => {
    expect(machine.creatable).toEqual(machine.states.filter((state) => eventsBetween(kind, null, state).length > 0));
    expect(machine.creatable).toContain(machine.initial);
  });
});

describe('the run machine, described', () => {
  const run = describeMachine('run');

  it('spells its states from its named sub-states: the default as the plain type, the others as TYPE/Name', () => {
    const spelled = run.subStates.flatMap(({ type, names }) => names.map((name, index) => (index === 0 ? type : `${type}/${name}`)));
    expect(spelled.sort()).toEqual([...run.states].sort());
    expect(run.subStates.find((entry) => entry.type === 'SCHEDULED')?.names).toEqual(['Scheduled', 'Late', 'AwaitingRetry', 'AwaitingConcurrencySlot', 'Resuming']);
    expect(run.subStates.find((entry) => entry.type === 'PENDING')?.names).toEqual(['Pending']);
  });

  it('has no named sub-states for the other kinds', () => {
    for (const kind of entityKinds.filter((other) => other !== 'run')) expect(describeMachine(kind).subStates).toEqual([]);
  });
});
