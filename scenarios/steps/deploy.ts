import fc from 'fast-check';
import { DeployArgs } from '../../protocol/operations.ts';
import { deploymentId } from '../generate/pools.ts';
import { defineStep, operation, sendAs } from './step-kind.ts';

export const deployStep = defineStep({
  name: 'deploy',
  schema: DeployArgs,
  description: 'Create or update a deployment: its schedule interval, concurrency limit, retries and what its runs do.',
  // Schedules live on the logical clock, which only a driven engine lets the harness move.
  requires: () => [operation('deploy'), { kind: 'entity', name: 'run' }, { kind: 'clock', name: 'driven' }],
  needsEngine: true,
  timeLimitMs: (_body, defaultMs) => defaultMs,
  run: sendAs('deploy'),
  generate: {
    weight: 6,
    arbitrary: fc
      .record({
        // A limit of 1 first: with runs longer than a wall-clock step, due runs back up.
        concurrencyLimit: fc.constantFrom<number | undefined>(1, undefined, 2),
        retries: fc.constantFrom(0, 1),
        scheduleAheadCount: fc.constantFrom(2, 1, 3),
        durationMs: fc.constantFrom(1_500, 200),
        exitCodes: fc.constantFrom<number[]>([0], [1, 0]),
      })
      .map(({ concurrencyLimit, durationMs, exitCodes, ...rest }) => ({
        deployment: deploymentId,
        intervalMs: 60_000,
        retryDelayMs: 120_000,
        ...(concurrencyLimit === undefined ? {} : { concurrencyLimit }),
        ...rest,
        run: { durationMs, exitCodes },
      })),
  },
  precondition: () => true,
  // The first deploy of a deployment anchors its schedule at the logical time it came.
  update: (model, body) => {
    if (!model.deployments.has(body.deployment)) model.deployments.set(body.deployment, model.clockMs);
  },
});
