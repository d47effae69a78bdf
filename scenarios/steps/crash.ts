import fc from 'fast-check';
import { z } from 'zod';
import { defineStep } from './step-kind.ts';

export const crashStep = defineStep({
  name: 'crash',
  schema: z.object({}).strict(),
  description: 'The nemesis kills the engine process (SIGKILL); its workers are left as a real crash leaves them. A `restart` brings it back.',
  requires: () => [{ kind: 'restart' }],
  needsEngine: true,
  timeLimitMs: (_body, defaultMs) => defaultMs,
  run: async (_body, runtime) => {
    await runtime.nemesis.crash();
    return 'ok';
  },
  generate: { weight: 1, arbitrary: fc.constant({}) },
  precondition: (model) => model.engine === 'up',
  update: (model) => {
    model.engine = 'crashed';
    model.crashed = true;
  },
});
