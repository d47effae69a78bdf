/**
 * The operations of the engine protocol, version 1: one per action of the step
 * vocabulary, plus the protocol's own (`hello`, `tick`, `query`, `processes`,
 * `shutdown`). Each has a zod schema for its arguments and for its result; the names are
 * a closed enum, and they are also the `op` of request lines in the trace.
 *
 * These schemas are the contract: the harness validates every reply against them, the
 * reference engine parses every request with them, and `protocol/engine-protocol.schema.json`
 * is exported from them. The page docs/engine-protocol.md explains each operation.
 */
import { z } from 'zod';
import { Bounds, EntityKind, QueryRunAttributes, type RequestOperation } from '../trace/events.ts';
import { Capabilities } from './capabilities.ts';
import { operationLimits } from './limits.ts';

const id = z.string().regex(/^[A-Za-z0-9][A-Za-z0-9_\-@.]*$/, 'an id: letters, digits, _ - @ .');
const durationMs = z.number().int().nonnegative().max(operationLimits.durationMsMax);
const exitCode = z.number().int().min(0).max(255);

/** The protocol version this harness speaks; an engine answering another one is refused. */
export const protocolVersion = 1;

/** A subflow run: a process spawned by its parent run's process. Its run id is `<parent>.<name>`. */
export interface SubflowPlan {
  name: string;
  durationMs?: number;
  exitCode?: number;
  ignoreSigterm?: boolean;
  subflows?: SubflowPlan[];
}
export const SubflowPlan: z.ZodType<SubflowPlan> = z.lazy(() =>
  z
    .object({
      name: z.string().regex(/^[A-Za-z0-9_-]+$/, 'a subflow name: letters, digits, _ -'),
      durationMs: durationMs.optional(),
      exitCode: exitCode.optional(),
      ignoreSigterm: z.boolean().optional(),
      subflows: z.array(SubflowPlan).max(operationLimits.subflowFanOutMax).optional(),
    })
    .strict(),
);

/** What a deployment's runs do: how long their process lives and how it exits per attempt. */
export const RunPlan = z
  .object({
    /** Life of the run's process (wall ms). */
    durationMs: durationMs.default(300),
    /** Exit code of attempt 1, 2, …; the last one repeats. */
    exitCodes: z.array(exitCode).min(1).max(10).default([0]),
    /** When true the process ignores SIGTERM; only SIGKILL ends it. */
    ignoreSigterm: z.boolean().default(false),
  })
  .strict();

/** `deploy`: create or update a deployment with an interval schedule (Prefect). */
export const DeployArgs = z
  .object({
    deployment: id,
    /** Interval of the schedule, logical ms. */
    intervalMs: z.number().int().positive().max(operationLimits.advanceMsMax),
    /** Active runs (PENDING, RUNNING, CANCELLING) allowed at once; absent means no limit. */
    concurrencyLimit: z.number().int().positive().max(100).optional(),
    /** Retries after a failed attempt (count). */
    retries: z.number().int().nonnegative().max(5).default(0),
    /** Delay before a retry, logical ms. */
    retryDelayMs: z.number().int().nonnegative().max(operationLimits.advanceMsMax).default(60_000),
    /** How many future slots the scheduler keeps runs for (count). */
    scheduleAheadCount: z.number().int().positive().max(operationLimits.scheduleAheadCountMax).default(3),
    run: RunPlan.default({ durationMs: 300, exitCodes: [0], ignoreSigterm: false }),
  })
  .strict();

/** Levels of subflows below `plans` (0 for none), and a repeated sibling name if any. */
function subflowShape(plans: readonly SubflowPlan[]): { depth: number; repeatedName: string | null } {
  const names = plans.map((plan) => plan.name);
  const repeatedName = names.find((name, index) => names.indexOf(name) !== index) ?? null;
  let depth = plans.length > 0 ? 1 : 0;
  let nested: string | null = null;
  for (const plan of plans) {
    const inner = subflowShape(plan.subflows ?? []);
    depth = Math.max(depth, 1 + inner.depth);
    nested ??= inner.repeatedName;
  }
  return { depth, repeatedName: repeatedName ?? nested };
}

/** `start-run`: start a run; with a deployment it waits for that deployment's worker, without it executes at once. */
export const StartRunArgs = z
  .object({
    run: id,
    deployment: id.optional(),
    /** Life of the run's process (wall ms). */
    durationMs: durationMs.default(300),
    exitCode: exitCode.default(0),
    ignoreSigterm: z.boolean().default(false),
    /** Processes spawned by the run's process, at most subflowDepthMax levels deep. */
    subflows: z.array(SubflowPlan).max(operationLimits.subflowFanOutMax).default([]),
  })
  .strict()
  .superRefine((args, context) => {
    const { depth, repeatedName } = subflowShape(args.subflows);
    if (depth > operationLimits.subflowDepthMax) {
      context.addIssue({ code: 'custom', path: ['subflows'], message: `subflows nest ${depth} levels deep; at most ${operationLimits.subflowDepthMax}` });
    }
    if (repeatedName !== null) {
      context.addIssue({ code: 'custom', path: ['subflows'], message: `two sibling subflows are named '${repeatedName}'; names give run ids, so they must differ` });
    }
  });

/** `cancel-run`: ask the engine to cancel a run and, with it, its subflow runs. */
export const CancelRunArgs = z.object({ run: z.string().min(1) }).strict();

/** `advance-clock` (driven clock only): move logical time by `ms`, then run what became due. */
export const AdvanceClockArgs = z.object({ ms: z.number().int().nonnegative().max(operationLimits.advanceMsMax) }).strict();

/** `set-workers`: pause or resume the deployment workers (a worker outage lets runs become Late). */
export const SetWorkersArgs = z.object({ action: z.enum(['pause', 'resume']) }).strict();

/** One task of a workflow: a real process. */
export const TaskPlan = z
  .object({
    task: id,
    /** Life of the task's process (wall ms). */
    durationMs: durationMs.default(300),
    exitCode: exitCode.default(0),
    ignoreSigterm: z.boolean().default(false),
  })
  .strict();

export const listenerNames = ['archive'] as const;

/** `start-workflow`: a workflow whose tasks run one after another (Conductor). */
export const StartWorkflowArgs = z
  .object({
    workflow: id,
    tasks: z.array(TaskPlan).min(1).max(operationLimits.tasksMax),
    /** Workflow status listeners called when the workflow ends. */
    listeners: z.array(z.enum(listenerNames)).default(['archive']),
  })
  .strict();

/** `terminate-workflow`: terminate a workflow (Conductor `terminateWorkflow`). */
export const TerminateWorkflowArgs = z.object({ workflow: id, reason: z.string().default('terminated by scenario') }).strict();

/**
 * Faults an engine may let the nemesis inject through the protocol: its archive
 * listener's store fails, its command table refuses writes, or the operating system
 * refuses the signals of its kills (docs/engine-protocol.md "Faults").
 */
export const faultNames = ['archive-listener', 'command-store', 'process-signal'] as const;
export const FaultName = z.enum(faultNames);
export type FaultName = z.infer<typeof FaultName>;

/** `set-fault`: make a part of the engine fail (`active: true`) or heal it. */
export const SetFaultArgs = z.object({ fault: FaultName, active: z.boolean() }).strict();

/** `start-process-instance`: ask for one workflow instance (DolphinScheduler's API). `requestId` is the harness's. */
export const StartProcessInstanceArgs = z.object({ requestId: z.string().min(1) }).strict();

/** `set-consumers`: how many command consumers (masters) run; consumers join or leave. */
export const SetConsumersArgs = z.object({ count: z.number().int().nonnegative().max(operationLimits.consumersMax) }).strict();

/** `hello`: the handshake. The harness names the protocol version it speaks. */
export const HelloArgs = z.object({ protocol: z.number().int().positive() }).strict();
export const HelloResult = z.object({
  /** The engine's name, e.g. `flowconform-reference`, `bullmq`. */
  name: z.string().min(1),
  /** The engine's own version (of the system under test, not of the protocol). */
  version: z.string().min(1),
  protocol: z.number().int().positive(),
  capabilities: Capabilities,
});

/** `setup`: the scenario's configuration, sent once after `hello` and before any step. */
export const SetupArgs = z
  .object({
    /** Kill strategy to use for process trees (must be one the engine declared). */
    platform: z.enum(['posix', 'win32']),
    bounds: Bounds,
    /** A defect to switch on, by bug profile id (reference engine), or null. */
    bug: z.string().nullable(),
    /** Seed of the engine's randomness, if it has any. */
    seed: z.number().int(),
    /** Order in which consumers take their turn in a round, by index; [] is index order. */
    consumerOrder: z.array(z.number().int().nonnegative()),
    /**
     * A folder for the engine's durable state, empty at the scenario's start; null when
     * the harness asks for none. After a crash the harness starts a new engine process and
     * sends `setup` again with the same folder: the engine recovers from what it finds.
     */
    dataDir: z.string().nullable().default(null),
  })
  .strict();

/** One entity as the engine's query API shows it (what a UI would read). */
export const EntityView = z.object({
  entity: EntityKind,
  id: z.string().min(1),
  parentId: z.string().nullable(),
  /** Upstream state name; runs write `TYPE` or `TYPE/Name`. */
  state: z.string().min(1),
  /** For instances and commands: the creation request they were made for. */
  requestId: z.string().optional(),
  /**
   * For workflows: whether the workflow has been archived (its archive status listener
   * succeeded). Optional: an engine that leaves it out has WF-ARCHIVE-01 judged unknown.
   */
  archived: z.boolean().optional(),
  /** For runs: how many attempts the run has made (Prefect's run_count; a count). */
  attempts: z.number().int().nonnegative().optional(),
  /**
   * For runs: its attributes (docs/trace.md), the run count excepted (that is `attempts`):
   * `deploymentId`, `retries`, `autoScheduled`, `scheduledStartMs`, `slotMs`. What lets the
   * deployment and retry clauses judge a run without any pushed event.
   */
  attributes: QueryRunAttributes.optional(),
});
export type EntityView = z.infer<typeof EntityView>;

export const QueryResult = z.object({ entities: z.array(EntityView) });

/** A process the engine says it started, with the entity that owns it. */
export const ProcessView = z.object({
  pid: z.number().int().positive(),
  /** Entity id that owns the process (run id, task id). */
  owner: z.string().min(1),
  parentPid: z.number().int().nullable().optional(),
});
export type ProcessView = z.infer<typeof ProcessView>;

export const ProcessesResult = z.object({ processes: z.array(ProcessView) });

const empty = z.object({}).strict();
const anyResult = z.record(z.string(), z.unknown());

/**
 * Every operation: its arguments and its result. `step` marks the operations that scenario
 * steps use (an engine declares which of those it supports); the others every engine has.
 */
export const operations = {
  hello: { args: HelloArgs, result: HelloResult, step: false },
  setup: { args: SetupArgs, result: anyResult, step: false },
  tick: { args: empty, result: anyResult, step: false },
  query: { args: empty, result: QueryResult, step: false },
  processes: { args: empty, result: ProcessesResult, step: false },
  shutdown: { args: empty, result: anyResult, step: false },
  reset: { args: empty, result: anyResult, step: false },
  deploy: { args: DeployArgs, result: z.object({ created: z.boolean(), deleted: z.array(z.string()) }).loose(), step: true },
  'start-run': { args: StartRunArgs, result: anyResult, step: true },
  'cancel-run': { args: CancelRunArgs, result: anyResult, step: true },
  'advance-clock': { args: AdvanceClockArgs, result: z.object({ timeMs: z.number().nonnegative() }).loose(), step: true },
  'set-workers': { args: SetWorkersArgs, result: anyResult, step: true },
  'start-workflow': { args: StartWorkflowArgs, result: anyResult, step: true },
  'terminate-workflow': { args: TerminateWorkflowArgs, result: anyResult, step: true },
  'set-fault': { args: SetFaultArgs, result: anyResult, step: true },
  'start-process-instance': { args: StartProcessInstanceArgs, result: anyResult, step: true },
  'set-consumers': { args: SetConsumersArgs, result: anyResult, step: true },
} as const;

export type OperationName = keyof typeof operations;
export const operationNames = Object.keys(operations) as OperationName[];
/** Operations scenario steps use; an engine lists the ones it has in its capabilities. */
export const stepOperationNames = operationNames.filter((name) => operations[name].step);
export type StepOperationName = Exclude<OperationName, 'hello' | 'setup' | 'tick' | 'query' | 'processes' | 'shutdown' | 'reset'>;

/** The trace names the same step operations (trace/events.ts `requestOperations`): a compile error when the lists part. */
type SameNames<A, B> = [A] extends [B] ? ([B] extends [A] ? true : never) : never;
const stepOperationsMatchTrace: SameNames<StepOperationName, RequestOperation> = true;
void stepOperationsMatchTrace;
export const OperationName = z.enum(operationNames as [OperationName, ...OperationName[]]);

/** Arguments of an operation as sent (defaults filled in). */
export type OperationArgs<Op extends OperationName> = z.output<(typeof operations)[Op]['args']>;
/** Arguments of an operation as a caller may write them (defaults optional). */
export type OperationArgsInput<Op extends OperationName> = z.input<(typeof operations)[Op]['args']>;
export type OperationResult<Op extends OperationName> = z.output<(typeof operations)[Op]['result']>;
