/**
 * Goal: the machines in spec/machines say what the upstream servers say about legal and
 * illegal transitions (upstream: Prefect's orchestration rules, Conductor's enums,
 * DolphinScheduler's command → instance path). Method: one table of rows per entity kind,
 * each row a `from → to` pair taken from the upstream rules, judged twice: through the table that
 * `eventsBetween` builds from the machine, and by driving the XState machine itself with
 * `transition()` (a legal row must land on `to`; for an illegal row no event may).
 * A row that fails because the machine disagrees with its upstream rule is reported, not fixed
 * here: it is marked `it.fails` with the reason.
 */
import { describe, expect, it } from 'vitest';
import { transition, type AnyMachineSnapshot, type StateValue } from 'xstate';
import type { CommandEvent, InstanceEvent, RunEvent, TaskEvent, WorkflowEvent } from '../../spec/machines/index.ts';
import {
  eventsBetween,
  fromStateValue,
  isTerminal,
  machinesByKind,
  toStateValue,
  transitionTable,
} from '../../spec/transitions.ts';
import type { EntityKind } from '../../trace/events.ts';

/** Every event type of every machine; a new event is a compile error here until listed. */
const eventTypesByKind: Record<EntityKind, readonly string[]> = {
  run: Object.keys({
    MARK_LATE: true,
    AWAIT_CONCURRENCY_SLOT: true,
    ACQUIRE: true,
    START: true,
    START_RETRY: true,
    COMPLETE: true,
    FAIL: true,
    FAIL_WITH_RETRY: true,
    PAUSE: true,
    SUSPEND: true,
    RESUME: true,
    RESCHEDULE: true,
    CANCEL: true,
    CONFIRM_CANCELLED: true,
    CRASH: true,
  } satisfies Record<RunEvent['type'], true>),
  workflow: Object.keys({
    PAUSE: true,
    RESUME: true,
    COMPLETE: true,
    FAIL: true,
    TIME_OUT: true,
    TERMINATE: true,
  } satisfies Record<WorkflowEvent['type'], true>),
  task: Object.keys({
    START: true,
    COMPLETE: true,
    COMPLETE_WITH_ERRORS: true,
    SKIP: true,
    FAIL: true,
    FAIL_WITH_TERMINAL_ERROR: true,
    CANCEL: true,
    TIME_OUT: true,
  } satisfies Record<TaskEvent['type'], true>),
  command: Object.keys({ CLAIM: true, RELEASE: true, CONSUME: true, MOVE_TO_ERROR: true } satisfies Record<
    CommandEvent['type'],
    true
  >),
  instance: Object.keys({
    RUN: true,
    DELAY: true,
    SERIAL_WAIT: true,
    WAIT_TO_RUN: true,
    SUCCEED: true,
    FAIL: true,
    REQUEST_PAUSE: true,
    PAUSED: true,
    REQUEST_STOP: true,
    STOPPED: true,
    REQUEST_BLOCK: true,
    BLOCKED: true,
    RECOVER: true,
  } satisfies Record<InstanceEvent['type'], true>),
};

interface Row {
  from: string;
  to: string;
  legal: boolean;
  /** The upstream rule the row comes from. */
  rule: string;
  /** Set when the machine disagrees with the upstream rule: why the row is expected to fail. */
  knownDiscrepancy?: string;
}

const legal = (from: string, to: string, rule: string): Row => ({ from, to, legal: true, rule });
const refused = (from: string, to: string, rule: string): Row => ({ from, to, legal: false, rule });

function snapshotOf(kind: EntityKind, state: string): AnyMachineSnapshot {
  return machinesByKind[kind].resolveState({ value: toStateValue(kind, state), context: {} });
}

function step(kind: EntityKind, from: string, type: string): { next: AnyMachineSnapshot; moved: boolean } {
  const snapshot = snapshotOf(kind, from);
  const [next] = transition(machinesByKind[kind], snapshot, { type });
  // XState hands back the same snapshot when no transition is enabled for the event.
  return { next, moved: next !== snapshot };
}

/** Asserts one row through `eventsBetween` and through the machine. */
function checkRow(kind: EntityKind, row: Row): void {
  const label = `${kind} ${row.from} → ${row.to} (${row.rule})`;
  const events = eventsBetween(kind, row.from, row.to);
  if (row.legal) {
    expect(events, `${label}: eventsBetween finds no event`).not.toEqual([]);
    for (const type of events) {
      const { next } = step(kind, row.from, type);
      expect(fromStateValue(kind, next.value as StateValue), `${label}: machine.transition with ${type}`).toBe(row.to);
    }
    return;
  }
  expect(events, `${label}: eventsBetween allows it`).toEqual([]);
  for (const type of eventTypesByKind[kind]) {
    const { next, moved } = step(kind, row.from, type);
    const reached = moved && fromStateValue(kind, next.value as StateValue) === row.to;
    expect(reached, `${label}: machine.transition with ${type} reaches ${row.to}`).toBe(false);
  }
}

const runTerminal = ['COMPLETED', 'FAILED', 'CANCELLED', 'CRASHED'];
const scheduledSubStates = ['SCHEDULED', 'SCHEDULED/Late', 'SCHEDULED/AwaitingRetry', 'SCHEDULED/AwaitingConcurrencySlot'];

const rowsByKind: Record<EntityKind, Row[]> = {
  run: [
    ...runTerminal.flatMap((from) =>
      ['CANCELLING', 'PAUSED', 'CRASHED'].map((to) => refused(from, to, 'from a terminal state → CANCELLING, PAUSED or CRASHED is refused')),
    ),
    ...transitionTable('run')
      .states.filter((to) => to !== 'CANCELLED')
      .map((to) => refused('CANCELLING', to, 'CANCELLING → anything but CANCELLED is refused')),
    legal('CANCELLING', 'CANCELLED', 'CANCELLING → CANCELLED'),
    ...scheduledSubStates.map((from) => legal(from, 'CANCELLED', 'cancelling a SCHEDULED run goes straight to CANCELLED')),
    ...scheduledSubStates.map((from) => refused(from, 'CANCELLING', 'cancelling a SCHEDULED run does not pass through CANCELLING')),
    ...['PENDING', 'RUNNING', 'RUNNING/Retrying', 'CANCELLING', 'CANCELLED'].map((from) =>
      refused(from, 'PENDING', 'PENDING, RUNNING, CANCELLING, CANCELLED → PENDING is refused'),
    ),
    legal('SCHEDULED', 'SCHEDULED/Late', 'only a SCHEDULED run may be marked Late'),
    ...['PENDING', 'RUNNING', 'RUNNING/Retrying', 'PAUSED', 'CANCELLING', ...runTerminal].map((from) =>
      refused(from, 'SCHEDULED/Late', 'only a SCHEDULED run may be marked Late'),
    ),
    legal('SCHEDULED', 'SCHEDULED/AwaitingConcurrencySlot', '→ PENDING while the limit is full becomes AwaitingConcurrencySlot'),
    legal('SCHEDULED/Late', 'SCHEDULED/AwaitingConcurrencySlot', '→ PENDING while the limit is full becomes AwaitingConcurrencySlot'),
    legal('SCHEDULED/AwaitingConcurrencySlot', 'PENDING', 'a run waiting for a slot goes on to PENDING when one frees'),
    legal('RUNNING', 'PAUSED', 'pausing only from RUNNING'),
    legal('RUNNING', 'PAUSED/Suspended', 'pausing only from RUNNING'),
    legal('RUNNING/Retrying', 'PAUSED', 'pausing only from RUNNING'),
    ...[...scheduledSubStates, 'PENDING', 'CANCELLING'].map((from) => refused(from, 'PAUSED', 'pausing only from RUNNING')),
    ...['RUNNING', 'SCHEDULED', ...runTerminal].map((to) =>
      legal('PAUSED', to, 'from PAUSED only to RUNNING, SCHEDULED or a terminal state'),
    ),
    legal('PAUSED/Suspended', 'RUNNING', 'from PAUSED only to RUNNING, SCHEDULED or a terminal state'),
    ...['PENDING', 'CANCELLING'].map((to) => refused('PAUSED', to, 'from PAUSED only to RUNNING, SCHEDULED or a terminal state')),
    legal('RUNNING', 'SCHEDULED/AwaitingRetry', 'RUNNING → FAILED with retries left becomes Scheduled/AwaitingRetry'),
    legal('RUNNING/Retrying', 'SCHEDULED/AwaitingRetry', 'RUNNING → FAILED with retries left becomes Scheduled/AwaitingRetry'),
  ],
  workflow: [
    legal('RUNNING', 'TERMINATED', 'Conductor: a running workflow may be terminated'),
    ...transitionTable('workflow').states.map((to) => refused('TERMINATED', to, 'Conductor: TERMINATED is absorbing (PR #766)')),
    ...['COMPLETED', 'FAILED', 'TIMED_OUT'].flatMap((from) =>
      ['RUNNING', 'PAUSED', 'TERMINATED'].map((to) => refused(from, to, 'Conductor: a terminal workflow status is final')),
    ),
  ],
  task: [
    legal('SCHEDULED', 'IN_PROGRESS', 'Conductor: a scheduled task is picked up'),
    legal('IN_PROGRESS', 'CANCELED', 'Conductor: terminate cancels an IN_PROGRESS task (PR #304)'),
    refused('CANCELED', 'IN_PROGRESS', 'Conductor: CANCELED is terminal'),
    ...['COMPLETED', 'COMPLETED_WITH_ERRORS', 'SKIPPED', 'FAILED', 'FAILED_WITH_TERMINAL_ERROR', 'TIMED_OUT'].map((from) =>
      refused(from, 'IN_PROGRESS', 'Conductor: terminal task statuses are final'),
    ),
  ],
  command: [
    legal('CREATED', 'CLAIMED', 'DolphinScheduler: a master claims a stored command'),
    legal('CLAIMED', 'CONSUMED', 'DolphinScheduler: the claiming master turns it into an instance'),
    ...transitionTable('command').states.map((to) => refused('CONSUMED', to, 'DolphinScheduler: a consumed command is gone')),
    refused('CREATED', 'CONSUMED', 'DolphinScheduler: a command is consumed only by the master that claimed it'),
  ],
  instance: [
    legal('SUBMITTED_SUCCESS', 'RUNNING_EXECUTION', 'DolphinScheduler: a submitted instance runs'),
    legal('RUNNING_EXECUTION', 'SUCCESS', 'DolphinScheduler: a running instance succeeds'),
    refused('SUCCESS', 'RUNNING_EXECUTION', 'DolphinScheduler: SUCCESS is finished'),
    legal('READY_STOP', 'STOP', 'DolphinScheduler: a stop request ends in STOP'),
  ],
};

/** Terminal (absorbing) states per kind as the upstream enums list them; the others must not be terminal. */
const terminalByKind: Record<EntityKind, { terminal: string[]; nonTerminal: string[] }> = {
  run: { terminal: runTerminal, nonTerminal: [...scheduledSubStates, 'PENDING', 'RUNNING', 'RUNNING/Retrying', 'PAUSED', 'PAUSED/Suspended', 'CANCELLING'] },
  workflow: { terminal: ['COMPLETED', 'FAILED', 'TIMED_OUT', 'TERMINATED'], nonTerminal: ['RUNNING', 'PAUSED'] },
  task: {
    terminal: ['COMPLETED', 'COMPLETED_WITH_ERRORS', 'SKIPPED', 'FAILED', 'FAILED_WITH_TERMINAL_ERROR', 'CANCELED', 'TIMED_OUT'],
    nonTerminal: ['SCHEDULED', 'IN_PROGRESS'],
  },
  command: { terminal: ['CONSUMED'], nonTerminal: ['CREATED', 'CLAIMED'] },
  // DolphinScheduler also calls PAUSE and BLOCK "finished", but they can be recovered, so they are not absorbing.
  instance: { terminal: ['SUCCESS', 'FAILURE', 'STOP'], nonTerminal: ['SUBMITTED_SUCCESS', 'RUNNING_EXECUTION', 'READY_STOP'] },
};

const kinds = Object.keys(rowsByKind) as EntityKind[];

describe.each(kinds)('the %s machine', (kind) => {
  const rows = rowsByKind[kind];
  const agreeing = rows.filter((row) => row.knownDiscrepancy === undefined);
  const disagreeing = rows.filter((row) => row.knownDiscrepancy !== undefined);

  it.each(agreeing.filter((row) => row.legal))('allows $from → $to ($rule)', (row) => checkRow(kind, row));
  it.each(agreeing.filter((row) => !row.legal))('refuses $from → $to ($rule)', (row) => checkRow(kind, row));
  if (disagreeing.length > 0) {
    it.fails.each(disagreeing)('known discrepancy: $from → $to ($knownDiscrepancy)', (row) => checkRow(kind, row));
  }

  it.each(terminalByKind[kind].terminal)('treats %s as terminal', (state) => {
    expect(isTerminal(kind, state)).toBe(true);
    expect(snapshotOf(kind, state).status).toBe('done');
  });
  it.each(terminalByKind[kind].nonTerminal)('treats %s as non-terminal', (state) => {
    expect(isTerminal(kind, state)).toBe(false);
  });
});
