/**
 * What one step kind is, in one place: its YAML schema, what it asks of an engine, its
 * time limit, how the runner performs it, how explore generates it, and the model update
 * that keeps generated scenarios valid (fast-check's model-based commands: a
 * precondition that only reads the model, then an update). Every field is required, so
 * a step kind with a piece missing does not compile; the registry (registry.ts) lists
 * every kind, and the runner, the loader, the generators and the applicability check all
 * read it, with no switch over step names anywhere else.
 */
import type fc from 'fast-check';
import type { z } from 'zod';
import type { Outcome } from '../../protocol/outcome.ts';
import type { EntityView, OperationArgs, StepOperationName } from '../../protocol/operations.ts';
import type { Bounds, EntityKind } from '../../trace/events.ts';

/** What generation knows of the scenario so far (fast-check's model). */
export interface GenerationModel {
  runs: Set<string>;
  /** Subflow runs of the started runs (`<run>.<name>`, nested), which an await may name. */
  subflowRuns: Set<string>;
  cancelledRuns: string[];
  /** Each deployment created, with its anchor: the logical time of its first deploy, its first slot (ms). */
  deployments: Map<string, number>;
  /** Logical time the kept advances add up to (ms); the driven clock starts at 0. */
  clockMs: number;
  workflows: Set<string>;
  terminated: boolean;
  paused: boolean;
  faults: Set<string>;
  consumers: number;
  burst: boolean;
  /** The engine as the nemesis left it. */
  engine: 'up' | 'crashed' | 'stopped';
  /** A worker process was killed: the heal waits out the process-loss bound. */
  workerKilled: boolean;
  /** The engine was crashed: the heal waits out the restart bound. */
  crashed: boolean;
}

/**
 * The nemesis at the operating-system level (Jepsen's word): what the harness does to
 * any engine process itself, each recorded in the trace as a fault.
 */
export interface Nemesis {
  /** SIGKILL the engine process; its workers are left as a real crash leaves them. */
  crash(): Promise<void>;
  /** Start a new engine process on the same data and session after a crash. */
  restart(): Promise<void>;
  /** SIGSTOP the engine process. */
  pause(): void;
  /** SIGCONT the engine process. */
  resume(): void;
  /** SIGKILL one live worker process of entity `owner`; false when it has none alive. */
  killWorker(owner: string): Promise<boolean>;
}

/** How a step ended: `timeout` when what it waited for did not happen in time. */
export type StepOutcome = 'ok' | 'timeout';

/** What the runner gives a step to act with; everything it does is recorded in the trace. */
export interface StepRuntime {
  /**
   * Send one operation to the engine and record the request and its outcome in the
   * trace. `traceArgs` are recorded beside the arguments (context only the harness has).
   * The promise settles when the reply comes; several may be in flight (pipelining).
   */
  request<Op extends StepOperationName>(op: Op, args: OperationArgs<Op>, options?: { requestId?: string; traceArgs?: Record<string, unknown> }): Promise<Outcome>;
  /** Record that the nemesis injects or clears a fault (before the request that does it). */
  recordFault(action: 'inject' | 'clear', fault: string): void;
  /** Look at the engine once: run its due work (driven clock), read its entities and processes. */
  look(): Promise<void>;
  /** Look every poll interval until `done` holds for the entities read, at most `timeoutMs` (wall ms). */
  waitUntil(done: (entities: readonly EntityView[]) => boolean, timeoutMs: number): Promise<StepOutcome>;
  /** A fresh id for an instance-creation request: `req-1`, `req-2`, … */
  nextInstanceRequestId(): string;
  /** Request ids of instance creations the engine acknowledged with ok, in order. */
  readonly acknowledged: readonly string[];
  readonly bounds: Bounds;
  readonly nemesis: Nemesis;
}

/** A capability a step needs from the engine (protocol/capabilities.ts). */
export type Requirement =
  | { kind: 'operation'; name: StepOperationName }
  | { kind: 'entity'; name: EntityKind }
  | { kind: 'fault'; name: string }
  | { kind: 'clock'; name: 'driven' }
  /** The engine may be killed and started again on the same data (capability `restart`). */
  | { kind: 'restart' };

export interface StepKind<Name extends string, Schema extends z.ZodType> {
  name: Name;
  /** The body's schema (the value under the step's one key). */
  schema: Schema;
  /** What the step does, in a sentence (shown by editors, and in docs). */
  description: string;
  /** What the engine must have for the step to apply; otherwise the scenario is not applicable. */
  requires(body: z.output<Schema>): Requirement[];
  /**
   * Whether the step talks to the engine (a request, a read of its entities): the model
   * keeps such a step only while the engine is up, neither crashed nor stopped.
   */
  needsEngine: boolean;
  /** How long the step may take before the run is inconclusive (wall ms). */
  timeLimitMs(body: z.output<Schema>, defaultMs: number): number;
  /** Perform the step. @throws what the runtime throws (an engine fault). */
  run(body: z.output<Schema>, runtime: StepRuntime): Promise<StepOutcome>;
  /** How explore draws this step, with its weight among the others; null for steps only the heal adds. */
  generate: { arbitrary: fc.Arbitrary<z.input<Schema>>; weight: number } | null;
  /** Would this step make sense now? Reads the model only. */
  precondition(model: GenerationModel, body: z.input<Schema>): boolean;
  /**
   * For a generated step that names an entity the model does not have: the same step
   * aimed at one it has, or null. Without it such a step is dropped, and steps that act
   * on what earlier steps made (a cancel, a kill, a terminate) would be rare.
   */
  retarget?(model: GenerationModel, body: z.input<Schema>): z.input<Schema> | null;
  /** Apply a kept step to the model. */
  update(model: GenerationModel, body: z.input<Schema>): void;
}

/** Infers a step kind's types from its fields. */
export function defineStep<Name extends string, Schema extends z.ZodType>(kind: StepKind<Name, Schema>): StepKind<Name, Schema> {
  return kind;
}

/** The requirement of sending one operation. */
export function operation(name: StepOperationName): Requirement {
  return { kind: 'operation', name };
}

/** Margin a waiting step gets beyond its own timeout before it counts as hung (ms). */
export const waitMarginMs = 5_000;

/** The `run` of a step that is one request whose arguments are the step's body. */
export function sendAs<Op extends StepOperationName>(op: Op): (body: OperationArgs<Op>, runtime: StepRuntime) => Promise<StepOutcome> {
  return async (body, runtime) => {
    await runtime.request(op, body);
    return 'ok';
  };
}
