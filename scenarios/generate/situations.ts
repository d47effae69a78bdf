/**
 * Situations: short runs of steps that explore draws as one element, because each is a
 * window a defect lives in and independent steps almost never line up on it. Each is a
 * scripted scenario's core (the comment names it), with the run it needs. The steps go through the model
 * like any others (`keepValidSteps`), so a situation whose entities are missing is aimed
 * at ones that exist or dropped, and shrinking still yields valid scenarios.
 */
import fc from 'fast-check';
import type { StepInput } from '../schema/steps.ts';
import { runIds, subflows } from './pools.ts';

/**
 * A run started at once whose process lives long enough for the window (30 s), with the
 * id it got. `ignoreSigterm` fixed to true keeps a cancel's kill in its grace period, so
 * the window between the cancel's answer and the kill's end is wide (and shrinking cannot
 * narrow it into a race).
 */
function longRun(ignoreSigterm: fc.Arbitrary<boolean>): fc.Arbitrary<{ id: string; start: StepInput }> {
  return fc
    .record({ run: fc.constantFrom<string>(...runIds), ignoreSigterm, subflows: subflows(0) })
    .map((plan) => ({ id: plan.run, start: { start: { ...plan, durationMs: 30_000 } } }));
}

/** Steps of the longest situation (count); a generated list holds at most stepsMax × this. */
export const situationStepsMax = 4;

/** Each situation with its weight among the others. */
const situations: ReadonlyArray<{ name: string; weight: number; arbitrary: fc.Arbitrary<StepInput[]> }> = [
  {
    // First, so that shrinking can turn any situation into the nemesis's crash alone.
    name: 'the engine crashes',
    weight: 1,
    arbitrary: fc.constant<StepInput[]>([{ crash: {} }]),
  },
  {
    // crash-between-cancel-ack-and-kill: the engine dies while it still kills the tree.
    name: 'crash between a cancel and its kill',
    weight: 1,
    arbitrary: longRun(fc.constant(true)).map(({ id, start }): StepInput[] => [start, { await: { run: id, state: 'RUNNING', timeoutMs: 3_000, waitOnly: true } }, { cancel: { run: id } }, { crash: {} }]),
  },
  {
    // worker-killed-under-running-run: the process dies while its run is RUNNING.
    name: 'worker killed under a RUNNING run',
    weight: 1,
    arbitrary: longRun(fc.boolean()).map(({ id, start }): StepInput[] => [start, { await: { run: id, state: 'RUNNING', timeoutMs: 3_000, waitOnly: true } }, { kill: { run: id } }]),
  },
  {
    // crash-under-running-run: the engine dies while a run is RUNNING.
    name: 'crash under a RUNNING run',
    weight: 1,
    arbitrary: longRun(fc.boolean()).map(({ id, start }): StepInput[] => [start, { await: { run: id, state: 'RUNNING', timeoutMs: 3_000, waitOnly: true } }, { crash: {} }]),
  },
];

/** One situation's steps, weighted. */
export const situationArbitrary: fc.Arbitrary<StepInput[]> = fc.oneof({ withCrossShrink: true }, ...situations.map(({ weight, arbitrary }) => ({ weight, arbitrary })));
