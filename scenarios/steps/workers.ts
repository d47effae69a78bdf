import fc from 'fast-check';
import { SetWorkersArgs } from '../../protocol/operations.ts';
import { defineStep, operation } from './step-kind.ts';

export const workersStep = defineStep({
  name: 'workers',
  schema: SetWorkersArgs.shape.action,
  description: 'Pause or resume the deployment workers (a worker outage lets runs become Late).',
  requires: () => [operation('set-workers')],
  needsEngine: true,
  timeLimitMs: (_body, defaultMs) => defaultMs,
  run: async (body, runtime) => {
    await runtime.request('set-workers', { action: body });
    return 'ok';
  },
  // Pausing twice as often as resuming: a resume without a pause is dropped by the model.
  generate: { weight: 3, arbitrary: fc.constantFrom<'pause' | 'resume'>('pause', 'pause', 'resume') },
  precondition: (model, body) => (body === 'pause' ? !model.paused : model.paused),
  update: (model, body) => {
    model.paused = body === 'pause';
  },
});
