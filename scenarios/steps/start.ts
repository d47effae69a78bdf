import fc from 'fast-check';
import { StartRunArgs, type SubflowPlan } from '../../protocol/operations.ts';
import { deploymentId, processDurationMs, runIds, subflowRunIds, subflows } from '../generate/pools.ts';
import { defineStep, operation, sendAs } from './step-kind.ts';

export const startStep = defineStep({
  name: 'start',
  schema: StartRunArgs,
  description: 'Start a run, on a deployment worker or at once, with its process duration, exit code and subflow tree.',
  requires: (body) => [operation('start-run'), { kind: 'entity', name: 'run' }, ...(body.deployment === undefined ? [] : [operation('deploy')])],
  needsEngine: true,
  timeLimitMs: (_body, defaultMs) => defaultMs,
  run: sendAs('start-run'),
  generate: {
    weight: 4,
    arbitrary: fc
      .record({
        run: fc.constantFrom(...runIds),
        durationMs: processDurationMs,
        ignoreSigterm: fc.boolean(),
        subflows: subflows(0),
        onDeployment: fc.boolean(),
      })
      .map(({ onDeployment, ...plan }) => ({ ...plan, ...(onDeployment ? { deployment: deploymentId } : {}) })),
  },
  precondition: (model, body) => !model.runs.has(body.run) && (body.deployment === undefined || model.deployments.has(body.deployment)),
  // A run id not used yet, started at once when there is no deployment to start it on.
  retarget: (model, body) => {
    const run = model.runs.has(body.run) ? runIds.find((id) => !model.runs.has(id)) : body.run;
    if (run === undefined) return null;
    const { deployment, ...plan } = body;
    return { ...plan, run, ...(deployment !== undefined && model.deployments.has(deployment) ? { deployment } : {}) };
  },
  update: (model, body) => {
    model.runs.add(body.run);
    for (const subflow of subflowRunIds(body.run, body.subflows as SubflowPlan[] | undefined)) model.subflowRuns.add(subflow);
  },
});
