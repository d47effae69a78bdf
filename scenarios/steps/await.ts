import fc from 'fast-check';
import { z } from 'zod';
import { operationLimits } from '../../protocol/limits.ts';
import type { EntityView } from '../../protocol/operations.ts';
import { clauses } from '../../spec/clauses/registry.ts';
import { normaliseRunState } from '../../spec/states.ts';
import { isTerminal } from '../../spec/transitions.ts';
import type { EntityKind } from '../../trace/events.ts';
import { deploymentOfRun, firstRunOf, runIds, workflowOfTask } from '../generate/pools.ts';
import { defineStep, waitMarginMs, type GenerationModel } from './step-kind.ts';

const awaitTargets = ['run', 'workflow', 'task', 'command', 'instance'] as const;

/** The pseudo-state of `await` that matches any final state of the entity's machine. */
export const terminalPseudoState = 'TERMINAL';

export const AwaitStep = z
  .object({
    run: z.string().min(1).optional(),
    workflow: z.string().min(1).optional(),
    task: z.string().min(1).optional(),
    command: z.string().min(1).optional(),
    instance: z.string().min(1).optional(),
    /**
     * Upstream state; a run state type alone (`SCHEDULED`) also matches its named
     * sub-states, and `TERMINAL` matches any final state of the entity's machine.
     */
    state: z.string().min(1),
    timeoutMs: z.number().int().positive().max(operationLimits.timeoutMsMax).default(10_000),
    /** The clause this expectation stands for: a timeout is a violation of it. */
    clause: z
      .string()
      .refine((id) => clauses.some((clause) => clause.id === id), { message: 'not a clause id (see `flowconform clauses`)' })
      .optional(),
    /**
     * A wait, not an expectation: a timeout lets the scenario go on. Without it and
     * without `clause`, a timeout leaves the scenario inconclusive, naming this step.
     */
    waitOnly: z.boolean().optional(),
  })
  .strict()
  .refine((step) => awaitTargets.filter((key) => step[key] !== undefined).length === 1, {
    message: 'await names exactly one of run, workflow, task, command, instance',
  })
  .refine((step) => !(step.clause !== undefined && step.waitOnly === true), { message: 'an await with a clause is an expectation, not waitOnly' });

/** The one entity an await names. */
export function awaitTarget(body: z.output<typeof AwaitStep>): { entity: EntityKind; id: string } {
  const entity = awaitTargets.find((key) => body[key] !== undefined)!;
  return { entity, id: body[entity]! };
}

/**
 * Does `actual` satisfy `wanted`? A run state type matches its sub-states, Prefect's full
 * default names (`RUNNING/Running`) match the plain type, and TERMINAL matches any final
 * state of the entity's machine.
 */
export function matchesState(entity: EntityKind, actual: string, wanted: string): boolean {
  const canonical = entity === 'run' ? (normaliseRunState(actual) ?? actual) : actual;
  const target = entity === 'run' ? (normaliseRunState(wanted) ?? wanted) : wanted;
  if (wanted === terminalPseudoState) return isTerminal(entity, canonical);
  return canonical === target || canonical.startsWith(`${target}/`);
}

/**
 * The first run the schedule of `run`'s deployment makes, when `run` is a deployment's run
 * and the model has made that deployment; otherwise null.
 */
function firstDeploymentRun(model: GenerationModel, run: string): string | null {
  const deployment = deploymentOfRun(run);
  const anchorMs = deployment === null ? undefined : model.deployments.get(deployment);
  return anchorMs === undefined ? null : firstRunOf(deployment!, anchorMs);
}

export const awaitStep = defineStep({
  name: 'await',
  schema: AwaitStep,
  description: 'Wait until an entity is in a state, or fail after timeoutMs. Names exactly one of run, workflow, task, command, instance.',
  requires: (body) => [{ kind: 'entity', name: awaitTarget(body).entity }],
  needsEngine: true,
  timeLimitMs: (body) => body.timeoutMs + waitMarginMs,
  run: (body, runtime) => {
    const { entity, id } = awaitTarget(body);
    const reached = (entities: readonly EntityView[]) => entities.some((view) => view.entity === entity && view.id === id && matchesState(entity, view.state, body.state));
    return runtime.waitUntil(reached, body.timeoutMs);
  },
  generate: {
    weight: 2,
    // A generated await is a wait: whether the run gets there is for the clauses to judge.
    arbitrary: fc.record({ run: fc.constantFrom<string>(...runIds), state: fc.constantFrom('RUNNING', 'TERMINAL') }).map((target) => ({ ...target, timeoutMs: 3_000, waitOnly: true })),
  },
  // What the model has: a run, a subflow of one, a deployment's first run (situations.ts
  // awaits those), a task of a workflow. Waiting for a long run to end on its own would
  // only burn the step's timeout, so TERMINAL is awaited only of a cancelled run.
  precondition: (model, body) => {
    if (body.task !== undefined) return model.workflows.has(workflowOfTask(body.task)) && body.state !== terminalPseudoState;
    if (body.run === undefined) return false;
    if (body.state === terminalPseudoState) return model.cancelledRuns.includes(body.run);
    return model.runs.has(body.run) || model.subflowRuns.has(body.run) || firstDeploymentRun(model, body.run) === body.run;
  },
  // A deployment's run is aimed at its first run: that slot is the logical time of the
  // deployment's first deploy, which a situation cannot know when it is drawn.
  retarget: (model, body) => {
    const first = body.run === undefined ? null : firstDeploymentRun(model, body.run);
    return first === null ? null : { ...body, run: first };
  },
  update: () => {},
});
