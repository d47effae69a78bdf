/**
 * The mutation self-test's catalogue: small defects a developer could make in the
 * reference engine's lifecycle code, one text edit each. bench/mutation/run.ts applies
 * each to a copy of the project, runs the scripted suite and a fixed explore budget
 * against it, and counts how many the harness catches (docs/architecture.md "Mutation
 * self-test").
 *
 * They are not the bug profiles (engine/bugs/profiles.ts) again: a profile re-creates one
 * upstream defect with its seed scenario; a mutant is an ordinary slip (a condition the
 * wrong way round, a limit off by one, a state change or a write left out, an error
 * swallowed, a kill skipped) wherever it could happen, found by no scenario written for it.
 *
 * Each mutant names its anchor: `find` must occur exactly once in `file`, or the bench
 * reports a bench error for it (the catalogue must move with the code). `equivalent` is
 * set only after a survivor was read and found unable to change anything the spec judges;
 * its reason says why. A survivor that is a gap gets a scenario in scenarios/ that kills
 * it, or a checker that judges what it changes.
 */

/** The kind of slip (the defect operator). */
export type MutationOperator =
  | 'dropped-state-change'
  | 'dropped-write'
  | 'off-by-one'
  | 'inverted-condition'
  | 'wrong-state'
  | 'swallowed-error'
  | 'skipped-kill';

/** The part of the engine the mutant is in. */
export type MutantFamily = 'run-cancel' | 'deployment' | 'workflow' | 'instance' | 'recovery';

export interface Mutant {
  /** Stable name, kebab-case; `--only` takes these. */
  id: string;
  operator: MutationOperator;
  family: MutantFamily;
  /** Path from the project root. */
  file: string;
  /** Text that occurs exactly once in `file`. */
  find: string;
  replace: string;
  /** One sentence: which behaviour the mutant changes. */
  why: string;
  /** Set only for a survivor shown unable to change what the spec judges: why. */
  equivalent?: string;
}

const runProcesses = 'engine/runs/run-processes.ts';
const killTree = 'engine/processes/kill-tree.ts';
const deployments = 'engine/runs/deployments.ts';
const workerDispatch = 'engine/runs/worker-dispatch.ts';
const terminate = 'engine/workflows/terminate-workflow.ts';
const listeners = 'engine/workflows/status-listeners.ts';
const workflows = 'engine/workflows/workflows.ts';
const commandApi = 'engine/instances/command-api.ts';
const masterRound = 'engine/instances/master-round.ts';
const instances = 'engine/instances/instances.ts';
const masters = 'engine/instances/masters.ts';
const referenceEngine = 'engine/reference-engine.ts';
const sqliteStore = 'engine/adapters/sqlite-store.ts';

export const mutants: readonly Mutant[] = [
  // Run cancel and process trees.
  {
    id: 'cancel-leaves-subflows-running',
    operator: 'dropped-state-change',
    family: 'run-cancel',
    file: runProcesses,
    find: [
      "    moveRun(this.context, runId, 'CANCELLING', 'cancel');",
      '    for (const subflow of descendantRuns(this.context, runId)) {',
      "      if (!isRunTerminal(subflow) && runStateType(subflow) !== 'CANCELLING') {",
      "        moveRun(this.context, subflow.id, 'CANCELLING', 'parent-cancelling');",
      '      }',
      '    }',
    ].join('\n'),
    replace: "    moveRun(this.context, runId, 'CANCELLING', 'cancel');",
    why: 'A cancel moves only the run to CANCELLING; its subflows stay RUNNING, so when the kill ends their processes they are settled CRASHED, not CANCELLED.',
  },
  {
    id: 'cancel-scheduled-run-as-running',
    operator: 'inverted-condition',
    family: 'run-cancel',
    file: runProcesses,
    find: "    if (type === 'SCHEDULED' || type === 'PAUSED') {",
    replace: "    if (type === 'PAUSED') {",
    why: 'A SCHEDULED run is cancelled like a running one: SCHEDULED → CANCELLING, a move Prefect does not allow, before it ends CANCELLED.',
  },
  {
    id: 'cancel-accepts-finished-run',
    operator: 'inverted-condition',
    family: 'run-cancel',
    file: runProcesses,
    find: "    if (isRunTerminal(run)) return { ok: false, code: 'conflict', error: `run ${runId} is ${run.state}` };\n",
    replace: '',
    why: 'A cancel of a finished run is not refused: the run leaves its terminal state for CANCELLING.',
  },
  {
    id: 'kill-without-sigkill',
    operator: 'skipped-kill',
    family: 'run-cancel',
    file: killTree,
    find: "    signalTree('SIGKILL');\n",
    replace: '',
    why: 'On POSIX the grace period ends without SIGKILL: a tree that ignores SIGTERM outlives every attempt and its run stays CANCELLING.',
  },
  {
    id: 'grace-wait-inverted',
    operator: 'inverted-condition',
    family: 'run-cancel',
    file: killTree,
    find: 'if ((await waitForDeath(context.bounds.graceMs)).length === 0) return;',
    replace: 'if ((await waitForDeath(context.bounds.graceMs)).length > 0) return;',
    why: 'A tree still alive after the grace period counts as killed: the run is CANCELLED while a SIGTERM-ignoring process runs on.',
  },
  {
    id: 'win32-kills-root-only',
    operator: 'skipped-kill',
    family: 'run-cancel',
    file: killTree,
    find: 'const targets = [...host.descendants(rootPid), ...members, ...alive([...known]).filter((pid) => pid !== rootPid), rootPid].filter(',
    replace: 'const targets = [rootPid].filter(',
    why: 'On win32 only the root process is killed by pid; its subflow processes live on (no process group ends them), so the kill fails and the run stays CANCELLING.',
  },
  {
    id: 'finish-cancel-forgets-subflows',
    operator: 'dropped-state-change',
    family: 'run-cancel',
    file: runProcesses,
    find: "      moveRun(this.context, subflow.id, 'CANCELLED', 'parent-cancelled');\n",
    replace: '',
    why: 'When the tree is dead the run becomes CANCELLED but its subflows stay CANCELLING for ever.',
  },
  {
    id: 'kill-attempts-off-by-one',
    operator: 'off-by-one',
    family: 'run-cancel',
    file: runProcesses,
    find: "attempt <= attemptsMax && this.context.phase === 'open'",
    replace: "attempt < attemptsMax && this.context.phase === 'open'",
    why: 'A failing kill is tried killAttemptsMax − 1 times, not killAttemptsMax (with killAttemptsMax 1, never: the run stays CANCELLING).',
  },
  {
    id: 'teardown-leaves-run-processes',
    operator: 'skipped-kill',
    family: 'run-cancel',
    file: runProcesses,
    find: '    await killAll(this.context.host, this.context.clock, this.roots, [...this.everyPid]);\n',
    replace: '',
    why: 'At shutdown the engine does not kill its run processes: they outlive the scenario.',
  },

  // Deployments, retries and concurrency.
  {
    id: 'concurrency-limit-off-by-one',
    operator: 'off-by-one',
    family: 'deployment',
    file: workerDispatch,
    find: '      if (active >= limit) {',
    replace: '      if (active > limit) {',
    why: 'A deployment runs one more run at once than its concurrency limit allows.',
  },
  {
    id: 'retries-off-by-one',
    operator: 'off-by-one',
    family: 'deployment',
    file: runProcesses,
    find: '    } else if (run.runCount <= run.retries) {',
    replace: '    } else if (run.runCount < run.retries) {',
    why: 'A run gets one retry fewer than configured: its last allowed retry ends FAILED instead of AwaitingRetry.',
  },
  {
    id: 'retry-delay-dropped',
    operator: 'dropped-state-change',
    family: 'deployment',
    file: runProcesses,
    find: '        scheduledStartMs: this.context.clock.now() + run.retryDelayMs,',
    replace: '        scheduledStartMs: this.context.clock.now(),',
    why: 'A failed attempt is retried at the next tick instead of after its retry delay.',
  },
  {
    id: 'update-deletes-attempted-runs',
    operator: 'dropped-state-change',
    family: 'deployment',
    file: deployments,
    find: "runStateName(run) !== 'AwaitingConcurrencySlot' && run.runCount === 0 && run.autoScheduled && run.scheduledStartMs > now,",
    replace: "runStateName(run) !== 'AwaitingConcurrencySlot' && run.autoScheduled && run.scheduledStartMs > now,",
    why: 'A deployment update also deletes runs that were already attempted (AwaitingRetry with a future start), so their retry never happens.',
  },
  {
    id: 'update-deletes-due-runs',
    operator: 'off-by-one',
    family: 'deployment',
    file: deployments,
    find: '&& run.autoScheduled && run.scheduledStartMs > now,',
    replace: '&& run.autoScheduled && run.scheduledStartMs >= now,',
    why: 'A deployment update deletes a run scheduled for exactly now, not only strictly future ones (the slot is then scheduled again under a new id).',
  },
  {
    id: 'schedule-ahead-off-by-one',
    operator: 'off-by-one',
    family: 'deployment',
    file: deployments,
    find: 'index < firstIndex + deployment.scheduleAheadCount;',
    replace: 'index <= firstIndex + deployment.scheduleAheadCount;',
    why: 'The scheduler keeps scheduleAheadCount + 1 future runs per deployment instead of scheduleAheadCount.',
  },
  {
    id: 'late-without-grace',
    operator: 'off-by-one',
    family: 'deployment',
    file: workerDispatch,
    find: 'run.scheduledStartMs + lateAfterMs < now',
    replace: 'run.scheduledStartMs < now',
    why: 'A scheduled run is marked Late as soon as its start has passed, not lateAfterMs (15 s) later.',
  },

  // Workflow terminate and status listeners.
  {
    id: 'terminate-skips-task-cancel',
    operator: 'dropped-state-change',
    family: 'workflow',
    file: terminate,
    find: '  workflows.cancelNonTerminalTasks(workflowId);\n',
    replace: '',
    why: 'Terminate marks the workflow TERMINATED but leaves its running task IN_PROGRESS with its process alive.',
  },
  {
    id: 'second-terminate-conflicts',
    operator: 'dropped-state-change',
    family: 'workflow',
    file: terminate,
    find: "  if (workflow.state === 'TERMINATED') return { ok: true, noop: true };\n",
    replace: '',
    why: 'A second terminate of a TERMINATED workflow is answered with a conflict instead of a successful no-op.',
  },
  {
    id: 'terminate-finished-workflow',
    operator: 'inverted-condition',
    family: 'workflow',
    file: terminate,
    find: '  if (isWorkflowTerminal(workflow)) {',
    replace: "  if (workflow.state === 'FAILED') {",
    why: 'Terminate of a COMPLETED workflow is carried out: COMPLETED → TERMINATED, leaving a terminal state.',
  },
  {
    id: 'listener-failure-not-retried',
    operator: 'inverted-condition',
    family: 'workflow',
    file: listeners,
    find: 'if (!this.retries.get(id)) this.retries.insert(',
    replace: 'if (this.retries.get(id)) this.retries.insert(',
    why: 'A failing listener call is recorded and then swallowed: its retry is queued only if one is queued already, so it is never retried nor dead-lettered.',
  },
  {
    id: 'listener-attempts-off-by-one',
    operator: 'off-by-one',
    family: 'workflow',
    file: listeners,
    find: 'if (attempt >= this.context.bounds.listenerAttemptsMax) {',
    replace: 'if (attempt > this.context.bounds.listenerAttemptsMax) {',
    why: 'A listener that keeps failing is tried listenerAttemptsMax + 1 times before it is dead-lettered.',
  },
  {
    id: 'listener-retry-row-kept',
    operator: 'dropped-write',
    family: 'workflow',
    file: listeners,
    find: '      this.retries.delete(call.id);\n',
    replace: '',
    why: 'A retried listener call stays queued: it is called again on every tick, after it succeeded too.',
  },
  {
    id: 'task-exit-code-ignored',
    operator: 'inverted-condition',
    family: 'workflow',
    file: workflows,
    find: '    if (code === 0 && signal === null) {',
    replace: '    if (code === 0 || signal === null) {',
    why: 'A task whose process exits with a non-zero code is COMPLETED, and its workflow goes on, instead of FAILED.',
  },
  {
    id: 'last-task-skipped',
    operator: 'off-by-one',
    family: 'workflow',
    file: workflows,
    find: '      if (index + 1 < workflow.plan.length) this.scheduleTask(workflow, index + 1);',
    replace: '      if (index + 2 < workflow.plan.length) this.scheduleTask(workflow, index + 1);',
    why: 'A workflow is COMPLETED when its second-to-last task completes: its last task never runs.',
  },
  {
    id: 'failed-workflow-not-notified',
    operator: 'dropped-state-change',
    family: 'workflow',
    file: workflows,
    find: "    if (!isWorkflowTerminal(workflow)) this.listeners.notify(moveWorkflow(this.context, workflow, 'FAILED', 'task-failed'));",
    replace: "    if (!isWorkflowTerminal(workflow)) moveWorkflow(this.context, workflow, 'FAILED', 'task-failed');",
    why: 'A workflow that fails because a task failed is never announced to its status listeners (never archived).',
  },
  {
    id: 'terminate-skips-task-kill',
    operator: 'skipped-kill',
    family: 'workflow',
    file: workflows,
    find: 'const kill = killTree(this.context, task.id, handle.pid, [], true)',
    replace: 'const kill = Promise.resolve()',
    why: 'Terminate marks the running task CANCELED but does not kill its process, which runs on.',
  },

  // Instance creation and commands.
  {
    id: 'command-number-not-advanced',
    operator: 'dropped-state-change',
    family: 'instance',
    file: commandApi,
    find: '    this.nextNumber += 1;\n',
    replace: '',
    why: 'Every command gets the same number, so the second creation request collides with the first command\'s row.',
  },
  {
    id: 'store-outage-acknowledged',
    operator: 'swallowed-error',
    family: 'instance',
    file: commandApi,
    find: "      if (error instanceof StoreUnavailableError) return { ok: false, code: 'unavailable', error: error.message };",
    replace: '      if (error instanceof StoreUnavailableError) return { ok: true, commandId: command.id };',
    why: 'A creation request whose command could not be stored is answered with success: no instance will ever come.',
  },
  {
    id: 'fetch-skips-oldest-command',
    operator: 'off-by-one',
    family: 'instance',
    file: masterRound,
    find: '.slice(0, fetchSizeMax);',
    replace: '.slice(1, fetchSizeMax);',
    why: 'Each master round skips the oldest command of its slot, so that command is never consumed.',
  },
  {
    id: 'consumed-command-not-deleted',
    operator: 'dropped-write',
    family: 'instance',
    file: masterRound,
    find: '  context.store.table<CommandRow>(commandsTable).delete(consumed.id);\n',
    replace: '',
    why: 'A consumed command is announced deleted but its row stays, read back CONSUMED after its delete.',
  },
  {
    id: 'instance-skips-running',
    operator: 'wrong-state',
    family: 'instance',
    file: instances,
    find: "const to = instance.state === 'SUBMITTED_SUCCESS' ? 'RUNNING_EXECUTION' :",
    replace: "const to = instance.state === 'SUBMITTED_SUCCESS' ? 'SUCCESS' :",
    why: 'An instance goes from SUBMITTED_SUCCESS straight to SUCCESS, a move DolphinScheduler does not make.',
  },
  {
    id: 'newest-master-leaves',
    operator: 'wrong-state',
    family: 'instance',
    file: masters,
    find: 'while (this.masters.length > count) left.push(this.masters.shift()!.id);',
    replace: 'while (this.masters.length > count) left.push(this.masters.pop()!.id);',
    why: 'When masters leave, the newest go instead of the oldest, so the slots of those that stay do not shift.',
    equivalent:
      'A slot is a position in the registry and each round reads slot and count afresh, so the same positions take the same commands in the same rounds either way; only master names differ (the `left` ids of set-consumers, the master in handle-command details), which no clause judges. (With dolphinscheduler-16572 on it would hide that defect, whose stale slots come from the shift; test/harness/bug-profiles.test.ts covers that.)',
  },

  // Recovery and restart.
  {
    id: 'recovery-forgets-listener-retries',
    operator: 'dropped-state-change',
    family: 'recovery',
    file: referenceEngine,
    find: '    this.listeners.recover();\n',
    replace: '',
    why: 'Pending listener retries keep the due times of the crashed process\'s clock, so after a restart they wait as long as that process had been up.',
  },
  {
    id: 'recovery-misses-lost-task',
    operator: 'wrong-state',
    family: 'recovery',
    file: workflows,
    find: "const lost = open.find((task) => task.state === 'IN_PROGRESS');",
    replace: "const lost = open.find((task) => task.state === 'TIMED_OUT');",
    why: 'After a restart a task whose worker died with the engine is not failed: its workflow is FAILED while the task stays IN_PROGRESS with no process.',
  },
  {
    id: 'recovery-skips-cancelling-runs',
    operator: 'wrong-state',
    family: 'recovery',
    file: runProcesses,
    find: "const cancelling = allRuns(this.context).filter((run) => runStateType(run) === 'CANCELLING');",
    replace: "const cancelling = allRuns(this.context).filter((run) => runStateType(run) === 'CANCELLED');",
    why: 'After a restart a run whose cancel was acknowledged before the crash is never finished: it stays CANCELLING.',
  },
  {
    id: 'recovery-cancels-orphaned-runs',
    operator: 'inverted-condition',
    family: 'recovery',
    file: runProcesses,
    find: '      if (ancestorCancelled(run)) {',
    replace: '      if (!ancestorCancelled(run)) {',
    why: 'After a restart a run whose process died with the engine is settled CANCELLED (nobody asked) instead of CRASHED, and a subflow of a cancelled parent CRASHED instead of CANCELLED.',
  },
  {
    id: 'command-counter-not-stored',
    operator: 'dropped-write',
    family: 'recovery',
    file: commandApi,
    find: "    writeState(this.context.store, { id: 'command-counter', nextNumber: this.nextNumber });\n",
    replace: '',
    why: 'The next command number is not stored, so after a restart numbering starts at 1 again and collides with commands and instances already made.',
  },
  {
    id: 'logical-clock-not-restored',
    operator: 'inverted-condition',
    family: 'recovery',
    file: referenceEngine,
    find: 'if (storedTimeMs > options.clock.now()) options.clock.advance(',
    replace: 'if (storedTimeMs < options.clock.now()) options.clock.advance(',
    why: 'After a restart the logical clock starts again at 0 instead of where the crashed engine left it.',
  },
  {
    id: 'workers-pause-not-stored',
    operator: 'dropped-write',
    family: 'recovery',
    file: referenceEngine,
    find: "    writeState(this.context.store, { id: 'workers', paused });\n",
    replace: '',
    why: 'Pausing the workers is not stored, so after a restart paused workers take due runs again.',
  },
  {
    id: 'sqlite-delete-not-written',
    operator: 'dropped-write',
    family: 'recovery',
    file: sqliteStore,
    find: '      this.deleteStatement.run(id);\n',
    replace: '',
    why: 'A delete changes only the copy in memory: after a restart deleted rows (consumed commands, runs a deployment update deleted) are back.',
  },
];
