import { SetConsumersArgs } from '../../protocol/operations.ts';
import { consumerCount } from '../generate/pools.ts';
import { defineStep, operation, sendAs } from './step-kind.ts';

export const consumersStep = defineStep({
  name: 'consumers',
  schema: SetConsumersArgs,
  description: 'Set how many command consumers (masters) are running; consumers join or leave.',
  requires: () => [operation('set-consumers')],
  needsEngine: true,
  timeLimitMs: (_body, defaultMs) => defaultMs,
  run: sendAs('set-consumers'),
  generate: { weight: 3, arbitrary: consumerCount.map((count) => ({ count })) },
  precondition: (model, body) => body.count !== model.consumers,
  update: (model, body) => {
    model.consumers = body.count;
  },
});
