/**
 * One scenario against an engine: the client (requests recorded in the trace with their
 * outcome), the looks (entities through `query`, processes from /proc), and the nemesis
 * at the operating-system level (crash and restart the engine, stop and continue it, kill
 * one worker). It is the StepRuntime every step kind acts through.
 *
 * While the engine is crashed or stopped, looks read /proc only: a request to it would
 * only wait out its deadline. The engine after a restart is a new process with the same
 * session marker and the same `setup` (data folder included), so the processes the crash
 * left behind stay in the session and the new engine recovers from the same data.
 */
import { setTimeout as sleep } from 'node:timers/promises';
import type { Outcome } from '../../protocol/outcome.ts';
import type { EntityView, FaultName, OperationArgs, OperationName, ProcessView, StepOperationName } from '../../protocol/operations.ts';
import { sigkill } from '../../os/kill.ts';
import type { Nemesis, StepOutcome, StepRuntime } from '../../scenarios/steps/step-kind.ts';
import type { Bounds } from '../../trace/events.ts';
import type { EngineCommand } from '../engine-process/engine-command.ts';
import { EngineFaultError } from '../engine-process/engine-fault.ts';
import { EngineProcess } from '../engine-process/engine-process.ts';
import { Observer } from './observer.ts';
import type { TraceRecorder } from './trace-recorder.ts';

/** Between two looks at the engine while waiting (ms). */
export const pollMs = 20;
/** Deadline of the harness's own requests while looking (`tick`, `query`, `processes`) (ms). */
export const lookDeadlineMs = 5_000;

/** The run ends: a step or request had no answer in time. */
export class RunTimeoutError extends Error {
  override readonly name = 'RunTimeoutError';
}

/** The trace's `answer` of a request: the result with `ok`, or the error. */
function answerOf(outcome: Outcome): Record<string, unknown> {
  switch (outcome.outcome) {
    case 'ok':
      return { ok: true, ...outcome.result };
    case 'fail':
      return { ok: false, code: outcome.error.code, error: outcome.error.message };
    case 'info':
      return outcome.error === null ? { timedOut: outcome.timedOut } : { code: outcome.error.code, error: outcome.error.message, definite: false };
  }
}

/** What the engine is doing, as far as the nemesis made it so. */
export type EngineState = 'up' | 'crashed' | 'stopped';

export interface SessionOptions {
  command: EngineCommand;
  trace: TraceRecorder;
  bounds: Bounds;
  /** Deadline of step requests (ms). */
  requestDeadlineMs: number;
  /** The `setup` arguments, sent again to a restarted engine. */
  setup: OperationArgs<'setup'>;
  /** Where the engine's stderr goes (a restarted engine appends to it). */
  logFile?: string;
}

export class Session implements StepRuntime, Nemesis {
  readonly acknowledged: string[] = [];
  readonly observer: Observer;
  readonly bounds: Bounds;
  readonly nemesis: Nemesis = this;
  state: EngineState = 'up';
  private readonly trace: TraceRecorder;
  private requestCount = 0;
  private instanceRequestCount = 0;
  private lastEntities: EntityView[] = [];
  /** Engine-level faults injected and not cleared: the world outside the engine is still broken after a restart. */
  private readonly activeFaults = new Set<string>();

  constructor(
    /** The engine now serving the scenario; replaced on restart. */
    public engine: EngineProcess,
    private readonly options: SessionOptions,
  ) {
    this.trace = options.trace;
    this.bounds = options.bounds;
    this.observer = new Observer(options.trace);
  }

  /** Send `setup`; anything but ok ends the run. */
  async setup(): Promise<void> {
    await this.mustAnswer('setup', this.options.setup);
  }

  /** A request the harness needs answered: anything but ok ends the run. */
  async mustAnswer<Op extends OperationName>(op: Op, args: OperationArgs<Op> | Record<string, unknown>, deadlineMs = lookDeadlineMs): Promise<Record<string, unknown>> {
    const outcome = await this.engine.request(op, args, deadlineMs);
    if (outcome.outcome === 'ok') return outcome.result;
    if (outcome.outcome === 'info' && outcome.timedOut) throw new RunTimeoutError(`engine ${this.engine.name} did not answer ${op} within ${deadlineMs} ms`);
    throw new EngineFaultError('protocol', this.engine.name, `${op} failed: ${outcome.error?.code ?? 'unknown'}: ${outcome.error?.message ?? ''}`, op);
  }

  async request<Op extends StepOperationName>(op: Op, args: OperationArgs<Op>, options: { requestId?: string; traceArgs?: Record<string, unknown> } = {}): Promise<Outcome> {
    const requestId = options.requestId ?? `op-${++this.requestCount}`;
    const deadlineMs = this.options.requestDeadlineMs;
    const outcome = await this.engine.request(op, args, deadlineMs);
    if (outcome.outcome === 'ok' && outcome.result.timeMs !== undefined && op === 'advance-clock') this.trace.logicalNowMs = Number(outcome.result.timeMs);
    this.trace.emit({ kind: 'request', op, requestId, args: { ...args, ...options.traceArgs }, outcome: outcome.outcome, answer: answerOf(outcome) });
    if (outcome.outcome === 'ok' && op === 'start-process-instance') this.acknowledged.push(requestId);
    if (outcome.outcome === 'info' && outcome.timedOut) {
      throw new RunTimeoutError(`engine ${this.engine.name} did not answer ${op} (${requestId}) within ${deadlineMs} ms`);
    }
    return outcome;
  }

  recordFault(action: 'inject' | 'clear', fault: string): void {
    if (action === 'inject') this.activeFaults.add(fault);
    else this.activeFaults.delete(fault);
    this.trace.emit({ kind: 'fault', action, fault });
  }

  nextInstanceRequestId(): string {
    this.instanceRequestCount += 1;
    return `req-${this.instanceRequestCount}`;
  }

  /** Read the engine's entities (after running its due work, for a driven clock). */
  async entities(): Promise<EntityView[]> {
    if (this.engine.capabilities?.clock === 'driven') await this.mustAnswer('tick', {});
    const result = await this.mustAnswer('query', {});
    return result.entities as EntityView[];
  }

  async lookProcesses(reason: string, everyProcess = false): Promise<void> {
    // When /proc was read, not when the lines are written: asking for owners comes between.
    const readWallMs = this.trace.wallNowMs();
    const live = this.engine.sessionProcesses();
    if (this.state === 'up' && this.observer.hasUnownedProcess(live) && !this.engine.fault) {
      const result = await this.mustAnswer('processes', {}).catch(() => null);
      if (result) this.observer.learnOwners(result.processes as ProcessView[]);
    }
    this.observer.observeProcesses(live, reason, everyProcess, readWallMs);
  }

  async look(): Promise<void> {
    await this.lookAt();
  }

  /** One look; returns the entities read (while the engine is down, the last ones read). */
  async lookAt(): Promise<EntityView[]> {
    if (this.state === 'up') {
      this.lastEntities = await this.entities();
      this.observer.observeEntities(this.lastEntities);
    }
    await this.lookProcesses('poll');
    return this.lastEntities;
  }

  async waitUntil(done: (entities: readonly EntityView[]) => boolean, timeoutMs: number): Promise<StepOutcome> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const entities = await this.lookAt();
      if (done(entities)) return 'ok';
      if (Date.now() >= deadline) return 'timeout';
      await sleep(pollMs);
    }
  }

  async crash(): Promise<void> {
    if (this.state === 'stopped') this.engine.signalStop(false);
    const pid = await this.engine.crash();
    this.state = 'crashed';
    this.trace.emit({ kind: 'fault', action: 'inject', fault: 'engine-crash', ...(pid === null ? {} : { pid }) });
  }

  async restart(): Promise<void> {
    if (this.state !== 'crashed') return;
    const engine = await EngineProcess.start({ command: this.options.command, marker: this.engine.marker });
    engine.attach((event, timeMs) => this.trace.emitPushed(event, timeMs), this.options.logFile);
    this.engine = engine;
    await this.setup();
    // A fault of the outside world (an archive store that is down) outlives the engine process.
    for (const fault of this.activeFaults) await this.request('set-fault', { fault: fault as FaultName, active: true });
    this.state = 'up';
    this.trace.emit({ kind: 'fault', action: 'clear', fault: 'engine-crash', ...(engine.pid === undefined ? {} : { pid: engine.pid }) });
    this.observer.recordEverythingNext();
    await this.look();
  }

  pause(): void {
    if (this.state !== 'up') return;
    if (this.engine.signalStop(true)) this.state = 'stopped';
    this.trace.emit({ kind: 'fault', action: 'inject', fault: 'engine-pause', ...(this.engine.pid === undefined ? {} : { pid: this.engine.pid }) });
  }

  resume(): void {
    if (this.state !== 'stopped') return;
    this.engine.signalStop(false);
    this.state = 'up';
    this.trace.emit({ kind: 'fault', action: 'clear', fault: 'engine-pause', ...(this.engine.pid === undefined ? {} : { pid: this.engine.pid }) });
  }

  async killWorker(owner: string): Promise<boolean> {
    await this.lookProcesses('poll');
    const pid = this.observer.livePidOwnedBy(owner);
    if (pid === null) return false;
    // Recorded first: the death the next look sees is the nemesis's doing.
    this.trace.emit({ kind: 'fault', action: 'inject', fault: 'worker-kill', target: owner, pid });
    return sigkill(pid);
  }

  /** Before teardown: an engine the nemesis left stopped is continued, so it can be shut down. */
  heal(): void {
    if (this.state === 'stopped') this.resume();
  }
}
