import fc from 'fast-check';
import { z } from 'zod';
import { defineStep } from './step-kind.ts';

export const restartStep = defineStep({
  name: 'restart',
  schema: z.object({}).strict(),
  description: 'Start a new engine process after a `crash`, on the same data and in the same session, and send it the scenario\'s setup again.',
  requires: () => [{ kind: 'restart' }],
  needsEngine: false,
  timeLimitMs: (_body, defaultMs) => defaultMs,
  run: async (_body, runtime) => {
    await runtime.nemesis.restart();
    return 'ok';
  },
  generate: { weight: 1, arbitrary: fc.constant({}) },
  precondition: (model) => model.engine === 'crashed',
  update: (model) => {
    model.engine = 'up';
  },
});
