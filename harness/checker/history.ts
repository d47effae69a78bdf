/**
 * A trace indexed for the clause checkers: transitions per entity, process liveness per
 * pid, parents of runs, requests by op. Built once per check; pure reads after that.
 * Run states are read in canonical form (canonical-states.ts), so `SCHEDULED/Scheduled`
 * and `SCHEDULED` are one state to every checker.
 */
import { withCanonicalRunStates } from './canonical-states.ts';
import { defaultBounds, type Bounds, type EntityKind, type MetaEvent, type ObserveEvent, type ObserveProcessEvent, type RequestEvent, type TraceEvent, type TransitionEvent } from '../../trace/events.ts';

export function entityKey(entity: EntityKind, id: string): string {
  return `${entity}:${id}`;
}

export class History {
  readonly meta: MetaEvent | undefined;
  readonly bounds: Bounds;
  /**
   * How far the history of the engine reaches (wall ms): the teardown line when there is
   * one (what follows it is the harness killing leftovers), else the last event.
   */
  readonly endWallMs: number;
  /** Position of the teardown line, or Infinity. Liveness reads stop there. */
  readonly teardownSeq: number;
  readonly transitions: TransitionEvent[] = [];
  readonly observes: ObserveEvent[] = [];
  readonly requests: RequestEvent[] = [];
  private readonly transitionsByEntity = new Map<string, TransitionEvent[]>();
  private readonly processObservations = new Map<number, ObserveProcessEvent[]>();
  private readonly runParents = new Map<string, string | null>();

  /** The trace's events, in order, run states in canonical form. */
  readonly events: readonly TraceEvent[];

  constructor(trace: readonly TraceEvent[]) {
    const events = withCanonicalRunStates(trace);
    this.events = events;
    this.meta = events.find((event): event is MetaEvent => event.kind === 'meta');
    this.bounds = { ...defaultBounds, ...this.meta?.bounds };
    const teardown = events.find((event) => event.kind === 'teardown');
    this.teardownSeq = teardown?.seq ?? Infinity;
    this.endWallMs = teardown?.wallMs ?? (events.length === 0 ? 0 : Math.max(...events.map((event) => event.wallMs)));
    for (const event of events) {
      switch (event.kind) {
        case 'transition': {
          this.transitions.push(event);
          const key = entityKey(event.entity, event.id);
          this.transitionsByEntity.set(key, [...(this.transitionsByEntity.get(key) ?? []), event]);
          if (event.entity === 'run' && !this.runParents.has(event.id)) this.runParents.set(event.id, event.parentId);
          break;
        }
        case 'observe':
          this.observes.push(event);
          break;
        case 'observe-process':
          this.processObservations.set(event.pid, [...(this.processObservations.get(event.pid) ?? []), event]);
          break;
        case 'request':
          this.requests.push(event);
          break;
        default:
          break;
      }
    }
  }

  /** Does the history reach wall time `wallMs`? If not, a bound ending there cannot be judged. */
  covers(wallMs: number): boolean {
    return this.endWallMs >= wallMs;
  }

  transitionsOf(entity: EntityKind, id: string): TransitionEvent[] {
    return this.transitionsByEntity.get(entityKey(entity, id)) ?? [];
  }

  /** The state an entity had just before trace position `seq`, from its transitions (null: none yet). */
  stateBefore(entity: EntityKind, id: string, seq: number): TransitionEvent | undefined {
    return this.transitionsOf(entity, id)
      .filter((transition) => transition.seq < seq)
      .at(-1);
  }

  /** Runs below `runId` in the parent chain (subflows, theirs, …). */
  descendantRuns(runId: string): string[] {
    const result: string[] = [];
    const queue = [runId];
    while (queue.length > 0) {
      const parent = queue.shift()!;
      for (const [child, childParent] of this.runParents) {
        if (childParent === parent) {
          result.push(child);
          queue.push(child);
        }
      }
    }
    return result;
  }

  /** Entity ids whose parent is `parentId` (tasks of a workflow). */
  childrenOf(entity: EntityKind, parentId: string): string[] {
    const ids = new Set<string>();
    for (const transition of this.transitions) if (transition.entity === entity && transition.parentId === parentId) ids.add(transition.id);
    return [...ids];
  }

  /** Pids observed in /proc whose owner (as last read from their command line) is one of `owners`. */
  pidsOwnedBy(owners: Set<string>): Array<{ pid: number; owner: string }> {
    const result: Array<{ pid: number; owner: string }> = [];
    for (const [pid, observations] of this.processObservations) {
      const owner = observations.at(-1)!.owner;
      if (owners.has(owner)) result.push({ pid, owner });
    }
    return result;
  }

  /**
   * Pids of a run's process tree: those owned by the run or its descendant runs, and,
   * where the run's own process leads a process group, every process seen in that group
   * (children the engine never reported, orphans of a parent killed first).
   */
  treeOf(runId: string): Array<{ pid: number; owner: string }> {
    const owners = new Set([runId, ...this.descendantRuns(runId)]);
    const tree = new Map(this.pidsOwnedBy(owners).map((entry) => [entry.pid, entry]));
    const leaders = new Set(
      [...this.processObservations]
        .filter(([pid, observations]) => observations.at(-1)!.owner === runId && observations.some((observation) => observation.groupId === pid))
        .map(([pid]) => pid),
    );
    for (const [pid, observations] of this.processObservations) {
      if (!tree.has(pid) && observations.some((observation) => observation.groupId !== undefined && leaders.has(observation.groupId))) {
        tree.set(pid, { pid, owner: observations.at(-1)!.owner });
      }
    }
    return [...tree.values()];
  }

  /**
   * Was the process alive at wall time `wallMs`, per the last /proc look at or before it
   * (and before teardown)? Past the end of the history this is the last look before teardown.
   */
  processAliveAt(pid: number, wallMs: number): ObserveProcessEvent | undefined {
    const last = (this.processObservations.get(pid) ?? [])
      .filter((observation) => observation.wallMs <= wallMs && observation.seq < this.teardownSeq)
      .at(-1);
    return last?.alive ? last : undefined;
  }

  allProcessObservations(): ObserveProcessEvent[] {
    return [...this.processObservations.values()].flat().sort((a, b) => a.seq - b.seq);
  }

  /** The state read back through the query API at or before wall time `wallMs` (and before teardown). */
  observedStateAt(entity: EntityKind, id: string, wallMs: number): ObserveEvent | undefined {
    return this.observes
      .filter((observe) => observe.entity === entity && observe.id === id && observe.wallMs <= wallMs && observe.seq < this.teardownSeq)
      .at(-1);
  }

  /** Read-backs of the engine before teardown (what the engine did, not what teardown did). */
  observesBeforeTeardown(): ObserveEvent[] {
    return this.observes.filter((observe) => observe.seq < this.teardownSeq);
  }

  /** The step-begin event that the event at `seq` belongs to (requests are written when answered). */
  stepBeginBefore(seq: number): TraceEvent | undefined {
    for (let index = seq; index >= 0; index -= 1) {
      const event = this.events[index];
      if (event?.kind === 'step' && event.phase === 'begin') return event;
    }
    return undefined;
  }
}
