/**
 * What generated steps draw from: small id pools, so later steps can refer to what
 * earlier ones made, and named bounds on every size. Value lists put the "steady" value
 * first: fast-check shrinks a `constantFrom` towards its first value, so a shrunk
 * counterexample keeps long-lived processes and does not end up balanced on a race.
 */
import fc from 'fast-check';
import type { SubflowPlan } from '../../protocol/operations.ts';

/** Bounds of generated scenarios (counts, ms). */
export const generationLimits = {
  /** Elements of a generated step list (count); a situation is one element of several steps. */
  stepsMax: 12,
  /** Weight of a single step against a situation (scenarios/generate/situations.ts) when drawing an element. */
  singleStepWeight: 10,
  situationWeight: 1,
  subflowDepthMax: 2,
  subflowFanOutMax: 2,
  tasksMax: 2,
  burstRequestsMin: 20,
  burstRequestsMax: 200,
  membershipChangesMax: 2,
  consumersMax: 4,
} as const;

export const runIds = ['r1', 'r2'] as const;
export const workflowIds = ['w1', 'w2'] as const;
/** The id a generated workflow gives its task at `index` (0-based): `w1-t1`, `w1-t2`, … */
export const taskIdOf = (workflow: string, index: number): string => `${workflow}-t${index + 1}`;
/** The workflow a generated task id belongs to (`w1-t2` → `w1`). */
export const workflowOfTask = (task: string): string => task.slice(0, task.lastIndexOf('-t'));
export const deploymentId = 'd1';

/** Long-lived first, so shrinking keeps the process alive across the next steps (ms). */
export const processDurationMs = fc.constantFrom(30_000, 2_000, 300);

/** Subflow trees below a generated run, at most subflowDepthMax levels deep. */
export function subflows(depth: number): fc.Arbitrary<SubflowPlan[]> {
  if (depth >= generationLimits.subflowDepthMax) return fc.constant([]);
  return fc
    .array(
      fc.record({
        durationMs: processDurationMs,
        ignoreSigterm: fc.boolean(),
        subflows: subflows(depth + 1),
      }),
      { maxLength: generationLimits.subflowFanOutMax },
    )
    .map((plans) => plans.map((plan, index) => ({ name: `s${index + 1}`, ...plan })));
}

export const consumerCount = fc.integer({ min: 0, max: generationLimits.consumersMax });
