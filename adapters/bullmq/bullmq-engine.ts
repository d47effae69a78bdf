/**
 * BullMQ behind the engine protocol: one Queue, one Worker with a sandboxed processor
 * file (processor.cjs; BullMQ forks a child process per concurrent job, from its child
 * pool) and a FlowProducer for runs with subflows, on a real Redis.
 *
 * - run ↔ job (the job id is the run id); subflows ↔ children of a flow, with
 *   `failParentOnFailure`, so a parent waits in `waiting-children` while they run;
 * - cancel ↔ `Worker.cancelJob` (BullMQ 5.64 and later); the cancel is also recorded on
 *   the job's data, where the processor of a job that had not started yet finds it;
 * - `query` ↔ `getState`, `attemptsMade`, `stalledCounter`, `failedReason`, the job's
 *   data and progress, mapped by job-state.ts; `processes` ↔ the pids the processor
 *   stored with `job.updateProgress` for the active jobs.
 *
 * Nothing about a job lives in this process: a restarted adapter (same
 * FLOWCONFORM_SESSION, so the same queue name) serves the jobs Redis holds, and BullMQ's
 * stalled-job check takes back the ones the crashed adapter's worker held.
 */
import { createRequire } from 'node:module';
import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { Redis } from 'ioredis';
import type { Capabilities } from '../../protocol/capabilities.ts';
import type { EntityView, OperationArgs, ProcessView, SubflowPlan } from '../../protocol/operations.ts';
import { killPids } from '../../os/kill.ts';
import { descendantsOf, listProcesses, readEnvironmentValue } from '../../os/proc.ts';
import { sessionVariable } from '../../os/session-marker.ts';
import { defaultBounds, type Bounds } from '../../trace/events.ts';
import { runStateOf } from './job-state.ts';

/** A definite error: the operation did not happen. */
export class AdapterFailure extends Error {
  constructor(
    readonly code: 'not-supported' | 'invalid-arguments' | 'not-found' | 'already-exists' | 'unavailable' | 'conflict',
    message: string,
  ) {
    super(message);
  }
}

/** The parts of a BullMQ job the adapter reads (the same in 5.34 and 6.x). */
interface BullmqJob {
  id?: string;
  data: Record<string, unknown>;
  progress: unknown;
  attemptsMade: number;
  attemptsStarted?: number;
  stalledCounter?: number;
  failedReason?: string;
  parent?: { id: string; queueKey?: string };
  parentKey?: string;
  getState(): Promise<string>;
  updateData(data: Record<string, unknown>): Promise<void>;
}
interface BullmqQueue {
  getJobs(types: string[], start?: number, end?: number, asc?: boolean): Promise<BullmqJob[]>;
  getJob(id: string): Promise<BullmqJob | undefined>;
  getJobState(id: string): Promise<string>;
  add(name: string, data: unknown, opts: Record<string, unknown>): Promise<BullmqJob>;
  obliterate(opts: { force: boolean }): Promise<void>;
  close(): Promise<void>;
}
interface BullmqWorker {
  cancelJob?(id: string, reason?: string): boolean;
  close(force?: boolean): Promise<void>;
  on(event: string, listener: (...args: unknown[]) => void): unknown;
}
interface BullmqFlowProducer {
  add(flow: FlowJob): Promise<unknown>;
  close(): Promise<void>;
}
interface BullmqModule {
  Queue: new (name: string, opts: Record<string, unknown>) => BullmqQueue;
  Worker: new (name: string, processor: string, opts: Record<string, unknown>) => BullmqWorker;
  FlowProducer: new (opts: Record<string, unknown>) => BullmqFlowProducer;
}
interface FlowJob {
  name: string;
  queueName: string;
  data: Record<string, unknown>;
  opts: Record<string, unknown>;
  children?: FlowJob[];
}

/** Every BullMQ job type the query lists. */
const jobTypes = ['active', 'waiting', 'waiting-children', 'prioritized', 'delayed', 'paused', 'completed', 'failed'];
/** The sandboxed processor BullMQ forks (copied beside the compiled adapter by scripts/build.mjs). */
export const processorFile = fileURLToPath(new URL('./processor.cjs', import.meta.url));
/**
 * Lock of an active job (ms): BullMQ renews it every half of this. A job whose lock lapsed
 * (its worker crashed) is moved back to wait by the stalled-job check, which marks the
 * active jobs in one pass and moves those still unlocked in the next, stalledIntervalMs
 * apart: so at most lockDurationMs + 2 × stalledIntervalMs (2.5 s) after the crash,
 * inside the harness's processLossBoundMs (3 s) counted from the restart. BullMQ's
 * defaults are 30 s each. (With 2 s and 1 s, explore found a run still RUNNING 3.5 s
 * after a restart: PROCESS-LOSS-01, an adapter fault.) Shorter locks cost a renewal
 * every 750 ms, and a job whose adapter is stopped (SIGSTOP) longer than the lock is
 * taken as stalled and run again, as BullMQ documents for stalled jobs.
 */
export const lockDurationMs = 1_500;
export const stalledIntervalMs = 500;
/** How long closing a Worker may take at shutdown before the adapter stops waiting (ms). */
export const closeWaitMsMax = 3_000;
/** How long killed processes may take to die (ms). */
export const killWaitMsMax = 2_000;

/** Where to find Redis: `redis://host:port[/db]` or `host:port`. */
export function parseRedisAddress(address: string): { host: string; port: number; db: number; password?: string } {
  const url = new URL(address.includes('://') ? address : `redis://${address}`);
  if (url.protocol !== 'redis:') throw new Error(`--redis: only redis:// addresses, not ${url.protocol}`);
  const port = url.port === '' ? 6379 : Number(url.port);
  const db = url.pathname.length > 1 ? Number(url.pathname.slice(1)) : 0;
  if (!Number.isInteger(port) || !Number.isInteger(db)) throw new Error(`--redis: not an address: ${address}`);
  return { host: url.hostname, port, db, ...(url.password === '' ? {} : { password: decodeURIComponent(url.password) }) };
}

/**
 * The BullMQ package named by `--bullmq`, and its version: an npm name or alias resolved
 * from flowconform's own node_modules, or a path (relative to the working directory) to
 * a BullMQ package folder.
 * @throws Error when it cannot be resolved or is not a package named bullmq.
 */
export function loadBullmq(name: string): { module: BullmqModule; version: string } {
  const require = createRequire(import.meta.url);
  const specifier = name.startsWith('.') || path.isAbsolute(name) ? path.resolve(name) : name;
  const entry = require.resolve(specifier);
  let directory = path.dirname(entry);
  while (!existsSync(path.join(directory, 'package.json')) || JSON.parse(readFileSync(path.join(directory, 'package.json'), 'utf8')).name !== 'bullmq') {
    const up = path.dirname(directory);
    if (up === directory) throw new Error(`--bullmq ${name}: ${entry} is not inside a package named bullmq`);
    directory = up;
  }
  const version = String(JSON.parse(readFileSync(path.join(directory, 'package.json'), 'utf8')).version);
  return { module: require(specifier) as BullmqModule, version };
}

export interface BullmqEngineOptions {
  bullmq: { module: BullmqModule; version: string };
  redis: ReturnType<typeof parseRedisAddress>;
  /** Jobs one Worker runs at once (BullMQ `concurrency`). */
  concurrency: number;
  /** The session marker, from FLOWCONFORM_SESSION; names the queue. */
  session: string;
  log(message: string): void;
}

/**
 * One adapter's hold on BullMQ: the session's Queue, Worker and FlowProducer, opened by
 * `setup` and closed by `reset` or `close`. Every answer is read from Redis through
 * BullMQ; the instance keeps connections, the scenario's bounds and the Redis version only.
 */
export class BullmqEngine {
  readonly queueName: string;
  private queue: BullmqQueue | null = null;
  private worker: BullmqWorker | null = null;
  private flows: BullmqFlowProducer | null = null;
  private bounds: Bounds = defaultBounds;
  private redisVersion: string | null = null;

  constructor(private readonly options: BullmqEngineOptions) {
    this.queueName = `flowconform-${options.session.replaceAll(':', '-')}`;
  }

  /** The version of the BullMQ package loaded (its package.json). */
  get bullmqVersion(): string {
    return this.options.bullmq.version;
  }

  /** Whether this BullMQ version can cancel a running job (`Worker.cancelJob`, 5.64 and later). */
  get canCancel(): boolean {
    return typeof (this.options.bullmq.module.Worker.prototype as BullmqWorker).cancelJob === 'function';
  }

  /** The Redis server's version (INFO server), or null when Redis does not answer within 2 s. */
  async readRedisVersion(): Promise<string | null> {
    if (this.redisVersion !== null) return this.redisVersion;
    const client = new Redis({ ...this.options.redis, lazyConnect: true, connectTimeout: 2_000, maxRetriesPerRequest: 0, retryStrategy: () => null });
    client.on('error', () => {});
    try {
      await client.connect();
      const info = await client.info('server');
      this.redisVersion = /redis_version:(\S+)/.exec(info)?.[1] ?? null;
    } catch (error) {
      this.options.log(`redis at ${this.options.redis.host}:${this.options.redis.port} does not answer: ${String(error)}`);
    } finally {
      client.disconnect();
    }
    return this.redisVersion;
  }

  capabilities(): Capabilities {
    return {
      entities: ['run'],
      operations: ['start-run', ...(this.canCancel ? ['cancel-run'] : [])],
      faults: [],
      clock: 'wall',
      killStrategies: ['posix'],
      events: [],
      restart: true,
      reset: true,
      bugs: [],
    };
  }

  /**
   * `setup`: connect the Queue, FlowProducer and Worker of this session's queue, after
   * killing what a crashed adapter of the same session left running.
   * @throws AdapterFailure for a platform other than posix, a bug profile, or Redis unreachable.
   */
  async setup(args: OperationArgs<'setup'>): Promise<void> {
    if (args.platform !== 'posix') throw new AdapterFailure('invalid-arguments', 'the BullMQ adapter kills process trees the POSIX way only');
    if (args.bug !== null) throw new AdapterFailure('invalid-arguments', `the BullMQ adapter has no bug profiles; pick a BullMQ version with --bullmq instead (asked for ${args.bug})`);
    if ((await this.readRedisVersion()) === null) throw new AdapterFailure('unavailable', `redis at ${this.options.redis.host}:${this.options.redis.port} does not answer`);
    this.bounds = args.bounds;
    await this.killLeftBehind();
    if (this.queue !== null) return;
    const { Queue, Worker, FlowProducer } = this.options.bullmq.module;
    const connection = { ...this.options.redis, maxRetriesPerRequest: null };
    this.queue = new Queue(this.queueName, { connection });
    this.flows = new FlowProducer({ connection });
    this.worker = new Worker(this.queueName, processorFile, {
      connection,
      concurrency: this.options.concurrency,
      lockDuration: lockDurationMs,
      stalledInterval: stalledIntervalMs,
      useWorkerThreads: false,
    });
    this.worker.on('error', (error) => this.options.log(`worker error: ${String(error)}`));
  }

  /**
   * `start-run`: a job (no subflows) or a flow whose children are the subflows.
   * @throws AdapterFailure for a deployment (the adapter has none) or a run id in use.
   */
  async startRun(args: OperationArgs<'start-run'>): Promise<Record<string, unknown>> {
    const queue = this.mustBeSetUp();
    if (args.deployment !== undefined) throw new AdapterFailure('not-supported', 'the BullMQ adapter has no deployments (they need a driven clock)');
    if ((await queue.getJob(args.run)) !== undefined) throw new AdapterFailure('already-exists', `job ${args.run} exists`);
    const data = (plan: { durationMs?: number; exitCode?: number; ignoreSigterm?: boolean }, run: string) => ({
      run,
      durationMs: plan.durationMs ?? 300,
      exitCode: plan.exitCode ?? 0,
      ignoreSigterm: plan.ignoreSigterm ?? false,
      graceMs: this.bounds.graceMs,
    });
    if (args.subflows.length === 0) {
      const job = await queue.add('run', data(args, args.run), { jobId: args.run, attempts: 1 });
      return { jobId: job.id };
    }
    const child = (plan: SubflowPlan, parent: string): FlowJob => {
      const run = `${parent}.${plan.name}`;
      return {
        name: 'run',
        queueName: this.queueName,
        data: data(plan, run),
        opts: { jobId: run, attempts: 1, failParentOnFailure: true },
        children: (plan.subflows ?? []).map((below) => child(below, run)),
      };
    };
    await this.flows!.add({ name: 'run', queueName: this.queueName, data: data(args, args.run), opts: { jobId: args.run, attempts: 1 }, children: args.subflows.map((plan) => child(plan, args.run)) });
    return { jobId: args.run };
  }

  /**
   * `cancel-run`: record the cancel on the job and every job below it in its flow, then
   * `Worker.cancelJob` each (BullMQ signals the processor, which ends its work).
   * @throws AdapterFailure when the version has no cancelJob, the job is unknown or already finished.
   */
  async cancelRun(args: OperationArgs<'cancel-run'>): Promise<Record<string, unknown>> {
    const queue = this.mustBeSetUp();
    if (!this.canCancel) throw new AdapterFailure('not-supported', `BullMQ ${this.options.bullmq.version} has no Worker.cancelJob`);
    const job = await queue.getJob(args.run);
    if (job === undefined) throw new AdapterFailure('not-found', `no job ${args.run}`);
    const state = await job.getState();
    if (state === 'completed' || state === 'failed') throw new AdapterFailure('conflict', `job ${args.run} is ${state}`);
    const all = await queue.getJobs(jobTypes);
    const byId = new Map(all.map((candidate) => [String(candidate.id), candidate]));
    const below = (id: string): boolean => {
      for (let current = byId.get(id), depth = 0; current !== undefined && depth < 64; depth += 1) {
        if (String(current.id) === args.run) return true;
        const parent = parentIdOf(current);
        current = parent === null ? undefined : byId.get(parent);
      }
      return false;
    };
    const targets = [job, ...all.filter((candidate) => String(candidate.id) !== args.run && below(String(candidate.id)))];
    const cancelled: string[] = [];
    for (const target of targets) {
      const targetState = await target.getState();
      if (targetState === 'completed' || targetState === 'failed') continue;
      await target.updateData({ ...target.data, cancelRequested: true });
      if (this.worker!.cancelJob!(String(target.id), 'cancel-run')) cancelled.push(String(target.id));
    }
    // The job may have ended meanwhile on its own (its process killed): then BullMQ records
    // no cancel on it, and the answer says so rather than acknowledge a cancel that never
    // took hold (found by explore: an ok cancel of a job read back CRASHED, RUN-CANCEL-05).
    const after = await queue.getJob(args.run);
    const afterState = after === undefined ? 'unknown' : await after.getState();
    if ((afterState === 'failed' || afterState === 'completed') && after?.data.cancelRequested !== true) {
      throw new AdapterFailure('conflict', `job ${args.run} was ${afterState} before the cancel took hold${after?.failedReason ? `: ${after.failedReason}` : ''}`);
    }
    return { signalled: cancelled };
  }

  /** `query`: every job of the queue, its state mapped from what BullMQ says (job-state.ts). */
  async query(): Promise<EntityView[]> {
    const queue = this.mustBeSetUp();
    const ids = [...new Set((await queue.getJobs(jobTypes)).map((job) => String(job.id)))];
    const views = await Promise.all(
      ids.map(async (id): Promise<EntityView | null> => {
        const read = await consistentRead(queue, id);
        if (read === null) return null;
        const { state, job } = read;
        const run = runStateOf({
          state,
          attemptsMade: job.attemptsMade,
          attemptsStarted: job.attemptsStarted ?? 0,
          stalledCounter: job.stalledCounter ?? 0,
          failedReason: job.failedReason ?? null,
          cancelRequested: job.data.cancelRequested === true,
          reportedAttempt: reportedProcesses(job)?.attempt ?? null,
        });
        return run === null ? null : { entity: 'run', id, parentId: parentIdOf(job), state: run };
      }),
    );
    return views.filter((view): view is EntityView => view !== null);
  }

  /** `processes`: the pids the processor of each active job stored in its progress. */
  async processes(): Promise<ProcessView[]> {
    const queue = this.mustBeSetUp();
    const active = await queue.getJobs(['active']);
    const views: ProcessView[] = [];
    for (const job of active) {
      const reported = reportedProcesses(job);
      if (reported === null || reported.attempt !== (job.attemptsStarted ?? 0)) continue;
      views.push({ pid: reported.pid, owner: String(job.id), parentPid: process.pid });
      views.push({ pid: reported.workPid, owner: String(job.id), parentPid: reported.pid });
    }
    return views;
  }

  /** `reset`: end every process, close the worker, obliterate the queue; `setup` comes next. */
  async reset(): Promise<void> {
    await this.stopAll();
    const { Queue } = this.options.bullmq.module;
    const queue = new Queue(this.queueName, { connection: { ...this.options.redis, maxRetriesPerRequest: null } });
    await queue.obliterate({ force: true });
    await queue.close();
  }

  /** Shutdown, stdin closed or a signal: every process this adapter started ends, then the connections. Never throws. */
  async close(): Promise<void> {
    await this.stopAll();
  }

  /**
   * Kill every process, close BullMQ, and kill again: while the first kill ran, the
   * still-open worker could fail the killed job and fork a child for the next one (seen in
   * explore campaigns as a process alive after the scenario, PROCESS-01, on shutdown and
   * on reset alike).
   */
  private async stopAll(): Promise<void> {
    await this.killAll();
    await this.closeBullmq();
    await this.killAll();
  }

  private mustBeSetUp(): BullmqQueue {
    if (this.queue === null) throw new AdapterFailure('conflict', 'setup first');
    return this.queue;
  }

  private async closeBullmq(): Promise<void> {
    const closing = [this.worker?.close(true), this.flows?.close(), this.queue?.close()].map((promise) => promise?.catch((error: unknown) => this.options.log(`close: ${String(error)}`)));
    this.worker = null;
    this.flows = null;
    this.queue = null;
    await Promise.race([Promise.all(closing), new Promise((resolve) => setTimeout(resolve, closeWaitMsMax).unref())]);
  }

  /** SIGKILL every descendant of this process and every other process of its session, and wait until they are dead. */
  private async killAll(): Promise<void> {
    const processes = listProcesses();
    const pids = new Set(descendantsOf(process.pid, processes));
    for (const pid of this.sessionProcesses(processes)) pids.add(pid);
    pids.delete(process.pid);
    const alive = await killPids([...pids], killWaitMsMax);
    if (alive.length > 0) this.options.log(`processes ${alive.join(', ')} outlived SIGKILL`);
  }

  /**
   * What a crashed adapter of this session left behind (its pool children and their
   * work): processes with the session marker that are not this adapter's. BullMQ's
   * stalled-job check gives their jobs back to this adapter's worker, so they are killed.
   */
  private async killLeftBehind(): Promise<void> {
    const processes = listProcesses();
    const own = new Set([process.pid, ...descendantsOf(process.pid, processes)]);
    const left = this.sessionProcesses(processes).filter((pid) => !own.has(pid));
    if (left.length === 0) return;
    this.options.log(`killing ${left.length} process(es) a previous adapter of this session left: ${left.join(', ')}`);
    await killPids(left, killWaitMsMax);
  }

  /** Live processes carrying this session's marker, this process and its ancestors left out. */
  private sessionProcesses(processes: ReturnType<typeof listProcesses>): number[] {
    if (process.env[sessionVariable] === undefined) return [];
    const byPid = new Map(processes.map((stat) => [stat.pid, stat]));
    const ancestors = new Set<number>();
    for (let pid: number | undefined = process.pid, depth = 0; pid !== undefined && depth < 64; pid = byPid.get(pid)?.parentPid, depth += 1) ancestors.add(pid);
    return processes
      .filter((stat) => !ancestors.has(stat.pid) && stat.state !== 'Z' && stat.state !== 'X' && readEnvironmentValue(stat.pid, sessionVariable) === this.options.session)
      .map((stat) => stat.pid);
  }
}

/** Reads of one job while its state may change under them, before the adapter gives up (count). */
export const consistentReadAttemptsMax = 5;

/**
 * A job and its state from one moment: the state, the job, the state again, until the
 * two states agree (BullMQ changes a job's state and its fields, `attemptsMade`,
 * `failedReason`, in one script, so a job read between two equal states belongs to that
 * state). Null when the job is gone.
 * @throws Error when the state kept changing for consistentReadAttemptsMax reads.
 */
async function consistentRead(queue: BullmqQueue, id: string): Promise<{ state: string; job: BullmqJob } | null> {
  for (let attempt = 0; attempt < consistentReadAttemptsMax; attempt += 1) {
    const before = await queue.getJobState(id);
    const job = await queue.getJob(id);
    const after = await queue.getJobState(id);
    if (job === undefined || after === 'unknown') return null;
    if (before === after) return { state: after, job };
  }
  throw new Error(`job ${id} changed state during each of ${consistentReadAttemptsMax} reads`);
}

/** The parent job's id, from BullMQ's `parent` (5.x, 6.x) or `parentKey` (`bull:<queue>:<id>`). */
function parentIdOf(job: BullmqJob): string | null {
  if (job.parent?.id !== undefined) return job.parent.id;
  if (job.parentKey !== undefined) return job.parentKey.slice(job.parentKey.lastIndexOf(':') + 1);
  return null;
}

/** The processes the processor stored with `job.updateProgress`, or null. */
function reportedProcesses(job: BullmqJob): { pid: number; workPid: number; attempt: number } | null {
  const progress = job.progress as { pid?: unknown; workPid?: unknown; attempt?: unknown } | null;
  if (progress === null || typeof progress !== 'object') return null;
  const { pid, workPid, attempt } = progress;
  if (typeof pid !== 'number' || typeof workPid !== 'number' || typeof attempt !== 'number') return null;
  return { pid, workPid, attempt };
}
