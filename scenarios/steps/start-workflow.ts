import fc from 'fast-check';
import { StartWorkflowArgs } from '../../protocol/operations.ts';
import { generationLimits, processDurationMs, taskIdOf, workflowIds } from '../generate/pools.ts';
import { defineStep, operation, sendAs } from './step-kind.ts';

export const startWorkflowStep = defineStep({
  name: 'startWorkflow',
  schema: StartWorkflowArgs,
  description: 'Start a workflow whose tasks run one after another, each a real process.',
  requires: () => [operation('start-workflow'), { kind: 'entity', name: 'workflow' }, { kind: 'entity', name: 'task' }],
  needsEngine: true,
  timeLimitMs: (_body, defaultMs) => defaultMs,
  run: sendAs('start-workflow'),
  generate: {
    weight: 3,
    arbitrary: fc
      .record({
        workflow: fc.constantFrom(...workflowIds),
        durations: fc.array(processDurationMs, { minLength: 1, maxLength: generationLimits.tasksMax }),
        ignoreSigterm: fc.boolean(),
      })
      .map(({ workflow, durations, ignoreSigterm }) => ({
        workflow,
        tasks: durations.map((durationMs, index) => ({ task: taskIdOf(workflow, index), durationMs, ignoreSigterm })),
      })),
  },
  precondition: (model, body) => !model.workflows.has(body.workflow),
  update: (model, body) => {
    model.workflows.add(body.workflow);
  },
});
