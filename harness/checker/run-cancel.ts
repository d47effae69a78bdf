/**
 * RUN-CANCEL-01..04: cancelling a run ends it, its subflows and its whole process tree
 * within cancelBoundMs, and a failing kill is reported, not retried for ever
 * (PrefectHQ/prefect#17792).
 */
import { isTerminal } from '../../spec/transitions.ts';
import { isParentCancelCause, type TransitionEvent } from '../../trace/events.ts';
import type { History } from './history.ts';
import { VerdictBuilder, type ClauseChecker } from './verdict.ts';

/**
 * Once the query API shows a run CANCELLED, its processes must be seen dead within this
 * (wall ms): the observer reads /proc right after the states, so this is one poll's slack.
 */
export const cancelledSettleMs = 100;

function entries(history: History, to: string): TransitionEvent[] {
  return history.transitions.filter((transition) => transition.entity === 'run' && transition.to === to && transition.from !== to);
}

function cancelledAfter(history: History, runId: string, seq: number): TransitionEvent | undefined {
  return history.transitionsOf('run', runId).find((transition) => transition.seq > seq && transition.seq < history.teardownSeq && transition.to === 'CANCELLED');
}

export const cancellingReachesCancelled: ClauseChecker = (history) => {
  const verdict = new VerdictBuilder('RUN-CANCEL-01');
  const boundMs = history.bounds.cancelBoundMs;
  for (const entered of entries(history, 'CANCELLING')) {
    verdict.exercised();
    const done = cancelledAfter(history, entered.id, entered.seq);
    const deadline = history.deadlineAfter(entered.wallMs, boundMs);
    if (done && done.wallMs <= deadline) continue;
    if (done) {
      verdict.violation(`run ${entered.id} took ${Math.round(done.wallMs - entered.wallMs)} ms from CANCELLING to CANCELLED (bound ${boundMs} ms${history.boundNote(entered.wallMs, boundMs)})`, done.seq, entered.id);
    } else if (history.covers(deadline)) {
      const state = history.transitionsOf('run', entered.id).at(-1)?.to;
      verdict.violation(`run ${entered.id} entered CANCELLING and was still ${state} ${Math.round(deadline - entered.wallMs)} ms later (bound ${boundMs} ms${history.boundNote(entered.wallMs, boundMs)}); it never reached CANCELLED`, entered.seq, entered.id);
    } else {
      verdict.unknown(history.notCovered(deadline, `run ${entered.id}'s cancel bound`));
    }
  }
  return verdict.build();
};

/**
 * The violation needs a sighting: a read of /proc at or after the deadline that found a
 * process of the tree alive (a line of its own, or the `seenAliveWallMs` of a later one).
 * Seen alive only before the deadline proves nothing: lines record changes only, and a
 * death is read a poll later, which under load (or with the engine down) can be well
 * after the deadline. A process neither seen alive since nor seen dead at all is unknown,
 * and kept open so the runner looks again.
 */
export const cancelledTreeDead: ClauseChecker = (history) => {
  const verdict = new VerdictBuilder('RUN-CANCEL-02');
  const boundMs = history.bounds.cancelBoundMs;
  // A cancel starts at CANCELLING, or at CANCELLED when the run went there straight.
  const starts = [...entries(history, 'CANCELLING'), ...entries(history, 'CANCELLED').filter((entered) => entered.from !== 'CANCELLING')];
  for (const entered of starts) {
    const observedCancelled = history.observesBeforeTeardown().find(
      (observe) => observe.entity === 'run' && observe.id === entered.id && observe.seq > entered.seq && observe.state === 'CANCELLED',
    );
    const deadline = history.deadlineAfter(entered.wallMs, boundMs);
    const at = Math.min(deadline, observedCancelled ? observedCancelled.wallMs + cancelledSettleMs : Infinity);
    const tree = history.treeOf(entered.id);
    // A cancelled run none of whose processes was ever seen has no tree to judge.
    if (tree.length > 0) verdict.exercised();
    const alive: Array<{ pid: number; owner: string; seen: NonNullable<ReturnType<History['processSeenAliveFrom']>> }> = [];
    const undecided: Array<{ pid: number; owner: string }> = [];
    for (const { pid, owner } of tree) {
      const seen = history.processSeenAliveFrom(pid, at);
      if (seen) alive.push({ pid, owner, seen });
      else if (!history.processSeenDead(pid) && history.processReadBeforeTeardown(pid)) undecided.push({ pid, owner });
    }
    if (alive.length === 0 && undecided.length === 0) continue;
    if (alive.length === 0) {
      const pids = undecided.map((entry) => `pid ${entry.pid} (${entry.owner})`).join(', ');
      verdict.unknown(
        history.covers(at)
          ? history.notSeenAfter(at, `${pids} of run ${entered.id}'s tree alive or dead`)
          : history.notCovered(at, `run ${entered.id}'s tree can be judged (at ${Math.round(at)} ms)`),
      );
      continue;
    }
    const when =
      observedCancelled && at < deadline
        ? `${cancelledSettleMs} ms after it was read back CANCELLED`
        : `${Math.round(deadline - entered.wallMs)} ms after it entered CANCELLING (bound ${boundMs} ms${history.boundNote(entered.wallMs, boundMs)})`;
    const described = alive.map(({ pid, owner, seen }) => {
      const state = seen.observation.alive && seen.observation.stat !== null ? `, state ${seen.observation.stat}` : '';
      return `pid ${pid} (${owner}, seen alive at ${Math.round(seen.seenWallMs)} ms${state})`;
    });
    verdict.violation(
      `run ${entered.id}: ${alive.length} process(es) of its tree still alive in /proc ${when}, at ${Math.round(at)} ms or later: ${described.join(', ')}`,
      alive[0]!.seen.observation.seq,
      entered.id,
    );
  }
  return verdict.build();
};

export const subflowsCancelled: ClauseChecker = (history) => {
  const verdict = new VerdictBuilder('RUN-CANCEL-03');
  const boundMs = history.bounds.cancelBoundMs;
  const parents = history.transitions.filter(
    (transition) => transition.entity === 'run' && (transition.to === 'CANCELLING' || transition.to === 'CANCELLED') && !isParentCancelCause(transition.cause),
  );
  const judged = new Set<string>();
  for (const parent of parents) {
    const deadline = history.deadlineAfter(parent.wallMs, boundMs);
    for (const subflowId of history.descendantRuns(parent.id)) {
      if (judged.has(subflowId)) continue;
      const before = history.stateBefore('run', subflowId, parent.seq + 1);
      if (before && isTerminal('run', before.to)) continue;
      judged.add(subflowId);
      // The situation: a cancelled parent with at least one subflow not terminal at its cancel.
      verdict.exercisedOnce(`cancel@${parent.seq}`);
      const afterParent = history.transitionsOf('run', subflowId).filter((transition) => transition.seq > parent.seq && transition.seq < history.teardownSeq);
      const done = afterParent.find((transition) => transition.to === 'CANCELLED');
      if (done && done.wallMs <= deadline) continue;
      const later = afterParent.find((transition) => isTerminal('run', transition.to));
      // A read-back alone cannot tell whether a subflow it shows ended on its own did so
      // before the parent's cancel or after it: only an end the engine wrote is judged so.
      if (later && later.to !== 'CANCELLED' && later.cause === 'observed') continue;
      if (later && later.to !== 'CANCELLED' && later.wallMs <= deadline) {
        verdict.violation(`subflow run ${subflowId} of cancelled parent ${parent.id} ended ${later.to}, not CANCELLED`, later.seq, subflowId);
      } else if (done || history.covers(deadline)) {
        const state = history.transitionsOf('run', subflowId).filter((transition) => transition.wallMs <= deadline).at(-1)?.to;
        verdict.violation(`subflow run ${subflowId} of ${parent.id} (${parent.to}) was still ${state} ${Math.round(deadline - parent.wallMs)} ms later (bound ${boundMs} ms${history.boundNote(parent.wallMs, boundMs)})`, parent.seq, subflowId);
      } else {
        verdict.unknown(history.notCovered(deadline, `subflow run ${subflowId}'s cancel bound`));
      }
    }
  }
  return verdict.build();
};

export const killFailuresBounded: ClauseChecker = (history) => {
  const verdict = new VerdictBuilder('RUN-CANCEL-04');
  const failures = new Map<string, number>();
  for (const event of history.events) {
    if (event.kind !== 'process' || event.action !== 'kill-failed') continue;
    if (!event.error) verdict.violation(`a kill of ${event.owner} failed without saying why`, event.seq, event.owner);
    // The situation: an owner whose kill failed (a kill that works leaves nothing to bound).
    verdict.exercisedOnce(event.owner);
    const count = (failures.get(event.owner) ?? 0) + 1;
    failures.set(event.owner, count);
    if (count === history.bounds.killAttemptsMax + 1) {
      verdict.violation(`the kill of ${event.owner} failed ${count} times, more than killAttemptsMax (${history.bounds.killAttemptsMax}): retried without end`, event.seq, event.owner);
    }
  }
  return verdict.build();
};

export const cancelAnswerHonoured: ClauseChecker = (history) => {
  const verdict = new VerdictBuilder('RUN-CANCEL-05');
  const boundMs = history.bounds.cancelBoundMs;
  const cancelling = (state: string | null) => state === 'CANCELLING' || state === 'CANCELLED';
  for (const request of history.requests.filter((candidate) => candidate.op === 'cancel-run' && candidate.outcome === 'ok')) {
    const runId = String(request.args.run);
    verdict.exercised();
    const moment = history.stepBeginBefore(request.seq) ?? request;
    const deadline = history.deadlineAfter(moment.wallMs, boundMs);
    const reads = history.observesBeforeTeardown().filter((observe) => observe.entity === 'run' && observe.id === runId);
    const before = reads.filter((observe) => observe.seq < moment.seq).at(-1);
    const after = reads.find((observe) => observe.seq > moment.seq && cancelling(observe.state));
    if (cancelling(before?.state ?? null) || (after && after.wallMs <= deadline)) continue;
    if (after) {
      verdict.violation(`cancel of run ${runId} was answered ok, but the run was read back ${after.state} only ${Math.round(after.wallMs - moment.wallMs)} ms later (bound ${boundMs} ms)`, after.seq, runId);
    } else if (history.covers(deadline)) {
      const last = reads.filter((observe) => observe.wallMs <= deadline).at(-1);
      verdict.violation(`cancel of run ${runId} was answered ok, yet the run was read back ${last?.state ?? 'never'} and never CANCELLING or CANCELLED within ${boundMs} ms`, request.seq, runId);
    } else {
      verdict.unknown(history.notCovered(deadline, `the cancel of run ${runId} could be seen to take effect`));
    }
  }
  return verdict.build();
};
