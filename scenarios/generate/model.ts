/**
 * The model behind generated scenarios, in the manner of fast-check's model-based
 * commands: each step kind's precondition reads the model and changes nothing, and its
 * update runs once a step is kept (both in the step's own file, scenarios/steps/).
 * `keepValidSteps` aims a step that names an entity the model lacks at one it has (its
 * kind's `retarget`) and drops every step whose precondition still fails, so any
 * sub-list fast-check shrinks to is still a valid scenario.
 *
 * After the steps comes the heal (Jepsen: run with faults, then heal and require
 * convergence): bring the engine back, clear the faults, bring workers and a consumer
 * back, and wait for cancelled runs to end and commands to drain. The runner then keeps
 * looking until every liveness bound the steps started has passed, so each is judged.
 */
import type { Bounds } from '../../trace/events.ts';
import { stepName, type StepInput } from '../schema/steps.ts';
import { kindOfStep } from '../steps/registry.ts';
import type { GenerationModel } from '../steps/step-kind.ts';

export type { GenerationModel };

function emptyModel(): GenerationModel {
  return {
    runs: new Set(),
    subflowRuns: new Set(),
    cancelledRuns: [],
    deployments: new Map(),
    clockMs: 0,
    workflows: new Set(),
    terminated: false,
    paused: false,
    faults: new Set(),
    consumers: 0,
    burst: false,
    engine: 'up',
    workerKilled: false,
    crashed: false,
  };
}


/** Would this step make sense now? Reads the model only. */
export function precondition(model: GenerationModel, step: StepInput): boolean {
  const { kind, body } = kindOfStep(step);
  if (kind.needsEngine && model.engine !== 'up') return false;
  return kind.precondition(model, body);
}

/** The step as it is, or aimed at an entity the model has (its kind's `retarget`); null when neither makes sense now. */
export function fitStep(model: GenerationModel, step: StepInput): StepInput | null {
  if (precondition(model, step)) return step;
  const { kind, body } = kindOfStep(step);
  const aimed = kind.retarget?.(model, body as never) ?? null;
  if (aimed === null) return null;
  const retargeted = { [kind.name]: aimed } as unknown as StepInput;
  return precondition(model, retargeted) ? retargeted : null;
}

/** Apply a kept step to the model. */
export function update(model: GenerationModel, step: StepInput): void {
  const { kind, body } = kindOfStep(step);
  kind.update(model, body);
}

/**
 * The steps whose preconditions hold (and that `applies` accepts: the engine under test
 * can perform them), in order, and the model after them.
 */
export function keepValidSteps(steps: readonly StepInput[], applies: (step: StepInput) => boolean = () => true): { steps: StepInput[]; model: GenerationModel } {
  const model = emptyModel();
  const kept: StepInput[] = [];
  for (const raw of steps) {
    const step = applies(raw) ? fitStep(model, raw) : null;
    if (step === null) continue;
    kept.push(step);
    update(model, step);
  }
  return { steps: kept, model };
}

/** Margin added to a bound when waiting for it to be judged (ms). */
export const healMarginMs = 500;

/** The steps that heal the faults of `model` and wait for its liveness bounds. */
export function healSteps(model: GenerationModel, bounds: Bounds): StepInput[] {
  // The engine first: every other healing step talks to it.
  const steps: StepInput[] = model.engine === 'crashed' ? [{ restart: {} }] : model.engine === 'stopped' ? [{ resume: {} }] : [];
  steps.push(...[...model.faults].map((fault): StepInput => ({ fault: { clear: fault as 'archive-listener' } })));
  if (model.paused) steps.push({ workers: 'resume' });
  if (model.burst && model.consumers === 0) steps.push({ consumers: { count: 1 } });
  // A wait only: whether the cancel had to end the run, and how, is for the RUN-CANCEL clauses.
  for (const run of model.cancelledRuns) steps.push({ await: { run, state: 'TERMINAL', timeoutMs: bounds.cancelBoundMs + healMarginMs, waitOnly: true } });
  if (model.burst) steps.push({ drain: { timeoutMs: bounds.instanceBoundMs + healMarginMs } });
  // No fixed waits for the other bounds (a terminate, a lost process, a restart): after
  // the last step the runner keeps looking until every bound a clause waits for has passed.
  return steps;
}

/** Step names of a list, for short descriptions. */
export function describeSteps(steps: readonly StepInput[]): string {
  return steps.map(stepName).join(', ');
}
