/**
 * RUN-LATE-01: a SCHEDULED run is marked Late (SCHEDULED/Late) only once its scheduled
 * start is more than `lateAfterMs` in the past on the logical clock (Prefect's
 * MarkLateRuns service marks runs whose expected start is older than
 * PREFECT_API_SERVICES_LATE_RUNS_AFTER_SECONDS). Judged at the logical time of the
 * transition into Late; one derived from read-backs has the look's time, which can only
 * be later than the marking, so it is never judged more strictly.
 */
import { readRunState } from '../../spec/states.ts';
import type { History } from './history.ts';
import { missingAttributes, RunFacts } from './run-facts.ts';
import { VerdictBuilder, type ClauseChecker } from './verdict.ts';

export const lateOnlyAfterThreshold: ClauseChecker = (history: History) => {
  const verdict = new VerdictBuilder('RUN-LATE-01');
  const facts = new RunFacts(history);
  const { lateAfterMs } = history.bounds;
  for (const transition of history.transitions) {
    if (transition.entity !== 'run' || transition.from === transition.to) continue;
    const to = readRunState(transition.to);
    if (to?.type !== 'SCHEDULED' || to.name !== 'Late') continue;
    verdict.exercised();
    const startMs = facts.attribute(transition.id, 'scheduledStartMs', transition.seq);
    if (startMs === undefined) {
      verdict.unknown(`whether run ${transition.id} was marked Late too soon cannot be told: ${missingAttributes(transition.id, ['scheduledStartMs'])}`);
      continue;
    }
    const pastMs = transition.timeMs - startMs;
    if (pastMs <= lateAfterMs) {
      verdict.violation(
        `run ${transition.id} was marked Late at logical time ${transition.timeMs} ms, ${pastMs} ms after its scheduled start (${startMs} ms): not more than lateAfterMs (${lateAfterMs} ms)`,
        transition.seq,
        transition.id,
      );
    }
  }
  return verdict.build();
};
