import fc from 'fast-check';
import { z } from 'zod';
import { operationLimits } from '../../protocol/limits.ts';
import { defineStep, waitMarginMs } from './step-kind.ts';

export const SleepStep = z.object({ ms: z.number().int().nonnegative().max(operationLimits.timeoutMsMax) }).strict();

export const sleepStep = defineStep({
  name: 'sleep',
  schema: SleepStep,
  description: 'Wait ms of wall time, looking at the engine meanwhile.',
  requires: () => [],
  needsEngine: false,
  timeLimitMs: (body) => body.ms + waitMarginMs,
  run: async (body, runtime) => {
    await runtime.waitUntil(() => false, body.ms);
    return 'ok';
  },
  generate: { weight: 1, arbitrary: fc.constantFrom(100, 300).map((ms) => ({ ms })) },
  precondition: () => true,
  update: () => {},
});
