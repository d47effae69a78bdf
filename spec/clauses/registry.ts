/**
 * The clause inventory: every rule flowconform checks, with a stable id, one MUST
 * sentence, the upstream source, and how it is checked. This list is data: the CLI
 * prints it (`flowconform clauses`, `--json`), reports quote it, and the checker has one
 * function per id (harness/checker/), so an id here without a checker is a test failure.
 */

export type ClauseFamily = 'transitions' | 'run-cancel' | 'deployment' | 'workflow' | 'instance' | 'process' | 'restart';

export interface Clause {
  /** Stable id, `FAMILY-TOPIC-NN`; never reused for another rule. */
  id: string;
  family: ClauseFamily;
  /** One sentence with MUST. */
  must: string;
  /** Upstream issue, PR or file the rule comes from. */
  source: string;
  /** How the checker decides it from the trace, and which bound applies. */
  checkedBy: string;
  /** Bug profiles whose defect this clause exists to catch. */
  catches: string[];
}

export const clauses: readonly Clause[] = [
  {
    id: 'TRANSITION-01',
    family: 'transitions',
    must: "Every transition the engine records MUST be accepted by its entity's machine, starting from the state it last recorded.",
    source: 'spec/machines (Prefect core_policy.py, Conductor WorkflowStatus/Task.Status, DolphinScheduler WorkflowExecutionStatus)',
    checkedBy:
      'Each transition event the engine wrote is looked up in the machine table of its entity kind; `from` must equal the previous `to`. A state name the machine does not know is reported as such, with the nearest known name (`flowconform spec` lists them). Transitions the harness derived from read-backs (cause `observed`) are left to OBSERVE-01, since a look may miss states in between. After a crash, the restarted engine\'s first line about an entity may start from any state reachable from the last one told: the killed engine may have committed moves whose lines never went out.',
    catches: [],
  },
  {
    id: 'TRANSITION-02',
    family: 'transitions',
    must: 'A terminal state MUST be absorbing: no transition leaves it.',
    source: 'flowconform: one life per entity (Prefect core_policy.py only refuses CANCELLING, PAUSED and CRASHED from a terminal state; a forced rerun is a new life); conductor-oss/conductor PR #766 (a second terminate is a no-op)',
    checkedBy: 'No transition event has a `from` that is final in its machine.',
    catches: [],
  },
  {
    id: 'OBSERVE-01',
    family: 'transitions',
    must: 'Every state read back through the query API MUST be reachable in the machine from the state read before it, and a deleted entity MUST NOT reappear.',
    source: 'flowconform: the UI and the engine must tell one story',
    checkedBy:
      'Successive observe events per entity: each new state is in the reachable set of the previous one. A state name the machine does not know is reported as such, with the nearest known name. An entity read back present after the engine\'s own `delete` line for it has reappeared (the last read of a scenario writes every such entity, changed or not).',
    catches: [],
  },
  {
    id: 'RUN-CANCEL-01',
    family: 'run-cancel',
    must: 'A run in CANCELLING MUST reach CANCELLED within cancelBoundMs.',
    source: 'PrefectHQ/prefect#17792 (runs stuck in Cancelling), fixed by PR #17771',
    checkedBy: 'For each transition into CANCELLING, a transition into CANCELLED within cancelBoundMs of wall time; unknown if the trace ends sooner.',
    catches: ['prefect-17792'],
  },
  {
    id: 'RUN-CANCEL-02',
    family: 'run-cancel',
    must: "Once a run is CANCELLED, and at the latest cancelBoundMs after it entered CANCELLING, no process of its tree (its own, its subflows', their children) MUST be alive.",
    source: 'PrefectHQ/prefect#17792, #17621 (processes kept running after cancel)',
    checkedBy: "observe-process events from /proc (state Z is dead) for every process owned by the run or its subflow runs: a read at or after the deadline (100 ms after CANCELLED is read, or the bound) that found one alive, its own line or the seenAliveWallMs of a later one; a process seen alive only before the deadline and dead later is not judged alive.",
    catches: ['prefect-17792'],
  },
  {
    id: 'RUN-CANCEL-03',
    family: 'run-cancel',
    must: 'Every non-terminal subflow run of a cancelled parent MUST reach CANCELLED within cancelBoundMs.',
    source: 'Prefect server cancellation cleanup loop (src/prefect/server/services/cancellation_cleanup.py)',
    checkedBy: 'For each run entering CANCELLING or CANCELLED, each descendant run not terminal at that moment is CANCELLED within the bound.',
    catches: ['prefect-17792'],
  },
  {
    id: 'RUN-CANCEL-04',
    family: 'run-cancel',
    must: 'A kill that fails MUST be reported (a kill-failed process event with the error) and MUST NOT be retried more than killAttemptsMax times.',
    source: 'PrefectHQ/prefect#17792 ("Flow run may not be cancelled." retried on every poll)',
    checkedBy: 'Count kill-failed events per owner; each must carry an error; at most killAttemptsMax per run.',
    catches: [],
  },
  {
    id: 'RUN-CANCEL-05',
    family: 'run-cancel',
    must: 'A cancel answered with success MUST show the run CANCELLING or CANCELLED through the query API within cancelBoundMs.',
    source: 'Prefect cancel API (POST /flow_runs/{id}/set_state Cancelling); flowconform: an ack must have an effect',
    checkedBy: 'For each ok cancel-run request, a read-back of the run in CANCELLING or CANCELLED after its step began (or already so before it), within the bound.',
    catches: [],
  },
  {
    id: 'RUN-CONCURRENCY-01',
    family: 'deployment',
    must: "The number of a deployment's runs in PENDING, RUNNING or CANCELLING MUST NOT exceed its concurrency limit.",
    source: 'Prefect deployment concurrency limits (AwaitingConcurrencySlot), PrefectHQ/prefect#17764',
    checkedBy: 'Replay transitions per deployment, counting active runs against the limit from the deploy request; transitions derived from read-backs (their deployment from the run attributes the query API shows) are counted once their whole look is in, one look being one snapshot.',
    catches: [],
  },
  {
    id: 'RUN-RETRY-01',
    family: 'deployment',
    must: 'A run that fails with retries left MUST go to SCHEDULED/AwaitingRetry, one with none left MUST NOT, and no run MUST be run more than retries + 1 times.',
    source: 'Prefect core_policy.py RetryFailedFlows (retries only while run_count <= retries)',
    checkedBy:
      'Count transitions into RUNNING per run (or the run count they carry, if higher); a FAILED from RUNNING while attempts <= retries, a RUNNING → SCHEDULED/AwaitingRetry while attempts > retries, and attempts > retries + 1 are violations. From outside, each read-back of a run showing `attempts` is judged too: more than retries + 1, or SCHEDULED/AwaitingRetry with attempts > retries, is a violation even when no look saw the run RUNNING between; a FAILED seen only in read-backs that show no attempts is unknown when the count could be short.',
    catches: [],
  },
  {
    id: 'DEPLOY-UPDATE-01',
    family: 'deployment',
    must: 'A deployment update MUST delete only runs that are SCHEDULED, not AwaitingConcurrencySlot, never attempted, auto-scheduled, and whose scheduled start is strictly in the future.',
    source: 'PrefectHQ/prefect#17764, fixed by PR #17769; earlier PR #15688 (AwaitingRetry)',
    checkedBy:
      "Each delete of a run caused by a deployment update is judged on the run's state, run count, auto-scheduled flag and scheduled start, all rebuilt from the trace (the run attributes; the run count also from the run's entries into RUNNING). An attribute the trace left out makes the verdict unknown, never a pass.",
    catches: ['prefect-17764'],
  },
  {
    id: 'DEPLOY-BACKLOG-02',
    family: 'deployment',
    must: 'Every run that is Late, AwaitingRetry or AwaitingConcurrencySlot when its deployment is updated MUST be executed afterwards.',
    source: 'PrefectHQ/prefect#17764 (the backlog vanished after prefect deploy)',
    checkedBy: 'Backlog runs at each update must later enter RUNNING; deleted ones are violations, ones still waiting at the end are unknown.',
    catches: ['prefect-17764'],
  },
  {
    id: 'DEPLOY-SLOT-03',
    family: 'deployment',
    must: 'No schedule slot of a deployment MUST ever have two runs that are not deleted.',
    source: 'Prefect scheduler idempotency key (deployment id + scheduled time)',
    checkedBy: 'Track live auto-scheduled runs per (deployment, slot) through creations and deletions (or read-backs as gone); a slot filled by a run derived from a read-back is judged once its whole look is in.',
    catches: [],
  },
  {
    id: 'DEPLOY-PAUSE-04',
    family: 'deployment',
    must: 'While the deployment workers are paused, no run of a deployment MUST leave SCHEDULED for PENDING or RUNNING, also across a restart of the engine.',
    source: 'Prefect work pools: a paused work pool\'s workers pick up no flow runs (its runs wait and become Late); the pause is stored server-side, so it outlives a restart',
    checkedBy:
      'From the answer ok of a set-workers pause to the beginning of the step of the next resume, every transition of a run with a deploymentId from a SCHEDULED state to PENDING or RUNNING is a violation. A transition derived from read-backs counts only when the run was read back waiting within the same pause.',
    catches: [],
  },
  {
    id: 'DEPLOY-AHEAD-05',
    family: 'deployment',
    must: "The scheduler MUST make runs for no more than a deployment's scheduleAheadCount slots ahead: a run made at logical time now has its slot before now + scheduleAheadCount × intervalMs.",
    source: "Prefect's scheduler service (services/scheduler.py) inserts runs only within its max runs and max scheduled time ahead of now",
    checkedBy:
      "Each run the scheduler made (cause scheduler or autoScheduled, with a slotMs) is judged at its creation's logical time against the schedule of the deployment's last deploy request answered ok, or, while an update is in flight, the more lenient of the old and the new. From read-backs the time is the look's, which can only be later, so never stricter.",
    catches: [],
  },
  {
    id: 'RUN-LATE-01',
    family: 'deployment',
    must: 'A SCHEDULED run MUST NOT be marked Late before its scheduled start is more than lateAfterMs in the past on the logical clock.',
    source: "Prefect's MarkLateRuns service (services/late_runs.py): runs whose expected start is older than PREFECT_API_SERVICES_LATE_RUNS_AFTER_SECONDS (15 s) become Late",
    checkedBy:
      'Each transition of a run into SCHEDULED/Late is judged at its logical time against the run\'s scheduledStartMs attribute and the lateAfterMs bound; a read-back is judged at the look\'s time, never earlier than the marking. Without scheduledStartMs the verdict is unknown.',
    catches: [],
  },
  {
    id: 'WF-TERMINAL-01',
    family: 'workflow',
    must: 'A workflow read back in a terminal state MUST NOT have a task in a non-terminal state once terminateBoundMs has passed.',
    source: 'conductor-oss/conductor#303 (TERMINATED workflow, last task IN_PROGRESS), fixed by PR #304; PR #778',
    checkedBy: 'Observe events: for a workflow observed terminal at t, its tasks observed after t + terminateBoundMs must be terminal.',
    catches: ['conductor-303'],
  },
  {
    id: 'WF-TERMINAL-02',
    family: 'workflow',
    must: 'A terminal workflow MUST NOT have a live task process once terminateBoundMs has passed.',
    source: 'conductor-oss/conductor#303',
    checkedBy: 'observe-process events (/proc, Z is dead) for processes owned by its tasks.',
    catches: ['conductor-303'],
  },
  {
    id: 'WF-TERMINATE-02',
    family: 'workflow',
    must: 'Terminating a workflow MUST run every core step (tasks cancelled, workflow TERMINATED) even when a status listener fails.',
    source: 'conductor-oss/conductor#303, PR #304 (listener moved after cancelNonTerminalTasks)',
    checkedBy: 'After each terminate of a non-terminal workflow, every task then non-terminal enters CANCELED within terminateBoundMs; a terminate answered fail (definite) that the workflow does not show TERMINATED owes nothing, nor one answered info on a workflow the engine wrote ending otherwise first.',
    catches: ['conductor-303'],
  },
  {
    id: 'WF-LISTENER-01',
    family: 'workflow',
    must: 'A failing status listener call MUST be recorded and retried until it succeeds or is dead-lettered after listenerAttemptsMax attempts.',
    source: 'conductor-oss/conductor#303 (the exception escaped and was never retried)',
    checkedBy: 'Each side-effect error is followed within terminateBoundMs by another attempt of the same listener and target, or a dead-letter. The harness counts the calls itself, per listener and workflow between two of the workflow\'s transitions: no more than listenerAttemptsMax, and none after one that succeeded or was dead-lettered.',
    catches: ['conductor-303'],
  },
  {
    id: 'WF-TERMINATE-03',
    family: 'workflow',
    must: 'Terminating a workflow that is already TERMINATED MUST be a no-op answered with success.',
    source: 'conductor-oss/conductor PR #766',
    checkedBy: 'A terminate request on a TERMINATED workflow: answer ok, and no transition or listener call for it follows from that request.',
    catches: [],
  },
  {
    id: 'WF-ARCHIVE-01',
    family: 'workflow',
    must: 'A terminal workflow with an archive listener MUST be read back archived within archiveBoundMs once the archive store is healthy: of its first terminal read-back, or of the heal of the archive outage it ended in.',
    source:
      "conductor-oss/conductor#303 (the archive listener's exception on terminate was never retried, so the workflow was never archived), fixed by PR #304; Conductor's archive status listener archives a workflow when it completes or is terminated (Netflix/conductor core/src/main/java/com/netflix/conductor/core/execution/ArchiveWorkflowStatusListener.java, onWorkflowCompleted and onWorkflowTerminated: executionDAOFacade.removeWorkflow(workflowId, true); contribs listener/archive/ArchivingWorkflowStatusListener.java)",
    checkedBy:
      'From what the harness saw: each workflow whose start-workflow request (answered ok) named the archive listener (the default) and that is read back terminal must be read back `archived` (the query API) within archiveBoundMs of that read-back, or of the clear of the archive-listener fault it was read back in. Not judged when the store heals more than archiveBoundMs after that read-back (its attempts may be used up: WF-LISTENER-01 allows a dead-letter), when it heals across an engine crash, or when the store fails again first. Unknown when the query API shows no `archived`, or the trace ends before the bound. Pushed side-effect lines only add to the message.',
    catches: ['conductor-303'],
  },
  {
    id: 'INSTANCE-01',
    family: 'instance',
    must: 'Every acknowledged creation request MUST yield an instance within instanceBoundMs of a consumer being able to take it.',
    source: 'apache/dolphinscheduler#16572 (success answered, no instance ever created)',
    checkedBy: 'Each ok request of op start-process-instance has an instance with its requestId within the bound, counted from the ack or, if no consumer was registered or the command table was faulted, from when one could take it; unknown if the trace ends sooner.',
    catches: ['dolphinscheduler-16572'],
  },
  {
    id: 'INSTANCE-02',
    family: 'instance',
    must: 'No creation request MUST yield more than one instance.',
    source: 'apache/dolphinscheduler#15099, #8980 (double consumption while masters change)',
    checkedBy: 'Count instance creations per requestId.',
    catches: [],
  },
  {
    id: 'INSTANCE-03',
    family: 'instance',
    must: 'A creation request MUST NOT be answered with success before its command is durably stored.',
    source: 'apache/dolphinscheduler#16572 (API answers as soon as the row is written)',
    checkedBy:
      'Each ok answer is preceded in the trace by the creation of a command with the same requestId. For an engine that writes no command transitions, from outside: the first look after the answer (observe.look) must show the command or an instance with that requestId; first shown at a later look is a violation; never shown is unknown (never stored and stored-then-lost cannot be told apart; INSTANCE-01/04 judge it), and INSTANCE-05 judges acks across a crash.',
    catches: [],
  },
  {
    id: 'INSTANCE-04',
    family: 'instance',
    must: 'Every stored command MUST end CONSUMED with an instance, or in ERROR with its reason in the trace; it MUST NOT vanish.',
    source: 'apache/dolphinscheduler#16572 (skipped with an INFO log only)',
    checkedBy:
      'A command deleted without CONSUMED or ERROR, or read back as gone without them, is a violation. For an engine that writes no command transitions, an ok answer naming its command (commandId) whose command was never read back and whose request never had an instance read back, though a look followed the answer, is a violation too (judged when the query API shows commands with their requestId).',
    catches: ['dolphinscheduler-16572'],
  },
  {
    id: 'INSTANCE-05',
    family: 'instance',
    must: 'Every creation request acknowledged before the engine crashed MUST have exactly one instance after its restart, within restartBoundMs: none lost, none made twice.',
    source: 'apache/dolphinscheduler#16572 family (master failover takes over a dead master\'s commands: each exactly once); #15099, #8980 (double consumption while masters change)',
    checkedBy:
      'Each ok start-process-instance request before an engine-crash inject that was restarted: instances are those whose creation carries its requestId; two or more, one of them after the crash, is a violation; none within restartBoundMs of the restart (or of a consumer being able to take it) is a violation, unless an instance the trace ties to no request was read back (then unknown); one made before the crash must not be read back gone after the restart. Unknown if the trace ends before the bound; no restart, nothing to judge. INSTANCE-01 leaves to this clause the requests whose bound a crash interrupted.',
    catches: ['dolphinscheduler-13355'],
  },
  {
    id: 'PROCESS-01',
    family: 'process',
    must: 'When a scenario ends, no process the engine spawned MUST be alive.',
    source: 'flowconform docs/architecture.md (Processes and cleanup)',
    checkedBy: 'The final observe-process sweep (reason "scenario-end") finds every owned process dead.',
    catches: [],
  },
  {
    id: 'PROCESS-LOSS-01',
    family: 'process',
    must: 'A run left with no live process (its process died without reporting, killed or lost while the engine was down) MUST leave RUNNING, for CRASHED, FAILED or SCHEDULED/AwaitingRetry, within processLossBoundMs.',
    source: 'taskforcesh/bullmq PR #2979 (a sandboxed job stayed active for ever when its child process died; fixed in 5.34.4); Prefect: crashed infrastructure → CRASHED (a worker reports a run whose infrastructure exited as Crashed; zombie runs that stop heartbeating are marked Crashed)',
    checkedBy:
      'From what the harness saw: a run read back RUNNING (query API) while none of its processes is alive in /proc, though one was, must be read back in another state (or a process of it seen alive again) within processLossBoundMs of the look that found it so; the bound starts again when the engine comes back up if it was crashed or stopped meanwhile. A death after an ok cancel of the run or an ancestor is the engine\'s own kill and is left to RUN-CANCEL. Judged up to the teardown line; unknown if the trace ends sooner. Pushed transitions only add to the message.',
    catches: ['bullmq-2979', 'prefect-16746'],
  },
  {
    id: 'PROCESS-LOSS-02',
    family: 'process',
    must: 'A task left with no live worker process (it died without reporting) MUST leave IN_PROGRESS, failed, timed out or retried, within processLossBoundMs.',
    source: 'Conductor: an IN_PROGRESS task whose worker stopped updating it is TIMED_OUT and retried by the sweeper after its responseTimeoutSeconds (DeciderService checkTaskResponseTimeout, WorkflowSweeper); taskforcesh/bullmq PR #2979',
    checkedBy:
      'As PROCESS-LOSS-01, for tasks read back IN_PROGRESS with no live process of their own; a death after an ok terminate of the task\'s workflow is left to the workflow clauses.',
    catches: ['conductor-776'],
  },
  {
    id: 'RESTART-01',
    family: 'restart',
    must: 'After a restart the query API MUST show every entity it showed or acknowledged before the crash, none vanished, each in a state reachable from the last one read before the crash, within restartBoundMs.',
    source: 'Prefect: crashed infrastructure → CRASHED (a run outlives the process that served it, and is settled, not lost); apache/dolphinscheduler#16572 family (failover of a dead master: its work is taken over, not dropped)',
    checkedBy:
      'For each engine-crash inject followed by its clear (the restart): every run, workflow, task or instance last read back present before the crash, and every run or workflow whose start request was answered ok before it, is checked on the read-backs after the restart: read back as gone (unless a deployment update deleted it) is a violation, as is a first state the machine cannot reach from the last one; an acknowledged entity never shown within restartBoundMs is a violation. An entity with no new read-back was shown unchanged (the observer writes changes only), once the history reaches restartBoundMs past the restart; unknown if it ends sooner. Commands are left to INSTANCE-04/05.',
    catches: ['dolphinscheduler-15573'],
  },
  {
    id: 'RESTART-02',
    family: 'restart',
    must: 'Every process a crashed engine left behind MUST be adopted or killed within restartBoundMs of the restart, and none MUST be left alive and unowned when the scenario ends.',
    source: 'Prefect: crashed infrastructure → CRASHED (its process must not run on unowned); Conductor (a task whose worker is gone is failed or retried, not run twice); apache/dolphinscheduler#16572 family (failover: exactly once)',
    checkedBy:
      'Processes alive in /proc at the engine-crash inject, or born while the engine was down, are judged restartBoundMs after the restart: dead (killed), or adopted, meaning the run or task that owns it is read back holding a process (runs PENDING, RUNNING, CANCELLING, PAUSED or SCHEDULED/AwaitingRetry; tasks IN_PROGRESS) and no new root process of that owner was started beside it. One alive at the teardown line must still be so owned. Unknown if the trace ends before the bound; no restart, nothing to judge (PROCESS-01 judges the final sweep).',
    catches: ['dolphinscheduler-13283'],
  },
];

/** The clause with this id. @throws Error when no clause has it. */
export function clauseById(id: string): Clause {
  const clause = clauses.find((candidate) => candidate.id === id);
  if (!clause) throw new Error(`clauseById: no clause '${id}'`);
  return clause;
}
