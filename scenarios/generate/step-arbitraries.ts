/**
 * The arbitrary of one generated step: a weighted choice over every step kind that has a
 * generator (scenarios/steps/, `generate`), in the registry's order.
 */
import fc from 'fast-check';
import type { StepInput } from '../schema/steps.ts';
import { stepKinds, stepNames } from '../steps/registry.ts';

export { generationLimits } from './pools.ts';

/** One step of any kind, weighted so that each lifecycle gets its share of steps. */
export const stepArbitrary: fc.Arbitrary<StepInput> = fc.oneof(
  ...stepNames.flatMap((name) => {
    const generate = stepKinds[name].generate as { arbitrary: fc.Arbitrary<unknown>; weight: number } | null;
    return generate === null ? [] : [{ arbitrary: generate.arbitrary.map((body) => ({ [name]: body }) as StepInput), weight: generate.weight }];
  }),
);
