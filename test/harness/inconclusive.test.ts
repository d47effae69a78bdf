/**
 * Goal: an engine that hangs or throws makes a run INCONCLUSIVE (exit code 3 territory),
 * never a hang of the harness, never a silent pass, and never a leaked process; the
 * trace up to the fault is kept, and it ends with an `end` event saying how the run ended
 * (TigerBeetle's typed failures: a liveness fault is `timeout`, an engine fault `crash`).
 *
 * Method: `runScenario`'s `createEngine` hook gives it a subclass of the reference engine
 * with one faulty method, on a tiny inline scenario (`parseScenario`) that first starts a
 * real long-lived task process, so teardown has something to clean up:
 * - `terminateWorkflow` never resolves: the terminate step has no timeout of its own, so
 *   it is cut off at the step time limit the test sets (`stepTimeoutMs`, 1 s);
 * - `startRun` throws: the run ends at once as a crash.
 * Afterwards /proc must show no process carrying the engine's `--session`.
 */
import { describe, expect, it } from 'vitest';
import { ReferenceEngine, type Answer, type StartRunSpec } from '../../engine/reference-engine.ts';
import type { TerminateAnswer } from '../../engine/workflows/terminate-workflow.ts';
import { closeTimeoutMsMax, runScenario } from '../../harness/runner/run-scenario.ts';

/** The step time limit given to the hanging run (ms). */
const stepTimeoutMsDefault = 1_000;
import type { ScenarioResult } from '../../harness/result.ts';
import { parseScenario } from '../../scenarios/schema/load.ts';
import type { TraceEvent } from '../../trace/events.ts';
import { livePidsOfSession, recordingSessions } from './session-processes.ts';

/** A terminate that never answers: the engine is stuck inside the call. */
class HangingTerminateEngine extends ReferenceEngine {
  terminateCalls = 0;
  override terminateWorkflow(_workflowId: string, _reason: string): Promise<TerminateAnswer> {
    this.terminateCalls += 1;
    return new Promise<TerminateAnswer>(() => {});
  }
}

const startRunFault = 'startRun exploded (test engine fault)';

/** A start-run that throws: an engine fault. */
class ThrowingStartRunEngine extends ReferenceEngine {
  override startRun(_spec: StartRunSpec): Answer {
    throw new Error(startRunFault);
  }
}

/** Lines joined with newlines, so the step indexes below can be counted by eye. */
function yaml(...lines: string[]): string {
  return `${lines.join('\n')}\n`;
}

/** Steps 0 and 1: a workflow whose only task is a real process that outlives the scenario. */
const longTaskSteps = [
  '  - startWorkflow: { workflow: wf-1, tasks: [{ task: long-task, durationMs: 30000 }] }',
  '  - await: { task: long-task, state: IN_PROGRESS, timeoutMs: 5000 }',
];

/** Waiting this long after the limit for teardown: the close bound plus the reap bound and slack (ms). */
const teardownMsMax = closeTimeoutMsMax + 5_000;

function endEvent(result: ScenarioResult): Extract<TraceEvent, { kind: 'end' }> {
  const last = result.trace.at(-1);
  if (last?.kind !== 'end') throw new Error(`the trace does not end with an end event: ${JSON.stringify(last)}`);
  return last;
}

function stepEvents(result: ScenarioResult): string[] {
  return result.trace.flatMap((event) => (event.kind === 'step' ? [`${event.index}:${event.phase}`] : []));
}

describe('runScenario with a faulty engine', () => {
  it(
    'ends a run whose terminate never answers as inconclusive (timeout) after the step limit',
    async () => {
      const scenario = parseScenario(
        yaml(
          'name: terminate-hangs',
          'description: the engine never answers a terminate',
          'steps:',
          ...longTaskSteps,
          '  - terminate: { workflow: wf-1 }',
          '  - sleep: { ms: 10 }',
        ),
        'inline.yaml',
      );
      const sessions: string[] = [];
      const engines: HangingTerminateEngine[] = [];
      const started = Date.now();
      const result = await runScenario(scenario, {
        stepTimeoutMs: stepTimeoutMsDefault,
        createEngine: recordingSessions(sessions, (options) => {
          const engine = new HangingTerminateEngine(options);
          engines.push(engine);
          return engine;
        }),
      });
      const elapsedMs = Date.now() - started;

      expect(engines[0]?.terminateCalls).toBe(1);
      expect(result.outcome).toBe('inconclusive');
      expect(result.error).toContain(`step 2 (terminate) did not finish within ${stepTimeoutMsDefault} ms`);
      expect(endEvent(result).outcome).toBe('timeout');
      // The hung step began and never ended; the step after it never began.
      expect(stepEvents(result)).toEqual(['0:begin', '0:end', '1:begin', '1:end', '2:begin']);
      expect(result.trace.some((event) => event.kind === 'observe' && event.id === 'long-task' && event.state === 'IN_PROGRESS')).toBe(true);
      // Bounded: not before the limit (the engine really was waited for), not long after it.
      expect(elapsedMs).toBeGreaterThanOrEqual(stepTimeoutMsDefault);
      expect(elapsedMs).toBeLessThan(stepTimeoutMsDefault + teardownMsMax);
      expect(result.trace.some((event) => event.kind === 'process' && event.action === 'spawn')).toBe(true);
      expect(livePidsOfSession(sessions[0]!)).toEqual([]);
    },
    stepTimeoutMsDefault + teardownMsMax + 10_000,
  );

  it('ends a run whose startRun throws as inconclusive (crash), keeping the trace before the fault', async () => {
    const scenario = parseScenario(
      yaml('name: start-run-throws', 'description: the engine throws on start', 'steps:', ...longTaskSteps, '  - start: { run: r1 }', '  - sleep: { ms: 10 }'),
      'inline.yaml',
    );
    const sessions: string[] = [];
    const result = await runScenario(scenario, { createEngine: recordingSessions(sessions, (options) => new ThrowingStartRunEngine(options)) });

    expect(result.outcome).toBe('inconclusive');
    expect(result.error).toContain(startRunFault);
    const end = endEvent(result);
    expect(end.outcome).toBe('crash');
    expect(end.error).toContain(startRunFault);
    // What happened before the fault is all there, in order; nothing of the faulty request is.
    expect(result.trace[0]?.kind).toBe('meta');
    expect(stepEvents(result)).toEqual(['0:begin', '0:end', '1:begin', '1:end', '2:begin']);
    expect(result.trace.some((event) => event.kind === 'request' && event.op === 'start-workflow' && event.outcome === 'ok')).toBe(true);
    expect(result.trace.some((event) => event.kind === 'observe' && event.id === 'long-task' && event.state === 'IN_PROGRESS')).toBe(true);
    expect(result.trace.some((event) => event.kind === 'request' && event.op === 'start-run')).toBe(false);
    expect(result.trace.map((event) => event.seq)).toEqual(result.trace.map((_, index) => index));
    expect(result.trace.some((event) => event.kind === 'process' && event.action === 'spawn')).toBe(true);
    expect(livePidsOfSession(sessions[0]!)).toEqual([]);
  });
});
