/**
 * The model behind generated scenarios, in the manner of fast-check's model-based
 * commands: a precondition per step kind that reads the model and changes nothing, and
 * an update once a step is kept. `keepValidSteps` drops every step whose precondition
 * fails, so any sub-list fast-check shrinks to is still a valid scenario.
 *
 * After the steps comes the heal (Jepsen: run with faults, then heal and require
 * convergence): clear the faults, bring workers and a consumer back, and wait long enough
 * for every liveness bound the steps started to be judged.
 */
import type { Bounds } from '../../trace/events.ts';
import { stepName, type StepInput } from '../schema/steps.ts';

export interface GenerationModel {
  runs: Set<string>;
  cancelledRuns: string[];
  deployed: boolean;
  workflows: Set<string>;
  terminated: boolean;
  paused: boolean;
  faults: Set<string>;
  consumers: number;
  burst: boolean;
}

function emptyModel(): GenerationModel {
  return {
    runs: new Set(),
    cancelledRuns: [],
    deployed: false,
    workflows: new Set(),
    terminated: false,
    paused: false,
    faults: new Set(),
    consumers: 0,
    burst: false,
  };
}

/** Would this step make sense now? Reads the model only. */
export function precondition(model: GenerationModel, step: StepInput): boolean {
  if ('start' in step) return !model.runs.has(step.start.run) && (step.start.deployment === undefined || model.deployed);
  if ('cancel' in step) return model.runs.has(step.cancel.run) && !model.cancelledRuns.includes(step.cancel.run);
  if ('await' in step) {
    const run = step.await.run;
    // Waiting for a long run to end on its own would only burn the step's timeout.
    return run !== undefined && model.runs.has(run) && (step.await.state !== 'TERMINAL' || model.cancelledRuns.includes(run));
  }
  if ('advance' in step) return model.deployed;
  if ('workers' in step) return step.workers === 'pause' ? !model.paused : model.paused;
  if ('startWorkflow' in step) return !model.workflows.has(step.startWorkflow.workflow);
  if ('terminate' in step) return model.workflows.has(step.terminate.workflow);
  if ('fault' in step) return 'inject' in step.fault ? !model.faults.has(step.fault.inject) : model.faults.has(step.fault.clear);
  if ('consumers' in step) return step.consumers.count !== model.consumers;
  return true;
}

/** Apply a kept step to the model. */
export function update(model: GenerationModel, step: StepInput): void {
  if ('start' in step) model.runs.add(step.start.run);
  else if ('cancel' in step) model.cancelledRuns.push(step.cancel.run);
  else if ('deploy' in step) model.deployed = true;
  else if ('workers' in step) model.paused = step.workers === 'pause';
  else if ('startWorkflow' in step) model.workflows.add(step.startWorkflow.workflow);
  else if ('terminate' in step) model.terminated = true;
  else if ('fault' in step) {
    if ('inject' in step.fault) model.faults.add(step.fault.inject);
    else model.faults.delete(step.fault.clear);
  } else if ('consumers' in step) model.consumers = step.consumers.count;
  else if ('burst' in step) {
    model.burst = true;
    const last = step.burst.membership?.at(-1);
    if (last) model.consumers = last.consumers;
  }
}

/** The steps whose preconditions hold, in order, and the model after them. */
export function keepValidSteps(steps: readonly StepInput[]): { steps: StepInput[]; model: GenerationModel } {
  const model = emptyModel();
  const kept: StepInput[] = [];
  for (const step of steps) {
    if (!precondition(model, step)) continue;
    kept.push(step);
    update(model, step);
  }
  return { steps: kept, model };
}

/** Margin added to a bound when waiting for it to be judged (ms). */
export const healMarginMs = 500;

/** The steps that heal the faults of `model` and wait for its liveness bounds. */
export function healSteps(model: GenerationModel, bounds: Bounds): StepInput[] {
  const steps: StepInput[] = [...model.faults].map((fault) => ({ fault: { clear: fault as 'archive-listener' } }));
  if (model.paused) steps.push({ workers: 'resume' });
  if (model.burst && model.consumers === 0) steps.push({ consumers: { count: 1 } });
  for (const run of model.cancelledRuns) steps.push({ await: { run, state: 'TERMINAL', timeoutMs: bounds.cancelBoundMs + healMarginMs } });
  if (model.terminated) steps.push({ sleep: { ms: bounds.terminateBoundMs + healMarginMs } });
  if (model.burst) steps.push({ drain: { timeoutMs: bounds.instanceBoundMs + healMarginMs } });
  return steps;
}

/** Step names of a list, for short descriptions. */
export function describeSteps(steps: readonly StepInput[]): string {
  return steps.map(stepName).join(', ');
}
