/**
 * Goal: a run state means one thing however Prefect spells it. `SCHEDULED/Scheduled`,
 * `PENDING/Pending`, `RUNNING/Running`, … (Prefect's full default names) are the plain
 * types everywhere the spec is asked about a run state (parse, legal moves, reachability,
 * terminal states); a name no machine has is no state, and the nearest known one is
 * found for the message; the run count counts attempts, not resumes.
 * Method: every default name of spec/states.ts against the plain type, and each question
 * of spec/transitions.ts asked in both spellings.
 */
import { describe, expect, it } from 'vitest';
import {
  incrementsRunCount,
  normaliseRunState,
  parseRunState,
  readRunState,
  runStateNames,
  runStateTexts,
  runStateTypes,
} from '../../spec/states.ts';
import { canonicalState, eventsBetween, isTerminal, nearestState, reachableFrom, transitionTable } from '../../spec/transitions.ts';

/** `['SCHEDULED/Scheduled', 'SCHEDULED']`, … for every type: Prefect's full default name and the plain type. */
const fullDefaultNames = runStateTypes.map((type) => [`${type}/${runStateNames[type][0]}`, type] as const);

describe('run state names', () => {
  it.each(fullDefaultNames)('reads %s as %s', (full, plain) => {
    expect(normaliseRunState(full)).toBe(plain);
    expect(parseRunState(full)).toEqual(parseRunState(plain));
    expect(canonicalState('run', full)).toBe(plain);
  });

  it('keeps a named sub-state as it is and knows every state of the run machine', () => {
    expect(normaliseRunState('SCHEDULED/Late')).toBe('SCHEDULED/Late');
    expect([...runStateTexts].sort()).toEqual([...transitionTable('run').states].sort());
  });

  it.each(['COMPLETE', 'SCHEDULED/Waiting', 'scheduled', 'SCHEDULED/Late/Again', 'RUNNING/'])('knows no state %j', (text) => {
    expect(readRunState(text)).toBeUndefined();
    expect(normaliseRunState(text)).toBeUndefined();
    expect(canonicalState('run', text)).toBeUndefined();
  });

  it('throws from parseRunState with the nearest known name', () => {
    expect(() => parseRunState('COMPLETE')).toThrow("parseRunState: 'COMPLETE' is not a run state (nearest known: 'COMPLETED')");
  });
});

describe('the machines asked in full default names', () => {
  it('accept the same moves', () => {
    expect(eventsBetween('run', 'SCHEDULED/Scheduled', 'PENDING/Pending')).toEqual(eventsBetween('run', 'SCHEDULED', 'PENDING'));
    expect(eventsBetween('run', 'PENDING/Pending', 'RUNNING/Running')).toEqual(['START']);
    expect(eventsBetween('run', 'CANCELLING/Cancelling', 'CANCELLED/Cancelled')).toEqual(['CONFIRM_CANCELLED']);
    expect(eventsBetween('run', null, 'SCHEDULED/Scheduled')).toEqual(['CREATE']);
    expect(eventsBetween('run', 'RUNNING/Running', 'PENDING/Pending')).toEqual([]);
  });

  it.each(fullDefaultNames)('judge %s terminal exactly when %s is', (full, plain) => {
    expect(isTerminal('run', full)).toBe(isTerminal('run', plain));
  });

  it('reach the same states', () => {
    expect(reachableFrom('run', 'PAUSED/Paused')).toEqual(reachableFrom('run', 'PAUSED'));
    expect(reachableFrom('run', 'COMPLETE').size).toBe(0);
  });

  it('say nothing is terminal, or a move, for a name they do not know', () => {
    expect(isTerminal('run', 'COMPLETE')).toBe(false);
    expect(eventsBetween('task', 'IN_PROGRESS', 'DONE')).toEqual([]);
  });
});

describe('nearestState', () => {
  it.each([
    ['run', 'COMPLETE', 'COMPLETED'],
    ['run', 'Cancelled', 'CANCELLED'],
    ['task', 'CANCELLED', 'CANCELED'],
    ['workflow', 'TERMINATE', 'TERMINATED'],
    ['command', 'CONSUME', 'CONSUMED'],
    ['instance', 'RUNNING', 'RUNNING_EXECUTION'],
  ] as const)('for a %s finds %s → %s', (kind, text, nearest) => {
    expect(nearestState(kind, text)).toBe(nearest);
  });
});

describe('incrementsRunCount: the one meaning of run count', () => {
  it.each([
    [null, 'RUNNING', true],
    ['PENDING', 'RUNNING', true],
    ['PENDING', 'RUNNING/Retrying', true],
    ['PENDING/Pending', 'RUNNING/Running', true],
    ['PAUSED', 'RUNNING', false],
    ['PAUSED/Suspended', 'RUNNING', false],
    ['RUNNING', 'COMPLETED', false],
    ['SCHEDULED', 'PENDING', false],
  ] as const)('%s → %s counts: %s', (from, to, counts) => {
    expect(incrementsRunCount(from, to)).toBe(counts);
  });
});
