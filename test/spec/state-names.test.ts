/**
 * Goal: a run state means one thing however Prefect spells it. `SCHEDULED/Scheduled`,
 * `PENDING/Pending`, `RUNNING/Running`, … (Prefect's full default names) are the plain
 * types everywhere the spec is asked about a run state (parse, legal moves, reachability,
 * terminal states); a name no machine has is no state, and the nearest known one is
 * found for the message; the run count counts attempts, not resumes.
 * Method: every default name of spec/states.ts against the plain type, and each question
 * of spec/transitions.ts asked in both spellings. The run count (docs/spec-audit.md R17)
 * and the run state names the spec leaves out on purpose (V01) are rows of the audit.
 */
import { describe, expect, it } from 'vitest';
import {
  incrementsRunCount,
  normaliseRunState,
  parseRunState,
  readRunState,
  resumingAfter,
  runAttempts,
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

describe('[R17] the run count over a whole story (global_policy.py IncrementFlowRunCount, RemoveResumingIndicator; core_policy.py HandleResumingPausedFlows)', () => {
  /** A story as its states, from creation: each move's `from` is the previous state. */
  const movesOf = (states: readonly string[]) => states.map((to, index) => ({ from: index === 0 ? null : states[index - 1]!, to }));

  it.each([
    ['one attempt', ['SCHEDULED', 'PENDING', 'RUNNING', 'COMPLETED'], 1],
    ['an in-process retry (AwaitingRetry → RUNNING)', ['SCHEDULED', 'PENDING', 'RUNNING', 'SCHEDULED/AwaitingRetry', 'RUNNING', 'FAILED'], 2],
    ['a retry through a worker', ['SCHEDULED', 'PENDING', 'RUNNING', 'SCHEDULED/AwaitingRetry', 'PENDING', 'RUNNING/Retrying', 'COMPLETED'], 2],
    ['a pause resumed in process', ['PENDING', 'RUNNING', 'PAUSED', 'RUNNING', 'COMPLETED'], 1],
    ['a suspend resumed through Resuming and a worker', ['PENDING', 'RUNNING', 'PAUSED/Suspended', 'SCHEDULED/Resuming', 'PENDING', 'RUNNING', 'COMPLETED'], 1],
    ['a paused run rescheduled, then taken again', ['PENDING', 'RUNNING', 'PAUSED', 'SCHEDULED', 'PENDING', 'RUNNING', 'COMPLETED'], 1],
    [
      'a retry after a resumed suspend',
      ['PENDING', 'RUNNING', 'PAUSED/Suspended', 'SCHEDULED/Resuming', 'PENDING', 'RUNNING', 'SCHEDULED/AwaitingRetry', 'PENDING', 'RUNNING/Retrying', 'COMPLETED'],
      2,
    ],
    ['a SIGTERM resubmission of a PENDING run', ['SCHEDULED', 'PENDING', 'SCHEDULED/AwaitingRetry', 'PENDING', 'RUNNING', 'COMPLETED'], 1],
  ] as const)('counts %s: %j → %i', (_story, states, attempts) => {
    expect(runAttempts(movesOf(states))).toBe(attempts);
  });

  it.each([
    [false, 'RUNNING', 'PAUSED/Suspended', false],
    [false, 'PAUSED/Suspended', 'SCHEDULED/Resuming', true],
    [false, 'PAUSED', 'RUNNING', false],
    [true, 'SCHEDULED/Resuming', 'PENDING', true],
    [true, 'PENDING', 'RUNNING', false],
    [false, 'SCHEDULED', 'PENDING', false],
    [false, null, 'PENDING', false],
  ] as const)('resuming %s, then %s → %s: resuming %s', (before, from, to, after) => {
    expect(resumingAfter(before, from, to)).toBe(after);
  });

  it('does not count the first entry into RUNNING while resuming, and counts it when not', () => {
    expect(incrementsRunCount('PENDING', 'RUNNING', true)).toBe(false);
    expect(incrementsRunCount('PENDING', 'RUNNING', false)).toBe(true);
    expect(incrementsRunCount('SCHEDULED/AwaitingRetry', 'RUNNING')).toBe(true);
    expect(incrementsRunCount('PAUSED', 'RUNNING', false)).toBe(false);
  });
});

describe('[V01] run state names', () => {
  it('knows SCHEDULED/Resuming (server/api/flow_runs.py resume_flow_run; core_policy.py BypassCancellingFlowRunsWithNoInfra)', () => {
    expect(readRunState('SCHEDULED/Resuming')).toEqual({ type: 'SCHEDULED', name: 'Resuming' });
    expect(canonicalState('run', 'SCHEDULED/Resuming')).toBe('SCHEDULED/Resuming');
  });

  it.each([
    ['FAILED/TimedOut', 'flow_engine.py FlowRunEngine.handle_timeout'],
    ['PENDING/Submitting', 'states.py Submitting (3.7+)'],
    ['PENDING/InfrastructurePending', 'workers (3.7+)'],
    ['PENDING/NotReady', 'flow_engine.py FlowRunEngine.begin_run'],
    ['COMPLETED/Cached', 'core_policy.py CacheRetrieval (task runs)'],
    ['RUNNING/Rerunning', 'core_policy.py RenameReruns (task runs)'],
  ])('does not know %s (%s): left out on purpose, see docs/spec-audit.md', (text) => {
    expect(readRunState(text)).toBeUndefined();
  });
});
