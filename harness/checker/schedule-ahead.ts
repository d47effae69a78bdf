/**
 * DEPLOY-AHEAD-05: the scheduler makes runs for at most `scheduleAheadCount` slots ahead
 * of the logical clock. A run it makes at logical time `now` for slot `slotMs` must have
 * `slotMs < now + scheduleAheadCount × intervalMs`: the first slot at or after `now` and
 * the count − 1 after it all lie before that, whatever the schedule's anchor. Prefect's
 * scheduler service likewise bounds how far ahead it inserts runs (its max runs and
 * max scheduled time settings).
 *
 * The deployment's schedule comes from the harness's own deploy requests answered ok
 * (with the protocol's defaults). While an update is in flight (its step begun, its
 * answer not yet back) the engine may schedule by either spec, so a run is judged
 * against the more lenient of the two.
 */
import { DeployArgs } from '../../protocol/operations.ts';
import type { History } from './history.ts';
import { RunFacts } from './run-facts.ts';
import { VerdictBuilder, type ClauseChecker } from './verdict.ts';

/** One deploy request answered ok: from when it may act (its step's beginning) and its schedule. */
interface ScheduleSpec {
  sentSeq: number;
  answeredSeq: number;
  intervalMs: number;
  scheduleAheadCount: number;
}

/** Deployment id → its deploy requests answered ok, in trace order. */
function schedulesOf(history: History): Map<string, ScheduleSpec[]> {
  const specs = new Map<string, ScheduleSpec[]>();
  for (const request of history.requests) {
    if (request.op !== 'deploy' || request.outcome !== 'ok') continue;
    const args = DeployArgs.safeParse(request.args);
    if (!args.success) continue;
    const list = specs.get(args.data.deployment) ?? [];
    list.push({
      sentSeq: history.stepBeginBefore(request.seq)?.seq ?? request.seq,
      answeredSeq: request.seq,
      intervalMs: args.data.intervalMs,
      scheduleAheadCount: args.data.scheduleAheadCount,
    });
    specs.set(args.data.deployment, list);
  }
  return specs;
}

/** The latest slot (exclusive, logical ms) a run made at `nowMs` may have under the specs that may be in force at `seq`; null when none is known. */
function slotLimitMs(specs: readonly ScheduleSpec[], seq: number, nowMs: number): number | null {
  const settled = specs.filter((spec) => spec.answeredSeq < seq).at(-1);
  const inFlight = specs.filter((spec) => spec.sentSeq < seq && spec.answeredSeq >= seq);
  const candidates = [...(settled ? [settled] : []), ...inFlight];
  if (candidates.length === 0) return null;
  return Math.max(...candidates.map((spec) => nowMs + spec.scheduleAheadCount * spec.intervalMs));
}

export const scheduleAheadHeld: ClauseChecker = (history) => {
  const verdict = new VerdictBuilder('DEPLOY-AHEAD-05');
  const specs = schedulesOf(history);
  for (const transition of history.transitions) {
    if (transition.entity !== 'run' || transition.from !== null) continue;
    const deploymentId = RunFacts.own(transition, 'deploymentId');
    const slotMs = RunFacts.own(transition, 'slotMs');
    const madeBySchedule = transition.cause === 'scheduler' || RunFacts.own(transition, 'autoScheduled') === true;
    if (!madeBySchedule || typeof deploymentId !== 'string' || typeof slotMs !== 'number') continue;
    const limitMs = slotLimitMs(specs.get(deploymentId) ?? [], transition.seq, transition.timeMs);
    // A deployment the harness never deployed (an engine's own) has no known schedule.
    if (limitMs === null) continue;
    verdict.exercised();
    if (slotMs >= limitMs) {
      verdict.violation(
        `the scheduler made run ${transition.id} for slot ${slotMs} ms at logical time ${transition.timeMs} ms: more than scheduleAheadCount slots ahead of deployment ${deploymentId}'s clock (slots before ${limitMs} ms only)`,
        transition.seq,
        transition.id,
      );
    }
  }
  return verdict.build();
};
