/**
 * fast-check arbitraries for single steps of the scenario vocabulary. Ids come from small
 * pools so that later steps can refer to what earlier ones made. Every size has a named
 * bound, and value lists put the "steady" value first: fast-check shrinks a
 * `constantFrom` towards its first value, so a shrunk counterexample keeps long-lived
 * processes and does not end up balanced on a race.
 */
import fc from 'fast-check';
import type { StepInput, SubflowPlan } from '../schema/steps.ts';

/** Bounds of generated scenarios (counts, ms). */
export const generationLimits = {
  stepsMax: 10,
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
export const deploymentId = 'd1';

/** Long-lived first, so shrinking keeps the process alive across the next steps. */
const processDurationMs = fc.constantFrom(30_000, 2_000, 300);
/** Advances of the logical clock (ms): past the Late threshold first. */
const advanceMs = fc.constantFrom(80_000, 60_000, 20_000);

function subflows(depth: number): fc.Arbitrary<SubflowPlan[]> {
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

const start = fc
  .record({
    run: fc.constantFrom(...runIds),
    durationMs: processDurationMs,
    ignoreSigterm: fc.boolean(),
    subflows: subflows(0),
    onDeployment: fc.boolean(),
  })
  .map(({ onDeployment, ...plan }): StepInput => ({ start: { ...plan, ...(onDeployment ? { deployment: deploymentId } : {}) } }));

const cancel = fc.constantFrom(...runIds).map((run): StepInput => ({ cancel: { run } }));

const awaitRun = fc
  .record({ run: fc.constantFrom(...runIds), state: fc.constantFrom('RUNNING', 'TERMINAL') })
  .map((target): StepInput => ({ await: { ...target, timeoutMs: 3_000 } }));

const deploy = fc
  .record({
    // A limit of 1 first: with runs longer than a wall-clock step, due runs back up.
    concurrencyLimit: fc.constantFrom<number | undefined>(1, undefined, 2),
    retries: fc.constantFrom(0, 1),
    scheduleAheadCount: fc.constantFrom(2, 1, 3),
    durationMs: fc.constantFrom(1_500, 200),
    exitCodes: fc.constantFrom<number[]>([0], [1, 0]),
  })
  .map(({ concurrencyLimit, durationMs, exitCodes, ...rest }): StepInput => ({
    deploy: {
      deployment: deploymentId,
      intervalMs: 60_000,
      retryDelayMs: 120_000,
      ...(concurrencyLimit === undefined ? {} : { concurrencyLimit }),
      ...rest,
      run: { durationMs, exitCodes },
    },
  }));

/** Pausing twice as often as resuming: a resume without a pause is dropped by the model. */
const workers = fc.constantFrom('pause', 'pause', 'resume').map((action): StepInput => ({ workers: action as 'pause' | 'resume' }));

const advance = advanceMs.map((ms): StepInput => ({ advance: { ms } }));

const startWorkflow = fc
  .record({
    workflow: fc.constantFrom(...workflowIds),
    durations: fc.array(processDurationMs, { minLength: 1, maxLength: generationLimits.tasksMax }),
    ignoreSigterm: fc.boolean(),
  })
  .map(({ workflow, durations, ignoreSigterm }): StepInput => ({
    startWorkflow: { workflow, tasks: durations.map((durationMs, index) => ({ task: `${workflow}-t${index + 1}`, durationMs, ignoreSigterm })) },
  }));

const terminate = fc.constantFrom(...workflowIds).map((workflow): StepInput => ({ terminate: { workflow } }));

const fault = fc
  .record({ action: fc.constantFrom('inject', 'clear'), name: fc.constantFrom('archive-listener', 'command-store') })
  .map(({ action, name }): StepInput => ({ fault: (action === 'inject' ? { inject: name } : { clear: name }) as { inject: 'archive-listener' } }));

const consumerCount = fc.integer({ min: 0, max: generationLimits.consumersMax });

const consumers = consumerCount.map((count): StepInput => ({ consumers: { count } }));

const burst = fc
  .record({
    requests: fc.integer({ min: generationLimits.burstRequestsMin, max: generationLimits.burstRequestsMax }),
    batchSize: fc.constantFrom(20, 50),
    membership: fc.array(fc.record({ at: fc.double({ min: 0, max: 1, noNaN: true }), consumers: consumerCount }), {
      maxLength: generationLimits.membershipChangesMax,
    }),
  })
  .map(({ requests, batchSize, membership }): StepInput => ({
    burst: {
      requests,
      batchSize,
      membership: membership
        .map((change) => ({ afterRequests: Math.floor(change.at * requests), consumers: change.consumers }))
        .sort((a, b) => a.afterRequests - b.afterRequests),
    },
  }));

const sleep = fc.constantFrom(100, 300).map((ms): StepInput => ({ sleep: { ms } }));

/** One step of any kind, weighted so that each lifecycle gets its share of steps. */
export const stepArbitrary: fc.Arbitrary<StepInput> = fc.oneof(
  { arbitrary: start, weight: 4 },
  { arbitrary: cancel, weight: 3 },
  { arbitrary: awaitRun, weight: 2 },
  { arbitrary: deploy, weight: 6 },
  { arbitrary: workers, weight: 3 },
  { arbitrary: advance, weight: 3 },
  { arbitrary: startWorkflow, weight: 3 },
  { arbitrary: terminate, weight: 3 },
  { arbitrary: fault, weight: 1 },
  { arbitrary: consumers, weight: 3 },
  { arbitrary: burst, weight: 4 },
  { arbitrary: sleep, weight: 1 },
);
