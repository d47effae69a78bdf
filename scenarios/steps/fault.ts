import fc from 'fast-check';
import { z } from 'zod';
import { FaultName } from '../../protocol/operations.ts';
import { defineStep, operation } from './step-kind.ts';

export const FaultStep = z.union([z.object({ inject: FaultName }).strict(), z.object({ clear: FaultName }).strict()]);

/** `{inject: f}` → ['inject', f]; `{clear: f}` → ['clear', f]. */
function faultAction(body: z.output<typeof FaultStep>): ['inject' | 'clear', FaultName] {
  return 'inject' in body ? ['inject', body.inject] : ['clear', body.clear];
}

export const faultStep = defineStep({
  name: 'fault',
  schema: FaultStep,
  description: 'Inject or clear a fault: a failing archive listener, a failing command store, or kill signals the operating system refuses (process-signal).',
  requires: (body) => [operation('set-fault'), { kind: 'fault', name: faultAction(body)[1] }],
  needsEngine: true,
  timeLimitMs: (_body, defaultMs) => defaultMs,
  run: async (body, runtime) => {
    const [action, fault] = faultAction(body);
    runtime.recordFault(action, fault);
    await runtime.request('set-fault', { fault, active: action === 'inject' });
    return 'ok';
  },
  generate: {
    weight: 1,
    // Not process-signal: a kill has killAttemptsMax attempts cancelRetryDelayMs apart, so
    // that fault must heal soon after it is injected (docs/architecture.md "Faults"); only
    // its situation draws it, with its clear (scenarios/generate/situations.ts).
    arbitrary: fc
      .record({ action: fc.constantFrom('inject', 'clear'), name: fc.constantFrom<FaultName>('archive-listener', 'command-store') })
      .map(({ action, name }): z.input<typeof FaultStep> => (action === 'inject' ? { inject: name } : { clear: name })),
  },
  precondition: (model, body) => ('inject' in body ? !model.faults.has(body.inject) : model.faults.has(body.clear)),
  update: (model, body) => {
    if ('inject' in body) model.faults.add(body.inject);
    else model.faults.delete(body.clear);
  },
});
