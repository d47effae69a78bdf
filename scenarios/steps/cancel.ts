import fc from 'fast-check';
import { CancelRunArgs } from '../../protocol/operations.ts';
import { runIds } from '../generate/pools.ts';
import { defineStep, operation, sendAs } from './step-kind.ts';

export const cancelStep = defineStep({
  name: 'cancel',
  schema: CancelRunArgs,
  description: 'Ask the engine to cancel a run (and with it its subflow runs).',
  requires: () => [operation('cancel-run'), { kind: 'entity', name: 'run' }],
  needsEngine: true,
  timeLimitMs: (_body, defaultMs) => defaultMs,
  run: sendAs('cancel-run'),
  generate: { weight: 5, arbitrary: fc.constantFrom(...runIds).map((run) => ({ run })) },
  precondition: (model, body) => model.runs.has(body.run) && !model.cancelledRuns.includes(body.run),
  retarget: (model) => {
    const run = [...model.runs].find((id) => !model.cancelledRuns.includes(id));
    return run === undefined ? null : { run };
  },
  update: (model, body) => {
    model.cancelledRuns.push(body.run);
  },
});
