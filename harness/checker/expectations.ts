/**
 * Expectations a scenario states itself: an `await` with its timeout. One that times out
 * is never a silent pass. An await that names the clause it stands for (`clause`) makes
 * its timeout a violation of that clause; one that is only a wait (`waitOnly`, as the
 * generated ones are) lets the scenario go on; any other leaves the scenario
 * inconclusive, with the step named as the reason (it could not set up what it meant to
 * check).
 */
import type { Violation } from '../result.ts';
import type { StepEvent, TraceEvent } from '../../trace/events.ts';

export interface UnmetExpectations {
  /** Violations by the clause the timed-out await stands for. */
  byClause: Map<string, Violation[]>;
  /** Why the scenario cannot be judged: timed-out awaits that name no clause. */
  undecided: string[];
}

interface AwaitBody {
  state?: unknown;
  timeoutMs?: unknown;
  clause?: unknown;
  waitOnly?: unknown;
  [target: string]: unknown;
}

const targets = ['run', 'workflow', 'task', 'command', 'instance'] as const;

/** The entity id an await names, and the step in words. */
function describeAwait(index: number, body: AwaitBody): { id: string | undefined; what: string } {
  const entity = targets.find((key) => typeof body[key] === 'string');
  const id = entity === undefined ? undefined : String(body[entity]);
  const timeout = typeof body.timeoutMs === 'number' ? ` within ${body.timeoutMs} ms` : '';
  return { id, what: `step ${index} (await ${entity ?? 'entity'} ${id ?? '?'} ${String(body.state)}) was not met${timeout}` };
}

/** The awaits of `events` that timed out, sorted into violations and undecided reasons. */
export function unmetExpectations(events: readonly TraceEvent[]): UnmetExpectations {
  const byClause = new Map<string, Violation[]>();
  const undecided: string[] = [];
  for (const event of events) {
    if (event.kind !== 'step' || event.phase !== 'end' || event.outcome !== 'timeout') continue;
    const body = (event as StepEvent).step.await as AwaitBody | undefined;
    if (body === undefined || body.waitOnly === true) continue;
    const { id, what } = describeAwait(event.index, body);
    if (typeof body.clause === 'string') {
      const violation: Violation = { clauseId: body.clause, message: `${what}: the scenario states it as ${body.clause}`, seq: event.seq, ...(id ? { entity: id } : {}) };
      byClause.set(body.clause, [...(byClause.get(body.clause) ?? []), violation]);
    } else {
      undecided.push(`${what}, and it names no clause it stands for`);
    }
  }
  return { byClause, undecided };
}
