/**
 * The run attributes of a trace (docs/trace.md "transition"), read so that a missing one
 * is visible: a clause that needs an attribute the trace never gave says 'unknown' and
 * names it, never reads it as 0 or false.
 *
 * An attribute is read from the run's latest transition, up to a position, that carries
 * it. Engines write every attribute on every transition; one that writes a constant
 * (`deploymentId`) once, at creation, is read the same way.
 */
import { runAttempts } from '../../spec/states.ts';
import type { RunAttributes, TransitionEvent } from '../../trace/events.ts';
import type { History } from './history.ts';

export type RunAttributeName = keyof RunAttributes;

export class RunFacts {
  constructor(private readonly history: History) {}

  /**
   * The value of attribute `name` for run `runId` as of trace position `seq` (the line at
   * `seq` included), or undefined when no transition of the run up to there carries it.
   */
  attribute<Name extends RunAttributeName>(runId: string, name: Name, seq: number): RunAttributes[Name] | undefined {
    const transitions = this.history.transitionsOf('run', runId);
    for (let index = transitions.length - 1; index >= 0; index -= 1) {
      const transition = transitions[index]!;
      if (transition.seq > seq) continue;
      const value = transition.attributes?.[name];
      if (value !== undefined) return value as RunAttributes[Name];
    }
    return undefined;
  }

  /** The attribute as carried by one transition (no looking back), for facts fixed at creation. */
  static own<Name extends RunAttributeName>(transition: TransitionEvent, name: Name): RunAttributes[Name] | undefined {
    return transition.attributes?.[name] as RunAttributes[Name] | undefined;
  }

  /**
   * The run count (Prefect's `run_count`: times the run entered RUNNING to start an
   * attempt, resumes excepted) as of `seq`. The trace itself shows every attempt when it
   * holds the run's creation, so the count is then known even without the attribute;
   * with both, the larger counts (an engine's attribute may include attempts from before
   * the trace began). Undefined when neither says.
   */
  runCount(runId: string, seq: number): number | undefined {
    const transitions = this.history.transitionsOf('run', runId).filter((transition) => transition.seq <= seq);
    const seen = runAttempts(transitions);
    const written = this.attribute(runId, 'runCount', seq);
    const createdInTrace = transitions.some((transition) => transition.from === null);
    if (written !== undefined) return Math.max(written, seen);
    return createdInTrace ? seen : undefined;
  }
}

/** "the trace gives no `autoScheduled` and no `scheduledStartMs` for run run-3" — the tail of an unknown reason. */
export function missingAttributes(runId: string, names: readonly RunAttributeName[]): string {
  return `the trace gives no ${names.map((name) => `\`${name}\``).join(' and no ')} for run ${runId} (run attributes, docs/trace.md)`;
}
