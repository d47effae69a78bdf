/**
 * The trace contract: one JSON object per line, the only thing passed from running
 * to checking (Jepsen's history). Any engine that writes these lines can be checked
 * with `flowconform check trace.jsonl`. The page `docs/trace.md` explains each kind;
 * `trace/trace.schema.json` is the JSON Schema exported from these zod schemas.
 *
 * Every event carries:
 * - `seq`: 0-based position in the trace (count);
 * - `timeMs`: the logical clock (ms), advanced only by scenario steps;
 * - `wallMs`: wall time since the trace began (ms).
 *
 * The schemas say what a line may be written as (the input) and what the checker reads
 * (the output): fields with a default may be left out of a line, and come out of
 * `TraceEvent.parse` filled in. Causes are closed lists (trace/causes.ts).
 */
import { z } from 'zod';
import { DeleteCause, TransitionCause } from './causes.ts';

export {
  DeleteCause,
  deleteCauseMeanings,
  deleteCauses,
  isParentCancelCause,
  parentCancelCauses,
  TransitionCause,
  transitionCauseMeanings,
  transitionCauses,
} from './causes.ts';

export const entityKinds = ['run', 'workflow', 'task', 'command', 'instance'] as const;
export const EntityKind = z.enum(entityKinds);
export type EntityKind = z.infer<typeof EntityKind>;

/** Bounds that liveness clauses are checked against; all in ms or counts. */
export const Bounds = z.object({
  /** A run in CANCELLING must be CANCELLED, with its whole tree dead, within this (wall ms). */
  cancelBoundMs: z.number().int().positive(),
  /** POSIX strategy: wait after SIGTERM before SIGKILL (wall ms). */
  graceMs: z.number().int().nonnegative(),
  /** Kill attempts per run before the engine must give up and report (count). */
  killAttemptsMax: z.number().int().positive(),
  /** An acknowledged creation request must have its instance within this (wall ms). */
  instanceBoundMs: z.number().int().positive(),
  /** Attempts of one failing listener call before it is dead-lettered (count). */
  listenerAttemptsMax: z.number().int().positive(),
  /** A terminate must have cancelled every non-terminal task within this (wall ms). */
  terminateBoundMs: z.number().int().positive(),
  /**
   * A run left RUNNING (a task left IN_PROGRESS) with no process of its own alive must
   * have left that state within this of its last process dying, or of the engine coming
   * back up when it was crashed or stopped then (wall ms).
   */
  processLossBoundMs: z.number().int().positive(),
  /**
   * After a restart (a new engine process on the crashed one's data), within this: every
   * entity shown again, every process the crash left behind adopted or killed, every
   * creation acknowledged before the crash holding its one instance (wall ms).
   */
  restartBoundMs: z.number().int().positive(),
  /**
   * A terminal workflow with an archive listener must be read back archived within this
   * of the archive store being healthy: of its first terminal read-back, or of the heal of
   * the archive outage it ended in. An outage that heals later than this after that
   * read-back may have used up the listener's attempts and is not judged (WF-ARCHIVE-01),
   * so an engine keeps retrying a failed archive call for at least this long (wall ms).
   */
  archiveBoundMs: z.number().int().positive(),
  /**
   * A SCHEDULED run may be marked Late only once its scheduled start is more than this in
   * the past (logical ms; Prefect's PREFECT_API_SERVICES_LATE_RUNS_AFTER_SECONDS, 15 s by
   * default). RUN-LATE-01.
   */
  lateAfterMs: z.number().int().positive(),
});
export type Bounds = z.infer<typeof Bounds>;

/** How long a process tree may take to die after SIGKILL before the kill counts as failed (ms). */
export const killWaitMsMax = 2_000;

export const defaultBounds: Bounds = {
  cancelBoundMs: 4000,
  graceMs: 800,
  killAttemptsMax: 3,
  instanceBoundMs: 2000,
  listenerAttemptsMax: 5,
  terminateBoundMs: 1500,
  processLossBoundMs: 3000,
  restartBoundMs: 4000,
  archiveBoundMs: 2000,
  lateAfterMs: 15_000,
};

const base = {
  seq: z.number().int().nonnegative(),
  timeMs: z.number().nonnegative(),
  wallMs: z.number().nonnegative(),
};

/**
 * The bounds of a meta line: each one left out takes its value from `defaultBounds`, so
 * a hand-written trace names only the bounds it means to change. A separate object:
 * `Bounds` itself stays all-required for the engine and the scenario schema.
 */
export const MetaBounds = z.object({
  cancelBoundMs: Bounds.shape.cancelBoundMs.default(defaultBounds.cancelBoundMs),
  graceMs: Bounds.shape.graceMs.default(defaultBounds.graceMs),
  killAttemptsMax: Bounds.shape.killAttemptsMax.default(defaultBounds.killAttemptsMax),
  instanceBoundMs: Bounds.shape.instanceBoundMs.default(defaultBounds.instanceBoundMs),
  listenerAttemptsMax: Bounds.shape.listenerAttemptsMax.default(defaultBounds.listenerAttemptsMax),
  terminateBoundMs: Bounds.shape.terminateBoundMs.default(defaultBounds.terminateBoundMs),
  processLossBoundMs: Bounds.shape.processLossBoundMs.default(defaultBounds.processLossBoundMs),
  restartBoundMs: Bounds.shape.restartBoundMs.default(defaultBounds.restartBoundMs),
  archiveBoundMs: Bounds.shape.archiveBoundMs.default(defaultBounds.archiveBoundMs),
  lateAfterMs: Bounds.shape.lateAfterMs.default(defaultBounds.lateAfterMs),
});

/** Where a trace was made; for the reader of a report, never judged. */
export const Environment = z.object({
  /** Node version of the harness (`v20.19.0`). */
  node: z.string(),
  /** Operating system, release and architecture. */
  os: z.string(),
  /** Commit of the harness checkout; null when not a git checkout. */
  commit: z.string().nullable(),
});

/**
 * First line of every trace: what ran, against what, with which bounds. Only `scenario`
 * and `engine` must be written; everything else has a default, so a hand-written trace
 * can start with `{"seq":0,"timeMs":0,"wallMs":0,"kind":"meta","scenario":"…","engine":"…"}`.
 */
export const MetaEvent = z.object({
  ...base,
  kind: z.literal('meta'),
  /** Scenario name. */
  scenario: z.string(),
  /** Scenario file; null for a generated or hand-written scenario (the default). */
  file: z.string().nullable().default(null),
  /** The seed of the run; 1 when left out, which is what `flowconform run` uses without `--seed`. */
  seed: z.number().int().default(1),
  /** Bug profile switched on (`prefect-17792`, …); null (the default) for none. */
  bug: z.string().nullable().default(null),
  /** Which kill strategy the scenario asked for; `posix` when left out. */
  platform: z.enum(['posix', 'win32']).default('posix'),
  /** The bounds the checkers judge against; each one left out is its default. */
  bounds: MetaBounds.prefault({}),
  /** Name (and version) of the engine that ran. */
  engine: z.string(),
  /** Where the trace was made; optional. */
  environment: Environment.optional(),
});

/**
 * What a run's transitions carry in `attributes`: the facts the deployment clauses
 * rebuild a run from. Times are on the trace's logical clock (ms). Other engines write
 * the same names with the same meanings; a checker that needs one the trace left out
 * says 'unknown' and names it, it never reads a missing one as 0.
 */
export const RunAttributes = z.object({
  /** The deployment the run belongs to; null for a run of no deployment. */
  deploymentId: z.string().nullable(),
  /**
   * Prefect's `run_count`: how many times the run has entered RUNNING to start an
   * attempt (a count). Resuming a PAUSED run is not an attempt and is not counted
   * (Prefect's `IncrementFlowRunCount` skips resumes). 0 for a run never started.
   */
  runCount: z.number().int().nonnegative(),
  /** True when the scheduler made the run from its deployment's schedule, false when made by hand (Prefect's `auto_scheduled`). */
  autoScheduled: z.boolean(),
  /** When the run is to start (logical ms; Prefect's `next_scheduled_start_time`). */
  scheduledStartMs: z.number().nonnegative(),
  /** The schedule slot the run was made for (logical ms); null for a run made by hand. */
  slotMs: z.number().nonnegative().nullable(),
  /** How many retries a failed attempt may have (a count; Prefect's `empirical_policy.retries`). */
  retries: z.number().int().nonnegative(),
});
export type RunAttributes = z.infer<typeof RunAttributes>;

/**
 * The `attributes` of a transition: each field optional and typed, so a value of the
 * wrong type is invalid input while a missing one is judged 'unknown' by the clause that
 * needs it. Run transitions carry `RunAttributes`; command and instance transitions
 * carry `requestId` (and instances `commandId`). Other facts an engine wants to keep are
 * allowed and ignored by the checkers.
 */
export const TransitionAttributes = RunAttributes.partial()
  .extend({
    /** Commands and instances: the creation request (`start-process-instance`) they were made for. */
    requestId: z.string().optional(),
    /** Instances: the command they were made from. */
    commandId: z.string().optional(),
  })
  .catchall(z.unknown());
export type TransitionAttributes = z.infer<typeof TransitionAttributes>;

/**
 * A run's attributes as the query API shows them, each optional: the same names and
 * meanings as `RunAttributes`, except the run count, which the query API gives as the
 * run's `attempts`. What lets a run's facts be judged without any event the engine pushed.
 */
export const QueryRunAttributes = RunAttributes.omit({ runCount: true }).partial();
export type QueryRunAttributes = z.infer<typeof QueryRunAttributes>;


/**
 * An entity changed state, in the engine's own words. `from` is null when the entity
 * is created. States are upstream names; runs write `TYPE/Name` (`SCHEDULED/Late`),
 * and Prefect's full default names (`SCHEDULED/Scheduled`) are read as the plain type.
 * `cause` is one word of a closed list; `detail` and `signal` carry what varies.
 */
export const TransitionEvent = z.object({
  ...base,
  kind: z.literal('transition'),
  entity: EntityKind,
  id: z.string(),
  parentId: z.string().nullable(),
  from: z.string().nullable(),
  to: z.string(),
  /** Why, from the closed list of transition causes (docs/trace.md). */
  cause: TransitionCause,
  /** What varies about the cause, for people: an exit code, a master's id, a terminate reason. No checker reads it. */
  detail: z.string().optional(),
  /** With cause `process-killed`: the signal that ended the process (`SIGKILL`). */
  signal: z.string().optional(),
  attributes: TransitionAttributes.optional(),
});

/** An entity was deleted (a deployment update deleting scheduled runs, a consumed command). */
export const DeleteEvent = z.object({
  ...base,
  kind: z.literal('delete'),
  entity: EntityKind,
  id: z.string(),
  /** Why, from the closed list of delete causes (docs/trace.md). */
  cause: DeleteCause,
  /** With cause `deployment-update`: the deployment whose update deleted the run. */
  deploymentId: z.string().optional(),
  /** What varies about the cause, for people. No checker reads it. */
  detail: z.string().optional(),
});

/** A process of the engine: spawned, signalled, exited, or a kill that failed. */
export const ProcessEvent = z.object({
  ...base,
  kind: z.literal('process'),
  action: z.enum(['spawn', 'signal', 'exit', 'kill-failed']),
  pid: z.number().int().nullable(),
  parentPid: z.number().int().nullable(),
  owner: z.string(),
  signal: z.string().optional(),
  code: z.number().int().nullable().optional(),
  error: z.string().optional(),
});

/** A side effect (status listener, archive, notification) and its outcome. */
export const SideEffectEvent = z.object({
  ...base,
  kind: z.literal('side-effect'),
  name: z.string(),
  target: z.string(),
  attempt: z.number().int().positive(),
  outcome: z.enum(['ok', 'error', 'dead-letter']),
  error: z.string().optional(),
});

/** A request from the client and its answer; `info` means we do not know (Jepsen). */
/**
 * The operations a request line may name: the step operations of the engine protocol
 * (protocol/operations.ts, which checks at compile time that the two lists agree). The
 * protocol's own operations (hello, setup, tick, query, processes, shutdown) are not
 * recorded as requests.
 */
export const requestOperations = [
  'deploy',
  'start-run',
  'cancel-run',
  'advance-clock',
  'set-workers',
  'start-workflow',
  'terminate-workflow',
  'set-fault',
  'start-process-instance',
  'set-consumers',
] as const;
export const RequestOperation = z.enum(requestOperations);
export type RequestOperation = z.infer<typeof RequestOperation>;

export const RequestEvent = z.object({
  ...base,
  kind: z.literal('request'),
  op: RequestOperation,
  requestId: z.string(),
  args: z.record(z.string(), z.unknown()),
  outcome: z.enum(['ok', 'fail', 'info']),
  answer: z.record(z.string(), z.unknown()),
});

/** A state read back through the engine's query API; `state: null` means not found. */
export const ObserveEvent = z.object({
  ...base,
  kind: z.literal('observe'),
  entity: EntityKind,
  id: z.string(),
  parentId: z.string().nullable(),
  state: z.string().nullable(),
  /** For instances and commands: the creation request the query API says they were made for. */
  requestId: z.string().optional(),
  /** Workflows: whether the query API shows the workflow archived (its archive listener succeeded); absent when it does not say. */
  archived: z.boolean().optional(),
  /** Runs: how many attempts the query API says the run has made (Prefect's run_count, a count); absent when it does not say. */
  attempts: z.number().int().nonnegative().optional(),
  /** Runs: the run's attributes as the query API shows them (deployment, retries, schedule). */
  attributes: QueryRunAttributes.optional(),
  /**
   * Which read of the query API this line comes from (1, 2, … in the trace): the lines of
   * one look are one snapshot. A checker that counts entities at once (active runs,
   * runs of a slot) judges a look as a whole, and INSTANCE-03 asks whether the first look
   * after an answer showed what it acknowledged. Optional: without it, each line is
   * judged on its own.
   */
  look: z.number().int().positive().optional(),
});

/** A process's liveness read from the operating system (`/proc`; state Z is dead). */
export const ObserveProcessEvent = z.object({
  ...base,
  kind: z.literal('observe-process'),
  pid: z.number().int(),
  owner: z.string(),
  alive: z.boolean(),
  stat: z.string().nullable(),
  /**
   * Process group of the process when seen alive. Checkers count a process in the tree
   * of a run whose own process leads that group, even if the engine never reported it.
   */
  groupId: z.number().int().optional(),
  /**
   * When /proc was last read showing this process alive (wall ms), up to this line: on a
   * line with `alive: true` that read itself (it may precede the line, when the harness
   * asked the engine who owns a new process in between); on a line with `alive: false`
   * the read before, the last that found it alive. Lines record changes only, so this is
   * what shows that a process which lived on unchanged was still alive at some moment
   * (RUN-CANCEL-02 needs a sighting at or after its deadline).
   */
  seenAliveWallMs: z.number().optional(),
  /** Why this look was taken: a poll, the end of a scenario, a bound expiring. */
  reason: z.string(),
});

/** A scenario step began or ended. */
export const StepEvent = z.object({
  ...base,
  kind: z.literal('step'),
  index: z.number().int().nonnegative(),
  phase: z.enum(['begin', 'end']),
  step: z.record(z.string(), z.unknown()),
  outcome: z.enum(['ok', 'timeout', 'error']).optional(),
  detail: z.string().optional(),
});

/**
 * Faults the harness performs itself, at the operating-system level, on any engine:
 * `engine-crash` (SIGKILL the engine process; its workers are left as a crash leaves
 * them; cleared when a new engine process on the same data has answered setup),
 * `engine-pause` (SIGSTOP; cleared by SIGCONT), `worker-kill` (SIGKILL one worker
 * process of an entity, `target`, pid `pid`). Engine-level faults (`archive-listener`,
 * `command-store`, `process-signal`) are those an engine declares.
 */
export const osFaultNames = ['engine-crash', 'engine-pause', 'worker-kill'] as const;

/** Fault injected or cleared by the nemesis. */
export const FaultEvent = z.object({
  ...base,
  kind: z.literal('fault'),
  action: z.enum(['inject', 'clear']),
  fault: z.string(),
  /** The entity whose process a `worker-kill` hit. */
  target: z.string().optional(),
  /** The process a `worker-kill` or `engine-crash` signalled. */
  pid: z.number().int().optional(),
});

/** A log line of the engine (what an operator would see). */
export const LogEvent = z.object({
  ...base,
  kind: z.literal('log'),
  level: z.enum(['debug', 'info', 'warn', 'error']),
  message: z.string(),
  entity: z.string().optional(),
});

/**
 * The harness is about to tear the engine down (kill what is left). Observations after
 * this line say what teardown did, not what the engine did, so liveness clauses read
 * the history only up to here.
 */
export const TeardownEvent = z.object({
  ...base,
  kind: z.literal('teardown'),
});

/** Last line: how the run ended. `crash`/`timeout` make the verdict inconclusive. */
export const EndEvent = z.object({
  ...base,
  kind: z.literal('end'),
  outcome: z.enum(['completed', 'timeout', 'crash']),
  error: z.string().optional(),
});

export const TraceEvent = z.discriminatedUnion('kind', [
  MetaEvent,
  TransitionEvent,
  DeleteEvent,
  ProcessEvent,
  SideEffectEvent,
  RequestEvent,
  ObserveEvent,
  ObserveProcessEvent,
  StepEvent,
  FaultEvent,
  LogEvent,
  TeardownEvent,
  EndEvent,
]);

export type TraceEvent = z.infer<typeof TraceEvent>;
export type MetaEvent = z.infer<typeof MetaEvent>;
export type TransitionEvent = z.infer<typeof TransitionEvent>;
export type DeleteEvent = z.infer<typeof DeleteEvent>;
export type ProcessEvent = z.infer<typeof ProcessEvent>;
export type SideEffectEvent = z.infer<typeof SideEffectEvent>;
export type RequestEvent = z.infer<typeof RequestEvent>;
export type ObserveEvent = z.infer<typeof ObserveEvent>;
export type ObserveProcessEvent = z.infer<typeof ObserveProcessEvent>;
export type StepEvent = z.infer<typeof StepEvent>;
export type FaultEvent = z.infer<typeof FaultEvent>;
export type LogEvent = z.infer<typeof LogEvent>;
export type TeardownEvent = z.infer<typeof TeardownEvent>;
export type EndEvent = z.infer<typeof EndEvent>;

/** An event before the sink stamps it with `seq`, `timeMs` and `wallMs`. */
type WithoutStamp<E> = E extends unknown ? Omit<E, 'seq' | 'timeMs' | 'wallMs'> : never;
export type TraceEventInput = WithoutStamp<TraceEvent>;
