import { z } from 'zod';
import { operationLimits } from '../../protocol/limits.ts';
import { defineStep, waitMarginMs } from './step-kind.ts';

export const DrainStep = z.object({ timeoutMs: z.number().int().positive().max(operationLimits.timeoutMsMax).default(10_000) }).strict();

export const drainStep = defineStep({
  name: 'drain',
  schema: DrainStep,
  description: 'Wait, at most timeoutMs, until every acknowledged instance-creation request has its instance.',
  requires: () => [{ kind: 'entity', name: 'instance' }],
  needsEngine: true,
  timeLimitMs: (body) => body.timeoutMs + waitMarginMs,
  run: (body, runtime) =>
    runtime.waitUntil((entities) => {
      const created = new Set(entities.filter((view) => view.entity === 'instance').map((view) => view.requestId));
      return runtime.acknowledged.every((requestId) => created.has(requestId));
    }, body.timeoutMs),
  // Only the heal adds a drain: it waits for the bound of a burst that happened.
  generate: null,
  precondition: () => true,
  update: () => {},
});
