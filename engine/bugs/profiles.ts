/**
 * Bug profiles: switches that put one upstream defect back at the same point of the
 * engine's code path. They are the harness's self-test: a harness that passes an engine
 * with a profile on is broken. Each profile changes one code point, named here: for
 * conductor-303 that point is the order of the steps inside terminateWorkflow().
 */

export const bugProfileIds = ['prefect-17792', 'prefect-17764', 'conductor-303', 'dolphinscheduler-16572', 'bullmq-2979'] as const;
export type BugProfileId = (typeof bugProfileIds)[number];

export interface BugProfile {
  id: BugProfileId;
  title: string;
  upstream: string;
  fixedBy: string;
  /** The one place in engine/ the switch changes. */
  codePoint: string;
  /** What the defect does there. */
  defect: string;
  /** Clause ids the harness must report when the profile is on. */
  expectedClauses: string[];
}

export const bugProfiles: readonly BugProfile[] = [
  {
    id: 'prefect-17792',
    title: 'Cancelling a run with nested concurrent subflows leaves it in Cancelling (Windows)',
    upstream: 'https://github.com/PrefectHQ/prefect/issues/17792 (3.3.3; same root cause #17621)',
    fixedBy: 'PrefectHQ/prefect PR #17771 (3.3.4)',
    codePoint: 'engine/runs/run-processes.ts: executeRun() records the run in the process map',
    defect:
      'The direct submission path stores the process object instead of its pid, so the kill routine calls process.kill(<ChildProcess>) and gets TypeError [ERR_INVALID_ARG_TYPE]; the run stays CANCELLING and its tree keeps running.',
    expectedClauses: ['RUN-CANCEL-01', 'RUN-CANCEL-02', 'RUN-CANCEL-03'],
  },
  {
    id: 'prefect-17764',
    title: 'Updating a deployment deletes its Late and AwaitingConcurrencySlot backlog',
    upstream: 'https://github.com/PrefectHQ/prefect/issues/17764 (3.3.3)',
    fixedBy: 'PrefectHQ/prefect PR #17769 (3.3.4); earlier PR #15688',
    codePoint: 'engine/runs/deployments.ts: runsToDeleteOnUpdate()',
    defect:
      'The delete filters on the SCHEDULED state type (sparing only AwaitingRetry and manual runs), not on run count, start time or AwaitingConcurrencySlot, so the backlog is deleted and never recreated.',
    expectedClauses: ['DEPLOY-UPDATE-01', 'DEPLOY-BACKLOG-02'],
  },
  {
    id: 'conductor-303',
    title: 'Terminate with a failing archive listener leaves the last task IN_PROGRESS',
    upstream: 'https://github.com/conductor-oss/conductor/issues/303 (3.13.5)',
    fixedBy: 'conductor-oss/conductor PR #304; hardening PR #778',
    codePoint: 'engine/workflows/terminate-workflow.ts: terminateWorkflow()',
    defect:
      'The status listener is called right after the workflow is persisted TERMINATED and before non-terminal tasks are cancelled; the archive listener throws and the exception skips every later step.',
    expectedClauses: ['WF-TERMINAL-01', 'WF-TERMINAL-02', 'WF-TERMINATE-02', 'WF-LISTENER-01'],
  },
  {
    id: 'dolphinscheduler-16572',
    title: 'Burst of start-process-instance requests: success answered, no instance created',
    upstream: 'https://github.com/apache/dolphinscheduler/issues/16572 (3.1.9)',
    fixedBy: 'apache/dolphinscheduler 3.3.0 (command fetching reworked)',
    codePoint: 'engine/instances/master-round.ts: runMasterRound()',
    defect:
      'A master fetches commands with its cached slot, removes them, then re-checks the slot against the refreshed registry; while masters join or leave the check fails and the command is skipped with an INFO log only.',
    expectedClauses: ['INSTANCE-01', 'INSTANCE-04'],
  },
  {
    id: 'bullmq-2979',
    title: 'A run whose process dies unannounced stays RUNNING for ever',
    upstream: 'https://github.com/taskforcesh/bullmq/pull/2979 (sandboxed job left active when its child process dies; BullMQ 5.34.3)',
    fixedBy: 'taskforcesh/bullmq PR #2979 (5.34.4)',
    codePoint: 'engine/runs/run-processes.ts: onRootExit()',
    defect:
      'The exit of a run process killed by a signal the engine did not send is not handled, as a child process reused from the pool had no exit handler: the run stays RUNNING with no process.',
    expectedClauses: ['PROCESS-LOSS-01'],
  },
];

export function isBugProfileId(value: string): value is BugProfileId {
  return (bugProfileIds as readonly string[]).includes(value);
}

/** The profile with this id. @throws Error naming the known profiles when there is none. */
export function bugProfileById(id: string): BugProfile {
  const profile = bugProfiles.find((candidate) => candidate.id === id);
  if (!profile) throw new Error(`unknown bug profile '${id}' (known: ${bugProfileIds.join(', ')})`);
  return profile;
}
