/**
 * The reference engine: the smallest engine that obeys every clause, on real processes.
 * engine/server.ts serves it over the engine protocol (docs/engine-protocol.md); this
 * class is its lifecycle logic behind the ports. It is passive: state changes when a client calls it (a call does what was asked:
 * a deploy schedules, a cancel starts killing; what becomes due meanwhile waits for the
 * next tick), when a process it started exits, and on `tick()`, where the scheduler, worker, late-run marking, listener retries and the
 * masters' rounds run. Whoever drives it (the harness) decides when ticks happen, so the
 * order of rounds is part of the scenario and replays.
 *
 * Its state lives in the Store port: in memory, or durable in SQLite when the harness
 * gives a data folder. An engine started on a store that already holds a scenario
 * (`recovering`) takes that scenario's configuration from it, and `recover()` settles what
 * the crashed engine left (docs/architecture.md "Durability and recovery").
 */
import { randomBytes } from 'node:crypto';
import type { z } from 'zod';
import type { ErrorCode } from '../protocol/messages.ts';
import type { EntityView, FaultName, StartRunArgs } from '../protocol/operations.ts';
import { defaultBounds, type Bounds, type EntityKind } from '../trace/events.ts';
import { LinuxProcessHost } from './adapters/linux-process-host.ts';
import { MemoryStore } from './adapters/memory-store.ts';
import { SeededRng } from './adapters/seeded-rng.ts';
import type { BugProfileId } from './bugs/profiles.ts';
import { bugIsOn, log, type EngineContext, type EntityRow } from './context.ts';
import { readState, writeState, type FaultsState, type SetupState } from './engine-state.ts';
import { commandsTable, instancesTable, type InstanceRow } from './instances/command-rows.ts';
import { Instances } from './instances/instances.ts';
import type { Clock } from './ports/clock.ts';
import type { ProcessHost } from './ports/process-host.ts';
import type { Store } from './ports/store.ts';
import { killLeftBehind } from './processes/kill-tree.ts';
import type { TraceSink } from './ports/trace-sink.ts';
import { Deployments, type DeploySpec } from './runs/deployments.ts';
import { RunProcesses } from './runs/run-processes.ts';
import { createRun, getRun, runQueryFacts, runsTable, type RunRow } from './runs/run-row.ts';
import { dispatchDueRuns, markLateRuns } from './runs/worker-dispatch.ts';
import { isArchived, StatusListeners } from './workflows/status-listeners.ts';
import { terminateWorkflow } from './workflows/terminate-workflow.ts';
import { tasksTable, workflowsTable } from './workflows/workflow-rows.ts';
import { Workflows, type StartWorkflowSpec } from './workflows/workflows.ts';

export type StartRunSpec = z.output<typeof StartRunArgs>;

export interface EngineOptions {
  /** Logical time, and the wall time every real wait is measured on. */
  clock: Clock;
  trace: TraceSink;
  /** Where the state is kept; a fresh MemoryStore when absent. */
  store?: Store;
  platform: 'posix' | 'win32';
  bounds?: Partial<Bounds>;
  bug?: BugProfileId | null;
  seed?: number;
  host?: ProcessHost;
  consumerOrder?: readonly number[];
  /** Marker passed to every worker (`--session`); a fresh one when absent. */
  session?: string | undefined;
}

/**
 * What an operation answers: `ok: true` with its result fields, or `ok: false` with a
 * protocol error code (docs/engine-protocol.md) and a message. Failures the engine
 * answers are definite: nothing was done.
 */
export type Answer = { ok: true; [key: string]: unknown } | { ok: false; code: ErrorCode; error: string };

/** The field of the stored faults row that says each engine-level fault is on. */
const faultFields: Record<FaultName, Exclude<keyof FaultsState, 'id'>> = {
  'archive-listener': 'archiveFailing',
  'command-store': 'commandStoreFailing',
  'process-signal': 'processSignalFailing',
};

/** The stored faults row before any fault was set: every fault off. */
const noFaults: FaultsState = { id: 'faults', archiveFailing: false, commandStoreFailing: false, processSignalFailing: false };

const tablesByKind: Record<EntityKind, string> = {
  run: runsTable,
  workflow: workflowsTable,
  task: tasksTable,
  command: commandsTable,
  instance: instancesTable,
};

export class ReferenceEngine {
  readonly context: EngineContext;
  private readonly deployments: Deployments;
  private readonly runs: RunProcesses;
  private readonly listeners: StatusListeners;
  private readonly workflows: Workflows;
  private readonly instances: Instances;
  private workersPaused: boolean;
  /**
   * True when the store already held a scenario: this engine was started again on the
   * data of one that crashed, runs with that scenario's configuration (`stored`) and must
   * `recover()` before it serves anything else.
   */
  readonly recovering: boolean;
  /** The configuration this engine runs with (the stored one when recovering). */
  readonly configuration: SetupState;

  constructor(options: EngineOptions) {
    const store = options.store ?? new MemoryStore();
    const stored = readState(store, 'setup');
    this.recovering = stored !== undefined;
    this.configuration = stored ?? {
      id: 'setup',
      platform: options.platform,
      bounds: { ...defaultBounds, ...options.bounds },
      bug: options.bug ?? null,
      seed: options.seed ?? 1,
      consumerOrder: [...(options.consumerOrder ?? [])],
      session: options.session ?? `fc-${process.pid}-${randomBytes(4).toString('hex')}`,
    };
    if (!stored) writeState(store, this.configuration);
    // The logical clock goes on from where the crashed engine left it.
    const storedTimeMs = readState(store, 'clock')?.timeMs ?? 0;
    if (storedTimeMs > options.clock.now()) options.clock.advance(storedTimeMs - options.clock.now());
    const configuration = this.configuration;
    this.context = {
      clock: options.clock,
      trace: options.trace,
      host: options.host ?? new LinuxProcessHost(options.clock),
      store,
      rng: new SeededRng(configuration.seed),
      session: configuration.session,
      strategy: configuration.platform,
      bounds: { ...defaultBounds, ...configuration.bounds },
      bug: configuration.bug,
      faults: { processSignalFailing: false },
      phase: 'open',
    };
    this.deployments = new Deployments(this.context);
    this.runs = new RunProcesses(this.context);
    this.listeners = new StatusListeners(this.context);
    this.workflows = new Workflows(this.context, this.listeners);
    this.instances = new Instances(this.context, configuration.consumerOrder);
    this.workersPaused = readState(store, 'workers')?.paused ?? false;
    // Faults go on where the crashed engine left them: the world outside is still broken.
    const faults = readState(store, 'faults');
    if (faults) this.applyFaults(faults);
  }

  /** Switch every engine-level fault as `faults` says. */
  private applyFaults(faults: FaultsState): void {
    this.listeners.setArchiveAvailable(!faults.archiveFailing);
    this.context.store.setWritable(commandsTable, !faults.commandStoreFailing);
    this.context.faults.processSignalFailing = faults.processSignalFailing;
  }

  /**
   * Settle what a crashed engine left, once, before anything else is served: kill every
   * worker process it left behind (nothing can be re-attached to them), then settle each
   * entity that had a process or was half way (runs, tasks and workflows, claimed
   * commands), and make pending listener retries due. Every change is a transition with
   * cause `recovery`. docs/architecture.md "Durability and recovery" gives each rule and
   * its upstream source.
   */
  async recover(): Promise<void> {
    log(this.context, 'info', 'engine started again on stored data: recovering');
    // dolphinscheduler-13283: the old worker processes are not looked for, let alone killed.
    const { found, survivors } = bugIsOn(this.context, 'dolphinscheduler-13283') ? { found: [], survivors: [] } : await killLeftBehind(this.context);
    if (found.length > 0) log(this.context, 'info', `killed ${found.length} worker process(es) the crashed engine left behind`);
    for (const survivor of survivors) {
      this.context.trace.emit({ kind: 'process', action: 'kill-failed', pid: survivor.pid, parentPid: null, owner: survivor.owner, error: 'still alive after SIGKILL' });
      log(this.context, 'error', `worker ${survivor.pid} of ${survivor.owner}, left behind by the crashed engine, outlived SIGKILL`, survivor.owner);
    }
    this.runs.recover();
    this.workflows.recover();
    this.instances.recover();
    this.listeners.recover();
  }

  /** The marker every worker process of this engine carries (`--session <id>`). */
  get session(): string {
    return this.context.session;
  }

  deploy(spec: DeploySpec): Answer {
    return { ok: true, ...this.deployments.deploy(spec) };
  }

  /** Start a run by hand: with a deployment it waits for that deployment's worker; without, it executes now. */
  startRun(spec: StartRunSpec): Answer {
    if (getRun(this.context, spec.run)) return { ok: false, code: 'already-exists', error: `run '${spec.run}' exists` };
    const deployment = spec.deployment === undefined ? undefined : this.deployments.get(spec.deployment);
    if (spec.deployment !== undefined && !deployment) return { ok: false, code: 'not-found', error: `no deployment '${spec.deployment}'` };
    this.deployments.reserveRunId(spec.run);
    const run: RunRow = {
      id: spec.run,
      parentId: null,
      state: deployment ? 'SCHEDULED' : 'PENDING',
      deploymentId: deployment?.id ?? null,
      runCount: 0,
      autoScheduled: false,
      scheduledStartMs: this.context.clock.now(),
      slotMs: null,
      retries: deployment?.retries ?? 0,
      retryDelayMs: deployment?.retryDelayMs ?? 0,
      plan: { durationMs: spec.durationMs, exitCodes: [spec.exitCode], ignoreSigterm: spec.ignoreSigterm, subflows: spec.subflows },
    };
    if (deployment) {
      createRun(this.context, run, 'create-flow-run');
    } else {
      this.runs.executeRun(run);
    }
    return { ok: true };
  }

  cancelRun(runId: string): Answer {
    return this.runs.cancel(runId);
  }

  setWorkersPaused(paused: boolean): Answer {
    this.workersPaused = paused;
    writeState(this.context.store, { id: 'workers', paused });
    log(this.context, 'info', paused ? 'workers paused' : 'workers resumed');
    return { ok: true };
  }

  /** Move the logical clock, then run what became due. */
  advance(ms: number): Answer {
    this.context.clock.advance(ms);
    writeState(this.context.store, { id: 'clock', timeMs: this.context.clock.now() });
    this.tick();
    return { ok: true, timeMs: this.context.clock.now() };
  }

  startWorkflow(spec: StartWorkflowSpec): Answer {
    return this.workflows.start(spec);
  }

  async terminateWorkflow(workflowId: string, reason: string): Promise<Answer> {
    return terminateWorkflow(this.context, this.workflows, workflowId, reason);
  }

  startProcessInstance(requestId: string): Answer {
    return this.instances.startProcessInstance(requestId);
  }

  setConsumers(count: number): Answer {
    return { ok: true, ...this.instances.setConsumers(count) };
  }

  /**
   * The nemesis: make the archive store or the command table fail, or the operating
   * system refuse the signals of kills (`process-signal`), or heal it. Kept in the store,
   * so an engine started again on this data has the same faults.
   */
  setFault(fault: FaultName, active: boolean): Answer {
    const before = readState(this.context.store, 'faults') ?? noFaults;
    const faults: FaultsState = { ...before, [faultFields[fault]]: active };
    this.applyFaults(faults);
    writeState(this.context.store, faults);
    return { ok: true };
  }

  /** Run everything that is due: schedules, workers, Late marking, listener retries, one master round. */
  tick(): void {
    if (this.context.phase !== 'open') return;
    this.deployments.scheduleAll();
    if (!this.workersPaused) dispatchDueRuns(this.context, this.deployments, this.runs);
    markLateRuns(this.context);
    this.listeners.retryDue();
    this.instances.round();
  }

  /**
   * The query API: every entity's current state, as a UI would read it, with what a UI
   * also shows: a workflow's archive state, a run's attempts and attributes, the request
   * of a command or instance.
   */
  entities(): EntityView[] {
    const views: EntityView[] = [];
    for (const [entity, table] of Object.entries(tablesByKind) as Array<[EntityKind, string]>) {
      for (const row of this.context.store.table<EntityRow & { requestId?: string }>(table).all()) {
        views.push({ entity, id: row.id, parentId: row.parentId, state: row.state, ...this.shownBesidesState(entity, row) });
      }
    }
    return views;
  }

  private shownBesidesState(entity: EntityKind, row: EntityRow & { requestId?: string }): Partial<EntityView> {
    switch (entity) {
      case 'run':
        return runQueryFacts(row as RunRow);
      case 'workflow':
        return { archived: isArchived(this.context, row.id) };
      case 'instance':
      case 'command':
        return { requestId: row.requestId };
      case 'task':
        return {};
    }
  }

  /** Instances per request id, as the query API shows them. */
  instancesByRequest(): Map<string, string[]> {
    const byRequest = new Map<string, string[]>();
    for (const instance of this.context.store.table<InstanceRow>(instancesTable).all()) {
      byRequest.set(instance.requestId, [...(byRequest.get(instance.requestId) ?? []), instance.id]);
    }
    return byRequest;
  }

  /** Teardown: kill every process still alive and wait for them to be reaped (bounded). The store stays open. */
  async close(): Promise<void> {
    this.context.phase = 'closing';
    await Promise.all([this.runs.close(), this.workflows.close()]);
    this.context.phase = 'closed';
  }
}
