/**
 * Bug profiles: switches that put one upstream defect back at the same point of the
 * engine's code path. They are the harness's self-test: a harness that passes an engine
 * with a profile on is broken. Each profile changes one code point, named here: for
 * conductor-303 that point is the order of the steps inside terminateWorkflow().
 */

export const bugProfileIds = [
  'prefect-17792',
  'prefect-17764',
  'conductor-303',
  'dolphinscheduler-16572',
  'bullmq-2979',
  'conductor-776',
  'prefect-16746',
  'dolphinscheduler-13283',
  'dolphinscheduler-13355',
  'dolphinscheduler-15573',
] as const;
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
      'The status listener is called right after the workflow is persisted TERMINATED and before non-terminal tasks are cancelled; the archive listener throws and the exception skips every later step, its own retry included, so the workflow is never archived.',
    expectedClauses: ['WF-TERMINAL-01', 'WF-TERMINAL-02', 'WF-TERMINATE-02', 'WF-LISTENER-01', 'WF-ARCHIVE-01'],
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
  {
    id: 'conductor-776',
    title: 'A task whose worker process dies stays IN_PROGRESS',
    upstream: 'https://github.com/Netflix/conductor/issues/776 (a killed worker: "Conductor would not see that the worker died and would still show the task as being in progress")',
    fixedBy: 'Conductor times the task out when its worker stops updating it: responseTimeoutSeconds (DeciderService checkTaskResponseTimeout); Netflix/conductor PR #504 for one path that left tasks IN_PROGRESS',
    codePoint: 'engine/workflows/workflows.ts: onTaskExit()',
    defect: 'The exit of a task process killed by a signal the engine did not send is ignored, as a server that only learns of a task from its worker never hears of one that died: the task stays IN_PROGRESS with no process, and its workflow RUNNING.',
    expectedClauses: ['PROCESS-LOSS-02'],
  },
  {
    id: 'prefect-16746',
    title: 'Runs whose process went down with the engine stay RUNNING after the restart',
    upstream: 'https://github.com/PrefectHQ/prefect/issues/16746 (a process worker shut down: its flow runs stay Running indefinitely; also #18257, #7239)',
    fixedBy: 'PrefectHQ/prefect PR #23016 (propose Crashed for runs interrupted by worker shutdown; open at the time of writing)',
    codePoint: 'engine/runs/run-processes.ts: recover()',
    defect: 'Recovery settles CANCELLING runs but leaves PENDING and RUNNING ones as they were, though their processes died with the engine: they stay RUNNING for ever and hold their concurrency slots.',
    expectedClauses: ['PROCESS-LOSS-01'],
  },
  {
    id: 'dolphinscheduler-13283',
    title: 'After a restart the old worker processes are not killed and keep running unowned',
    upstream: 'https://github.com/apache/dolphinscheduler/issues/13283 (2.0.7: after a rolling restart the old task process "failed to kill" and the task was submitted again and again)',
    fixedBy: 'apache/dolphinscheduler PR #13403 (failover judges a task by its submit time, so a running task is not submitted again)',
    codePoint: 'engine/reference-engine.ts: recover()',
    defect: 'Recovery does not kill the worker processes the crashed engine left behind: their runs are settled CRASHED while the processes go on, owned by nothing.',
    expectedClauses: ['RESTART-02'],
  },
  {
    id: 'dolphinscheduler-13355',
    title: 'Commands a master had fetched when it crashed are never handled',
    upstream: 'https://github.com/apache/dolphinscheduler/issues/13355 (work marked as taken by a master that crashed before finishing it is never failed over again)',
    fixedBy: 'closed as stale upstream; apache/dolphinscheduler 3.3.0 reworked failover (DSIP-61, #16423: a starting master scans every unfinished workflow again)',
    codePoint: 'engine/instances/master-round.ts: runMasterRound() and handleFetched()',
    defect: 'A master marks the commands it fetches CLAIMED in one round and hands them to its handling pool, which creates their instances in the next round; recovery does not release the claims of the engine that crashed, so acknowledged requests fetched just before the crash never get an instance.',
    expectedClauses: ['INSTANCE-05'],
  },
  {
    id: 'dolphinscheduler-15573',
    title: 'A run whose cancel was acknowledged before a crash is finished as COMPLETED after it',
    upstream: 'https://github.com/apache/dolphinscheduler/issues/15573 (master failover does not handle READY_STOP: the workflow instance goes into a finished state)',
    fixedBy: 'apache/dolphinscheduler PR #15572 (failover sets a READY_STOP or READY_PAUSE instance back to running, so its stop is carried out)',
    codePoint: 'engine/runs/run-processes.ts: recover()',
    defect: 'Recovery settles a CANCELLING run (the upstream READY_STOP) as if it had finished: COMPLETED, a state the run machine cannot reach from CANCELLING, and the acknowledged cancel never ends CANCELLED.',
    expectedClauses: ['RESTART-01'],
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
