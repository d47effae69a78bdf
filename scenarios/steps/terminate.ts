import fc from 'fast-check';
import { TerminateWorkflowArgs } from '../../protocol/operations.ts';
import { workflowIds } from '../generate/pools.ts';
import { defineStep, operation, sendAs } from './step-kind.ts';

export const terminateStep = defineStep({
  name: 'terminate',
  schema: TerminateWorkflowArgs,
  description: 'Terminate a workflow.',
  requires: () => [operation('terminate-workflow'), { kind: 'entity', name: 'workflow' }],
  needsEngine: true,
  timeLimitMs: (_body, defaultMs) => defaultMs,
  run: sendAs('terminate-workflow'),
  generate: { weight: 3, arbitrary: fc.constantFrom(...workflowIds).map((workflow) => ({ workflow })) },
  precondition: (model, body) => model.workflows.has(body.workflow),
  retarget: (model) => {
    const workflow = [...model.workflows][0];
    return workflow === undefined ? null : { workflow };
  },
  update: (model) => {
    model.terminated = true;
  },
});
