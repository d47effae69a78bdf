/**
 * Goal: the checkers judge what a state means, not how it is spelt, and say so when a
 * name means nothing.
 * - Prefect's full default names (`SCHEDULED/Scheduled`, `CANCELLED/Cancelled`, …) are
 *   the plain types to every clause: a story written in full names gets the same
 *   verdicts, violations at the same lines, as the same story in plain names.
 * - A name the machine does not know (`COMPLETE`) is reported by TRANSITION-01 (or
 *   OBSERVE-01, when read back) as an unknown name with the nearest known one, once per
 *   entity, and not as an illegal move.
 * Method: the family stories of fixtures.ts, rewritten name by name; hand-made traces
 * for the unknown names.
 */
import { describe, expect, it } from 'vitest';
import { checkTrace } from '../../harness/checker/check.ts';
import { runStateNames, runStateTypes, type RunStateType } from '../../spec/states.ts';
import type { TraceEvent } from '../../trace/events.ts';
import { cancelStory, createRun, deploymentIds, deploymentStory, startRun } from './fixtures.ts';
import { TraceBuilder } from './trace-builder.ts';
import { describeCase, expectHolds, expectViolated, judge } from './verdicts.ts';

/** `CANCELLED` → `CANCELLED/Cancelled`: a plain run type in Prefect's full default name; other texts unchanged. */
function inFull(state: string): string {
  return (runStateTypes as readonly string[]).includes(state) ? `${state}/${runStateNames[state as RunStateType][0]}` : state;
}

/** The trace with every run state of transitions and read-backs written in full default names. */
function spelledInFull(events: readonly TraceEvent[]): TraceEvent[] {
  return events.map((event) => {
    if (event.kind === 'transition' && event.entity === 'run') return { ...event, from: event.from === null ? null : inFull(event.from), to: inFull(event.to) };
    if (event.kind === 'observe' && event.entity === 'run' && event.state !== null) return { ...event, state: inFull(event.state) };
    return event;
  });
}

/** Per clause: its validity and the lines its violations point at. */
function verdictShape(events: readonly TraceEvent[]) {
  return checkTrace(events).verdicts.map((verdict) => ({ clauseId: verdict.clauseId, valid: verdict.valid, seqs: verdict.violations.map((violation) => violation.seq) }));
}

describe("Prefect's full default names", () => {
  const stories: Array<[string, () => TraceEvent[]]> = [
    ['the conformant cancel', () => cancelStory().events],
    ['a cancel stuck in CANCELLING', () => cancelStory({ parentCancelledAfterMs: null, parentProcessDeadAfterMs: 500 }).events],
    ['a subflow left RUNNING by its parent\'s cancel', () => cancelStory({ subflow: { to: 'RUNNING' }, subflowProcessDeadAfterMs: null }).events],
    ['the conformant deployment update', () => deploymentStory().events],
    ['an update that deletes the Late backlog run', () => deploymentStory({ deleteOnUpdate: [deploymentIds.lateRun, deploymentIds.futureRun] }).events],
  ];

  it.each(stories)('give %s the same verdicts as plain names', (_name, story) => {
    const plain = story();
    const full = spelledInFull(plain);
    // The rewrite must have changed something, or the test proves nothing.
    expect(full.filter((event, index) => event !== plain[index]).length).toBeGreaterThan(0);
    expect(verdictShape(full), describeCase(full, verdictShape(full))).toEqual(verdictShape(plain));
  });

  it('may be mixed with plain names within one run', () => {
    const trace = new TraceBuilder();
    trace.meta();
    createRun(trace, 'run-1', {}, { cause: 'execute', to: 'SCHEDULED/Scheduled' });
    trace.move('run', 'run-1', 'PENDING', { cause: 'worker-acquired' });
    trace.transition('run', 'run-1', 'PENDING/Pending', 'RUNNING/Running', { cause: 'process-started' });
    trace.transition('run', 'run-1', 'RUNNING', 'COMPLETED/Completed', { cause: 'process-exited' });
    trace.observe('run', 'run-1', 'COMPLETED/Completed');
    trace.observe('run', 'run-1', 'COMPLETED');
    trace.end();
    expectHolds(trace.build(), 'TRANSITION-01');
  });

  it('still leave a terminal state absorbing (CANCELLED/Cancelled → RUNNING is refused)', () => {
    const trace = new TraceBuilder();
    trace.meta();
    createRun(trace, 'run-1', {}, { cause: 'execute', to: 'PENDING/Pending' });
    trace.move('run', 'run-1', 'CANCELLING/Cancelling', { cause: 'cancel' });
    trace.move('run', 'run-1', 'CANCELLED/Cancelled', { cause: 'process-tree-killed' });
    const exit = trace.move('run', 'run-1', 'RUNNING/Running', { cause: 'engine' });
    trace.end();
    expectViolated(trace.build(), 'TRANSITION-02', { entity: 'run-1', seq: exit.seq });
  });
});

describe('a state name the machine does not know', () => {
  it('is reported by TRANSITION-01 as an unknown name with the nearest known one, not as an illegal move', () => {
    const trace = new TraceBuilder();
    trace.meta();
    createRun(trace, 'run-1', {}, { cause: 'create-flow-run' });
    startRun(trace, 'run-1');
    const misspelt = trace.move('run', 'run-1', 'COMPLETE', { cause: 'process-exited' });
    trace.end();
    const violation = expectViolated(trace.build(), 'TRANSITION-01', { entity: 'run-1', seq: misspelt.seq });
    expect(judge(trace.build(), 'TRANSITION-01').violations).toHaveLength(1);
    expect(violation.message).toBe("run run-1 wrote 'COMPLETE', a state name the run machine does not know (nearest known: 'COMPLETED'; `flowconform spec` lists the states)");
    expect(violation.message).not.toContain('is not a transition');
  });

  it('is reported once per entity, though the next line starts from it', () => {
    const trace = new TraceBuilder();
    trace.meta();
    trace.move('task', 'task-1', 'SCHEDULED', { cause: 'decide' });
    const first = trace.move('task', 'task-1', 'INPROGRESS', { cause: 'poll' });
    trace.move('task', 'task-1', 'COMPLETED', { cause: 'task-completed' });
    trace.end();
    const verdict = judge(trace.build(), 'TRANSITION-01');
    expect(verdict.violations.map((violation) => [violation.seq, violation.message])).toEqual([
      [first.seq, "task task-1 wrote 'INPROGRESS', a state name the task machine does not know (nearest known: 'IN_PROGRESS'; `flowconform spec` lists the states)"],
    ]);
  });

  it('is found whatever its case: `Completed` for a workflow points at COMPLETED', () => {
    const trace = new TraceBuilder();
    trace.meta();
    trace.move('workflow', 'wf-1', 'RUNNING', { cause: 'start-workflow' });
    trace.move('workflow', 'wf-1', 'Completed', { cause: 'all-tasks-completed' });
    trace.end();
    const violation = expectViolated(trace.build(), 'TRANSITION-01', { entity: 'wf-1' });
    expect(violation.message).toContain("nearest known: 'COMPLETED'");
  });

  it('read back through the query API is reported by OBSERVE-01, even as the first read', () => {
    const trace = new TraceBuilder();
    trace.meta();
    const read = trace.observe('command', 'cmd-1', 'CREATE');
    trace.observe('command', 'cmd-1', 'CLAIMED');
    trace.end();
    const violation = expectViolated(trace.build(), 'OBSERVE-01', { entity: 'cmd-1', seq: read.seq });
    expect(violation.message).toBe("command cmd-1 was read back as 'CREATE', a state name the command machine does not know (nearest known: 'CREATED'; `flowconform spec` lists the states)");
    expect(judge(trace.build(), 'OBSERVE-01').violations).toHaveLength(1);
  });

  it('is a violation, so the trace is not conformant (not merely inconclusive)', () => {
    const trace = new TraceBuilder();
    trace.meta();
    trace.move('instance', 'instance-1', 'SUBMITTED', { cause: 'handle-command' });
    trace.end();
    expect(checkTrace(trace.build()).valid).toBe(false);
  });
});
