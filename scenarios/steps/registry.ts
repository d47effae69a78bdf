/**
 * Every step kind, in one list. The loader, the JSON Schema export, the runner, the
 * applicability check and explore's generators all read this object; a kind is added by
 * writing its file (see step-kind.ts) and one line here.
 *
 * The order is the order of explore's `fc.oneof` over the generated kinds, so changing it
 * changes which scenario a seed generates.
 */
import type { StepKind } from './step-kind.ts';
import { advanceStep } from './advance.ts';
import { awaitStep } from './await.ts';
import { burstStep } from './burst.ts';
import { cancelStep } from './cancel.ts';
import { consumersStep } from './consumers.ts';
import { crashStep } from './crash.ts';
import { deployStep } from './deploy.ts';
import { drainStep } from './drain.ts';
import { faultStep } from './fault.ts';
import { killStep } from './kill.ts';
import { pauseStep } from './pause.ts';
import { restartStep } from './restart.ts';
import { resumeStep } from './resume.ts';
import { sleepStep } from './sleep.ts';
import { startWorkflowStep } from './start-workflow.ts';
import { startStep } from './start.ts';
import { terminateStep } from './terminate.ts';
import { workersStep } from './workers.ts';

export const stepKinds = {
  start: startStep,
  cancel: cancelStep,
  await: awaitStep,
  deploy: deployStep,
  workers: workersStep,
  advance: advanceStep,
  startWorkflow: startWorkflowStep,
  terminate: terminateStep,
  fault: faultStep,
  consumers: consumersStep,
  burst: burstStep,
  sleep: sleepStep,
  drain: drainStep,
  crash: crashStep,
  restart: restartStep,
  pause: pauseStep,
  resume: resumeStep,
  kill: killStep,
} as const;

export type StepKinds = typeof stepKinds;
export type StepName = keyof StepKinds;
export const stepNames = Object.keys(stepKinds) as StepName[];

/**
 * A step (`{ name: body }`, validated or as written) as its kind and its body, typed
 * loosely: the one place where a step is taken apart for the generic calls of its kind.
 */
export function kindOfStep(step: object): { kind: StepKind<string, never>; body: never } {
  const name = Object.keys(step)[0] as StepName;
  return { kind: stepKinds[name] as unknown as StepKind<string, never>, body: (step as Record<string, unknown>)[name] as never };
}
