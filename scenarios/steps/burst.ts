import fc from 'fast-check';
import { z } from 'zod';
import { operationLimits } from '../../protocol/limits.ts';
import type { Outcome } from '../../protocol/outcome.ts';
import { consumerCount, generationLimits } from '../generate/pools.ts';
import { defineStep, operation } from './step-kind.ts';

/** A change of the number of consumers in the middle of a burst, after that many requests. */
export const MembershipChange = z
  .object({
    afterRequests: z.number().int().nonnegative().max(operationLimits.burstRequestsMax),
    consumers: z.number().int().nonnegative().max(operationLimits.consumersMax),
  })
  .strict();

export const BurstStep = z
  .object({
    requests: z.number().int().positive().max(operationLimits.burstRequestsMax),
    /** Requests sent between two consumer rounds (count). */
    batchSize: z.number().int().positive().max(operationLimits.burstRequestsMax).default(50),
    /** Consumers joining or leaving while the burst is under way. */
    membership: z.array(MembershipChange).max(20).default([]),
  })
  .strict();

export const burstStep = defineStep({
  name: 'burst',
  schema: BurstStep,
  description: 'Send many instance-creation requests, in batches between consumer rounds.',
  requires: (body) => [operation('start-process-instance'), { kind: 'entity', name: 'instance' }, ...(body.membership.length > 0 ? [operation('set-consumers')] : [])],
  // Every batch is one round trip of pipelined requests, then one look.
  needsEngine: true,
  timeLimitMs: (body, defaultMs) => defaultMs * Math.max(1, Math.ceil(body.requests / body.batchSize)),
  run: async ({ requests, batchSize, membership }, runtime) => {
    let batch: Array<Promise<Outcome>> = [];
    for (let index = 0; index < requests; index += 1) {
      for (const change of membership.filter((candidate) => candidate.afterRequests === index)) {
        batch.push(runtime.request('set-consumers', { count: change.consumers }, { traceArgs: { duringBurst: true } }));
      }
      const requestId = runtime.nextInstanceRequestId();
      batch.push(runtime.request('start-process-instance', { requestId }, { requestId }));
      if ((index + 1) % batchSize === 0) {
        await Promise.all(batch);
        batch = [];
        await runtime.look();
      }
    }
    await Promise.all(batch);
    await runtime.look();
    return 'ok';
  },
  generate: {
    weight: 4,
    arbitrary: fc
      .record({
        requests: fc.integer({ min: generationLimits.burstRequestsMin, max: generationLimits.burstRequestsMax }),
        batchSize: fc.constantFrom(20, 50),
        membership: fc.array(fc.record({ at: fc.double({ min: 0, max: 1, noNaN: true }), consumers: consumerCount }), {
          maxLength: generationLimits.membershipChangesMax,
        }),
      })
      .map(({ requests, batchSize, membership }) => ({
        requests,
        batchSize,
        membership: membership
          .map((change) => ({ afterRequests: Math.floor(change.at * requests), consumers: change.consumers }))
          .sort((a, b) => a.afterRequests - b.afterRequests),
      })),
  },
  precondition: () => true,
  update: (model, body) => {
    model.burst = true;
    const last = body.membership?.at(-1);
    if (last) model.consumers = last.consumers;
  },
});
