/**
 * The step vocabulary: one list of steps for scripted YAML scenarios and for generated
 * ones, so a shrunk counterexample is written out as a scenario that replays exactly.
 * Each step is a mapping with exactly one key, the step's name. All durations are ms
 * (wall time unless the field says logical), all sizes are counts, and each has a bound.
 */
import { z } from 'zod';
import { Bounds, defaultBounds, killWaitMsMax } from '../../trace/events.ts';

/** Named limits on what a scenario may ask for, so no step can make the harness hang. */
export const scenarioLimits = {
  durationMsMax: 120_000,
  timeoutMsMax: 60_000,
  subflowDepthMax: 4,
  subflowFanOutMax: 4,
  tasksMax: 10,
  burstRequestsMax: 5_000,
  consumersMax: 16,
  advanceMsMax: 86_400_000,
  scheduleAheadCountMax: 20,
  stepsMax: 500,
} as const;

const id = z.string().regex(/^[A-Za-z0-9][A-Za-z0-9_\-@]*$/, 'an id: letters, digits, _ - @');
const durationMs = z.number().int().nonnegative().max(scenarioLimits.durationMsMax);
const timeoutMs = z.number().int().positive().max(scenarioLimits.timeoutMsMax);
const exitCode = z.number().int().min(0).max(255);

/** A subflow run: a worker process spawned by its parent run's process. Id: `<parent>.<name>`. */
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
      subflows: z.array(SubflowPlan).max(scenarioLimits.subflowFanOutMax).optional(),
    })
    .strict(),
);

/** What a deployment's runs do: how long their process lives and how it exits per attempt. */
export const RunPlan = z
  .object({
    durationMs: durationMs.default(300),
    /** Exit code of attempt 1, 2, …; the last one repeats. */
    exitCodes: z.array(exitCode).min(1).max(10).default([0]),
    ignoreSigterm: z.boolean().default(false),
  })
  .strict();

export const DeployStep = z
  .object({
    deployment: id,
    /** Interval of the schedule, logical ms. */
    intervalMs: z.number().int().positive().max(scenarioLimits.advanceMsMax),
    /** Active runs (PENDING, RUNNING, CANCELLING) allowed at once; absent means no limit. */
    concurrencyLimit: z.number().int().positive().max(100).optional(),
    retries: z.number().int().nonnegative().max(5).default(0),
    /** Delay before a retry, logical ms. */
    retryDelayMs: z.number().int().nonnegative().max(scenarioLimits.advanceMsMax).default(60_000),
    /** How many future slots the scheduler keeps runs for. */
    scheduleAheadCount: z.number().int().positive().max(scenarioLimits.scheduleAheadCountMax).default(3),
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

export const StartStep = z
  .object({
    run: id,
    /** With a deployment the run is submitted to that deployment's worker; without, executed at once. */
    deployment: id.optional(),
    durationMs: durationMs.default(300),
    exitCode: exitCode.default(0),
    ignoreSigterm: z.boolean().default(false),
    /** Processes spawned by the run's process, at most subflowDepthMax levels deep. */
    subflows: z.array(SubflowPlan).max(scenarioLimits.subflowFanOutMax).default([]),
  })
  .strict()
  .superRefine((step, context) => {
    const { depth, repeatedName } = subflowShape(step.subflows);
    if (depth > scenarioLimits.subflowDepthMax) {
      context.addIssue({ code: 'custom', path: ['subflows'], message: `subflows nest ${depth} levels deep; at most ${scenarioLimits.subflowDepthMax}` });
    }
    if (repeatedName !== null) {
      context.addIssue({ code: 'custom', path: ['subflows'], message: `two sibling subflows are named '${repeatedName}'; names give run ids, so they must differ` });
    }
  });

export const CancelStep = z.object({ run: z.string().min(1) }).strict();

const awaitTargets = ['run', 'workflow', 'task', 'command', 'instance'] as const;
export const AwaitStep = z
  .object({
    run: z.string().min(1).optional(),
    workflow: id.optional(),
    task: id.optional(),
    command: z.string().min(1).optional(),
    instance: z.string().min(1).optional(),
    /**
     * Upstream state; a run state type alone (`SCHEDULED`) also matches its named
     * sub-states, and `TERMINAL` matches any final state of the entity's machine.
     */
    state: z.string().min(1),
    timeoutMs: timeoutMs.default(10_000),
  })
  .strict()
  .refine((step) => awaitTargets.filter((key) => step[key] !== undefined).length === 1, {
    message: 'await names exactly one of run, workflow, task, command, instance',
  });

export const AdvanceStep = z.object({ ms: z.number().int().nonnegative().max(scenarioLimits.advanceMsMax) }).strict();

export const WorkersStep = z.enum(['pause', 'resume']);

export const TaskPlan = z
  .object({
    task: id,
    durationMs: durationMs.default(300),
    exitCode: exitCode.default(0),
    ignoreSigterm: z.boolean().default(false),
  })
  .strict();

export const listenerNames = ['archive'] as const;
export const StartWorkflowStep = z
  .object({
    workflow: id,
    /** Tasks run one after another, each a real process. */
    tasks: z.array(TaskPlan).min(1).max(scenarioLimits.tasksMax),
    listeners: z.array(z.enum(listenerNames)).default(['archive']),
  })
  .strict();

export const TerminateStep = z.object({ workflow: id, reason: z.string().default('terminated by scenario') }).strict();

export const faultNames = ['archive-listener', 'command-store'] as const;
export const FaultName = z.enum(faultNames);
export const FaultStep = z.union([
  z.object({ inject: FaultName }).strict(),
  z.object({ clear: FaultName }).strict(),
]);

/** A change of the number of consumers in the middle of a burst, after that many requests. */
export const MembershipChange = z
  .object({
    afterRequests: z.number().int().nonnegative().max(scenarioLimits.burstRequestsMax),
    consumers: z.number().int().nonnegative().max(scenarioLimits.consumersMax),
  })
  .strict();

export const BurstStep = z
  .object({
    requests: z.number().int().positive().max(scenarioLimits.burstRequestsMax),
    /** Requests sent between two consumer rounds. */
    batchSize: z.number().int().positive().max(scenarioLimits.burstRequestsMax).default(50),
    /** Consumers joining or leaving while the burst is under way. */
    membership: z.array(MembershipChange).max(20).default([]),
  })
  .strict();

export const ConsumersStep = z.object({ count: z.number().int().nonnegative().max(scenarioLimits.consumersMax) }).strict();

export const DrainStep = z.object({ timeoutMs: timeoutMs.default(10_000) }).strict();

export const SleepStep = z.object({ ms: z.number().int().nonnegative().max(scenarioLimits.timeoutMsMax) }).strict();

/** Step name → schema of its body. The order here is the order documentation lists them. */
export const stepSchemas = {
  deploy: DeployStep,
  start: StartStep,
  cancel: CancelStep,
  await: AwaitStep,
  advance: AdvanceStep,
  workers: WorkersStep,
  startWorkflow: StartWorkflowStep,
  terminate: TerminateStep,
  fault: FaultStep,
  burst: BurstStep,
  consumers: ConsumersStep,
  drain: DrainStep,
  sleep: SleepStep,
} as const;

export type StepName = keyof typeof stepSchemas;
export const stepNames = Object.keys(stepSchemas) as StepName[];

/** A validated step: `{ deploy: {...} }`, `{ workers: 'pause' }`, … (defaults filled in). */
export type Step = { [K in StepName]: { [P in K]: z.output<(typeof stepSchemas)[K]> } }[StepName];
/** A step as written in YAML (defaults may be missing). */
export type StepInput = { [K in StepName]: { [P in K]: z.input<(typeof stepSchemas)[K]> } }[StepName];

export const Step: z.ZodType<Step, StepInput> = z.union(
  stepNames.map((name) => z.object({ [name]: stepSchemas[name] }).strict()) as unknown as [
    z.ZodTypeAny,
    z.ZodTypeAny,
    ...z.ZodTypeAny[],
  ],
) as unknown as z.ZodType<Step, StepInput>;

export const platforms = ['posix', 'win32'] as const;

export const Scenario = z
  .object({
    name: z.string().regex(/^[a-z0-9][a-z0-9-]*$/, 'a scenario name: lower-case letters, digits, -'),
    description: z.string().min(1),
    /** Which kill strategy the engine uses; win32 is emulated on Linux with real processes. */
    platform: z.enum(platforms).default('posix'),
    /** Clause ids the scenario is written to exercise (documentation; every clause is checked). */
    covers: z.array(z.string()).default([]),
    /**
     * Overrides of the default bounds for this scenario. The grace period must leave the
     * reference engine time to escalate to SIGKILL within the cancel and terminate bounds.
     */
    bounds: Bounds.partial()
      .default({})
      .superRefine((overrides, context) => {
        const bounds = { ...defaultBounds, ...overrides };
        const escalationMs = bounds.graceMs + killWaitMsMax;
        if (escalationMs >= bounds.cancelBoundMs) {
          context.addIssue({ code: 'custom', path: ['graceMs'], message: `graceMs (${bounds.graceMs}) + ${killWaitMsMax} ms of SIGKILL wait must stay under cancelBoundMs (${bounds.cancelBoundMs})` });
        }
        if (bounds.graceMs >= bounds.terminateBoundMs) {
          context.addIssue({ code: 'custom', path: ['graceMs'], message: `graceMs (${bounds.graceMs}) must stay under terminateBoundMs (${bounds.terminateBoundMs})` });
        }
      }),
    /** Order in which consumers take their turn in each round, by consumer index; empty = index order. */
    consumerOrder: z.array(z.number().int().nonnegative()).default([]),
    steps: z.array(Step).min(1).max(scenarioLimits.stepsMax),
  })
  .strict();

export type Scenario = z.output<typeof Scenario>;
export type ScenarioInput = z.input<typeof Scenario>;

/** The name of a step (its one key). */
export function stepName(step: Step | StepInput): StepName {
  return Object.keys(step)[0] as StepName;
}
