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
  situationWeight: 4,
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

/**
 * Ids of what situations (situations.ts) make, apart from the single steps' pools, so that
 * no earlier step has taken them and the situation's later steps find what its first one
 * made. Single steps still reach them through `retarget`.
 */
export const situationIds = {
  /** A run whose nested subflows are RUNNING when it is cancelled. */
  nestedRun: 'nest',
  /** A run cancelled while its process is still spawning its subflows. */
  racingRun: 'race',
  /** A run cancelled while the operating system refuses the signals of its kill. */
  refusedKillRun: 'refused',
  /** A deployment with retries, whose first run waits for a retry when it is updated. */
  retryingDeployment: 'retrying',
  /** A deployment without retries, whose first run fails and is watched over clock advances. */
  failingDeployment: 'failing',
  /** A deployment whose runs come due while the workers are paused. */
  pausedDeployment: 'paused',
  /** A workflow terminated while its archive listener fails. */
  archivedWorkflow: 'archived',
  /** A workflow terminated, then terminated again. */
  terminatedTwiceWorkflow: 'twice',
  /** A workflow whose IN_PROGRESS task loses its worker process. */
  killedWorkflow: 'killed',
} as const;

/**
 * The first run a deployment's schedule makes: the reference engine names a scheduled run
 * `<deployment>@<slot ms>`, and the first slot is the logical time of the first deploy
 * (the scripted scenarios name such runs the same way, `etl@0`).
 */
export const firstRunOf = (deployment: string, anchorMs: number): string => `${deployment}@${anchorMs}`;
/** The deployment a scheduled run id names (`d1@60000` → `d1`), or null for another id. */
export function deploymentOfRun(run: string): string | null {
  const at = run.lastIndexOf('@');
  return at > 0 ? run.slice(0, at) : null;
}

/** Subflow run ids of a plan below `run`, depth first (`r1.s1`, `r1.s1.s1`, …). */
export function subflowRunIds(run: string, plans: readonly SubflowPlan[] = []): string[] {
  return plans.flatMap((plan) => [`${run}.${plan.name}`, ...subflowRunIds(`${run}.${plan.name}`, plan.subflows)]);
}

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
