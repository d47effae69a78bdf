/**
 * Expectations a scenario states itself: an `await` with its timeout. One that times out
 * is never a silent pass. An await that names the clause it stands for (`clause`) makes
 * its timeout a violation of that clause; one that is only a wait (`waitOnly`, as the
 * generated ones are) lets the scenario go on; any other leaves the scenario
 * inconclusive, with the step named as the reason (it could not set up what it meant to
 * check).
 */
import type { Violation } from '../result.ts';
import { AwaitStep, awaitTarget } from '../../scenarios/steps/await.ts';
import type { StepEvent, TraceEvent } from '../../trace/events.ts';

type AwaitStepBody = ReturnType<typeof AwaitStep.parse>;

export interface UnmetExpectations {
  /** Violations by the clause the timed-out await stands for. */
  byClause: Map<string, Violation[]>;
  /** Why the scenario cannot be judged: timed-out awaits that name no clause. */
  undecided: string[];
}

/** The entity id an await names, and the step in words. */
function describeAwait(index: number, body: AwaitStepBody): { id: string; what: string } {
  const { entity, id } = awaitTarget(body);
  return { id, what: `step ${index} (await ${entity} ${id} ${body.state}) was not met within ${body.timeoutMs} ms` };
}

/** The awaits of `events` that timed out, sorted into violations and undecided reasons. */
export function unmetExpectations(events: readonly TraceEvent[]): UnmetExpectations {
  const byClause = new Map<string, Violation[]>();
  const undecided: string[] = [];
  for (const event of events) {
    if (event.kind !== 'step' || event.phase !== 'end' || event.outcome !== 'timeout') continue;
    const parsed = AwaitStep.safeParse((event as StepEvent).step.await);
    if (!parsed.success || parsed.data.waitOnly === true) continue;
    const body = parsed.data;
    const { id, what } = describeAwait(event.index, body);
    if (body.clause !== undefined) {
      const violation: Violation = { clauseId: body.clause, message: `${what}: the scenario states it as ${body.clause}`, seq: event.seq, entity: id };
      byClause.set(body.clause, [...(byClause.get(body.clause) ?? []), violation]);
    } else {
      undecided.push(`${what}, and it names no clause it stands for`);
    }
  }
  return { byClause, undecided };
}
