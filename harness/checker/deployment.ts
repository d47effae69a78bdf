/**
 * DEPLOY-UPDATE-01, DEPLOY-BACKLOG-02, DEPLOY-SLOT-03, RUN-CONCURRENCY-01, RUN-RETRY-01:
 * deployments keep their backlog, slots and limits (PrefectHQ/prefect#17764, PR #17769).
 * They are judged on the run attributes (run-facts.ts); a clause that needs one the
 * trace left out says 'unknown' and names it.
 */
import { incrementsRunCount, readRunState, resumingAfter, runActiveTypes, type RunState } from '../../spec/states.ts';
import { isTerminal } from '../../spec/transitions.ts';
import type { DeleteCause, RequestEvent, TraceEvent, TransitionEvent } from '../../trace/events.ts';
import type { History } from './history.ts';
import { missingAttributes, RunFacts, type RunAttributeName } from './run-facts.ts';
import { VerdictBuilder, type ClauseChecker } from './verdict.ts';

interface RunRemoval {
  id: string;
  seq: number;
  /** Logical time of the removal (ms). */
  timeMs: number;
  /** The engine's cause, or `vanished` when the query API stopped showing the run unannounced. */
  cause: DeleteCause | 'vanished';
}

/** The delete cause a deployment update gives the runs it deletes. */
const deploymentUpdateCause: DeleteCause = 'deployment-update';

/**
 * The run state a transition leads to, or undefined (with an 'unknown' reason) for a
 * name the spec does not know; TRANSITION-01 reports the name itself.
 */
function runStateOf(verdict: VerdictBuilder, transition: TransitionEvent): RunState | undefined {
  const state = readRunState(transition.to);
  if (!state) verdict.unknown(`run ${transition.id} is in '${transition.to}', which is not a run state, so its facts cannot be judged`);
  return state;
}

/**
 * Runs removed: deletions the engine recorded, and runs the query API stopped showing
 * (before teardown) with no deletion recorded, so an engine cannot hide a delete by not
 * writing it.
 */
function runRemovals(history: History): RunRemoval[] {
  const removals: RunRemoval[] = [];
  const announced = new Set<string>();
  for (const event of history.events) {
    if (event.kind === 'delete' && event.entity === 'run') {
      announced.add(event.id);
      removals.push({ id: event.id, seq: event.seq, timeMs: event.timeMs, cause: event.cause });
    } else if (event.kind === 'observe' && event.entity === 'run' && event.state === null && event.seq < history.teardownSeq && !announced.has(event.id)) {
      announced.add(event.id);
      removals.push({ id: event.id, seq: event.seq, timeMs: event.timeMs, cause: 'vanished' });
    }
  }
  return removals;
}

/** Deployment updates the engine answered ok: deploys of a deployment that already existed. */
function deploymentUpdates(history: History): RequestEvent[] {
  return history.requests.filter((request) => request.op === 'deploy' && request.outcome === 'ok' && request.answer.created === false);
}

/**
 * The last transition of each run before trace position `seq` (at or before it when
 * `inclusive`), by run id in the order the runs first appear.
 */
function lastRunTransitionsBefore(history: History, seq: number, { inclusive }: { inclusive: boolean }): Map<string, TransitionEvent> {
  const last = new Map<string, TransitionEvent>();
  for (const transition of history.transitions) {
    if (transition.entity === 'run' && (inclusive ? transition.seq <= seq : transition.seq < seq)) last.set(transition.id, transition);
  }
  return last;
}

/**
 * The runs a deployment update had to delete or keep: runs of its deployment present and
 * not terminal when the update's step began (by their `deploymentId`, or named by a
 * delete the update made). Empty for an update of a deployment with no such run.
 */
function runsBeforeUpdate(history: History, facts: RunFacts, update: RequestEvent, removals: readonly RunRemoval[]): Set<string> {
  const deploymentId = String(update.args.deployment);
  const moment = history.stepBeginBefore(update.seq) ?? update;
  const runs = new Set<string>();
  for (const [runId, transition] of lastRunTransitionsBefore(history, moment.seq, { inclusive: false })) {
    if (isTerminal('run', transition.to) || removals.some((removal) => removal.id === runId && removal.seq < moment.seq)) continue;
    if (facts.attribute(runId, 'deploymentId', transition.seq) === deploymentId) runs.add(runId);
  }
  for (const event of history.events) {
    if (event.seq > moment.seq && event.seq < update.seq && event.kind === 'delete' && event.entity === 'run' && event.cause === deploymentUpdateCause && event.deploymentId === deploymentId) runs.add(event.id);
  }
  return runs;
}

/**
 * Checks that count runs at once (active runs of a deployment, runs of a slot), made when
 * the look they belong to is over. A look (one read of the query API) is one snapshot,
 * but its lines come one by one, a run that appeared before one that went; so a count
 * taken in the middle of a look is no state the engine was ever in. Lines of no look
 * (the engine's own transitions, or a trace without look numbers) are checked at once.
 */
class LookChecks {
  private look: number | undefined;
  private readonly pending = new Map<string, () => void>();

  constructor(private readonly history: History) {}

  /** Call with each event before handling it: a line of another look ends the one before. */
  next(event: TraceEvent): void {
    const look = this.history.lookOf(event);
    if (look === undefined || look !== this.look) this.flush();
    this.look = look;
  }

  /** Run `check` now, or, for a line of a look, once that look is over (one check per `key` and look). */
  check(event: TraceEvent, key: string, check: () => void): void {
    if (this.history.lookOf(event) === undefined) check();
    else this.pending.set(key, check);
  }

  flush(): void {
    for (const check of this.pending.values()) check();
    this.pending.clear();
  }
}

export const updateDeletesOnlyFutureScheduled: ClauseChecker = (history) => {
  const verdict = new VerdictBuilder('DEPLOY-UPDATE-01');
  const facts = new RunFacts(history);
  const removals = runRemovals(history);
  // The situation: an update that had runs to delete or keep, counted once per update;
  // and any other removal judged below (a run that vanished, or a delete by an update the
  // trace holds no request of), once per run.
  const considered = new Set<string>();
  for (const update of deploymentUpdates(history)) {
    const runs = runsBeforeUpdate(history, facts, update, removals);
    if (runs.size > 0) verdict.exercised();
    for (const runId of runs) considered.add(runId);
  }
  for (const deleted of removals) {
    if (deleted.cause !== deploymentUpdateCause && deleted.cause !== 'vanished') continue;
    if (!considered.has(deleted.id)) verdict.exercised();
    const last = history.stateBefore('run', deleted.id, deleted.seq);
    if (!last) {
      verdict.unknown(`run ${deleted.id} was deleted by an update but the trace never recorded its state`);
      continue;
    }
    const state = runStateOf(verdict, last);
    if (!state) continue;
    const reasons: string[] = [];
    const missing: RunAttributeName[] = [];
    if (state.type !== 'SCHEDULED') reasons.push(`it was ${last.to}`);
    if (state.name === 'AwaitingConcurrencySlot' || state.name === 'Late' || state.name === 'AwaitingRetry') reasons.push(`it was ${state.name}`);
    const runCount = facts.runCount(deleted.id, last.seq);
    if (runCount === undefined) missing.push('runCount');
    else if (runCount !== 0) reasons.push(`it had run ${runCount} time(s)`);
    const autoScheduled = facts.attribute(deleted.id, 'autoScheduled', last.seq);
    if (autoScheduled === undefined) missing.push('autoScheduled');
    else if (!autoScheduled) reasons.push('it was not auto-scheduled');
    const scheduledStartMs = facts.attribute(deleted.id, 'scheduledStartMs', last.seq);
    if (scheduledStartMs === undefined) missing.push('scheduledStartMs');
    else if (!(scheduledStartMs > deleted.timeMs)) reasons.push(`its start (${scheduledStartMs} ms) was not after the update (${deleted.timeMs} ms)`);
    const how = deleted.cause === 'vanished' ? `run ${deleted.id} disappeared from the query API with no deletion recorded` : `deployment update deleted run ${deleted.id}`;
    if (reasons.length > 0) verdict.violation(`${how}, but ${reasons.join('; ')}`, deleted.seq, deleted.id);
    else if (missing.length > 0) verdict.unknown(`${how}; whether it could be deleted cannot be told: ${missingAttributes(deleted.id, missing)}`);
  }
  return verdict.build();
};

export const backlogExecuted: ClauseChecker = (history) => {
  const verdict = new VerdictBuilder('DEPLOY-BACKLOG-02');
  const facts = new RunFacts(history);
  const seen = new Set<string>();
  /** Runs already reported as lacking an attribute, so each is named once. */
  const undecided = new Set<string>();
  const removals = runRemovals(history);
  for (const update of deploymentUpdates(history)) {
    const deploymentId = String(update.args.deployment);
    const moment = history.stepBeginBefore(update.seq) ?? update;
    for (const [runId, last] of lastRunTransitionsBefore(history, moment.seq, { inclusive: true })) {
      if (seen.has(runId) || undecided.has(runId)) continue;
      const state = runStateOf(verdict, last);
      if (!state || state.type !== 'SCHEDULED') continue;
      const runDeployment = facts.attribute(runId, 'deploymentId', last.seq);
      if (runDeployment === undefined) {
        undecided.add(runId);
        verdict.unknown(`whether SCHEDULED run ${runId} was in the backlog of ${deploymentId} cannot be told: ${missingAttributes(runId, ['deploymentId'])}`);
        continue;
      }
      if (runDeployment !== deploymentId) continue;
      const scheduledStartMs = facts.attribute(runId, 'scheduledStartMs', last.seq);
      const overdue = state.name === 'Late' || state.name === 'AwaitingRetry' || state.name === 'AwaitingConcurrencySlot';
      if (!overdue && scheduledStartMs === undefined) {
        undecided.add(runId);
        verdict.unknown(`whether run ${runId} of ${deploymentId} was due (backlog) at the update cannot be told: ${missingAttributes(runId, ['scheduledStartMs'])}`);
        continue;
      }
      if (!overdue && !(scheduledStartMs! <= moment.timeMs)) continue;
      if (removals.some((removal) => removal.id === runId && removal.seq < moment.seq)) continue;
      // The situation: an update with a backlog, counted once per update.
      verdict.exercisedOnce(`update@${update.seq}`);
      seen.add(runId);
      const after = history.transitionsOf('run', runId).filter((transition) => transition.seq > moment.seq);
      const deleted = removals.find((removal) => removal.id === runId && removal.seq > moment.seq);
      const executed = after.find((transition) => readRunState(transition.to)?.type === 'RUNNING');
      if (executed && (!deleted || executed.seq < deleted.seq)) continue;
      if (deleted) {
        const start = scheduledStartMs === undefined ? 'start not given' : `start ${scheduledStartMs} ms`;
        verdict.violation(`backlog run ${runId} (${last.to}, ${start}) was deleted by the update of ${deploymentId} and never executed`, deleted.seq, runId);
      } else {
        verdict.unknown(`backlog run ${runId} had not been executed when the trace ended`);
      }
    }
  }
  return verdict.build();
};

export const oneRunPerSlot: ClauseChecker = (history) => {
  const verdict = new VerdictBuilder('DEPLOY-SLOT-03');
  const live = new Map<string, Set<string>>();
  const slotOf = new Map<string, string>();
  const looks = new LookChecks(history);
  for (const event of history.events) {
    looks.next(event);
    if (event.kind === 'transition' && event.entity === 'run' && event.from === null) {
      const deploymentId = RunFacts.own(event, 'deploymentId');
      const slotMs = RunFacts.own(event, 'slotMs');
      // Null says "no deployment" or "made by hand": such a run fills no schedule slot.
      if (deploymentId === null || slotMs === null) continue;
      // Only the scheduler fills slots. A run with a slot left out is judged only when
      // the trace says the scheduler made it (its cause, or autoScheduled); any other
      // run is one made by hand, which fills none.
      const madeBySchedule = event.cause === 'scheduler' || RunFacts.own(event, 'autoScheduled') === true;
      if ((deploymentId === undefined || slotMs === undefined) && !madeBySchedule) continue;
      if (deploymentId === undefined || slotMs === undefined) {
        const missing: RunAttributeName[] = [...(deploymentId === undefined ? ['deploymentId' as const] : []), ...(slotMs === undefined ? ['slotMs' as const] : [])];
        verdict.unknown(
          `which schedule slot run ${event.id} fills cannot be told: the scheduler made it, but ${missingAttributes(event.id, missing)}`,
        );
        continue;
      }
      const slot = `${deploymentId}@${slotMs}`;
      slotOf.set(event.id, slot);
      // The situation: a schedule slot that got a run, counted once per slot.
      verdict.exercisedOnce(slot);
      const runs = live.get(slot) ?? new Set<string>();
      runs.add(event.id);
      live.set(slot, runs);
      looks.check(event, slot, () => {
        if (runs.size > 1) verdict.violation(`slot ${slot} has ${runs.size} runs: ${[...runs].join(', ')}`, event.seq, event.id);
      });
    } else if ((event.kind === 'delete' || (event.kind === 'observe' && event.state === null && event.seq < history.teardownSeq)) && event.entity === 'run') {
      // Deleted, or read back gone (an engine that writes no deletes).
      const slot = slotOf.get(event.id);
      if (slot) live.get(slot)?.delete(event.id);
    }
  }
  looks.flush();
  return verdict.build();
};

export const concurrencyLimitHeld: ClauseChecker = (history) => {
  const verdict = new VerdictBuilder('RUN-CONCURRENCY-01');
  const facts = new RunFacts(history);
  const limits = new Map<string, number | null>();
  const active = new Map<string, Set<string>>();
  const undecided = new Set<string>();
  const looks = new LookChecks(history);
  for (const event of history.events) {
    looks.next(event);
    if (event.kind === 'request' && event.op === 'deploy' && event.outcome === 'ok') {
      const limit = event.args.concurrencyLimit;
      limits.set(String(event.args.deployment), typeof limit === 'number' ? limit : null);
    }
    if (event.kind !== 'transition' || event.entity !== 'run') continue;
    const deploymentId = facts.attribute(event.id, 'deploymentId', event.seq);
    if (deploymentId === null) continue;
    // Only a limit can be broken: without one in force, a run of unknown deployment cannot break it.
    const anyLimit = [...limits.values()].some((limit) => limit !== null);
    if (deploymentId === undefined && !anyLimit) continue;
    const state = runStateOf(verdict, event);
    if (!state) continue;
    const isActive = runActiveTypes.includes(state.type);
    if (deploymentId === undefined) {
      if (isActive && !undecided.has(event.id)) {
        undecided.add(event.id);
        verdict.unknown(`which deployment's limit active run ${event.id} counts against cannot be told: ${missingAttributes(event.id, ['deploymentId'])}`);
      }
      continue;
    }
    const runs = active.get(deploymentId) ?? new Set<string>();
    active.set(deploymentId, runs);
    const entering = isActive && !runs.has(event.id);
    if (isActive) runs.add(event.id);
    else runs.delete(event.id);
    const limit = limits.get(deploymentId);
    // The situation: a run taking a place among its deployment's active runs while a limit applies.
    if (entering && limit !== undefined && limit !== null) verdict.exercised();
    // Lowering a limit does not stop runs already active; only a run taking a slot over it counts.
    if (entering && limit !== undefined && limit !== null) {
      looks.check(event, deploymentId, () => {
        if (runs.size > limit) verdict.violation(`deployment ${deploymentId} has ${runs.size} active runs (${[...runs].join(', ')}), over its limit of ${limit}`, event.seq, event.id);
      });
    }
  }
  looks.flush();
  return verdict.build();
};

export const retriesFollowed: ClauseChecker = (history) => {
  const verdict = new VerdictBuilder('RUN-RETRY-01');
  const facts = new RunFacts(history);
  const attempts = new Map<string, number>();
  const undecided = new Set<string>();
  /** Runs coming back from Suspended through SCHEDULED/Resuming: their next RUNNING is no new attempt. */
  const resuming = new Map<string, boolean>();
  for (const transition of history.transitions) {
    if (transition.entity !== 'run' || !runStateOf(verdict, transition)) continue;
    const retries = facts.attribute(transition.id, 'retries', transition.seq);
    const needRetries = (why: string) => {
      if (undecided.has(transition.id)) return;
      undecided.add(transition.id);
      verdict.unknown(`whether run ${transition.id} ${why} was allowed cannot be told: ${missingAttributes(transition.id, ['retries'])}`);
    };
    // An attempt is an entry into RUNNING that adds to Prefect's run_count; resuming a PAUSED run is not one.
    const wasResuming = resuming.get(transition.id) ?? false;
    resuming.set(transition.id, resumingAfter(wasResuming, transition.from, transition.to));
    // What the engine says the run has made (its run count, or `attempts` read back) counts too:
    // a look can miss an attempt that came and went between two reads.
    const shown = RunFacts.own(transition, 'runCount') ?? 0;
    if (shown > (attempts.get(transition.id) ?? 0) && !incrementsRunCount(transition.from, transition.to, wasResuming)) attempts.set(transition.id, shown);
    if (incrementsRunCount(transition.from, transition.to, wasResuming)) {
      const count = Math.max((attempts.get(transition.id) ?? 0) + 1, shown);
      attempts.set(transition.id, count);
      if (count > 1 && retries === undefined) needRetries(`running ${count} times`);
      else if (retries !== undefined && count > retries + 1) {
        // Run out of retries, and attempted all the same.
        verdict.exercised();
        verdict.violation(`run ${transition.id} ran ${count} times with ${retries} retries`, transition.seq, transition.id);
      }
    }
    // The situation: an attempt that failed (retried or failed for good), with retries left or none.
    // Back to AwaitingRetry from RUNNING is a retry; with every retry used up it may not happen.
    if (transition.to === 'SCHEDULED/AwaitingRetry' && transition.from !== null && readRunState(transition.from)?.type === 'RUNNING') {
      verdict.exercised();
      const count = attempts.get(transition.id) ?? 0;
      if (retries === undefined) needRetries(`being retried after ${count} attempt(s)`);
      else if (count > retries) verdict.violation(`run ${transition.id} went back to SCHEDULED/AwaitingRetry after ${count} attempt(s) with ${retries} retries: it had none left and should be FAILED`, transition.seq, transition.id);
    }
    if (transition.to === 'FAILED' && transition.from !== null && readRunState(transition.from)?.type === 'RUNNING') {
      verdict.exercised();
      const count = attempts.get(transition.id) ?? 0;
      // Counted from read-backs alone, attempts missed between two looks are not in `count`.
      const countIsLowerBound = transition.cause === 'observed' && RunFacts.own(transition, 'runCount') === undefined;
      if (retries === undefined) needRetries(`failing for good after ${count} attempt(s)`);
      else if (countIsLowerBound && count <= retries) needRetries(`failing for good after at least ${count} attempt(s)`);
      else if (count <= retries) verdict.violation(`run ${transition.id} FAILED after ${count} attempt(s) with ${retries} retries; it should be SCHEDULED/AwaitingRetry`, transition.seq, transition.id);
    }
  }
  judgeAttemptsReadBack(history, facts, verdict);
  return verdict.build();
};

/**
 * RUN-RETRY-01 from outside: every read-back of a run that shows its `attempts` is judged
 * on its own, so a run that is retried past its retries is caught even when no look saw
 * it RUNNING between two failures (the state read back did not change, its attempts did).
 * Each run is reported once.
 */
function judgeAttemptsReadBack(history: History, facts: RunFacts, verdict: VerdictBuilder): void {
  const reported = new Set<string>();
  for (const observe of history.observesBeforeTeardown()) {
    if (observe.entity !== 'run' || observe.attempts === undefined || reported.has(observe.id)) continue;
    const retries = observe.attributes?.retries ?? facts.attribute(observe.id, 'retries', observe.seq);
    if (retries === undefined) continue;
    const overRetries = observe.attempts > retries + 1;
    const retriedWithNoneLeft = observe.state === 'SCHEDULED/AwaitingRetry' && observe.attempts > retries;
    if (!overRetries && !retriedWithNoneLeft) continue;
    reported.add(observe.id);
    verdict.exercised();
    verdict.violation(
      overRetries
        ? `run ${observe.id} was read back with ${observe.attempts} attempts made, with ${retries} retries (at most ${retries + 1})`
        : `run ${observe.id} was read back SCHEDULED/AwaitingRetry after ${observe.attempts} attempt(s) with ${retries} retries: it had none left and should be FAILED`,
      observe.seq,
      observe.id,
    );
  }
}
