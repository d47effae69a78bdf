/**
 * Runs one scenario against an engine under test, through the engine protocol only
 * (docs/engine-protocol.md), and checks its trace.
 *
 * The engine is a fresh process per scenario: started, handshake, `setup`, the steps,
 * then teardown. Every request has a deadline and every step a time limit: an engine that
 * does not answer in time ends the run as inconclusive (`timeout`) naming the operation;
 * one that breaks the protocol or exits ends it as a `crash`; either way the trace so far
 * is kept. A scenario whose steps need what the engine lacks is `not-applicable`.
 * Whatever happens, the observer takes a last look, the engine is asked to shut down,
 * and every process of its session still alive is killed by pid, so the harness never
 * hangs and never leaks a process.
 */
import { mkdir, writeFile } from 'node:fs/promises';
import path from 'node:path';
import type { Scenario } from '../../scenarios/schema/steps.ts';
import { kindOfStep } from '../../scenarios/steps/registry.ts';
import { defaultBounds } from '../../trace/events.ts';
import { checkedFamilies, clausesCheckedFor, missingCapabilities } from '../applicability.ts';
import { checkTrace } from '../checker/check.ts';
import { scenarioEndReason } from '../checker/process.ts';
import { referenceEngineCommand, type EngineCommand } from '../engine-process/engine-command.ts';
import { EngineFaultError } from '../engine-process/engine-fault.ts';
import { EngineProcess } from '../engine-process/engine-process.ts';
import type { EnginePool } from '../engine-process/engine-pool.ts';
import { environment } from '../environment.ts';
import type { EngineInfo, ScenarioOutcome, ScenarioResult } from '../result.ts';
import { RunTimeoutError, Session } from './session.ts';
import { TraceRecorder } from './trace-recorder.ts';
import { makeDataFolder, removeDataFolder } from './data-folders.ts';
import { killPids } from '../../os/kill.ts';


/** Time limit of a step that does not say its own (ms); also the deadline of its requests. */
export const stepTimeoutMsDefault = 15_000;

/** After the last step, keep looking this long so bounds just after it can be judged (ms). */
export const settleMs = 100;
/**
 * After the last step the harness keeps looking until every bound a clause still waits
 * for has passed (a cancel, a lost process, a restart), so the clause gives true or false
 * rather than unknown; it looks at most this long (ms). A bound ending later stays unknown.
 */
export const boundWaitMsMax = 12_000;
/** Looked past a bound's end before the history counts as covering it (ms). */
const boundMarginMs = 50;
/** How long the engine's shutdown may take before the run is inconclusive (ms). */
export const closeTimeoutMsMax = 10_000;

export interface RunScenarioOptions {
  /** The engine to start; the reference engine when absent. */
  engine?: EngineCommand;
  /** A defect to switch on in the engine, by bug profile id (sent in `setup`). */
  bug?: string | null;
  seed?: number;
  /** Write the trace here as `<scenario>.jsonl`, and the engine's stderr as `<scenario>.engine.log`. */
  traceDir?: string;
  /** Time limit of steps that do not derive one from their own fields (ms); default stepTimeoutMsDefault. */
  stepTimeoutMs?: number;
  /** Engines of `engine` started ahead (suites, campaigns); one is started for this run when absent. */
  pool?: EnginePool;
  /** Keep no event the engine pushes: judge from what the harness saw alone (`--withhold-events`). */
  withholdEvents?: boolean;
}

export type LoadedScenario = Scenario & { file?: string | null };

/**
 * Keep looking until no clause waits for a bound that ends after now, at most
 * boundWaitMsMax. The trace is checked again after each wait, since what was seen
 * meanwhile may open a bound of its own. Each wait ends with a read of /proc taken once
 * the bound has passed, so the last read before teardown comes after it (a process that
 * lived on unchanged is seen alive then: the scenario-end sweep carries that read).
 */
async function lookUntilBoundsPass(session: Session, trace: TraceRecorder): Promise<void> {
  const giveUpAtMs = trace.wallNowMs() + boundWaitMsMax;
  const capabilities = session.engine.capabilities;
  const judged = capabilities ? clausesCheckedFor(capabilities) : undefined;
  for (;;) {
    const openUntilMs = checkTrace(trace.events, judged).openBoundsEndWallMs;
    const nowMs = trace.wallNowMs();
    if (openUntilMs === null || openUntilMs + boundMarginMs <= nowMs || nowMs >= giveUpAtMs) return;
    await session.waitUntil(() => false, Math.min(openUntilMs + boundMarginMs, giveUpAtMs) - nowMs);
    await session.lookProcesses('poll');
  }
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

function engineInfo(engine: EngineProcess | null, command: EngineCommand): EngineInfo | null {
  if (engine === null) return null;
  return {
    name: engine.name,
    version: engine.version,
    command: [command.command, ...command.args].join(' '),
    session: engine.marker,
    capabilities: engine.capabilities,
    checkedFamilies: engine.capabilities ? checkedFamilies(engine.capabilities) : [],
  };
}

/**
 * Teardown of the engine: end the scenario's processes (`reset` when the engine can
 * serve another scenario and this one ended cleanly, else `shutdown`), take the last look
 * at every process ever seen (PROCESS-01 reads it), kill by pid whatever is still alive,
 * and give a reusable engine back to the pool. An engine that never got `setup` (the
 * scenario was not applicable) goes back as it is. Never throws; a teardown that does not
 * finish cleanly is reported through `onUnclean`.
 */
async function endEngine(engine: EngineProcess, session: Session | null, pool: EnginePool | undefined, completed: boolean, onUnclean: (error: string) => void): Promise<void> {
  const healthy = pool !== undefined && completed && !engine.fault;
  if (healthy && session === null) {
    pool.release(engine);
    return;
  }
  const reusable = healthy && engine.capabilities?.reset === true;
  const clean = reusable
    ? await engine
        .request('reset', {}, closeTimeoutMsMax)
        .then((reply) => reply.outcome === 'ok')
        .catch(() => false)
    : await withTimeout(engine.shutdown(), closeTimeoutMsMax + 5_000, () => new Error('shutdown')).catch(() => false);
  if (!clean && session) onUnclean(`engine ${engine.name} did not ${reusable ? 'reset' : 'shut down'} cleanly within ${closeTimeoutMsMax} ms`);
  let leftovers: number[] = [];
  if (session) {
    // The last sweep: every process ever seen, and any process of the session still alive.
    session.observer.observeProcesses(engine.sessionProcesses(), scenarioEndReason, true);
    leftovers = session.observer.livePids();
    await killPids(leftovers, 2_000);
  }
  if (reusable && clean && leftovers.length === 0) pool.release(engine);
  else await engine.kill();
}


export async function runScenario(scenario: LoadedScenario, options: RunScenarioOptions = {}): Promise<ScenarioResult> {
  const bug = options.bug ?? null;
  const seed = options.seed ?? 1;
  const bounds = { ...defaultBounds, ...scenario.bounds };
  const command = options.engine ?? referenceEngineCommand();
  const stepTimeoutMs = options.stepTimeoutMs ?? stepTimeoutMsDefault;
  const trace = new TraceRecorder(options.withholdEvents === true);
  const started = Date.now();
  let logFile: string | undefined;
  if (options.traceDir) {
    await mkdir(options.traceDir, { recursive: true });
    logFile = path.join(options.traceDir, `${scenario.name}.engine.log`);
    await writeFile(logFile, '');
  }

  let engine: EngineProcess | null = null;
  let end: { outcome: 'completed' | 'timeout' | 'crash'; error?: string } = { outcome: 'completed' };
  let missing: string[] = [];
  const failWith = (error: unknown) => {
    end = { outcome: error instanceof RunTimeoutError ? 'timeout' : 'crash', error: error instanceof Error ? (error instanceof EngineFaultError || error instanceof RunTimeoutError ? error.message : (error.stack ?? error.message)) : String(error) };
  };

  try {
    engine = await (options.pool ? options.pool.take() : EngineProcess.start({ command }));
    engine.attach((event, timeMs) => trace.emitPushed(event, timeMs), logFile);
  } catch (error) {
    failWith(error);
  }
  trace.emit({
    kind: 'meta',
    scenario: scenario.name,
    file: scenario.file ?? null,
    seed,
    bug,
    platform: scenario.platform,
    bounds,
    engine: engine ? `${engine.name} ${engine.version}` : command.label,
    environment: environment(),
  });

  let session: Session | null = null;
  let dataDir: string | null = null;
  if (engine?.capabilities) {
    missing = missingCapabilities(scenario, engine.capabilities);
  }
  if (engine && missing.length === 0) {
    // An engine that can restart keeps its state in a folder of ours, which a restarted
    // engine finds again; it is removed with the scenario.
    if (engine.capabilities?.restart) dataDir = await makeDataFolder();
    const setup = { platform: scenario.platform, bounds, bug, seed, consumerOrder: scenario.consumerOrder, dataDir };
    session = new Session(engine, { command, trace, bounds, requestDeadlineMs: stepTimeoutMs, setup, ...(logFile === undefined ? {} : { logFile }) });
    try {
      await session.setup();
      for (const [index, step] of scenario.steps.entries()) {
        trace.emit({ kind: 'step', index, phase: 'begin', step });
        const { kind, body } = kindOfStep(step);
        const limitMs = kind.timeLimitMs(body, stepTimeoutMs);
        const outcome = await withTimeout(kind.run(body, session), limitMs, () => new RunTimeoutError(`step ${index} (${kind.name}) did not finish within ${limitMs} ms`));
        await session.look();
        trace.emit({ kind: 'step', index, phase: 'end', step, outcome });
      }
      await session.waitUntil(() => false, settleMs);
      await lookUntilBoundsPass(session, trace);
    } catch (error) {
      failWith(error);
    }
  }

  if (engine) {
    trace.emit({ kind: 'teardown' });
    session?.heal();
    // The engine may have been replaced by a restart.
    const current = session?.engine ?? engine;
    if (session?.state === 'up' && !current.fault && end.outcome !== 'timeout') {
      const last = await session.entities().catch(() => null);
      if (last) session.observer.observeFinal(last, trace.events);
    }
    await endEngine(current, session, options.pool, end.outcome === 'completed' && session?.state !== 'crashed', (error) => {
      if (end.outcome === 'completed') end = { outcome: 'timeout', error };
    });
  }
  if (dataDir !== null) await removeDataFolder(dataDir);
  trace.emit({ kind: 'end', outcome: end.outcome, ...(end.error === undefined ? {} : { error: end.error }) });

  const notApplicable = missing.length > 0;
  // Only the clause families the engine can be checked on (harness/applicability.ts): a
  // clause whose situation this engine cannot produce, or whose facts it cannot show,
  // is not judged, rather than judged unknown.
  const judged = engine?.capabilities ? clausesCheckedFor(engine.capabilities) : undefined;
  const { verdicts, undecidedExpectations } = notApplicable ? { verdicts: [], undecidedExpectations: [] } : checkTrace(trace.events, judged);
  // An await that timed out naming no clause: the scenario could not set up what it checks.
  if (end.error === undefined && undecidedExpectations.length > 0) end = { ...end, error: undecidedExpectations.join('; ') };
  let tracePath: string | null = null;
  if (options.traceDir) {
    tracePath = path.join(options.traceDir, `${scenario.name}.jsonl`);
    await writeFile(tracePath, trace.toJsonLines());
  }
  const outcome: ScenarioOutcome = notApplicable
    ? 'not-applicable'
    : verdicts.some((verdict) => verdict.valid === false)
      ? 'fail'
      : end.outcome !== 'completed' || undecidedExpectations.length > 0 || verdicts.some((verdict) => verdict.valid === 'unknown')
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
    missingCapabilities: missing,
    engine: engineInfo(engine, command),
    trace: trace.events,
  };
}
