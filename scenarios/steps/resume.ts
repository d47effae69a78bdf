import fc from 'fast-check';
import { z } from 'zod';
import { defineStep } from './step-kind.ts';

export const resumeStep = defineStep({
  name: 'resume',
  schema: z.object({}).strict(),
  description: 'Continue an engine process the nemesis stopped (SIGCONT).',
  requires: () => [],
  needsEngine: false,
  timeLimitMs: (_body, defaultMs) => defaultMs,
  run: async (_body, runtime) => {
    runtime.nemesis.resume();
    return 'ok';
  },
  generate: { weight: 1, arbitrary: fc.constant({}) },
  precondition: (model) => model.engine === 'stopped',
  update: (model) => {
    model.engine = 'up';
  },
});
