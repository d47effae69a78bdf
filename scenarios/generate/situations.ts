/**
 * Situations: short runs of steps that explore draws as one element, because each is a
 * window a defect lives in and independent steps almost never line up on it. Each is a
 * scripted scenario's core (the comment names it), with the entities it needs; the newer
 * ones make their own (`situationIds`), so that no earlier step has taken them. The steps
 * go through the model like any others (`keepValidSteps`), so a situation whose entities
 * are missing is aimed at ones that exist or dropped, and shrinking still yields valid
 * scenarios. A situation needing something the engine under test lacks is not drawn at
 * all, and each brings back an engine the nemesis left crashed or stopped
 * (`situationArbitraryFor`).
 *
 * Awaits in situations are waits (`waitOnly`), as every generated await: whether the
 * entity gets there is for the clauses to judge.
 */
import fc from 'fast-check';
import type { StepInput } from '../schema/steps.ts';
import { firstRunOf, runIds, situationIds, subflows, taskIdOf } from './pools.ts';

/** Wait of a situation's await for the state that opens its window (wall ms). */
const awaitTimeoutMs = 3_000;

/** A situation's await: a wait (`waitOnly`) of awaitTimeoutMs for `target` to be in `state`. */
function waitFor(target: { run: string } | { task: string }, state: string): StepInput {
  return { await: { ...target, state, timeoutMs: awaitTimeoutMs, waitOnly: true } };
}

/**
 * A run started at once whose process lives long enough for the window (30 s), with the
 * id it got. `ignoreSigterm` fixed to true keeps a cancel's kill in its grace period, so
 * the window between the cancel's answer and the kill's end is wide (and shrinking cannot
 * narrow it into a race).
 */
function longRun(ignoreSigterm: fc.Arbitrary<boolean>): fc.Arbitrary<{ id: string; start: StepInput }> {
  return fc
    .record({ run: fc.constantFrom<string>(...runIds), ignoreSigterm, subflows: subflows(0) })
    .map((plan) => ({ id: plan.run, start: { start: { ...plan, durationMs: 30_000 } } }));
}

/**
 * A run of `run` with subflows two levels deep (`<run>.s1.s1` always, siblings at random),
 * every process living 30 s; returns the start step and the deepest subflow's id.
 */
function nestedRun(run: string): fc.Arbitrary<{ start: StepInput; deepest: string }> {
  const long = { durationMs: 30_000 };
  return fc
    .record({ ignoreSigterm: fc.boolean(), secondChild: fc.boolean(), secondGrandchild: fc.boolean() })
    .map(({ ignoreSigterm, secondChild, secondGrandchild }) => {
      const grandchildren = [{ name: 's1', ...long, ignoreSigterm }, ...(secondGrandchild ? [{ name: 's2', ...long, ignoreSigterm }] : [])];
      const children = [{ name: 's1', ...long, ignoreSigterm, subflows: grandchildren }, ...(secondChild ? [{ name: 's2', ...long, ignoreSigterm }] : [])];
      return { start: { start: { run, ...long, ignoreSigterm, subflows: children } }, deepest: `${run}.s1.s1` };
    });
}

/**
 * Brings paused deployment workers back (the model drops it when they are not paused), so
 * that a deployment's run is executed inside the window rather than left Late.
 */
const workersBack: StepInput = { workers: 'resume' };

/** Schedule interval of a situation's deployment: a run now, the next in an hour (logical ms). */
const hourMs = 3_600_000;

/**
 * Steps of the longest situation as drawn (count): six of its own after the two that bring
 * the engine back. A generated list holds at most stepsMax × this.
 */
export const situationStepsMax = 8;

/** Name of the situation that is the nemesis's crash alone. */
const crashAloneName = 'the engine crashes';

/** Each situation with its weight among the others. */
const situations: ReadonlyArray<{ name: string; weight: number; arbitrary: fc.Arbitrary<StepInput[]> }> = [
  {
    // First, so that shrinking can turn any situation into the nemesis's crash alone.
    name: crashAloneName,
    weight: 1,
    arbitrary: fc.constant<StepInput[]>([{ crash: {} }]),
  },
  {
    // crash-between-cancel-ack-and-kill: the engine dies while it still kills the tree.
    name: 'crash between a cancel and its kill',
    weight: 2,
    arbitrary: longRun(fc.constant(true)).map(({ id, start }): StepInput[] => [start, waitFor({ run: id }, 'RUNNING'), { cancel: { run: id } }, { crash: {} }]),
  },
  {
    // worker-killed-under-running-run: the process dies while its run is RUNNING.
    name: 'worker killed under a RUNNING run',
    weight: 2,
    arbitrary: longRun(fc.boolean()).map(({ id, start }): StepInput[] => [start, waitFor({ run: id }, 'RUNNING'), { kill: { run: id } }]),
  },
  {
    // crash-under-running-run: the engine dies while a run is RUNNING.
    name: 'crash under a RUNNING run',
    weight: 2,
    arbitrary: longRun(fc.boolean()).map(({ id, start }): StepInput[] => [start, waitFor({ run: id }, 'RUNNING'), { crash: {} }]),
  },
  {
    // windows-cancel-nested-subflows, posix-cancel-nested-subflows: the cancel comes once
    // the deepest subflow runs, so the kill meets the whole tree (PrefectHQ/prefect#17792).
    name: 'cancel after nested subflows are RUNNING',
    weight: 3,
    arbitrary: nestedRun(situationIds.nestedRun).map(({ start, deepest }): StepInput[] => [
      start,
      waitFor({ run: deepest }, 'RUNNING'),
      { cancel: { run: situationIds.nestedRun } },
    ]),
  },
  {
    // cancel-racing-subflow-spawn: the cancel races the spawn. It comes as soon as the
    // run's own process is RUNNING (which then starts its subflows' processes), at once,
    // or after a short wait: the kill meets subflow processes that have not reported
    // themselves yet, and a subflow may report itself started after its parent is
    // CANCELLING, or after it is CANCELLED.
    name: 'cancel racing the subflow spawn',
    weight: 1,
    arbitrary: fc
      .record({ run: nestedRun(situationIds.racingRun), cancelWhen: fc.constantFrom('root running', 'at once', 'after 100 ms') })
      .map(({ run, cancelWhen }): StepInput[] => {
        const id = situationIds.racingRun;
        const before: StepInput[] =
          cancelWhen === 'root running' ? [waitFor({ run: id }, 'RUNNING')] : cancelWhen === 'after 100 ms' ? [{ sleep: { ms: 100 } }] : [];
        return [run.start, ...before, { cancel: { run: id } }];
      }),
  },
  {
    // cancel-while-kills-fail (PrefectHQ/prefect#17792, "Flow run may not be cancelled."):
    // the run is cancelled while the operating system refuses the kill's signals (the
    // process-signal fault), so its first kill fails and is reported; the fault heals
    // soon, well within the (killAttemptsMax - 1) × cancelRetryDelayMs (500 ms) no fault
    // may outlast (docs/architecture.md "Faults"), and a later attempt ends the tree.
    name: 'cancel while kills fail',
    weight: 2,
    arbitrary: fc
      .record({ ignoreSigterm: fc.boolean(), subflows: subflows(1), healAfterMs: fc.constantFrom(100, 0) })
      .map(({ ignoreSigterm, subflows: plans, healAfterMs }): StepInput[] => {
        const run = situationIds.refusedKillRun;
        return [
          { start: { run, durationMs: 30_000, ignoreSigterm, subflows: plans } },
          waitFor({ run }, 'RUNNING'),
          { fault: { inject: 'process-signal' } },
          { cancel: { run } },
          { sleep: { ms: healAfterMs } },
          { fault: { clear: 'process-signal' } },
        ];
      }),
  },
  {
    // deploy-update-during-awaiting-retry: the deployment is updated while its first run,
    // attempted once, waits for a retry whose start is still in the future; then the clock
    // passes the retry and the run must run again (not be deleted as a future Scheduled run).
    name: 'deployment updated while a run awaits its retry',
    weight: 2,
    arbitrary: fc
      .record({ retries: fc.constantFrom(1, 2), scheduleAheadCount: fc.constantFrom(2, 3), updatedAheadCount: fc.constantFrom(2, 3) })
      .map(({ retries, scheduleAheadCount, updatedAheadCount }): StepInput[] => {
        const deployment = situationIds.retryingDeployment;
        const spec = { deployment, intervalMs: hourMs, retries, retryDelayMs: 60_000, run: { durationMs: 200, exitCodes: [1, 0] } };
        const firstRun = firstRunOf(deployment, 0);
        return [
          workersBack,
          { deploy: { ...spec, scheduleAheadCount } },
          waitFor({ run: firstRun }, 'SCHEDULED/AwaitingRetry'),
          { deploy: { ...spec, scheduleAheadCount: updatedAheadCount } },
          { advance: { ms: 80_000 } },
          waitFor({ run: firstRun }, 'COMPLETED'),
        ];
      }),
  },
  {
    // no-retry-run-fails-then-clock-advances: a run with no retries fails, and the clock
    // then moves far past any retry delay (within the hour, so no new slot comes due): it
    // must stay FAILED, never AwaitingRetry, never run again.
    name: 'a run without retries fails, then long clock advances',
    weight: 2,
    arbitrary: fc.array(fc.constantFrom(1_200_000, 600_000), { minLength: 2, maxLength: 2 }).map((advances): StepInput[] => {
      const deployment = situationIds.failingDeployment;
      return [
        workersBack,
        { deploy: { deployment, intervalMs: hourMs, retries: 0, retryDelayMs: 60_000, scheduleAheadCount: 1, run: { durationMs: 200, exitCodes: [1] } } },
        waitFor({ run: firstRunOf(deployment, 0) }, 'FAILED'),
        ...advances.map((ms): StepInput => ({ advance: { ms } })),
        { sleep: { ms: 300 } },
      ];
    }),
  },
  {
    // late-runs-after-workers-resume and clock-across-a-restart: while the workers are
    // paused the clock passes a deployment's slots (the newest by 5 or 10 s, under
    // lateAfterMs, or by 30 s), so runs are marked Late (each only once due long enough)
    // and none is taken; with a crash, the pause must outlive the engine. Then the
    // workers come back and take the backlog.
    name: 'runs come due while the workers are paused',
    weight: 2,
    arbitrary: fc.record({ firstAdvanceMs: fc.constantFrom(65_000, 70_000, 90_000), crash: fc.boolean() }).map(({ firstAdvanceMs, crash }): StepInput[] => [
      { workers: 'pause' },
      { deploy: { deployment: situationIds.pausedDeployment, intervalMs: 60_000, scheduleAheadCount: 2, run: { durationMs: 100 } } },
      { advance: { ms: firstAdvanceMs } },
      ...(crash ? [{ crash: {} }, { restart: {} }] : [{ advance: { ms: 10_000 } }]),
      workersBack,
    ]),
  },
  {
    // terminate-while-archive-listener-fails (conductor-oss/conductor#303): the terminate
    // comes while the archive listener throws, then the listener's store is healed.
    name: 'terminate while the archive listener fails',
    weight: 2,
    arbitrary: fc.record({ ignoreSigterm: fc.boolean(), shortFirst: fc.boolean() }).map(({ ignoreSigterm, shortFirst }): StepInput[] => {
      const workflow = situationIds.archivedWorkflow;
      // With a short first task, the terminate meets the second one IN_PROGRESS (the upstream report).
      const durations = shortFirst ? [100, 30_000] : [30_000];
      const tasks = durations.map((durationMs, index) => ({ task: taskIdOf(workflow, index), durationMs, ignoreSigterm }));
      return [
        { startWorkflow: { workflow, tasks } },
        waitFor({ task: tasks.at(-1)!.task }, 'IN_PROGRESS'),
        { fault: { inject: 'archive-listener' } },
        { terminate: { workflow } },
        { sleep: { ms: 300 } },
        { fault: { clear: 'archive-listener' } },
      ];
    }),
  },
  {
    // terminate-twice (Conductor PR #766): a second terminate of the TERMINATED workflow
    // must be a no-op answered with success.
    name: 'a workflow terminated twice',
    weight: 3,
    arbitrary: fc.constant<StepInput[]>([
      { startWorkflow: { workflow: situationIds.terminatedTwiceWorkflow, tasks: [{ task: taskIdOf(situationIds.terminatedTwiceWorkflow, 0), durationMs: 30_000 }] } },
      waitFor({ task: taskIdOf(situationIds.terminatedTwiceWorkflow, 0) }, 'IN_PROGRESS'),
      { terminate: { workflow: situationIds.terminatedTwiceWorkflow } },
      { terminate: { workflow: situationIds.terminatedTwiceWorkflow } },
    ]),
  },
  {
    // worker-killed-under-in-progress-task: a task's worker process dies while it is
    // IN_PROGRESS. Then a wait for the engine to take the loss in (FAILED), so that a
    // terminate drawn next does not race it.
    name: 'worker killed under an IN_PROGRESS task',
    weight: 3,
    arbitrary: fc.boolean().map((ignoreSigterm): StepInput[] => {
      const workflow = situationIds.killedWorkflow;
      const task = taskIdOf(workflow, 0);
      return [
        { startWorkflow: { workflow, tasks: [{ task, durationMs: 30_000, ignoreSigterm }] } },
        waitFor({ task }, 'IN_PROGRESS'),
        { kill: { task } },
        waitFor({ task }, 'FAILED'),
      ];
    }),
  },
  {
    // burst-while-consumers-change (apache/dolphinscheduler#16572): masters take a burst
    // while one joins and one leaves, so the slots of those that stay shift mid-burst.
    name: 'a master leaves in the middle of a burst',
    weight: 1,
    arbitrary: fc
      .record({ consumers: fc.constantFrom(2, 3, 1), requests: fc.integer({ min: 60, max: 200 }), joinFirst: fc.boolean() })
      .map(({ consumers, requests, joinFirst }): StepInput[] => [
        { consumers: { count: consumers } },
        {
          burst: {
            requests,
            batchSize: 20,
            membership: [
              ...(joinFirst ? [{ afterRequests: Math.floor(requests / 3), consumers: consumers + 1 }] : []),
              { afterRequests: Math.floor((requests * 2) / 3), consumers: consumers - 1 },
            ],
          },
        },
      ]),
  },
  {
    // crash-right-after-burst (apache/dolphinscheduler#13355): the engine dies right after
    // acknowledging a burst, while masters may still hold the commands they fetched.
    name: 'crash right after a burst',
    weight: 2,
    arbitrary: fc
      .record({ consumers: fc.constantFrom(2, 1, 3), requests: fc.integer({ min: 60, max: 300 }), batchSize: fc.constantFrom(50, 100) })
      .map(({ consumers, requests, batchSize }): StepInput[] => [{ consumers: { count: consumers } }, { burst: { requests, batchSize } }, { crash: {} }]),
  },
];

/** Names of the situations, in draw order. */
export const situationNames: readonly string[] = situations.map(({ name }) => name);

/** Steps that bring a crashed or stopped engine back; the model keeps at most one of them. */
const engineBackSteps: readonly StepInput[] = [{ restart: {} }, { resume: {} }];

/** Values of each situation looked at to tell what it needs of an engine (count). */
const requirementSamples = 20;

/**
 * One situation's steps, weighted, among the situations every step of which the engine
 * can perform (`applies`, as in `GeneratedScenarioOptions`; every situation when absent);
 * null when none can be. What a situation needs is read off a few of its values (fixed
 * seed): its values differ in bodies, and in optional steps that need no more than the
 * others (a sleep, an await).
 */
export function situationArbitraryFor(applies?: (step: StepInput) => boolean): fc.Arbitrary<StepInput[]> | null {
  const possible =
    applies === undefined ? situations : situations.filter(({ arbitrary }) => fc.sample(arbitrary, { seed: 0, numRuns: requirementSamples }).every((steps) => steps.every(applies)));
  if (possible.length === 0) return null;
  // The nemesis may have left the engine crashed or stopped, and then the model drops
  // every step that talks to it: a situation brings it back first (the model drops these
  // steps when the engine is up), save the crash alone. A restart only where the engine
  // can be restarted.
  const engineBack = applies === undefined ? engineBackSteps : engineBackSteps.filter(applies);
  const crashAlone = situations.find(({ name }) => name === crashAloneName);
  return fc.oneof(
    { withCrossShrink: true },
    ...possible.map((situation) => ({
      weight: situation.weight,
      arbitrary: situation === crashAlone ? situation.arbitrary : situation.arbitrary.map((steps) => [...engineBack, ...steps]),
    })),
  );
}
