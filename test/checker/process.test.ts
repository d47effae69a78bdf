/**
 * Goal: PROCESS-01 (no process the engine spawned outlives the scenario) is judged on
 * the harness's final /proc sweep (reason `scenario-end`, after the teardown line): a
 * live process in that sweep is a violation, earlier polls do not count, and a trace with
 * no end line (so no final sweep to trust) is 'unknown'.
 * Method: small hand-made traces from test/checker/trace-builder.ts with two runs and
 * their processes; the passing and failing traces differ only in what the sweep reads.
 */
import { describe, expect, it } from 'vitest';
import { scenarioEndReason } from '../../harness/checker/process.ts';
import type { ObserveProcessEvent } from '../../trace/events.ts';
import { createRun, startRun } from './fixtures.ts';
import { TraceBuilder } from './trace-builder.ts';
import { expectHolds, expectViolated, judge } from './verdicts.ts';

const processes = [
  { owner: 'run-1', pid: 6101 },
  { owner: 'run-2', pid: 6102 },
] as const;

/**
 * Two runs complete; their processes are seen alive while running. The sweep reads each
 * process as `sweep` says (true: alive), unless `withEnd` is false (no teardown, sweep
 * or end line: the harness died).
 */
function scenario(options: { aliveAtSweep?: Set<number>; withEnd?: boolean } = {}) {
  const trace = new TraceBuilder();
  trace.meta();
  for (const { owner, pid } of processes) {
    createRun(trace, owner, {}, { cause: 'execute' });
    startRun(trace, owner);
    trace.processEvent('spawn', owner, { pid });
    trace.observeProcess(pid, owner, true);
  }
  trace.atWall(500);
  for (const { owner, pid } of processes) {
    trace.move('run', owner, 'COMPLETED', { cause: 'process-exited' });
    trace.processEvent('exit', owner, { pid, code: 0 });
  }
  const sweep: ObserveProcessEvent[] = [];
  if (options.withEnd !== false) {
    trace.atWall(1000).teardown();
    for (const { owner, pid } of processes) sweep.push(trace.observeProcess(pid, owner, options.aliveAtSweep?.has(pid) ?? false, { reason: scenarioEndReason }));
    trace.end();
  }
  return { events: trace.build(), sweep };
}

describe('PROCESS-01: no process the engine spawned is alive when the scenario ends', () => {
  it('holds when the final sweep finds every process dead, though polls saw them alive before', () => {
    const { events, sweep } = scenario();
    expect(sweep.map((observation) => observation.reason)).toEqual([scenarioEndReason, scenarioEndReason]);
    expectHolds(events, 'PROCESS-01');
  });

  it.each(processes.map((entry) => [entry.owner, entry.pid] as const))('is violated by the process of %s (pid %i) alive in the final sweep', (owner, pid) => {
    const { events, sweep } = scenario({ aliveAtSweep: new Set([pid]) });
    const seen = sweep.find((observation) => observation.pid === pid)!;
    const violation = expectViolated(events, 'PROCESS-01', { entity: owner, seq: seen.seq });
    expect(violation.message).toContain(String(pid));
    expect(judge(events, 'PROCESS-01').violations).toHaveLength(1);
  });

  it('reports every process alive in the sweep', () => {
    const { events } = scenario({ aliveAtSweep: new Set(processes.map(({ pid }) => pid)) });
    const verdict = judge(events, 'PROCESS-01');
    expect(verdict.violations.map((violation) => violation.entity)).toEqual(processes.map(({ owner }) => owner));
  });

  it('is unknown when the trace has no end line (no final sweep to trust)', () => {
    const { events } = scenario({ withEnd: false });
    const verdict = judge(events, 'PROCESS-01');
    expect(verdict.valid).toBe('unknown');
    expect(verdict.unknownReasons.join(' ')).toContain('end');
  });

  it('says false, not unknown, when a sweep saw a live process even without an end line', () => {
    const trace = new TraceBuilder();
    trace.meta();
    trace.processEvent('spawn', 'run-1', { pid: 6101 });
    trace.teardown();
    trace.observeProcess(6101, 'run-1', true, { reason: scenarioEndReason });
    expectViolated(trace.build(), 'PROCESS-01', { entity: 'run-1' });
  });
});

/**
 * Regressions: checker defects found while writing these tests, each fixed; the test
 * states what the clause says so the defect cannot come back.
 */
describe('checker regressions', () => {
  it('PROCESS-01 should be unknown, not true, when processes were spawned and the trace ends with no scenario-end sweep', () => {
    // With an end line but no sweep the checker has no evidence either way; docs/trace.md
    // says such a checker answers unknown, never true.
    const trace = new TraceBuilder();
    trace.meta();
    trace.processEvent('spawn', 'run-1', { pid: 6101 });
    trace.observeProcess(6101, 'run-1', true);
    trace.end();
    expect(judge(trace.build(), 'PROCESS-01').valid).toBe('unknown');
  });
});
