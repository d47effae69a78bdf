/**
 * Runs one scenario against a fresh reference engine and checks its trace.
 *
 * Every step has a time limit; an asynchronous engine call that does not settle within
 * it ends the run as inconclusive (timeout) with the trace so far, and an engine that
 * throws ends it as a crash. (A synchronous call that never returns cannot be cut off
 * from the same thread; the reference engine's synchronous calls are bounded loops.) Whatever happens, the engine is closed, the observer takes a last look at
 * /proc, and any process of the session still alive is killed by pid, so the harness
 * never hangs and never leaks a process.
 */
import { mkdir, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { LinuxProcessHost } from '../../engine/adapters/linux-process-host.ts';
import { killAll } from '../../engine/processes/kill-tree.ts';
import { LogicalClock } from '../../engine/adapters/logical-clock.ts';
import { TraceRecorder } from '../../engine/adapters/trace-recorder.ts';
import type { BugProfileId } from '../../engine/bugs/profiles.ts';
import { ReferenceEngine, type EngineOptions } from '../../engine/reference-engine.ts';
import { stepName, type Scenario, type Step } from '../../scenarios/schema/steps.ts';
import { defaultBounds, type EntityKind } from '../../trace/events.ts';
import { isTerminal } from '../../spec/transitions.ts';
import { checkTrace } from '../checker/check.ts';
import { scenarioEndReason } from '../checker/process.ts';
import { environment } from '../environment.ts';
import type { ScenarioResult } from '../result.ts';
import { Client } from './client.ts';
import { Observer } from './observer.ts';

/** Between two looks at the engine while waiting (ms). */
export const pollMs = 20;
/** Time limit of a step that does not say its own (ms). */
export const stepTimeoutMsDefault = 15_000;
/** Extra time a waiting step gets beyond its own timeout before it counts as hung (ms). */
export const stepTimeoutMarginMs = 5_000;
/** After the last step, keep looking this long so bounds just after it can be judged (ms). */
export const settleMs = 200;
/** How long teardown may take before the run is inconclusive (ms). */
export const closeTimeoutMsMax = 10_000;

export interface RunScenarioOptions {
  bug?: BugProfileId | null;
  seed?: number;
  /** Write the trace here as `<scenario>.jsonl`; no file when absent. */
  traceDir?: string;
  /**
   * Makes the engine under test (default: the reference engine). Tests pass an engine
   * that hangs or throws to show the run ends inconclusive instead of hanging.
   */
  createEngine?: (options: EngineOptions) => ReferenceEngine;
  /** Time limit of steps that do not derive one from their own fields (ms); default stepTimeoutMsDefault. */
  stepTimeoutMs?: number;
}

export type LoadedScenario = Scenario & { file?: string | null };

class StepTimeoutError extends Error {
  constructor(index: number, step: Step, ms: number) {
    super(`step ${index} (${stepName(step)}) did not finish within ${ms} ms`);
    this.name = 'StepTimeoutError';
  }
}

function stepTimeoutMs(step: Step, defaultMs: number): number {
  if ('await' in step) return step.await.timeoutMs + stepTimeoutMarginMs;
  if ('drain' in step) return step.drain.timeoutMs + stepTimeoutMarginMs;
  if ('sleep' in step) return step.sleep.ms + stepTimeoutMarginMs;
  return defaultMs;
}

async function withTimeout<T>(work: Promise<T>, ms: number, onTimeout: () => Error): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(onTimeout()), ms);
  });
  try {
    return await Promise.race([work, timeout]);
  } finally {
    clearTimeout(timer);
  }
}

/** The pseudo-state of `await` that matches any final state of the entity's machine. */
export const terminalPseudoState = 'TERMINAL';

function matchesState(entity: EntityKind, actual: string, wanted: string): boolean {
  if (wanted === terminalPseudoState) return isTerminal(entity, actual);
  return actual === wanted || actual.startsWith(`${wanted}/`);
}

export async function runScenario(scenario: LoadedScenario, options: RunScenarioOptions = {}): Promise<ScenarioResult> {
  const bug = options.bug ?? null;
  const seed = options.seed ?? 1;
  const bounds = { ...defaultBounds, ...scenario.bounds };
  const clock = new LogicalClock();
  const trace = new TraceRecorder(clock);
  trace.emit({
    kind: 'meta',
    scenario: scenario.name,
    file: scenario.file ?? null,
    seed,
    bug,
    platform: scenario.platform,
    bounds,
    engine: 'flowconform-reference',
    environment: environment(),
  });
  const engine = (options.createEngine ?? ((engineOptions) => new ReferenceEngine(engineOptions)))({
    clock,
    trace,
    wallNowMs: () => trace.wallNowMs(),
    platform: scenario.platform,
    bounds,
    bug,
    seed,
    consumerOrder: scenario.consumerOrder,
  });
  const observer = new Observer(trace, engine, engine.session);
  const look = () => {
    engine.tick();
    observer.observe();
  };
  const client = new Client(engine, trace, look);

  const waitUntil = async (done: () => boolean, timeoutMs: number): Promise<'ok' | 'timeout'> => {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      look();
      if (done()) return 'ok';
      if (Date.now() >= deadline) return 'timeout';
      await sleep(pollMs);
    }
  };

  const execute = async (step: Step): Promise<'ok' | 'timeout'> => {
    if (await client.apply(step)) return 'ok';
    if ('await' in step) {
      const { state, timeoutMs, ...target } = step.await;
      const [entity, id] = Object.entries(target).find(([, value]) => value !== undefined)! as [EntityKind, string];
      return waitUntil(() => engine.entities().some((view) => view.entity === entity && view.id === id && matchesState(entity, view.state, state)), timeoutMs);
    }
    if ('drain' in step) {
      return waitUntil(() => {
        const byRequest = engine.instancesByRequest();
        return client.acknowledged.every((requestId) => byRequest.has(requestId));
      }, step.drain.timeoutMs);
    }
    if ('sleep' in step) {
      await waitUntil(() => false, step.sleep.ms);
      return 'ok';
    }
    throw new Error(`runScenario: no handler for step '${stepName(step)}'`);
  };

  const started = Date.now();
  let end: { outcome: 'completed' | 'timeout' | 'crash'; error?: string } = { outcome: 'completed' };
  try {
    for (const [index, step] of scenario.steps.entries()) {
      trace.emit({ kind: 'step', index, phase: 'begin', step });
      const limitMs = stepTimeoutMs(step, options.stepTimeoutMs ?? stepTimeoutMsDefault);
      const outcome = await withTimeout(execute(step), limitMs, () => new StepTimeoutError(index, step, limitMs));
      look();
      trace.emit({ kind: 'step', index, phase: 'end', step, outcome });
    }
    await waitUntil(() => false, settleMs);
  } catch (error) {
    end = { outcome: error instanceof StepTimeoutError ? 'timeout' : 'crash', error: error instanceof Error ? (error.stack ?? error.message) : String(error) };
  }

  trace.emit({ kind: 'teardown' });
  try {
    await withTimeout(engine.close(), closeTimeoutMsMax, () => new Error(`engine teardown took over ${closeTimeoutMsMax} ms`));
  } catch (error) {
    if (end.outcome === 'completed') end = { outcome: 'timeout', error: String(error) };
  }
  observer.observeFinal(trace.events);
  observer.observeProcesses(scenarioEndReason, true);
  // Whatever teardown left alive is killed by pid here (none, for a conformant engine).
  await killAll(new LinuxProcessHost(), [], observer.livePids());
  trace.emit({ kind: 'end', outcome: end.outcome, ...(end.error === undefined ? {} : { error: end.error }) });

  const { verdicts } = checkTrace(trace.events);
  let tracePath: string | null = null;
  if (options.traceDir) {
    await mkdir(options.traceDir, { recursive: true });
    tracePath = path.join(options.traceDir, `${scenario.name}.jsonl`);
    await writeFile(tracePath, trace.toJsonLines());
  }
  const outcome = verdicts.some((verdict) => verdict.valid === false)
    ? 'fail'
    : end.outcome !== 'completed' || verdicts.some((verdict) => verdict.valid === 'unknown')
      ? 'inconclusive'
      : 'pass';
  return {
    scenario: scenario.name,
    description: scenario.description,
    file: scenario.file ?? null,
    platform: scenario.platform,
    bug,
    seed,
    outcome,
    verdicts,
    durationMs: Date.now() - started,
    tracePath,
    steps: scenario.steps,
    ...(end.error === undefined ? {} : { error: end.error }),
    trace: trace.events,
  };
}
