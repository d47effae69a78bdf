/**
 * TRANSITION-01, TRANSITION-02, OBSERVE-01: every step and every read agrees with the machines.
 *
 * A state name the entity's machine does not know (`COMPLETE` for `COMPLETED`) is
 * reported as such, with the nearest known name, and not as an illegal move: the fix is
 * a spelling, not a lifecycle. It is a violation, not 'unknown'. State names are part of
 * the contract (docs/trace.md; `flowconform spec` lists them), so an engine that writes
 * or shows a name the spec does not know has broken it, and a re-run cannot change
 * that, whereas 'unknown' (exit 3) says the history was too short to decide. It also
 * leaves no way out: were an unknown name 'unknown', an engine could make every move
 * unjudgeable by naming its states its own way.
 */
import type { EntityKind } from '../../trace/events.ts';
import { canonicalState, eventsBetween, isTerminal, nearestState, reachableFrom } from '../../spec/transitions.ts';
import { entityKey, type History } from './history.ts';
import { VerdictBuilder, type ClauseChecker } from './verdict.ts';

/** The message for a state name the machine lacks: distinct from an illegal move, with the nearest known name. */
export function unknownStateMessage(entity: EntityKind, id: string, name: string, written: 'wrote' | 'was read back as'): string {
  return `${entity} ${id} ${written} '${name}', a state name the ${entity} machine does not know (nearest known: '${nearestState(entity, name)}'; \`flowconform spec\` lists the states)`;
}

/**
 * Reports each unknown name once per entity: the `to` of one line is the `from` of the
 * next, and one misspelling is one finding.
 */
class UnknownNames {
  private readonly reported = new Set<string>();

  constructor(private readonly verdict: VerdictBuilder) {}

  /** Reports the unknown names among `names`; returns whether there were any. */
  check(entity: EntityKind, id: string, names: ReadonlyArray<string | null>, written: 'wrote' | 'was read back as', seq: number): boolean {
    let found = false;
    for (const name of names) {
      if (name === null || canonicalState(entity, name) !== undefined) continue;
      found = true;
      const key = `${entityKey(entity, id)}:${name}`;
      if (this.reported.has(key)) continue;
      this.reported.add(key);
      this.verdict.violation(unknownStateMessage(entity, id, name, written), seq, id);
    }
    return found;
  }
}

export const transitionAccepted: ClauseChecker = (history: History) => {
  const verdict = new VerdictBuilder('TRANSITION-01');
  const unknownNames = new UnknownNames(verdict);
  const last = new Map<string, string | null>();
  /** Entities the engine has written nothing about since it was killed (a crash of the nemesis). */
  const untoldSinceCrash = new Set<string>();
  const crashSeqs = history.crashes.map(({ crash }) => crash.seq);
  for (const transition of history.transitions) {
    const key = entityKey(transition.entity, transition.id);
    while (crashSeqs.length > 0 && crashSeqs[0]! < transition.seq) {
      crashSeqs.shift();
      for (const known of last.keys()) untoldSinceCrash.add(known);
    }
    const firstAfterCrash = untoldSinceCrash.delete(key);
    // Transitions the harness derived from read-backs may skip states it did not see;
    // OBSERVE-01 judges those. One read after a restart carries on the chain (the line
    // the crashed engine never sent: harness/checker/observed-transitions.ts).
    if (transition.cause === 'observed') {
      last.set(key, transition.to);
      continue;
    }
    const previous = last.has(key) ? last.get(key)! : null;
    const hasUnknownName = unknownNames.check(transition.entity, transition.id, [transition.from, transition.to], 'wrote', transition.seq);
    // Every transition the engine wrote is judged against its machine.
    verdict.exercised();
    // A killed engine may have committed moves whose lines never went out: the first line
    // of the restarted engine about an entity may start from any state the machine can
    // reach from the last one told.
    const lostAtCrash =
      firstAfterCrash && previous !== null && transition.from !== null && canonicalState(transition.entity, previous) !== undefined && reachableFrom(transition.entity, previous).has(transition.from);
    if (transition.from !== previous && !lostAtCrash) {
      verdict.violation(
        `${transition.entity} ${transition.id} moved from ${transition.from ?? '(new)'} but its last recorded state was ${previous ?? '(none)'}`,
        transition.seq,
        transition.id,
      );
    } else if (!hasUnknownName && eventsBetween(transition.entity, transition.from, transition.to).length === 0) {
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
  // The situation: an entity in a terminal state while the trace goes on (a later line
  // could show it leave), or one seen leaving it. Counted once per entity.
  const lastSeq = history.events.at(-1)?.seq ?? -1;
  const terminalEntities = new Set<string>();
  for (const transition of history.transitions) {
    const leaves = transition.from !== null && isTerminal(transition.entity, transition.from);
    if (leaves || (isTerminal(transition.entity, transition.to) && transition.seq < lastSeq)) terminalEntities.add(entityKey(transition.entity, transition.id));
    if (leaves) {
      verdict.violation(
        `${transition.entity} ${transition.id} left terminal state ${transition.from} for ${transition.to} (cause: ${transition.cause})`,
        transition.seq,
        transition.id,
      );
    }
  }
  verdict.exercised(terminalEntities.size);
  return verdict.build();
};

/**
 * OBSERVE-01's second half, from the engine's own word: an entity the engine announced
 * deleted (a `delete` line) and read back present afterwards has reappeared (a consumed
 * command still in the store, a deleted row back after a restart). Reported once per
 * entity. An id is never created twice (TRANSITION-01), so nothing brings it back legally.
 */
function checkReadBackAfterDelete(history: History, verdict: VerdictBuilder): void {
  /** Entity key → the seq of the engine's delete line, and whether a read after it was counted. */
  const deleted = new Map<string, { seq: number; read: boolean }>();
  for (const event of history.events) {
    if (event.kind === 'delete') deleted.set(entityKey(event.entity, event.id), { seq: event.seq, read: false });
    else if (event.kind === 'observe') {
      const key = entityKey(event.entity, event.id);
      const deletion = deleted.get(key);
      if (!deletion) continue;
      if (!deletion.read) verdict.exercised();
      deletion.read = true;
      if (event.state === null) continue;
      verdict.violation(`${event.entity} ${event.id} was read back as ${event.state} after the engine deleted it (delete at seq ${deletion.seq})`, event.seq, event.id);
      deleted.delete(key);
    }
  }
}

export const observedReachable: ClauseChecker = (history: History) => {
  const verdict = new VerdictBuilder('OBSERVE-01');
  const unknownNames = new UnknownNames(verdict);
  const last = new Map<string, string | null>();
  /** Entities read back present at least once: only those can "come back". */
  const seenPresent = new Set<string>();
  for (const observe of history.observes) {
    const key = entityKey(observe.entity, observe.id);
    const wasPresent = seenPresent.has(key);
    if (observe.state !== null) seenPresent.add(key);
    const hasUnknownName = unknownNames.check(observe.entity, observe.id, [observe.state], 'was read back as', observe.seq);
    if (!last.has(key)) {
      // A first read is compared with nothing; only its state name is judged.
      if (hasUnknownName) verdict.exercised();
      last.set(key, observe.state);
      continue;
    }
    const previous = last.get(key)!;
    // An unchanged read (the observer writes every entity after a restart) asks nothing of the machine.
    if (observe.state === previous) continue;
    verdict.exercised();
    const previousKnown = previous === null || canonicalState(observe.entity, previous) !== undefined;
    if (previous === null && observe.state !== null && wasPresent) {
      verdict.violation(`${observe.entity} ${observe.id} was read back as gone, then as ${observe.state}`, observe.seq, observe.id);
    } else if (previous !== null && observe.state !== null && !hasUnknownName && previousKnown && !reachableFrom(observe.entity, previous).has(observe.state)) {
      verdict.violation(
        `${observe.entity} ${observe.id} was read back as ${previous}, then as ${observe.state}, which the machine cannot reach from it`,
        observe.seq,
        observe.id,
      );
    }
    last.set(key, observe.state);
  }
  checkReadBackAfterDelete(history, verdict);
  return verdict.build();
};
