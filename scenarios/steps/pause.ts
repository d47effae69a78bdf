import fc from 'fast-check';
import { z } from 'zod';
import { defineStep } from './step-kind.ts';

export const pauseStep = defineStep({
  name: 'pause',
  schema: z.object({}).strict(),
  description: 'The nemesis stops the engine process (SIGSTOP): it answers nothing until `resume`. Its workers run on.',
  requires: () => [],
  needsEngine: true,
  timeLimitMs: (_body, defaultMs) => defaultMs,
  run: async (_body, runtime) => {
    runtime.nemesis.pause();
    return 'ok';
  },
  generate: { weight: 1, arbitrary: fc.constant({}) },
  precondition: (model) => model.engine === 'up',
  update: (model) => {
    model.engine = 'stopped';
  },
});
