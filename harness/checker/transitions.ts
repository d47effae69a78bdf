/** TRANSITION-01, TRANSITION-02, OBSERVE-01: every step and every read agrees with the machines. */
import { eventsBetween, isTerminal, reachableFrom } from '../../spec/transitions.ts';
import { entityKey, type History } from './history.ts';
import { VerdictBuilder, type ClauseChecker } from './verdict.ts';

export const transitionAccepted: ClauseChecker = (history: History) => {
  const verdict = new VerdictBuilder('TRANSITION-01');
  const last = new Map<string, string | null>();
  for (const transition of history.transitions) {
    const key = entityKey(transition.entity, transition.id);
    const previous = last.has(key) ? last.get(key)! : null;
    if (transition.from !== previous) {
      verdict.violation(
        `${transition.entity} ${transition.id} moved from ${transition.from ?? '(new)'} but its last recorded state was ${previous ?? '(none)'}`,
        transition.seq,
        transition.id,
      );
    } else if (eventsBetween(transition.entity, transition.from, transition.to).length === 0) {
      verdict.violation(
        `${transition.entity} ${transition.id}: ${transition.from ?? '(new)'} → ${transition.to} is not a transition of the ${transition.entity} machine (cause: ${transition.cause})`,
        transition.seq,
        transition.id,
      );
    }
    last.set(key, transition.to);
  }
  return verdict.build();
};

export const terminalAbsorbing: ClauseChecker = (history: History) => {
  const verdict = new VerdictBuilder('TRANSITION-02');
  for (const transition of history.transitions) {
    if (transition.from !== null && isTerminal(transition.entity, transition.from)) {
      verdict.violation(
        `${transition.entity} ${transition.id} left terminal state ${transition.from} for ${transition.to} (cause: ${transition.cause})`,
        transition.seq,
        transition.id,
      );
    }
  }
  return verdict.build();
};

export const observedReachable: ClauseChecker = (history: History) => {
  const verdict = new VerdictBuilder('OBSERVE-01');
  const last = new Map<string, string | null>();
  /** Entities read back present at least once: only those can "come back". */
  const seenPresent = new Set<string>();
  for (const observe of history.observes) {
    const key = entityKey(observe.entity, observe.id);
    const wasPresent = seenPresent.has(key);
    if (observe.state !== null) seenPresent.add(key);
    if (!last.has(key)) {
      last.set(key, observe.state);
      continue;
    }
    const previous = last.get(key)!;
    if (observe.state === previous) continue;
    if (previous === null && observe.state !== null && wasPresent) {
      verdict.violation(`${observe.entity} ${observe.id} was read back as gone, then as ${observe.state}`, observe.seq, observe.id);
    } else if (previous !== null && observe.state !== null && !reachableFrom(observe.entity, previous).has(observe.state)) {
      verdict.violation(
        `${observe.entity} ${observe.id} was read back as ${previous}, then as ${observe.state}, which the machine cannot reach from it`,
        observe.seq,
        observe.id,
      );
    }
    last.set(key, observe.state);
  }
  return verdict.build();
};
