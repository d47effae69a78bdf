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
 */
import { z } from 'zod';

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
};

const base = {
  seq: z.number().int().nonnegative(),
  timeMs: z.number().nonnegative(),
  wallMs: z.number().nonnegative(),
};

/** First line of every trace: what ran, against what, with which bounds. */
export const MetaEvent = z.object({
  ...base,
  kind: z.literal('meta'),
  scenario: z.string(),
  file: z.string().nullable(),
  seed: z.number().int(),
  bug: z.string().nullable(),
  platform: z.enum(['posix', 'win32']),
  bounds: Bounds,
  engine: z.string(),
  environment: z.object({ node: z.string(), os: z.string(), commit: z.string().nullable() }),
});

/**
 * An entity changed state, in the engine's own words. `from` is null when the entity
 * is created. States are upstream names; runs write `TYPE/Name` (`SCHEDULED/Late`).
 * `attributes` carry facts the checker needs (deployment, slot, scheduled start, …).
 */
export const TransitionEvent = z.object({
  ...base,
  kind: z.literal('transition'),
  entity: EntityKind,
  id: z.string(),
  parentId: z.string().nullable(),
  from: z.string().nullable(),
  to: z.string(),
  cause: z.string(),
  attributes: z.record(z.string(), z.unknown()).optional(),
});

/**
 * What a run's transitions carry in `attributes`: the facts the deployment clauses
 * rebuild a run from (ms are logical). Other engines write the same names.
 */
export type RunAttributes = {
  deploymentId: string | null;
  /** Times the run entered RUNNING from PENDING (Prefect's run_count). */
  runCount: number;
  /** Created by the scheduler rather than by hand. */
  autoScheduled: boolean;
  /** When the run should start (logical ms). */
  scheduledStartMs: number;
  /** The schedule slot it was made for; null for manual runs. */
  slotMs: number | null;
  retries: number;
};

/** An entity was deleted (a deployment update deleting scheduled runs, a consumed command). */
export const DeleteEvent = z.object({
  ...base,
  kind: z.literal('delete'),
  entity: EntityKind,
  id: z.string(),
  cause: z.string(),
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
export const RequestEvent = z.object({
  ...base,
  kind: z.literal('request'),
  op: z.string(),
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

/** Fault injected or cleared by the nemesis. */
export const FaultEvent = z.object({
  ...base,
  kind: z.literal('fault'),
  action: z.enum(['inject', 'clear']),
  fault: z.string(),
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
