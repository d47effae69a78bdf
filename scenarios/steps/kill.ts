import fc from 'fast-check';
import { z } from 'zod';
import { runIds, taskIdOf, workflowIds, workflowOfTask } from '../generate/pools.ts';
import { defineStep } from './step-kind.ts';

export const KillStep = z
  .object({ run: z.string().min(1).optional(), task: z.string().min(1).optional() })
  .strict()
  .refine((body) => (body.run === undefined) !== (body.task === undefined), { message: 'kill names exactly one of run, task' });

export const killStep = defineStep({
  name: 'kill',
  schema: KillStep,
  description: 'The nemesis kills one live worker process (SIGKILL) of a run or a task, as a machine losing a process would; nothing is killed when it has none alive.',
  requires: (body) => [{ kind: 'entity', name: body.run !== undefined ? 'run' : 'task' }],
  // The harness finds the process in /proc and the owner from what it last read.
  needsEngine: false,
  timeLimitMs: (_body, defaultMs) => defaultMs,
  run: async (body, runtime) => {
    await runtime.nemesis.killWorker((body.run ?? body.task)!);
    return 'ok';
  },
  generate: {
    weight: 4,
    // The first task of a workflow: the one surely started when the kill comes.
    arbitrary: fc.oneof(
      fc.constantFrom<string>(...runIds).map((run): { run?: string; task?: string } => ({ run })),
      fc.constantFrom<string>(...workflowIds).map((workflow): { run?: string; task?: string } => ({ task: taskIdOf(workflow, 0) })),
    ),
  },
  precondition: (model, body) => (body.run !== undefined ? model.runs.has(body.run) : model.workflows.has(workflowOfTask(body.task!))),
  // A run the model has, or the first task of a workflow it has.
  retarget: (model, body) => {
    const run = [...model.runs].find((id) => !model.cancelledRuns.includes(id));
    const workflow = [...model.workflows][0];
    if (body.run !== undefined) return run !== undefined ? { run } : workflow !== undefined ? { task: taskIdOf(workflow, 0) } : null;
    return workflow !== undefined ? { task: taskIdOf(workflow, 0) } : run !== undefined ? { run } : null;
  },
  update: (model) => {
    model.workerKilled = true;
  },
});
