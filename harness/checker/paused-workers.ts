/**
 * DEPLOY-PAUSE-04: while the deployment workers are paused, no run of a deployment is
 * taken (leaves a SCHEDULED state for PENDING or RUNNING). Prefect: a paused work pool's
 * workers pick up no flow runs; the runs wait and are marked Late. The pause is the
 * system's state, so it holds across a restart of the engine.
 *
 * When the workers are certainly paused: from the answer `ok` to a `set-workers pause`
 * request (its seq) to the beginning of the step that sends the next resume not answered
 * `fail` (it may act before its answer comes back). A transition the harness derived from read-backs is
 * judged only when the run was read back waiting inside that interval, since a look can
 * find a run taken just before the pause.
 */
import { readRunState } from '../../spec/states.ts';
import type { History } from './history.ts';
import { RunFacts } from './run-facts.ts';
import { VerdictBuilder, type ClauseChecker } from './verdict.ts';

/** An interval of trace positions (seq) in which the workers were certainly paused. */
interface PausedInterval {
  fromSeq: number;
  /** Infinity when no resume followed. */
  toSeq: number;
}

/** The intervals of `history` in which the deployment workers were certainly paused. */
function pausedIntervals(history: History): PausedInterval[] {
  const intervals: PausedInterval[] = [];
  let open: number | null = null;
  for (const request of history.requests) {
    if (request.op !== 'set-workers') continue;
    if (request.args.action === 'pause' && request.outcome === 'ok') {
      open ??= request.seq;
    } else if (request.args.action === 'resume' && request.outcome !== 'fail' && open !== null) {
      const sent = history.stepBeginBefore(request.seq)?.seq ?? request.seq;
      if (sent > open) intervals.push({ fromSeq: open, toSeq: sent });
      open = null;
    }
  }
  if (open !== null) intervals.push({ fromSeq: open, toSeq: Number.POSITIVE_INFINITY });
  return intervals;
}

export const pausedWorkersTakeNoRuns: ClauseChecker = (history) => {
  const verdict = new VerdictBuilder('DEPLOY-PAUSE-04');
  const intervals = pausedIntervals(history);
  if (intervals.length === 0) return verdict.build();
  const facts = new RunFacts(history);
  const within = (seq: number) => intervals.findIndex((interval) => seq > interval.fromSeq && seq < interval.toSeq);
  /** Run id → seq of its last read-back in a SCHEDULED state. */
  const readWaiting = new Map<string, number>();
  for (const event of history.events) {
    if (event.kind === 'observe' && event.entity === 'run' && event.state !== null) {
      if (readRunState(event.state)?.type === 'SCHEDULED') readWaiting.set(event.id, event.seq);
      continue;
    }
    if (event.kind !== 'transition' || event.entity !== 'run' || event.from === null) continue;
    const interval = within(event.seq);
    if (interval < 0) continue;
    const from = readRunState(event.from);
    const to = readRunState(event.to);
    if (from?.type !== 'SCHEDULED' || !facts.attribute(event.id, 'deploymentId', event.seq)) continue;
    // The situation: a deployment's run waiting while the workers are paused, once per pause.
    verdict.exercisedOnce(`pause-${interval}`);
    if (to?.type !== 'PENDING' && to?.type !== 'RUNNING') continue;
    if (event.cause === 'observed' && within(readWaiting.get(event.id) ?? -1) !== interval) continue;
    verdict.violation(`run ${event.id} of deployment ${facts.attribute(event.id, 'deploymentId', event.seq)} was taken (${event.from} → ${event.to}) while the workers were paused`, event.seq, event.id);
  }
  return verdict.build();
};
