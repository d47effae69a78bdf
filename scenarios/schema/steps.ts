/**
 * The step vocabulary: one list of steps for scripted YAML scenarios and for generated
 * ones, so a shrunk counterexample is written out as a scenario that replays exactly.
 * Each step is a mapping with exactly one key, the step's name. All durations are ms
 * (wall time unless the field says logical), all sizes are counts, and each has a bound.
 */
import { z } from 'zod';
import { operationLimits } from '../../protocol/limits.ts';
import { Bounds, defaultBounds, killWaitMsMax } from '../../trace/events.ts';
import { stepKinds, stepNames, type StepKinds, type StepName } from '../steps/registry.ts';

export { SubflowPlan } from '../../protocol/operations.ts';
export { stepNames, type StepName };

/** Named limits on what a scenario may ask for, so no step can make the harness hang. */
export const scenarioLimits = {
  ...operationLimits,
  stepsMax: 500,
} as const;

/** Step name → schema of its body, from the step registry (scenarios/steps/registry.ts). */
export const stepSchemas = Object.fromEntries(stepNames.map((name) => [name, stepKinds[name].schema])) as { [K in StepName]: StepKinds[K]['schema'] };

/** A validated step: `{ deploy: {...} }`, `{ workers: 'pause' }`, … (defaults filled in). */
export type Step = { [K in StepName]: { [P in K]: z.output<StepKinds[K]['schema']> } }[StepName];
/** A step as written in YAML (defaults may be missing). */
export type StepInput = { [K in StepName]: { [P in K]: z.input<StepKinds[K]['schema']> } }[StepName];

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
     * reference engine time to escalate to SIGKILL within the cancel and terminate bounds,
     * and the listener's attempts must be able to span archiveBoundMs.
     */
    bounds: Bounds.partial()
      .default({})
      .superRefine((overrides, context) => {
        const bounds = { ...defaultBounds, ...overrides };
        const escalationMs = bounds.graceMs + killWaitMsMax;
        if (escalationMs >= bounds.cancelBoundMs) {
          context.addIssue({ code: 'custom', path: ['graceMs'], message: `graceMs (${bounds.graceMs}) + ${killWaitMsMax} ms of SIGKILL wait must stay under cancelBoundMs (${bounds.cancelBoundMs})` });
        }
        if (escalationMs >= bounds.restartBoundMs) {
          context.addIssue({ code: 'custom', path: ['graceMs'], message: `graceMs (${bounds.graceMs}) + ${killWaitMsMax} ms of SIGKILL wait must stay under restartBoundMs (${bounds.restartBoundMs}), so a restarted engine can end what a crash left behind` });
        }
        if (bounds.graceMs >= bounds.terminateBoundMs) {
          context.addIssue({ code: 'custom', path: ['graceMs'], message: `graceMs (${bounds.graceMs}) must stay under terminateBoundMs (${bounds.terminateBoundMs})` });
        }
        // WF-LISTENER-01 wants a failed listener call retried within terminateBoundMs, at most
        // listenerAttemptsMax attempts in all; WF-ARCHIVE-01 wants a failed archive call kept
        // going for archiveBoundMs. No engine can do both unless the attempts can span it.
        if ((bounds.listenerAttemptsMax - 1) * bounds.terminateBoundMs <= bounds.archiveBoundMs) {
          context.addIssue({
            code: 'custom',
            path: ['archiveBoundMs'],
            message: `archiveBoundMs (${bounds.archiveBoundMs}) must stay under (listenerAttemptsMax - 1) × terminateBoundMs (${bounds.listenerAttemptsMax - 1} × ${bounds.terminateBoundMs}): a failed archive call must be retried for archiveBoundMs, each retry within terminateBoundMs`,
          });
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
