import fc from 'fast-check';
import { AdvanceClockArgs } from '../../protocol/operations.ts';
import { defineStep, operation, sendAs } from './step-kind.ts';

export const advanceStep = defineStep({
  name: 'advance',
  schema: AdvanceClockArgs,
  description: 'Advance the logical clock by ms (schedules, retries, lateness).',
  requires: () => [operation('advance-clock'), { kind: 'clock', name: 'driven' }],
  needsEngine: true,
  timeLimitMs: (_body, defaultMs) => defaultMs,
  run: sendAs('advance-clock'),
  // Past the Late threshold first (logical ms).
  generate: { weight: 3, arbitrary: fc.constantFrom(80_000, 60_000, 20_000).map((ms) => ({ ms })) },
  precondition: (model) => model.deployments.size > 0,
  update: (model, body) => {
    model.clockMs += body.ms;
  },
});
