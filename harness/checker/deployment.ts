/**
 * DEPLOY-UPDATE-01, DEPLOY-BACKLOG-02, DEPLOY-SLOT-03, RUN-CONCURRENCY-01, RUN-RETRY-01:
 * deployments keep their backlog, slots and limits (PrefectHQ/prefect#17764, PR #17769).
 */
import { parseRunState, runActiveTypes } from '../../spec/states.ts';
import type { RunAttributes, TransitionEvent } from '../../trace/events.ts';
import type { History } from './history.ts';
import { VerdictBuilder, type ClauseChecker } from './verdict.ts';

/** The run attributes a transition carries, with defaults for an engine that leaves some out. */
function facts(transition: TransitionEvent): RunAttributes {
  const attributes = transition.attributes ?? {};
  return {
    deploymentId: (attributes.deploymentId as string | null | undefined) ?? null,
    runCount: Number(attributes.runCount ?? 0),
    autoScheduled: attributes.autoScheduled === true,
    scheduledStartMs: Number(attributes.scheduledStartMs ?? 0),
    slotMs: (attributes.slotMs as number | null | undefined) ?? null,
    retries: Number(attributes.retries ?? 0),
  };
}

interface RunRemoval {
  id: string;
  seq: number;
  /** Logical time of the removal (ms). */
  timeMs: number;
  /** The engine's cause, or `vanished` when the query API stopped showing the run unannounced. */
  cause: string;
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

export const updateDeletesOnlyFutureScheduled: ClauseChecker = (history) => {
  const verdict = new VerdictBuilder('DEPLOY-UPDATE-01');
  for (const deleted of runRemovals(history)) {
    if (!deleted.cause.startsWith('deployment-update') && deleted.cause !== 'vanished') continue;
    const last = history.stateBefore('run', deleted.id, deleted.seq);
    if (!last) {
      verdict.unknown(`run ${deleted.id} was deleted by an update but the trace never recorded its state`);
      continue;
    }
    const run = facts(last);
    const { type, name } = parseRunState(last.to);
    const reasons: string[] = [];
    if (type !== 'SCHEDULED') reasons.push(`it was ${last.to}`);
    if (name === 'AwaitingConcurrencySlot' || name === 'Late' || name === 'AwaitingRetry') reasons.push(`it was ${name}`);
    if (run.runCount !== 0) reasons.push(`it had run ${run.runCount} time(s)`);
    if (!run.autoScheduled) reasons.push('it was not auto-scheduled');
    if (!(run.scheduledStartMs > deleted.timeMs)) reasons.push(`its start (${run.scheduledStartMs} ms) was not after the update (${deleted.timeMs} ms)`);
    const how = deleted.cause === 'vanished' ? `run ${deleted.id} disappeared from the query API with no deletion recorded` : `deployment update deleted run ${deleted.id}`;
    if (reasons.length > 0) verdict.violation(`${how}, but ${reasons.join('; ')}`, deleted.seq, deleted.id);
  }
  return verdict.build();
};

export const backlogExecuted: ClauseChecker = (history) => {
  const verdict = new VerdictBuilder('DEPLOY-BACKLOG-02');
  const seen = new Set<string>();
  const updates = history.requests.filter((request) => request.op === 'deploy' && request.outcome === 'ok' && request.answer.created === false);
  const removals = runRemovals(history);
  for (const update of updates) {
    const deploymentId = String(update.args.deployment);
    const moment = history.stepBeginBefore(update.seq) ?? update;
    const backlog = new Map<string, TransitionEvent>();
    for (const transition of history.transitions) {
      if (transition.entity !== 'run' || transition.seq > moment.seq) continue;
      backlog.set(transition.id, transition);
    }
    for (const [runId, last] of backlog) {
      if (seen.has(runId)) continue;
      const run = facts(last);
      const { type, name } = parseRunState(last.to);
      if (run.deploymentId !== deploymentId || type !== 'SCHEDULED') continue;
      const isBacklog = name === 'Late' || name === 'AwaitingRetry' || name === 'AwaitingConcurrencySlot' || run.scheduledStartMs <= moment.timeMs;
      if (!isBacklog) continue;
      if (removals.some((removal) => removal.id === runId && removal.seq < moment.seq)) continue;
      seen.add(runId);
      const after = history.transitionsOf('run', runId).filter((transition) => transition.seq > moment.seq);
      const deleted = removals.find((removal) => removal.id === runId && removal.seq > moment.seq);
      const executed = after.find((transition) => parseRunState(transition.to).type === 'RUNNING');
      if (executed && (!deleted || executed.seq < deleted.seq)) continue;
      if (deleted) {
        verdict.violation(`backlog run ${runId} (${last.to}, start ${run.scheduledStartMs} ms) was deleted by the update of ${deploymentId} and never executed`, deleted.seq, runId);
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
  for (const event of history.events) {
    if (event.kind === 'transition' && event.entity === 'run' && event.from === null) {
      const run = facts(event);
      if (run.deploymentId === null || run.slotMs === null) continue;
      const slot = `${run.deploymentId}@${run.slotMs}`;
      slotOf.set(event.id, slot);
      const runs = live.get(slot) ?? new Set<string>();
      runs.add(event.id);
      live.set(slot, runs);
      if (runs.size > 1) verdict.violation(`slot ${slot} has ${runs.size} runs: ${[...runs].join(', ')}`, event.seq, event.id);
    } else if (event.kind === 'delete' && event.entity === 'run') {
      const slot = slotOf.get(event.id);
      if (slot) live.get(slot)?.delete(event.id);
    }
  }
  return verdict.build();
};

export const concurrencyLimitHeld: ClauseChecker = (history) => {
  const verdict = new VerdictBuilder('RUN-CONCURRENCY-01');
  const limits = new Map<string, number | null>();
  const active = new Map<string, Set<string>>();
  for (const event of history.events) {
    if (event.kind === 'request' && event.op === 'deploy' && event.outcome === 'ok') {
      const limit = event.args.concurrencyLimit;
      limits.set(String(event.args.deployment), typeof limit === 'number' ? limit : null);
    }
    if (event.kind !== 'transition' || event.entity !== 'run') continue;
    const deploymentId = facts(event).deploymentId;
    if (deploymentId === null) continue;
    const runs = active.get(deploymentId) ?? new Set<string>();
    active.set(deploymentId, runs);
    const entering = runActiveTypes.includes(parseRunState(event.to).type) && !runs.has(event.id);
    if (runActiveTypes.includes(parseRunState(event.to).type)) runs.add(event.id);
    else runs.delete(event.id);
    const limit = limits.get(deploymentId);
    // Lowering a limit does not stop runs already active; only a run taking a slot over it counts.
    if (entering && limit !== undefined && limit !== null && runs.size > limit) {
      verdict.violation(`deployment ${deploymentId} has ${runs.size} active runs (${[...runs].join(', ')}), over its limit of ${limit}`, event.seq, event.id);
    }
  }
  return verdict.build();
};

export const retriesFollowed: ClauseChecker = (history) => {
  const verdict = new VerdictBuilder('RUN-RETRY-01');
  const attempts = new Map<string, number>();
  for (const transition of history.transitions) {
    if (transition.entity !== 'run') continue;
    const { retries } = facts(transition);
    // An attempt starts RUNNING from PENDING; resuming a PAUSED run is not one (Prefect IncrementFlowRunCount).
    if (parseRunState(transition.to).type === 'RUNNING' && (transition.from === null || parseRunState(transition.from).type === 'PENDING')) {
      const count = (attempts.get(transition.id) ?? 0) + 1;
      attempts.set(transition.id, count);
      if (count > retries + 1) verdict.violation(`run ${transition.id} ran ${count} times with ${retries} retries`, transition.seq, transition.id);
    }
    if (transition.to === 'FAILED' && transition.from !== null && parseRunState(transition.from).type === 'RUNNING') {
      const count = attempts.get(transition.id) ?? 0;
      if (count <= retries) verdict.violation(`run ${transition.id} FAILED after ${count} attempt(s) with ${retries} retries; it should be SCHEDULED/AwaitingRetry`, transition.seq, transition.id);
    }
  }
  return verdict.build();
};
